"""The three HW2 adaptation scenarios and the one naming rule for every UDA model's checkpoint, run folder and
evaluation files (torch-free, for scripts and reports)."""
from common.errors import UsageError

DOMAIN_NAMES = {"mnistm": "MNIST-M", "usps": "USPS", "svhn": "SVHN"}
# The graders name the *target* domain; each target has one scenario.
SOURCE_OF_TARGET = {"usps": "mnistm", "mnistm": "svhn", "svhn": "usps"}
SCENARIOS = [(s, t) for t, s in SOURCE_OF_TARGET.items()]  # (mnistm, usps), (svhn, mnistm), (usps, svhn)


def source_for(target: str) -> str:
    if target not in SOURCE_OF_TARGET:
        raise UsageError(f"unknown DOMAIN {target!r}; expected one of {', '.join(SOURCE_OF_TARGET)}")
    return SOURCE_OF_TARGET[target]


def scenario_title(source: str, target: str) -> str:
    return f"{DOMAIN_NAMES[source]} → {DOMAIN_NAMES[target]}"


def model_name(problem: str, source: str, target: str, variant: str = "") -> str:
    """<problem>_<S>2<T>, the model a problem's graders' script serves, or <problem>_<S>2<T>_<variant> for another
    (P3's source-only and target-only bounds): the stem of its checkpoint DIR/<name>.pt, of its run folder
    DIR/runs/<name>/ and of its predictions and score in the evaluation folder."""
    return f"{problem}_{source}2{target}" + (f"_{variant}" if variant else "")
