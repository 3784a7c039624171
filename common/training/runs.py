"""Run folders: a fresh numbered folder per run with config.json and metrics.jsonl; resumable latest."""
import json
import time
from pathlib import Path

from common.atomic_output import write_text
from common.errors import TrainingDiverged, UsageError
from common.training.checkpoint import atomic_save, load_checkpoint
from common.training.seeding import rng_state, set_rng_state


def new_run_dir(base: Path) -> Path:
    """Create base/00000, base/00001, ...: the next free number, never another run's folder."""
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    taken = [int(p.name) for p in base.iterdir() if p.is_dir() and p.name.isdigit()]
    number = max(taken, default=-1) + 1
    while True:
        run = base / f"{number:05d}"
        try:
            run.mkdir()
            return run
        except FileExistsError:  # another process took it first
            number += 1


def latest_run_dir(base: Path, needs: str) -> Path | None:
    """The highest-numbered run folder of `base` that holds the file `needs` (for --resume)."""
    base = Path(base)
    if not base.is_dir():
        return None
    runs = sorted((p for p in base.iterdir() if p.name.isdigit() and (p / needs).exists()), key=lambda p: int(p.name))
    return runs[-1] if runs else None


def write_config(run_dir: Path, config: dict) -> None:
    write_text(Path(run_dir) / "config.json", json.dumps(config, indent=2, sort_keys=True) + "\n")


class MetricsLog:
    """Append one JSON object per line to run_dir/metrics.jsonl, flushed at once so a crash loses nothing."""

    def __init__(self, run_dir: Path):
        self.path = Path(run_dir) / "metrics.jsonl"

    def log(self, **values) -> None:
        values = {"time": round(time.time(), 3), **values}
        with open(self.path, "a") as f:
            f.write(json.dumps(values) + "\n")

    def log_evaluation(self, bar, step: int, name: str, value: float, best: float, shown: str) -> None:
        """A step's metric and the best so far, logged as `name` and `best_<name>` and shown above the progress
        bar formatted by `shown` (e.g. "FID {:.2f}")."""
        self.log(step=step, **{name: value, f"best_{name}": best})
        bar.write(f"step {step}: {shown.format(value)} (best {shown.format(best)})")


def read_metrics(run_dir: Path) -> list[dict]:
    """The rows of run_dir/metrics.jsonl (none if it is missing)."""
    path = Path(run_dir) / "metrics.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()] if path.exists() else []


def diverged(run_dir: Path, when: str) -> TrainingDiverged:
    """The error for a NaN or infinite loss, naming the checkpoint to resume from only when there is one."""
    latest = Path(run_dir) / "latest.pt"
    if latest.exists():
        return TrainingDiverged(f"a loss became NaN or Inf {when}; the last good checkpoint is {latest} "
                                "(--resume continues from it; a lower learning rate may help)")
    return TrainingDiverged(f"a loss became NaN or Inf {when}, before any checkpoint was saved; "
                            "lower the learning rate and start again")


def save_latest(run_dir: Path, **state) -> None:
    """run_dir/latest.pt: the state --resume continues from (models, optimizers, data streams, counters), with the
    random generators' state added so that the continued run draws what the uninterrupted one would."""
    atomic_save({**state, "rng": rng_state()}, Path(run_dir) / "latest.pt")


def restore(ckpt: dict, run_dir: Path, states: dict, counters: tuple[str, ...]) -> tuple:
    """Resume: load each object's state from latest.pt (`states`: key -> object with load_state_dict) and the random
    generators', and return the `counters` (step, best metric, ...). A latest.pt that does not fit this run's options
    (another architecture, say) is one line, not a traceback."""
    try:
        for key, obj in states.items():
            obj.load_state_dict(ckpt[key])
        set_rng_state(ckpt["rng"])
        return tuple(ckpt[c] for c in counters)
    except (KeyError, RuntimeError, ValueError, TypeError) as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UsageError(f"--resume: {Path(run_dir) / 'latest.pt'} does not fit this run's options ({reason[:200]}); "
                         "resume with the options in its config.json, or start a new run") from None


def save_due(position: int, last: int, every: int, stop_after: int | None, evaluated: bool) -> bool:
    """Whether a step-based run checkpoints now: every `every` steps, at the end, after an evaluation (which may
    have found a new best), and where --stop-after interrupts it."""
    return position % every == 0 or position == last or evaluated or position == stop_after


def stop_here(position: int, stop_after: int | None, unit: str) -> bool:
    """Whether --stop-after interrupts the run at this step or epoch (after its checkpoint); says so if it does."""
    if position != stop_after:
        return False
    print(f"stopped after {unit} {position} as asked; --resume continues", flush=True)
    return True


def start_or_resume(base: Path, resume: bool, config: dict) -> tuple[Path, dict | None]:
    """A fresh numbered run folder with config.json, or with `resume` the latest run folder holding
    latest.pt together with that checkpoint (loaded with weights_only=True)."""
    if resume:
        run = latest_run_dir(base, "latest.pt")
        if run is None:
            raise UsageError(f"--resume: no run with a latest.pt under {base}")
        print(f"resuming {run}", flush=True)
        return run, load_checkpoint(run / "latest.pt")
    run = new_run_dir(base)
    write_config(run, config)
    print(f"run folder {run}", flush=True)
    return run, None
