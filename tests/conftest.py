"""Shared fixtures: a tiny demo tree built once per session, and a private tensor cache."""
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    os.environ["HW2_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    os.environ["PYTHONPATH"] = str(REPO)  # subprocesses import the project too
    yield


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory) -> Path:
    """A small real hw2_data tree: 200 MNIST-M, 200 USPS, 200 SVHN-like digits, 40 faces."""
    from common.demo_data import build

    out = tmp_path_factory.mktemp("demo")
    build(out, seed=0, mnistm=200, usps=200, svhn=200, faces=40)
    return out / "hw2_data"
