"""The three HW2 adaptation scenarios and how the graders name them (torch-free, for scripts and reports)."""
from common.errors import UsageError

# The graders name the *target* domain; each target has one scenario (SPEC §2).
SOURCE_OF_TARGET = {"usps": "mnistm", "mnistm": "svhn", "svhn": "usps"}
SCENARIOS = [(s, t) for t, s in SOURCE_OF_TARGET.items()]  # (mnistm, usps), (svhn, mnistm), (usps, svhn)


def source_for(target: str) -> str:
    if target not in SOURCE_OF_TARGET:
        raise UsageError(f"unknown DOMAIN {target!r}; expected one of {', '.join(SOURCE_OF_TARGET)}")
    return SOURCE_OF_TARGET[target]
