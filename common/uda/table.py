"""The report's accuracy table: each kind of model scored on every scenario's target test set."""
from pathlib import Path

from common.data.datasets import load_digits
from common.training.checkpoint import load_checkpoint
from common.training.runtime import inference_device
from common.uda.models import Registry, classifier_from_checkpoint
from common.uda.predict import predict_images
from common.uda.scenarios import KINDS, SCENARIOS, checkpoint_stem, scenario_title


def accuracies(data_root: Path, ckpt_dir: Path, kinds: list[str],
               registry: Registry) -> dict[str, list[tuple[int, int]]]:
    """{kind: [(correct, total) per scenario]} on the target test splits."""
    device = inference_device()
    tests = {t: load_digits(data_root, t, "test") for _, t in SCENARIOS}
    out = {}
    for kind in kinds:
        out[kind] = []
        for s, t in SCENARIOS:
            path = ckpt_dir / f"{checkpoint_stem(kind, s, t)}.pt"
            net = classifier_from_checkpoint(load_checkpoint(path), path, registry, s, t)
            images, labels = tests[t]
            out[kind].append((int((predict_images(net, images, device) == labels).sum()), len(labels)))
    return out


def markdown(table: dict[str, list[tuple[int, int]]]) -> str:
    """Rows of `percent (correct/total)`, one column per scenario."""
    lines = ["| | " + " | ".join(scenario_title(s, t) for s, t in SCENARIOS) + " |", "|---|---|---|---|"]
    for kind, cells in table.items():
        lines.append(f"| {KINDS[kind][0]} | " + " | ".join(f"{100 * c / n:.1f}% ({c}/{n})" for c, n in cells) + " |")
    return "\n".join(lines) + "\n"
