"""Every command's --help: exit 0, a usage line under the name users type (`python3 -m ...`), a description that
ends its sentence, and help for every argument."""

import importlib
import re
import sys

import pytest

from common.cli import parse_config

COMMANDS = [
    "app.demo_data", "app.report", "app.run_queue", "app.score", "app.tsne", "app.uda_table", "app.predict_bounds",
    "common.metrics.__main__", "p1_dcgan.inference", "p2_acgan.inference", "p2_acgan.evaluate",
    "p2_acgan.digit_classifier", "p3_dann.inference", "bonus_uda.inference", "benchmarks.p1_quality",
    "benchmarks.p2_quality", "benchmarks.uda_seeds", "benchmarks.p3_inference", "benchmarks.real_data",
]  # fmt: skip
TRAINERS = ["p1_dcgan.train", "p2_acgan.train", "p3_dann.train", "bonus_uda.train"]


def help_text(capsys, run) -> str:
    with pytest.raises(SystemExit) as e:
        run()
    assert e.value.code == 0
    return capsys.readouterr().out


def check(text: str, name: str) -> None:
    assert text.startswith(f"usage: python3 -m {name.removesuffix('.__main__')} "), text[:200]
    description = text.split("\n\n")[1].strip()
    assert description.endswith((".", ")", ":")), description  # a whole sentence, not one cut at a line break
    for line in re.findall(r"^  (\S.*)$", text.split("options:")[-1], re.M):
        if line.startswith("-h"):
            continue
        assert len(line.split(None, 1)) == 2 or line.startswith("{"), f"{name}: an option without help: {line}"


@pytest.mark.parametrize("name", COMMANDS)
def test_commands_help(name, capsys, monkeypatch):
    module = importlib.import_module(name)
    monkeypatch.setattr(sys, "argv", [name, "--help"])
    check(help_text(capsys, module.main), name)


@pytest.mark.parametrize("name", TRAINERS)
def test_trainers_help(name, capsys):
    module = importlib.import_module(name)
    text = help_text(capsys, lambda: parse_config(module.Config, ["--help"]))
    check(text, name)
    assert "(default: None)" not in text


def test_model_files_help_is_its_usage(capsys, monkeypatch):
    from app import model_files

    monkeypatch.setattr(sys, "argv", ["app.model_files", "--help"])
    model_files.main()
    assert "python3 -m app.model_files checkpoint" in capsys.readouterr().out
