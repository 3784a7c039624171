"""The report's accuracy tables from trained checkpoints, scored on the target test sets:

    python3 -m app.uda_table --data-root ROOT --ckpt-dir DIR [--kinds source,dann,target,bonus] [--out FILE.md]

Each cell is `percent (correct/total)`; columns are MNIST-M→USPS, SVHN→MNIST-M, USPS→SVHN.
"""
import argparse
from pathlib import Path

from app.models import UDA_KINDS, parse_kinds, uda_archs, uda_name
from common.atomic_output import write_text
from common.checkpoints import load_checkpoint
from common.data import load_digits
from common.errors import run_cli
from common.training import inference_device
from common.uda.predict import classifier_from_checkpoint, predict_images
from common.uda.scenarios import SCENARIOS, scenario_title


def accuracies(data_root: Path, ckpt_dir: Path, kinds: list[str]) -> dict[str, list[tuple[int, int]]]:
    """{kind: [(correct, total) per scenario]} on the target test splits."""
    device, archs = inference_device(), uda_archs()
    tests = {t: load_digits(data_root, t, "test") for _, t in SCENARIOS}
    out = {}
    for kind in kinds:
        out[kind] = []
        for s, t in SCENARIOS:
            path = ckpt_dir / f"{uda_name(kind, s, t)}.pt"
            net = classifier_from_checkpoint(load_checkpoint(path), path, archs, s, t)
            images, labels = tests[t]
            out[kind].append((int((predict_images(net, images, device) == labels).sum()), len(labels)))
    return out


def markdown(table: dict[str, list[tuple[int, int]]]) -> str:
    """Rows of `percent (correct/total)`, one column per scenario."""
    lines = ["| | " + " | ".join(scenario_title(s, t) for s, t in SCENARIOS) + " |", "|---|---|---|---|"]
    for kind, cells in table.items():
        cells_text = " | ".join(f"{100 * c / n:.1f}% ({c}/{n})" for c, n in cells)
        lines.append(f"| {UDA_KINDS[kind][0]} | {cells_text} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-root", type=Path, required=True)
    p.add_argument("--ckpt-dir", type=Path, required=True)
    p.add_argument("--kinds", default="source,dann,target",
                   help="rows: comma-separated from source, dann, target, bonus")
    p.add_argument("--out", type=Path, help="also write the markdown table here")
    a = p.parse_args()
    text = markdown(accuracies(a.data_root, a.ckpt_dir, parse_kinds(a.kinds)))
    print(text, end="")
    if a.out:
        write_text(a.out, text)


if __name__ == "__main__":
    run_cli(main)
