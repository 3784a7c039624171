"""The three HW2 adaptation scenarios, the kinds of model trained for each, and the one naming rule for their
checkpoints, run folders and evaluation files (torch-free, for scripts and reports).

    python3 -m common.uda.scenarios                      # one line per scenario: SOURCE TARGET
    python3 -m common.uda.scenarios --kinds dann,bonus   # one line per model: SOURCE TARGET KIND CHECKPOINT RESULT
"""
import argparse

from common.errors import UsageError, run_cli

DOMAIN_NAMES = {"mnistm": "MNIST-M", "usps": "USPS", "svhn": "SVHN"}
# The graders name the *target* domain; each target has one scenario.
SOURCE_OF_TARGET = {"usps": "mnistm", "mnistm": "svhn", "svhn": "usps"}
SCENARIOS = [(s, t) for t, s in SOURCE_OF_TARGET.items()]  # (mnistm, usps), (svhn, mnistm), (usps, svhn)

# kind -> (row label in the report's tables, checkpoint stem, evaluation-file stem); {s}/{t}: source/target.
# P3's DANN checkpoint has no suffix: it is the one hw2_p3.sh serves.
KINDS = {
    "source": ("Trained on source", "p3_{s}2{t}_source", "p3_source_{s}2{t}"),
    "dann": ("Adaptation (DANN)", "p3_{s}2{t}", "p3_dann_{s}2{t}"),
    "target": ("Trained on target", "p3_{s}2{t}_target", "p3_target_{s}2{t}"),
    "bonus": ("Improved model (bonus)", "bonus_{s}2{t}", "bonus_{s}2{t}"),
}


def source_for(target: str) -> str:
    if target not in SOURCE_OF_TARGET:
        raise UsageError(f"unknown DOMAIN {target!r}; expected one of {', '.join(SOURCE_OF_TARGET)}")
    return SOURCE_OF_TARGET[target]


def scenario_title(source: str, target: str) -> str:
    return f"{DOMAIN_NAMES[source]} → {DOMAIN_NAMES[target]}"


def checkpoint_stem(kind: str, source: str, target: str) -> str:
    """The file stem of a model's checkpoint (DIR/<stem>.pt) and of its run folder (DIR/runs/<stem>/)."""
    return KINDS[kind][1].format(s=source, t=target)


def result_stem(kind: str, source: str, target: str) -> str:
    """The stem of the predictions and score scripts/evaluate_all.sh writes for a model (eval/<stem>.csv)."""
    return KINDS[kind][2].format(s=source, t=target)


def parse_kinds(text: str) -> list[str]:
    kinds = [k for k in text.split(",") if k]
    if not kinds or any(k not in KINDS for k in kinds):
        raise UsageError(f"expected a comma-separated list from {', '.join(KINDS)}, got {text!r}")
    return kinds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kinds", help=f"also list each model of these kinds ({', '.join(KINDS)})")
    a = p.parse_args()
    for s, t in SCENARIOS:
        if not a.kinds:
            print(s, t)
        for kind in parse_kinds(a.kinds) if a.kinds else []:
            print(s, t, kind, checkpoint_stem(kind, s, t), result_stem(kind, s, t))


if __name__ == "__main__":
    run_cli(main)
