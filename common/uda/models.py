"""A trained UDA classifier rebuilt from its checkpoint, after checking that the checkpoint is what was asked for.

Callers hand over the architectures they know as a registry {problem: {arch: builder}} (P3's and the bonus's
model.py each export theirs), so this module imports no problem folder.
"""
from pathlib import Path
from typing import Callable

import torch

from common.errors import UsageError
from common.uda.scenarios import scenario_title

Registry = dict[str, dict[str, Callable[[], torch.nn.Module]]]
# Checkpoints written before "problem" was stored name the module that defined their network.
LEGACY_MODULES = {"p3_dann.model": "p3", "bonus_uda.model": "bonus"}


def problem_of(ckpt: dict) -> str | None:
    return ckpt.get("problem") or LEGACY_MODULES.get(ckpt.get("module"))


def classifier_from_checkpoint(ckpt: dict, path: Path, registry: Registry, source: str | None = None,
                               target: str | None = None, mode: str | None = None) -> torch.nn.Module:
    """The checkpoint's network with its weights, in eval mode. Refused with one line: a checkpoint of a problem
    not in `registry`, of an unknown architecture, of another scenario than source → target, of another P3 mode."""
    problem = problem_of(ckpt)
    if problem not in registry:
        raise UsageError(f"checkpoint {path} is not a {' or '.join(registry)} digit classifier "
                         f"(it was written by {problem or 'another problem'!s})")
    arch = ckpt.get("arch")
    if arch not in registry[problem] or "model" not in ckpt:
        raise UsageError(f"checkpoint {path} names architecture {arch!r}, which {problem} does not have "
                         f"({', '.join(registry[problem])})")
    if (source, target) != (None, None) and (ckpt.get("source"), ckpt.get("target")) != (source, target):
        trained = (f"{ckpt.get('source')} → {ckpt.get('target')}" if "source" in ckpt else "an unknown scenario")
        raise UsageError(f"checkpoint {path} was trained for {trained}, not {scenario_title(source, target)}")
    if mode is not None and ckpt.get("mode", mode) != mode:
        raise UsageError(f"checkpoint {path} is a {ckpt['mode']}-only model, not {mode}; pass it with --ckpt "
                         "to serve it deliberately")
    net = registry[problem][arch]()
    try:
        net.load_state_dict(ckpt["model"])
    except RuntimeError:
        raise UsageError(f"checkpoint {path}: its weights do not fit the {problem} architecture {arch!r}") from None
    return net.eval()
