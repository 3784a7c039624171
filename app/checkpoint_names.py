"""The file names of the GANs' checkpoints, for shell scripts: `python3 -m app.checkpoint_names {p1,p2,evaluator}`.
(The UDA models' names come from `python3 -m common.uda.scenarios --kinds ...`.)"""
import sys

import p1_dcgan
import p2_acgan
from common.errors import UsageError, run_cli

NAMES = {"p1": p1_dcgan.GRADER_CHECKPOINT, "p2": p2_acgan.GRADER_CHECKPOINT, "evaluator": p2_acgan.EVALUATOR_CHECKPOINT}


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1] not in NAMES:
        raise UsageError(f"usage: python3 -m app.checkpoint_names {{{','.join(NAMES)}}}")
    print(NAMES[sys.argv[1]])


if __name__ == "__main__":
    run_cli(main)
