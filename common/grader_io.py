"""What the graders' scripts share: where checkpoints live and how a missing one is reported."""
import os
from pathlib import Path

from common.checkpoint import load_checkpoint

REPO = Path(__file__).resolve().parent.parent


def checkpoint_dir() -> Path:
    """${HW2_CKPT_DIR:-checkpoints}; the default is the repository's checkpoints/ folder, from any cwd."""
    return Path(os.environ.get("HW2_CKPT_DIR") or REPO / "checkpoints")


def load_grader_checkpoint(name: str, trained_by: str) -> dict:
    """Load checkpoint_dir()/name; a missing file is an error that says which command trains it."""
    return load_checkpoint(checkpoint_dir() / name, trained_by=trained_by)
