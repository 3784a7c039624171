"""Write RUNS/report/README.md: the report's tables and figures from RUNS/eval and the training logs, with sample
grids drawn from the files the graders' scripts wrote (no second generation pass).

    python3 -m app.report RUNS [--data-root hw2_data]   # RUNS: checkpoints/ and eval/, as evaluate_all.sh leaves them
"""

import math
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from app.model_files import CHECKPOINTS, METHOD_LABELS  # noqa: E402
from common.checkpoints import load_checkpoint  # noqa: E402
from common.cli import UsageError, command_parser, run_cli  # noqa: E402
from common.data import DIGIT_SIZE, FACE_SIZE, NUM_DIGITS  # noqa: E402
from common.files import (  # noqa: E402
    DOMAIN_NAMES,
    SCENARIOS,
    atomic_path,
    model_name,
    read_label_csv,
    scenario_title,
    write_text,
)
from common.images import PAD, read_rgb, save_png, tile  # noqa: E402
from common.metrics.face_detector import NAME as FACE_DETECTOR  # noqa: E402
from common.training import latest_run_dir, read_metrics  # noqa: E402


def read(path: Path) -> str:
    return path.read_text().strip() if path.exists() else f"(missing: {path.name})"


def result_line(path: Path) -> str:
    """The last line a metric printed (earlier lines may be torch's download notices); a skipped metric in a few
    words (the full reason stays in the file)."""
    line = read(path).splitlines()[-1]
    metric, skipped, why = line.partition(" skipped")
    if skipped and metric in ("FID", "IS"):
        return f"skipped: no Inception weights here (set {metric}_WEIGHTS to a weights file)"
    if skipped:
        return f"skipped{why}"
    return line.removeprefix(f"{FACE_DETECTOR}: ")


def shown(path: Path) -> str:
    """A path as the report may print it: relative to the current folder when inside it, else its last three parts
    (a machine's absolute paths say nothing to a reader)."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(Path("…", *path.parts[-3:])) if len(path.parts) > 3 else str(path)


def accuracy_cell(path: Path) -> str:
    m = re.search(r"Accuracy: (\d+)/(\d+) \(([\d.]+)%\)", read(path))
    return f"{float(m.group(3)):.1f}% ({m.group(1)}/{m.group(2)})" if m else "n/a"


def accuracy_value(path: Path) -> float | None:
    m = re.search(r"Accuracy: \d+/\d+ \(([\d.]+)%\)", read(path))
    return float(m.group(1)) if m else None


def accuracy_counts(path: Path) -> tuple[int, int] | None:
    m = re.search(r"Accuracy: (\d+)/(\d+)", read(path))
    return (int(m.group(1)), int(m.group(2))) if m else None


def noise_points(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Two standard errors of the difference of two accuracies on test sets of these sizes, in points: a gap under
    it can come from which test images happen to be hard, before the spread over training seeds is even counted."""
    (ca, na), (cb, nb) = a, b
    pa, pb = ca / na, cb / nb
    return 200 * math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)


def lower_first(label: str) -> str:
    return label[0].lower() + label[1:]


def ordering_lines(ev: Path) -> list[str]:
    """For each scenario, which method leads which by more than the test set's noise, said plainly; an order is
    claimed only beyond it."""
    lines = []
    for s, t in SCENARIOS:
        counts = {method: accuracy_counts(ev / f"{model_name(method, s, t)}.txt") for method in METHOD_LABELS}
        if None in counts.values():
            lines.append(f"- {scenario_title(s, t)}: a result is missing.")
            continue
        said = []
        for low, high in (("source", "dann"), ("dann", "bonus")):
            gap = 100 * (counts[high][0] / counts[high][1] - counts[low][0] / counts[low][1])
            noise = noise_points(counts[low], counts[high])
            verdict = "ahead" if gap > noise else "behind" if gap < -noise else "level within the noise"
            said.append(
                f"{METHOD_LABELS[high]} {verdict} of {lower_first(METHOD_LABELS[low])} ({gap:+.1f} points; noise "
                f"±{noise:.1f} on {counts[high][1]} test images)"
            )
        lines.append(f"- {scenario_title(s, t)}: " + "; ".join(said) + ".")
    return [
        "Which method leads, one seed each, judged only beyond two standard errors of the test set (the spread "
        "over training seeds comes on top: `python3 -m benchmarks.uda_seeds` measures it):",
        "",
        *lines,
    ]


# What a full run trains, as scripts/train_p1.sh and train_p2.sh set it, for the budget lines.
FULL_RUNS = {
    "p1": "`scripts/train_p1.sh`: 60,000 steps of 64 on the 40,000 CelebA training faces (about 100 passes)",
    "p2": "`scripts/train_p2.sh`: 15,000 steps of 64 on the 60,000 MNIST-M training digits (16 passes)",
}


def budget_line(ckpt_path: Path, problem: str, what: str, train_folder: str) -> str:
    """How the served generator was trained (architecture, steps × batch, data, selected step), beside what a full
    run uses: a grid from a CPU-sized demo is read for what it is."""
    try:
        ckpt = load_checkpoint(ckpt_path)
        cfg, counters = ckpt["config"], ckpt["counters"]
    except (UsageError, KeyError):
        return f"(no readable {ckpt_path.name}: its training budget is unknown)"
    folder = Path(cfg["data_root"]) / train_folder
    count = sum(1 for p in folder.iterdir() if p.suffix == ".png") if folder.is_dir() else None
    held_out = ""
    if count and "fid_holdout" in cfg:  # P1 keeps a share of its faces as the FID reference, never trained on
        n_held = min(count - 1, max(1, round(count * cfg["fid_holdout"])))
        count, held_out = count - n_held, f" ({n_held} more held out for FID)"
    seen = cfg["steps"] * cfg["batch_size"]
    passes = seen / count if count else 0
    data = (
        f"{count:,} training {what} of `{shown(folder)}`{held_out} ({passes:.{0 if passes >= 10 else 1}f} passes)"
        if count
        else f"`{shown(folder)}`"
    )
    state = "" if ckpt.get("finished") else " (**its run did not finish**)"
    chosen = f", the step `{Path(cfg['classifier']).name}` read best" if cfg.get("classifier") else ""
    augment = " without DiffAugment" if cfg.get("diffaugment") == "" else ""  # the demo's P1 turns it off
    return (
        f"Trained here: `--arch {ckpt['arch']}`{augment}, {cfg['steps']:,} steps of {cfg['batch_size']} images "
        f"({seen:,} images) on {data}; the served generator is step {counters['step']:,}{chosen}{state}. "
        f"A full run: {FULL_RUNS[problem]}."
    )


def latest_metrics(runs_dir: Path) -> list[dict]:
    run = latest_run_dir(runs_dir, "metrics.jsonl")
    return read_metrics(run) if run else []


def save_figure(fig, path: Path) -> Path:
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp)
    plt.close(fig)
    return path


GAN_CURVES = {  # what each GAN's figure plots, when its run logged it
    "p1": {"loss_d": "discriminator loss", "loss_g": "generator loss", "fid": "FID (held-out training faces)"},
    "p2": {"loss_d": "discriminator loss", "loss_g": "generator loss", "accuracy": "accuracy of 1000 samples"},
}


def curves(ckpt_dir: Path, out: Path) -> list[tuple[Path | None, str]]:
    """A figure per problem from the newest run's metrics.jsonl, and what it shows: (path, caption); a problem
    whose run logged nothing gets its caption saying so, and no path."""
    made = []
    runs = ckpt_dir / "runs"
    for name, titles in GAN_CURVES.items():
        rows = latest_metrics(runs / Path(CHECKPOINTS[name]).stem)
        keys = [k for k in titles if any(k in r for r in rows)]  # a metric never measured gets no empty panel
        if not keys:
            made.append((None, f"{name.upper()}: no curves (no run in {shown(runs)} logged any)"))
            continue
        fig, axes = plt.subplots(1, len(keys), figsize=(4 * len(keys), 3), dpi=100, squeeze=False)
        for ax, key in zip(axes[0], keys):
            ax.plot(*zip(*[(r["step"], r[key]) for r in rows if key in r]), marker=".")
            ax.set_title(f"{name.upper()}: {titles[key]}")
            ax.set_xlabel("step")
        missing = [titles[k] for k in titles if k not in keys]
        caption = (
            f"{name.upper()}: "
            + ", ".join(titles[k] for k in keys)
            + " by step"
            + (f" ({', '.join(missing)}: not measured in this run)" if missing else "")
        )
        made.append((save_figure(fig, out / f"curves_{name}.png"), caption))
    # Validation accuracy on held-out labelled training digits: the source's for the methods trained on the
    # source, the target's for the target-only bound, each panel says which; never the target test set.
    if not any(latest_metrics(runs / model_name(m, s, t)) for m in METHOD_LABELS for s, t in SCENARIOS):
        made.append((None, f"P3 and bonus: no curves (no run in {shown(runs)} logged any)"))
        return made
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.4), dpi=100)
    for ax, (s, t) in zip(axes, SCENARIOS):
        for method, label in (
            ("source", f"source only ({DOMAIN_NAMES[s]} val)"),
            ("dann", f"DANN ({DOMAIN_NAMES[s]} val)"),
            ("bonus", f"bonus ({DOMAIN_NAMES[s]} val)"),
            ("target", f"target only ({DOMAIN_NAMES[t]} val)"),
        ):
            pts = [(r["epoch"], r["val_accuracy"]) for r in latest_metrics(runs / model_name(method, s, t))]
            if pts:
                ax.plot(*zip(*pts), label=label, marker=".", linestyle="--" if method == "target" else "-")
        ax.set_title(f"{scenario_title(s, t)}", fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_ylabel("validation accuracy")
        if ax.lines:
            ax.legend(fontsize=7)
        else:
            ax.text(0.5, 0.5, "no run logged any", ha="center", va="center", transform=ax.transAxes)
    caption = (
        "P3 and bonus: accuracy on the validation digits held out of each run's labelled training data, by epoch: "
        "the source domain's for source-only, DANN and the bonus (how well they fit the source, not how they do "
        "on the target), the target domain's for the target-only bound (dashed). Target test accuracy is in the "
        "tables above."
    )
    made.append((save_figure(fig, out / "curves_uda.png"), caption))
    return made


def labelled_grid(images: list[np.ndarray], columns: int, row_labels: list[str] | None, title: str) -> Image.Image:
    """Images tiled `columns` to a row under a title line, each row's label at its left."""
    grid = tile(images, columns)
    left = 16 if row_labels else 0
    canvas = Image.new("RGB", (grid.width + left, grid.height + 14), "white")
    canvas.paste(grid, (left, 14))
    draw = ImageDraw.Draw(canvas)
    draw.text((left + 2, 1), title, fill="black")
    if row_labels:
        row_height = (grid.height - PAD) / len(row_labels)
        for i, label in enumerate(row_labels):
            draw.text((4, 14 + PAD + i * row_height + row_height / 2 - 6), label, fill="black")
    return canvas


def digit_rows(folder: Path, csv_path: Path | None, per_digit: int = 10) -> list[np.ndarray]:
    """The first `per_digit` images of each digit, digit by digit: from a graders' folder (<digit>_NNN.png), or from
    a labelled split (its CSV)."""
    if csv_path is None:
        files = [folder / f"{d}_{i:03d}.png" for d in range(NUM_DIGITS) for i in range(1, per_digit + 1)]
    else:
        labels = read_label_csv(csv_path)
        files = [
            folder / n for d in range(NUM_DIGITS) for n in sorted(n for n, y in labels.items() if y == d)[:per_digit]
        ]
    return [read_rgb(f, DIGIT_SIZE) for f in files]


def sample_grids(ev: Path, data_root: Path | None) -> dict[str, Path]:
    """Grids of the graders' images beside real ones, each titled and (P2) each row labelled with its digit:
    eval/p1_grid.png (the first 32 of the 1000 faces, and 32 real test faces) and eval/p2_grid.png (the first 10
    images of each digit, and 10 real test digits of each)."""
    grids = {}
    faces = sorted((ev / "p1_images").glob("*.png"))[:32]
    if faces:
        pictures = [labelled_grid([read_rgb(f, FACE_SIZE) for f in faces], 8, None, "generated (hw2_p1.sh)")]
        real = sorted((data_root / "face" / "test").glob("*.png"))[:32] if data_root else []
        if real:
            pictures.append(labelled_grid([read_rgb(f, FACE_SIZE) for f in real], 8, None, "real test faces"))
        grids["p1"] = ev / "p1_grid.png"
        save_png(side_by_side(pictures), grids["p1"])
    if all((ev / "p2_images" / f"{d}_{i:03d}.png").is_file() for d in range(NUM_DIGITS) for i in range(1, 11)):
        digits = [str(d) for d in range(NUM_DIGITS)]
        pictures = [labelled_grid(digit_rows(ev / "p2_images", None), 10, digits, "generated (hw2_p2.sh)")]
        split = data_root / "digits" / "mnistm" / "test" if data_root else None
        if split is not None and split.is_dir():
            real = digit_rows(split, split.parent / "test.csv")
            pictures.append(labelled_grid(real, 10, digits, "real MNIST-M test digits"))
        grids["p2"] = ev / "p2_grid.png"
        save_png(side_by_side(pictures), grids["p2"])
    return grids


def side_by_side(pictures: list[Image.Image], gap: int = 12) -> Image.Image:
    canvas = Image.new(
        "RGB", (sum(p.width for p in pictures) + gap * (len(pictures) - 1), max(p.height for p in pictures)), "white"
    )
    x = 0
    for p in pictures:
        canvas.paste(p, (x, 0))
        x += p.width + gap
    return canvas


def epochs_of(ckpt_dir: Path, method: str) -> str:
    """The epochs each scenario's model of `method` trained, as a table cell's note."""
    found = []
    for s, t in SCENARIOS:
        try:
            found.append(load_checkpoint(ckpt_dir / f"{model_name(method, s, t)}.pt")["config"]["epochs"])
        except (UsageError, KeyError):
            found.append("?")
    return f"{found[0]} epochs" if len(set(found)) == 1 else "/".join(map(str, found)) + " epochs"


def uda_rows(ev: Path, ck: Path, methods: tuple[str, ...]) -> list[str]:
    heads = " | ".join(scenario_title(s, t) for s, t in SCENARIOS)
    lines = [f"| | {heads} | budget |", "|---|---|---|---|---|"]
    for method in methods:
        cells = " | ".join(accuracy_cell(ev / f"{model_name(method, s, t)}.txt") for s, t in SCENARIOS)
        lines.append(f"| {METHOD_LABELS[method]} | {cells} | {epochs_of(ck, method)} |")
    return lines


def write_report(runs: Path, data_root: Path | None = None) -> Path:
    ev, ck, out = runs / "eval", runs / "checkpoints", runs / "report"
    if not ev.is_dir():
        raise UsageError(f"{ev} does not exist; run scripts/evaluate_all.sh DATA_ROOT {runs} first")
    out.mkdir(parents=True, exist_ok=True)
    grids = sample_grids(ev, data_root)
    budgets = {m: epochs_of(ck, m) for m in ("dann", "bonus")}
    lines = [
        "# HW2 report",
        "",
        "Written by `python3 -m app.report RUNS` from the graders' outputs and scores in `RUNS/eval`.",
        "",
        "## P1: face GAN",
        "",
        "| metric | value |",
        "|---|---|",
        f"| FID (1000 generated vs the test faces) | {result_line(ev / 'p1_fid.txt')} |",
        f"| IS (10 splits) | {result_line(ev / 'p1_is.txt')} |",
        "| face detector: share of the 1000 in which OpenCV's Haar cascade finds a face (a face-likeness proxy, "
        "not FID: it finds one in nearly every real face and is blind to diversity) | "
        f"{result_line(ev / 'p1_faces.txt')} |",
        "",
        budget_line(ck / CHECKPOINTS["p1"], "p1", "faces", "face/train"),
        "",
        "Left: the first 32 of the 1000 images `hw2_p1.sh` writes; right: 32 real test faces.",
        "",
        "![P1 samples](../eval/p1_grid.png)" if "p1" in grids else "(no P1 images)",
        "",
        "## P2: conditional GAN digits",
        "",
        budget_line(ck / CHECKPOINTS["p2"], "p2", "digits", "digits/mnistm/train"),
        "",
        "```",
        re.sub(r"^\S*/([^/\s]+\.pth?):", r"\1:", read(ev / "p2_accuracy.txt"), flags=re.M),  # names, not paths
        "```",
        "",
        "Left: ten of the graders' images per digit, one row per digit (its label at the left); right: ten real "
        "MNIST-M test digits of each.",
        "",
        "![P2 samples](../eval/p2_grid.png)" if "p2" in grids else "(no P2 images)",
        "",
        "## P3: DANN",
        "",
        "Target test accuracy, `percent (correct/total)`:",
        "",
        *uda_rows(ev, ck, ("source", "dann", "target")),
        "",
        "t-SNE of the DANN features of both test sets (left: digit, right: domain):",
        "",
    ]
    for s, t in SCENARIOS:
        stem = model_name("dann", s, t)
        lines.append(
            f"![{s}2{t} digit](../eval/tsne_{stem}_class.png) ![{s}2{t} domain](../eval/tsne_{stem}_domain.png)"
        )
    lines += [
        "",
        "## Bonus: improved UDA",
        "",
        *uda_rows(ev, ck, ("dann", "bonus")),
        "",
    ]
    if budgets["dann"] != budgets["bonus"]:
        lines += [
            f"The two rows trained different budgets (DANN {budgets['dann']}, the improved model "
            f"{budgets['bonus']}): compare them with that in mind, or retrain them alike.",
            "",
        ]
    lines += [*ordering_lines(ev), "", "t-SNE of the improved model's features:", ""]
    for s, t in SCENARIOS:
        stem = model_name("bonus", s, t)
        lines.append(
            f"![bonus {s}2{t} digit](../eval/tsne_{stem}_class.png) "
            f"![bonus {s}2{t} domain](../eval/tsne_{stem}_domain.png)"
        )
    lines += ["", "## Training curves", ""]
    for path, caption in curves(ck, out):
        lines += [caption, "", *([f"![{path.stem}]({path.name})", ""] if path else [])]
    path = out / "README.md"
    write_text(path, "\n".join(lines).rstrip() + "\n")
    return path


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("runs", type=Path, help="the folder holding checkpoints/ and eval/")
    p.add_argument("--data-root", type=Path, help="the hw2_data folder: real images beside the generated ones")
    a = p.parse_args()
    print(f"wrote {write_report(a.runs, a.data_root)}")


if __name__ == "__main__":
    run_cli(main)
