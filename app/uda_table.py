"""The report's accuracy tables from trained checkpoints, scored on the target test sets:

    python3 -m app.uda_table --data-root ROOT --ckpt-dir DIR [--methods source,dann,target,bonus] [--out FILE.md]

Each cell is `percent (correct/total)`; columns are MNIST-M→USPS, SVHN→MNIST-M, USPS→SVHN.
"""

from pathlib import Path

from app.model_files import METHOD_LABELS, parse_methods, uda_archs
from common.checkpoints import load_checkpoint
from common.cli import command_parser, run_cli
from common.data import load_digits
from common.files import SCENARIOS, model_name, scenario_title, write_text
from common.training import enable_deterministic_inference
from common.uda.predict import classifier_from_checkpoint
from common.uda.training import predict_images


def accuracies(data_root: Path, ckpt_dir: Path, methods: list[str]) -> dict[str, list[tuple[int, int]]]:
    """{method: [(correct, total) per scenario]} on the target test splits."""
    device, archs = enable_deterministic_inference(), uda_archs()
    tests = {t: load_digits(data_root, t, "test") for _, t in SCENARIOS}
    out = {}
    for method in methods:
        out[method] = []
        for s, t in SCENARIOS:
            path = ckpt_dir / f"{model_name(method, s, t)}.pt"
            net = classifier_from_checkpoint(load_checkpoint(path), path, archs, s, t)
            images, labels = tests[t]
            out[method].append((int((predict_images(net, images, device) == labels).sum()), len(labels)))
    return out


def markdown(table: dict[str, list[tuple[int, int]]]) -> str:
    """Rows of `percent (correct/total)`, one column per scenario."""
    lines = ["| | " + " | ".join(scenario_title(s, t) for s, t in SCENARIOS) + " |", "|---|---|---|---|"]
    for method, cells in table.items():
        cells_text = " | ".join(f"{100 * c / n:.1f}% ({c}/{n})" for c, n in cells)
        lines.append(f"| {METHOD_LABELS[method]} | {cells_text} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("--data-root", type=Path, required=True, help="the hw2_data folder")
    p.add_argument("--ckpt-dir", type=Path, required=True, help="the folder of the served checkpoints")
    p.add_argument(
        "--methods", default="source,dann,target", help="rows: comma-separated from source, dann, target, bonus"
    )
    p.add_argument("--out", type=Path, help="also write the markdown table here")
    a = p.parse_args()
    text = markdown(accuracies(a.data_root, a.ckpt_dir, parse_methods(a.methods)))
    print(text, end="")
    if a.out:
        write_text(a.out, text)


if __name__ == "__main__":
    run_cli(main)
