"""Shared fixtures, each built once per session: a private tensor cache, a tiny demo tree, and a miniature
`make demo` (every problem trained for a step or an epoch, every graders' script run) whose checkpoints and
outputs the end-to-end tests share instead of training their own."""

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# Budgets of the miniature demo: the smallest that still run every code path.
MINI_DEMO = {
    "P1_STEPS": "2",
    "P2_STEPS": "2",
    "P3_EPOCHS": "1",
    "BONUS_EPOCHS": "1",
    "CLS_EPOCHS": "1",
    "TSNE_SAMPLES": "15",
    "BATCH": "8",
    "UDA_BATCH": "16",
    "FID_WEIGHTS": "none",
    "IS_WEIGHTS": "none",
}  # never a download from a test, and no wait for one


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    os.environ["HW2_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    os.environ["PYTHONPATH"] = str(REPO)  # subprocesses import the project too
    if os.environ.get("PYTEST_XDIST_WORKER"):  # one thread per worker in-process: the workers share the cores
        import torch

        torch.set_num_threads(1)
    yield


# The order in which pytest-xdist (make test: --dist loadfile --no-loadscope-reorder) hands files to its two
# workers, each taking two at the start and more as it drains. The miniature demo goes first with the shortest
# file (the first worker takes units 1 and 3), so its long chain starts at once and the second worker takes the rest.
FILE_ORDER = (
    "test_demo_pipeline.py",
    "test_p3_bonus_end_to_end.py",
    "test_checkpoint.py",
    "test_p1_p2_end_to_end.py",
    "test_metrics.py",
    "test_host_syncs.py",
    "test_data.py",
    "test_reliability.py",
    "test_models.py",
)


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(FILE_ORDER)}
    items.sort(key=lambda item: rank.get(item.path.name, len(FILE_ORDER)))  # stable within a file


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory) -> Path:
    """A small real hw2_data tree: 200 MNIST-M, 200 USPS, 200 generated and 554 real SVHN digits, 40 faces."""
    from app.demo_data import build

    out = tmp_path_factory.mktemp("demo")
    build(out, seed=0, mnistm=200, usps=200, svhn=200, faces=40)
    return out / "hw2_data"


@pytest.fixture(scope="session")
def mini_demo(demo_root, tmp_path_factory) -> dict:
    """`scripts/demo.sh` on the tiny tree: returns its env, stdout and output folder (checkpoints/, eval/, report/).
    Every test that uses it lives in test_demo_pipeline.py, so that one xdist worker builds it, once.
    """
    from tests.helpers import run_module

    out = tmp_path_factory.mktemp("demo_out")
    env = {**MINI_DEMO, "DEMO_DATA": str(demo_root.parent), "DEMO_OUT": str(out)}
    log = run_module("scripts/demo.sh", env=env).stdout
    return {"env": env, "log": log, "out": out, "ckpt": out / "checkpoints", "eval": out / "eval"}
