"""Every model's files, torch-free for the shell scripts: what they are called, and whether the run that wrote one
finished.

    python3 -m app.model_files checkpoint {p1,p2,evaluator}  # a GAN's or the digit evaluator's checkpoint file
    python3 -m app.model_files uda METHOD[,METHOD...]        # a line per UDA model: SOURCE TARGET METHOD NAME
    python3 -m app.model_files status FILE                   # finished, unfinished, missing or unreadable

UDA methods: source, dann, target (P3) and bonus; a model's checkpoint is NAME.pt, its run folders runs/NAME/, its
predictions and score eval/NAME.csv and eval/NAME.txt (common/files.py: model_name).
"""

import io
import os
import pickle
import sys
import zipfile
from pathlib import Path

from common.cli import UsageError, run_cli
from common.files import EVALUATOR_CHECKPOINT, GAN_NAMES, SCENARIOS, UDA_METHODS, model_name

CHECKPOINTS = {**{problem: f"{name}.pt" for problem, name in GAN_NAMES.items()}, "evaluator": EVALUATOR_CHECKPOINT}

# The row label of each UDA method in the report's tables.
METHOD_LABELS = {
    "source": "Trained on source",
    "dann": "Adaptation (DANN)",
    "target": "Trained on target",
    "bonus": "Improved model (bonus)",
}


def uda_archs() -> dict:
    """{problem: {arch: builder}} of every UDA problem (imported here, not at the top: the names need no torch)."""
    from bonus_uda.model import ARCHS as BONUS_ARCHS
    from bonus_uda.model import PROBLEM as BONUS
    from p3_dann.model import ARCHS as P3_ARCHS
    from p3_dann.model import PROBLEM as P3

    return {P3: P3_ARCHS, BONUS: BONUS_ARCHS}


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


def parse_methods(text: str) -> list[str]:
    methods = [m for m in text.split(",") if m]
    if not methods or any(m not in UDA_METHODS for m in methods):
        raise UsageError(f"expected a comma-separated list from {', '.join(UDA_METHODS)}, got {text!r}")
    return methods


def main() -> None:
    args = sys.argv[1:]
    if args in (["-h"], ["--help"]):
        print(__doc__.strip())
    elif len(args) == 2 and args[0] == "checkpoint" and args[1] in CHECKPOINTS:
        print(CHECKPOINTS[args[1]])
    elif len(args) == 2 and args[0] == "uda":
        for s, t in SCENARIOS:
            for method in parse_methods(args[1]):
                print(s, t, method, model_name(method, s, t))
    elif len(args) == 2 and args[0] == "status":
        print(run_status(Path(args[1])))
    else:
        raise UsageError(
            f"usage: python3 -m app.model_files checkpoint {{{','.join(CHECKPOINTS)}}} | "
            f"python3 -m app.model_files uda METHOD[,METHOD...] (methods: {', '.join(UDA_METHODS)}) | "
            "python3 -m app.model_files status FILE"
        )


if __name__ == "__main__":
    run_cli(main)
