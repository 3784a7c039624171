"""Every model the project trains, by the name of its checkpoint in the checkpoint folder: for the shell scripts,
the report and the tools that load models of several problems.

    python3 -m app.models checkpoint {p1,p2,evaluator}   # the file name of a GAN's or the digit evaluator's checkpoint
    python3 -m app.models uda KIND[,KIND...]             # one line per UDA model: SOURCE TARGET KIND NAME
    python3 -m app.models status FILE                    # finished, unfinished, missing or unreadable

UDA kinds: source, dann, target (P3) and bonus; a model's checkpoint is NAME.pt, its run folders runs/NAME/, its
predictions and score eval/NAME.csv and eval/NAME.txt (common/uda/scenarios.py: model_name).
"""
import io
import os
import pickle
import sys
import zipfile
from pathlib import Path

import bonus_uda
import p1_dcgan
import p2_acgan
import p3_dann
from common.errors import UsageError, run_cli
from common.uda.scenarios import SCENARIOS, model_name

CHECKPOINTS = {"p1": f"{p1_dcgan.NAME}.pt", "p2": f"{p2_acgan.NAME}.pt", "evaluator": p2_acgan.EVALUATOR_CHECKPOINT}

# kind -> (row label in the report's tables, problem, variant): the four kinds of UDA model the report compares.
UDA_KINDS = {
    "source": ("Trained on source", p3_dann.PROBLEM, "source"),
    "dann": ("Adaptation (DANN)", p3_dann.PROBLEM, ""),
    "target": ("Trained on target", p3_dann.PROBLEM, "target"),
    "bonus": ("Improved model (bonus)", bonus_uda.PROBLEM, ""),
}


def uda_name(kind: str, source: str, target: str) -> str:
    _, problem, variant = UDA_KINDS[kind]
    return model_name(problem, source, target, variant)


def uda_archs() -> dict:
    """{problem: {arch: builder}} of every UDA problem (imported here, not at the top: the names need no torch)."""
    from bonus_uda.model import ARCHS as BONUS_ARCHS
    from p3_dann.model import ARCHS as P3_ARCHS

    return {p3_dann.PROBLEM: P3_ARCHS, bonus_uda.PROBLEM: BONUS_ARCHS}


class _Skeleton(pickle.Unpickler):
    """Reads the plain structure of a torch checkpoint's pickle without torch: every global it names becomes an
    empty `_Stub` (nothing is imported or called) and every tensor's storage None."""

    def find_class(self, module, name):
        return _Stub

    def persistent_load(self, pid):
        return None


class _Stub(dict):
    def __init__(self, *args, **kwargs):
        super().__init__()


def run_status(path: Path) -> str:
    """common.checkpoints.run_status, read in a tenth of a second: the scripts that train ask it for every model
    before deciding to reuse, resume or retrain it, and importing torch for each would cost seconds. A file this
    reader cannot walk goes to the full check, which loads it as the graders' scripts do."""
    if os.path.isfile(path) and zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as z:
                name = next(n for n in z.namelist() if n.endswith("/data.pkl"))
                ckpt = _Skeleton(io.BytesIO(z.read(name))).load()
            if isinstance(ckpt, dict) and ("problem" in ckpt or "state_dict" in ckpt):
                return "finished" if ckpt.get("finished") is True else "unfinished"
        except Exception:  # anything unexpected: the full check below decides
            pass
    from common.checkpoints import run_status as full_check  # imports torch

    return full_check(path)


def parse_kinds(text: str) -> list[str]:
    kinds = [k for k in text.split(",") if k]
    if not kinds or any(k not in UDA_KINDS for k in kinds):
        raise UsageError(f"expected a comma-separated list from {', '.join(UDA_KINDS)}, got {text!r}")
    return kinds


def main() -> None:
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "checkpoint" and args[1] in CHECKPOINTS:
        print(CHECKPOINTS[args[1]])
    elif len(args) == 2 and args[0] == "uda":
        for s, t in SCENARIOS:
            for kind in parse_kinds(args[1]):
                print(s, t, kind, uda_name(kind, s, t))
    elif len(args) == 2 and args[0] == "status":
        print(run_status(Path(args[1])))
    else:
        raise UsageError(f"usage: python3 -m app.models checkpoint {{{','.join(CHECKPOINTS)}}} | "
                         f"python3 -m app.models uda KIND[,KIND...] (kinds: {', '.join(UDA_KINDS)}) | "
                         "python3 -m app.models status FILE")


if __name__ == "__main__":
    run_cli(main)
