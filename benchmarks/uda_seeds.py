"""Source-only, AdaBN, DANN, target-only and the bonus over several seeds: mean ± std of target-test accuracy.

    python3 -m benchmarks.uda_seeds --data-root demo_data/hw2_data [--scenarios mnistm:usps,...]
        [--methods source,adabn,dann,target,bonus] [--seeds 0,1,2] [--epochs 6] [--jobs 1]
        [--p3-args "--lambda-max 0.5"] [--bonus-args "..."]

AdaBN (Li et al., "Revisiting Batch Normalization for Practical Domain Adaptation", 2016) trains nothing of its own:
it is each source-only network with every batch norm's statistics re-estimated on the unlabelled target training
digits, the honest baseline for what DANN's adversarial loss adds beyond normalising each domain apart.

Each run trains as a user would (`python3 -m p3_dann.train` / `bonus_uda.train`) with `--log-target-test`,
which logs the target test accuracy of every epoch. Those test labels serve one diagnostic only, the
**selection gap**: the target-test accuracy of the epoch a selection rule picks
against the best epoch in hindsight, for both rules the trainers offer (`--select val`: best validation
accuracy on labelled training data; `--select last`), computed from the same logs. The table reports the
checkpoints the runs served. Last line: `ratio=<min over scenarios of mean DANN / mean source-only>`.
"""

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import torch

from app.model_files import uda_archs
from common.checkpoints import load_checkpoint
from common.cli import command_parser
from common.data import load_digits
from common.files import SCENARIOS, model_name
from common.images import to_signed_unit
from common.uda.predict import classifier_from_checkpoint
from common.uda.training import predict_images

REPO = Path(__file__).resolve().parent.parent
METHODS = ("source", "adabn", "dann", "target", "bonus")
DEFAULT_SCENARIOS = ",".join(f"{s}:{t}" for s, t in SCENARIOS)


@dataclass
class Run:
    scenario: tuple[str, str]
    method: str
    seed: int
    picked_epoch: int = 0
    picked: float = float("nan")  # target-test accuracy of the checkpoint the run selected
    best: float = float("nan")  # of the best epoch in hindsight
    by_val: float = float("nan")  # of the epoch best on the validation split (the rule --select val)
    last: float = float("nan")  # of the last epoch (the rule --select last)
    seconds: float = 0.0
    domain_acc: tuple[float, float] = (float("nan"), float("nan"))  # the domain classifier's, last epoch (s, t)
    adabn: float = float("nan")  # source-only: target-test accuracy with the target's batch-norm statistics

    @property
    def name(self) -> str:
        s, t = self.scenario
        return f"{s}2{t}_{self.method}_seed{self.seed}"


def train(run: Run, a: argparse.Namespace, work: Path, threads: int) -> Run:
    s, t = run.scenario
    ck = work / run.name
    if run.method == "bonus":
        module, extra = "bonus_uda.train", shlex.split(a.bonus_args)
    else:
        module, extra = "p3_dann.train", ["--method", run.method, *shlex.split(a.p3_args)]
    name = model_name(run.method, s, t)
    cmd = [
        sys.executable,
        "-m",
        module,
        "--data-root",
        str(a.data_root),
        "--source",
        s,
        "--target",
        t,
        "--ckpt-dir",
        str(ck),
        "--epochs",
        str(a.epochs),
        "--batch-size",
        str(a.batch_size),
        "--seed",
        str(run.seed),
        "--log-target-test",
        *extra,
    ]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    run.seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    rows = [json.loads(x) for x in (ck / "runs" / name / "00000" / "metrics.jsonl").read_text().splitlines()]
    test = {r["epoch"]: r["target_test_accuracy"] for r in rows}
    run.domain_acc = (rows[-1].get("domain_acc_source", float("nan")), rows[-1].get("domain_acc_target", float("nan")))
    if run.method == "source":
        run.adabn = adabn_accuracy(ck / f"{name}.pt", a.data_root, t)
    val_epoch = max(rows, key=lambda r: (r["val_accuracy"], -r["epoch"]))["epoch"]  # the first best, as training keeps
    run.picked_epoch = torch.load(ck / f"{name}.pt", map_location="cpu", weights_only=True)["counters"]["epoch"]
    run.picked, run.best, run.by_val, run.last = (
        test[run.picked_epoch],
        max(test.values()),
        test[val_epoch],
        test[max(test)],
    )
    print(
        f"{run.name}: picked epoch {run.picked_epoch} {100 * run.picked:.1f}%, best {100 * run.best:.1f}%, "
        f"last {100 * run.last:.1f}% ({run.seconds:.0f} s)"
        + (f"; AdaBN {100 * run.adabn:.1f}%" if run.method == "source" else "")
        + (
            f"; domain classifier right on {100 * run.domain_acc[0]:.0f}% of source, "
            f"{100 * run.domain_acc[1]:.0f}% of target images in the last epoch"
            if run.domain_acc[0] == run.domain_acc[0]
            else ""
        ),
        flush=True,
    )
    return run


@torch.no_grad()
def adabn_accuracy(path: Path, data_root: Path, target: str) -> float:
    """Target-test accuracy of the served network at `path` with its batch norms' statistics re-estimated on the
    target's training digits (cumulative averages over batches of 128, in training mode; the rest in eval mode)."""
    net = classifier_from_checkpoint(load_checkpoint(path), path, uda_archs())
    norms = [m for m in net.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
        m.train()
    images, _ = load_digits(data_root, target, "train")
    for batch in images.split(128):
        net.classify(to_signed_unit(batch))
    net.eval()
    test_images, labels = load_digits(data_root, target, "test")
    return (predict_images(net, test_images, torch.device("cpu")) == labels).float().mean().item()


def mean_std(values: list[float]) -> str:
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{100 * statistics.mean(values):.1f} ± {100 * std:.1f}"


def report(runs: list[Run], scenarios: list[tuple[str, str]], methods: list[str]) -> float:
    """Prints the tables; returns min over scenarios of mean DANN / mean source-only (nan if not both ran)."""
    by = {(r.scenario, r.method): [x for x in runs if (x.scenario, x.method) == (r.scenario, r.method)] for r in runs}
    heads = [f"{s} → {t}" for s, t in scenarios]
    print("\ntarget-test accuracy of the selected checkpoint, mean ± std over seeds (%)")
    print("| method | " + " | ".join(heads) + " |\n|---|" + "---|" * len(scenarios))
    for method in methods:
        print(f"| {method} | " + " | ".join(mean_std([r.picked for r in by[(sc, method)]]) for sc in scenarios) + " |")
    print(
        "\nper seed (%): "
        + "; ".join(
            f"{method} {s}2{t} " + "/".join(f"{100 * r.picked:.1f}" for r in by[((s, t), method)])
            for method in methods
            for s, t in scenarios
        )
    )
    print(
        "\nselection gap, best epoch in hindsight minus the picked one, mean over seeds (points): "
        "validation rule (--select val) / last epoch (--select last)"
    )
    print("| method | " + " | ".join(heads) + " |\n|---|" + "---|" * len(scenarios))
    for method in methods:
        cells = [
            f"{100 * statistics.mean(r.best - r.by_val for r in by[(sc, method)]):.1f} / "
            f"{100 * statistics.mean(r.best - r.last for r in by[(sc, method)]):.1f}"
            for sc in scenarios
        ]
        print(f"| {method} | " + " | ".join(cells) + " |")
    adversarial = [m for m in methods if m in ("dann", "bonus")]
    if adversarial:
        print(
            "\ndomain classifier accuracy in the last epoch, on source / target training batches, mean over seeds (%; "
            "50 / 50 is features it cannot tell apart)"
        )
        print("| method | " + " | ".join(heads) + " |\n|---|" + "---|" * len(scenarios))
        for method in adversarial:
            cells = [
                f"{100 * statistics.mean(r.domain_acc[0] for r in by[(sc, method)]):.0f} / "
                f"{100 * statistics.mean(r.domain_acc[1] for r in by[(sc, method)]):.0f}"
                for sc in scenarios
            ]
            print(f"| {method} | " + " | ".join(cells) + " |")
    if "dann" not in methods or "source" not in methods:
        return float("nan")
    return min(
        statistics.mean(r.picked for r in by[(sc, "dann")])
        / max(statistics.mean(r.picked for r in by[(sc, "source")]), 1e-9)
        for sc in scenarios
    )


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument("--data-root", type=Path, required=True, help="the hw2_data folder")
    p.add_argument("--scenarios", default=DEFAULT_SCENARIOS, help="comma-separated SOURCE:TARGET pairs")
    p.add_argument("--methods", default=",".join(METHODS), help=f"comma-separated from {', '.join(METHODS)}")
    p.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    p.add_argument("--epochs", type=int, default=6, help="epochs per run (the demo's budget)")
    p.add_argument("--batch-size", type=int, default=64, help="images per domain per step (the demo's)")
    p.add_argument("--jobs", type=int, default=1, help="runs at a time (each gets cores / jobs threads)")
    p.add_argument("--p3-args", default="", help="extra options for every p3_dann.train run")
    p.add_argument("--bonus-args", default="", help="extra options for every bonus_uda.train run")
    p.add_argument("--work", type=Path, help="keep the runs here (default: a temporary folder)")
    a = p.parse_args()
    scenarios = [tuple(x.split(":")) for x in a.scenarios.split(",")]
    methods = [m for m in a.methods.split(",") if m]
    if any(len(sc) != 2 for sc in scenarios) or any(m not in METHODS for m in methods):
        sys.exit(f"error: --scenarios takes SOURCE:TARGET pairs and --methods names from {', '.join(METHODS)}")
    seeds = [int(x) for x in a.seeds.split(",")]
    trained = [m for m in METHODS if m in methods and m != "adabn"]
    if "adabn" in methods and "source" not in trained:
        trained.insert(0, "source")  # AdaBN is scored on the source-only networks
    runs = [Run(sc, m, k) for sc in scenarios for m in trained for k in seeds]
    threads = max(1, (os.cpu_count() or 1) // a.jobs)
    print(
        f"{len(runs)} runs: {a.epochs} epochs, batch {a.batch_size}, {a.jobs} at a time with {threads} thread(s); "
        f"p3 args {a.p3_args!r}, bonus args {a.bonus_args!r}",
        flush=True,
    )
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(a.jobs) as pool:
        work = a.work or Path(tmp)
        done = list(pool.map(lambda r: train(r, a, work, threads), runs))
    done += [
        Run(r.scenario, "adabn", r.seed, picked=r.adabn, best=r.adabn, by_val=r.adabn, last=r.adabn)
        for r in done
        if r.method == "source"
    ]
    ratio = report(done, scenarios, methods)
    print(f"\n{len(done)} runs in {time.perf_counter() - t0:.0f} s wall-clock")
    print(f"ratio={ratio:.3f}")


if __name__ == "__main__":
    main()
