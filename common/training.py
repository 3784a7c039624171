"""How every trainer runs: the device, precision and memory format set once (loops then have no device branches),
seeds and the random state a resumed run needs, an EMA of the weights, work in batches, and `Run`, the one run
lifecycle of the four trainers (run folder, --resume, progress, metrics log, checkpoints, stop, finish); and the
deterministic set-up of the graders' scripts."""

import contextlib
import copy
import dataclasses
import fcntl
import itertools
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from common.checkpoints import CheckpointHeader, atomic_save, load_checkpoint, mark_finished, save_served
from common.cli import TrainingDiverged, UsageError, print_config
from common.files import write_text
from common.images import save_png, tile


@dataclass
class Runtime:
    device: torch.device
    amp_dtype: torch.dtype | None  # autocast dtype, None for fp32
    memory_format: torch.memory_format

    def autocast(self):
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.amp_dtype)

    def grad_scaler(self) -> torch.amp.GradScaler:
        # Only fp16 needs loss scaling; bf16 has fp32's range. A disabled scaler is a no-op passthrough.
        return torch.amp.GradScaler(self.device.type, enabled=self.amp_dtype == torch.float16)


def choose_runtime(precision: str = "auto", device: str = "auto") -> Runtime:
    """`auto` picks CUDA with bf16 autocast and channels_last when a GPU exists, else CPU fp32."""
    if device == "auto":
        dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        try:
            dev = torch.device(device)
        except RuntimeError:
            raise UsageError(f"--device {device!r} is not a device; use cpu, cuda, cuda:N or auto") from None
        if dev.type == "cuda" and (not torch.cuda.is_available() or (dev.index or 0) >= torch.cuda.device_count()):
            raise UsageError(f"--device {device}: no such GPU is visible ({torch.cuda.device_count()} visible)")
    if precision == "auto":
        precision = "bf16" if dev.type == "cuda" else "fp32"
    dtype = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    fmt = torch.channels_last if dev.type == "cuda" else torch.contiguous_format
    return Runtime(dev, dtype, fmt)


def enable_deterministic_inference() -> torch.device:
    """Switch torch to deterministic kernels for the graders' scripts and return their device: cuDNN may otherwise
    pick a different (non-deterministic) transposed-convolution algorithm per run, and the graders need the same
    images and predictions every time."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS, set before CUDA starts
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    torch.use_deterministic_algorithms(True, warn_only=True)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


# --- seeds and random state ------------------------------------------------------------------------------------


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


# A run's --seed seeds its weights and main batch stream; each other stream a problem draws from is seeded at a
# fixed offset from it, distinct within a problem (target_batches is UDA's, sample_grid P1's: they may share one).
# The offsets are part of what makes a seed reproduce a run: changing one changes every result.
STREAM_OFFSETS = {"target_batches": 1, "sample_grid": 1, "eval_latents": 2}


def stream_seed(seed: int, stream: str) -> int:
    return seed + STREAM_OFFSETS[stream]


def rng_state() -> dict:
    """Torch (CPU and CUDA) and Python RNG states as tensors and plain data, safe for weights_only loading."""
    state = {"torch": torch.get_rng_state(), "python": list(random.getstate()[1])}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate((3, tuple(state["python"]), None))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


# --- an exponential moving average of the weights --------------------------------------------------------------


class EMA(nn.Module):
    """EMA copy of `model` in `.module`; call `.update(model)` after each optimizer step.

    The decay warms up as min(decay, (1 + n) / (10 + n)) over the updates n = 1, 2, ... (the first update
    copies), so short runs are not dominated by the random initial weights (0.999 would keep 74% of them after
    300 steps). Integer buffers (BN's num_batches_tracked) are copied. Unlike torch's AveragedModel, which
    branches on its update count, the count stays on the device and is never read by the host: on a GPU the
    update queues behind the training step instead of waiting for it to finish.
    """

    def __init__(self, model: nn.Module, decay: float):
        super().__init__()
        self.module = copy.deepcopy(model).requires_grad_(False)
        self.decay = decay
        device = next(model.parameters()).device
        self.register_buffer("n_averaged", torch.zeros((), dtype=torch.long, device=device))

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        pairs = zip(
            itertools.chain(self.module.parameters(), self.module.buffers()),
            itertools.chain(model.parameters(), model.buffers()),
            strict=True,
        )
        floats, ints = [], []
        for averaged, current in pairs:
            (floats if averaged.is_floating_point() else ints).append((averaged, current))
        n = self.n_averaged.float()
        d = torch.where(n > 0, torch.clamp((1.0 + n) / (10.0 + n), max=self.decay), 0.0)  # 0: the first update copies
        averaged, current = zip(*floats)
        torch._foreach_mul_(averaged, d)
        torch._foreach_add_(averaged, torch._foreach_mul(current, 1.0 - d))
        if ints:
            torch._foreach_copy_(*map(list, zip(*ints)))
        self.n_averaged += 1


@torch.no_grad()
def batched(fn, *tensors: torch.Tensor, batch_size: int, device: torch.device) -> torch.Tensor:
    """`fn` over slices of `batch_size` rows of `tensors` (moved to `device`), its results concatenated on the CPU:
    how every model here generates, classifies or embeds a large set."""
    return torch.cat(
        [fn(*(t[i : i + batch_size].to(device) for t in tensors)).cpu() for i in range(0, len(tensors[0]), batch_size)]
    )


class _WholeLines:
    """A file for tqdm when stderr is not a terminal (a log file, a pipe): each refresh becomes one whole line
    instead of a frame after a carriage return, so a log reads line by line."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> None:
        text = text.replace("\r", "").rstrip("\n")
        if text.strip():
            self.stream.write(text + "\n")

    def flush(self) -> None:
        self.stream.flush()


def image_progress(total_images: int, desc: str, initial: int = 0) -> tqdm:
    """A progress line counted in images, so its rate reads as images/s: redrawn at most every second on a terminal,
    else a whole line every 30 seconds."""
    tty = sys.stderr.isatty()
    return tqdm(
        total=total_images,
        initial=initial,
        desc=desc,
        unit="img",
        unit_scale=True,
        dynamic_ncols=tty,
        ncols=None if tty else 120,
        mininterval=1.0 if tty else 30.0,
        file=sys.stderr if tty else _WholeLines(sys.stderr),
    )


# --- run folders and the run lifecycle -------------------------------------------------------------------------


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
    """The highest-numbered run folder of `base` that holds the file `needs` (latest.pt for --resume)."""
    base = Path(base)
    if not base.is_dir():
        return None
    runs = sorted((p for p in base.iterdir() if p.name.isdigit() and (p / needs).exists()), key=lambda p: int(p.name))
    return runs[-1] if runs else None


def read_metrics(run_dir: Path) -> list[dict]:
    """The rows of run_dir/metrics.jsonl (none if it is missing)."""
    path = Path(run_dir) / "metrics.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()] if path.exists() else []


def divergence_error(run_dir: Path, when: str) -> TrainingDiverged:
    """The error for a NaN or infinite loss, naming the checkpoint to resume from only when there is one."""
    latest = Path(run_dir) / "latest.pt"
    if latest.exists():
        return TrainingDiverged(
            f"a loss became NaN or Inf {when}; the last good checkpoint is {latest} "
            "(--resume continues from it; a lower learning rate may help)"
        )
    return TrainingDiverged(
        f"a loss became NaN or Inf {when}, before any checkpoint was saved; lower the learning rate and start again"
    )


# What --resume may change: where the data and the checkpoint folder are (the data's content is checked on its own:
# common/data.py, TensorBatches) and the device, each recorded in the run folder; and when to stop.
RECORDED_CHANGES = ("data_root", "ckpt_dir", "device")
RESUMABLE_CHANGES = (*RECORDED_CHANGES, "resume", "stop_after_step", "stop_after_epoch")


class Run:
    """One training run, the same for all four trainers, around the loop each train.py writes out:

        with Run(cfg, PROBLEM, name, unit="step", total=cfg.steps, precision=...) as run:  # config, runtime, seed
            ... data, networks and optimizers on run.rt.device; states = {key: object with state_dict()} ...
            for step in range(run.start(states, images_per_step=...), cfg.steps + 1):  # a new run folder, or --resume
                run.add_losses(train_step(...))  # summed on the device: no host read per step
                ... now and then: run.log_losses(step, **metrics); run.save(step, counters, served=weights)
                if run.stop_here(step):  # --stop-after-step: as an interrupted run would
                    break

    The unit is a step (P1, P2) or an epoch (P3, the bonus). `save` writes runs/<name>/NNNNN/latest.pt and, when
    given weights, the served checkpoint <ckpt_dir>/<name>.pt, which leaving the `with` block marks finished once
    the run has saved its last unit (common/files.py). Losses that went NaN or Inf stop the run with one line at the
    next log or save, before anything is written.
    """

    def __init__(self, cfg, problem: str, name: str, unit: str, total: int, precision: str = "fp32"):
        print_config(cfg)
        self.rt = choose_runtime(precision, cfg.device)
        seed_everything(cfg.seed)
        self.cfg, self.unit, self.total = cfg, unit, total
        self.header = CheckpointHeader(problem, name, cfg.arch, dataclasses.asdict(cfg))
        self.served_path = Path(cfg.ckpt_dir) / f"{name}.pt"
        self.counters: dict = {}  # what the last save recorded (or --resume restored): {unit: n, ...}
        self.position, self.bar, self.board, self._sums, self._summed = 0, None, None, None, 0

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, error, *_) -> None:
        if self.bar is not None:  # closed before any error line, which then starts a line of its own
            self.bar.close()
        if self.board is not None:
            self.board.close()
        if getattr(self, "_lock_file", None) is not None:
            self._lock_file.close()
        if error is None and self.position == self.total:  # not after --stop-after-<unit>
            mark_finished(self.served_path)
            counters = ", ".join(f"{k} {v:.4g}" for k, v in self.counters.items() if k != self.unit)
            print(f"done: {self.served_path} ({self.unit} {self.position}{'; ' + counters if counters else ''})")

    def start(self, states: dict, images_per_step: int, steps_per_unit: int = 1) -> int:
        """Open a new run folder with config.json, or with --resume the latest one holding latest.pt, restoring
        `states`, the counters and the random generators from it; returns the first unit to train. The folder is
        locked for this process's lifetime: one process trains a run at a time."""
        base = Path(self.cfg.ckpt_dir) / "runs" / self.header.name
        ckpt = None
        if self.cfg.resume:
            self.dir = latest_run_dir(base, "latest.pt")
            if self.dir is None:
                raise UsageError(f"--resume: no run with a latest.pt under {base}")
            self._lock()
            print(f"resuming {self.dir}", flush=True)
            ckpt = load_checkpoint(self.dir / "latest.pt")
            if "config" in ckpt:  # without it, the states below do not fit either: _restore says so
                self._check_options(ckpt["config"])
        else:
            self.dir = new_run_dir(base)
            self._lock()
            write_text(self.dir / "config.json", json.dumps(self.header.config, indent=2, sort_keys=True) + "\n")
            print(f"run folder {self.dir}", flush=True)
        self.states = states
        if ckpt is not None:
            self.counters = self._restore(ckpt)
            self.position = self.counters[self.unit]
        from torch.utils.tensorboard import SummaryWriter  # here, not at import: the graders never load it

        self.board = SummaryWriter(self.dir, flush_secs=30)  # `tensorboard --logdir <ckpt_dir>/runs` draws them live
        self.images_per_step = images_per_step
        per_unit = images_per_step * steps_per_unit
        self.bar = image_progress(self.total * per_unit, self.header.name, initial=self.position * per_unit)
        return self.position + 1

    def _lock(self) -> None:
        """Hold an exclusive lock on the run folder until this process ends: the kernel releases it however the
        process ends (a crash, SIGKILL), so it never stays stuck."""
        self._lock_file = open(self.dir / "train.lock", "a+")  # noqa: SIM115 (held open until the run ends)
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.seek(0)
            holder = self._lock_file.read().strip() or "unknown"
            self._lock_file.close()
            raise UsageError(
                f"{self.dir} is being trained by another process (pid {holder}); wait for it to end, or start a new "
                "run without --resume"
            ) from None
        self._lock_file.truncate(0)
        self._lock_file.write(f"{os.getpid()}\n")
        self._lock_file.flush()

    def _check_options(self, saved: dict) -> None:
        """--resume with options other than the run's is refused, naming each; the paths (the data's, the checkpoint
        folder's) and the device may change, recorded in the run folder's resumes.jsonl beside every resume."""
        given = self.header.config
        differ = {k: (saved.get(k), v) for k, v in given.items() if k not in RESUMABLE_CHANGES and saved.get(k) != v}
        if differ:
            raise UsageError(
                f"--resume: {self.dir} was trained with other options: "
                + ", ".join(f"--{k.replace('_', '-')} {old} (given {new})" for k, (old, new) in differ.items())
                + "; resume with the run's options (its config.json) or start a new run without --resume"
            )
        moved = {k: [saved.get(k), v] for k, v in given.items() if k in RECORDED_CHANGES and saved.get(k) != v}
        for k, (old, new) in moved.items():
            print(f"resuming with --{k.replace('_', '-')} {new} (the run had {old})", flush=True)
        with open(self.dir / "resumes.jsonl", "a") as f:
            f.write(json.dumps({"time": round(time.time(), 3), "changed": moved}) + "\n")

    def _restore(self, ckpt: dict) -> dict:
        """A latest.pt that does not fit this run's options (another architecture, say) is one line."""
        try:
            for key, obj in self.states.items():
                if obj is not None:
                    obj.load_state_dict(ckpt["states"][key])
            set_rng_state(ckpt["rng"])
            return ckpt["counters"]
        except (KeyError, RuntimeError, ValueError, TypeError) as e:
            reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise UsageError(
                f"--resume: {self.dir / 'latest.pt'} does not fit this run's options ({reason[:200]}); "
                "resume with the options in its config.json, or start a new run"
            ) from None

    def add_losses(self, losses: dict[str, torch.Tensor]) -> None:
        """Add one step's losses to the sums on the device, and its images to the progress line."""
        values = torch.stack([v.detach().float() for v in losses.values()])
        self._names = list(losses)
        self._sums = values if self._sums is None else self._sums + values
        self._summed += 1
        self.bar.update(self.images_per_step)

    def _check_finite(self, position: int) -> None:
        if self._sums is not None and not bool(torch.isfinite(self._sums).all()):
            raise divergence_error(self.dir, f"by {self.unit} {position}")

    def log_losses(self, position: int, **metrics: float) -> dict[str, float]:
        """Log the mean losses since the last call with `metrics` as one row of metrics.jsonl and on the progress
        line; returns the means."""
        self._check_finite(position)
        means = dict(zip(self._names, (self._sums / self._summed).tolist())) if self._sums is not None else {}
        self._sums, self._summed = None, 0
        self.log(**{self.unit: position}, **means, **metrics)
        shown = {k.removeprefix("loss_"): v for k, v in {**means, **metrics}.items() if not k.startswith("best")}
        self.bar.set_postfix({k: f"{v:.3f}" for k, v in shown.items()})
        return means

    def log(self, **values) -> None:
        """One JSON row appended to run_dir/metrics.jsonl and flushed at once (a crash loses nothing), and its
        numbers as TensorBoard scalars at this unit (or step)."""
        with open(self.dir / "metrics.jsonl", "a") as f:
            f.write(json.dumps({"time": round(time.time(), 3), **values}) + "\n")
        position = values.get(self.unit, values.get("step"))
        for key, value in values.items():
            if key not in (self.unit, "step") and isinstance(value, (int, float)):
                self.board.add_scalar(key, value, position)

    def save_samples(self, images: torch.Tensor, columns: int, position: int) -> None:
        """uint8 (N, 3, H, W) samples tiled `columns` to a row: run_dir/samples/stepNNNNNNN.png and TensorBoard."""
        grid = tile(list(images.permute(0, 2, 3, 1).numpy()), columns)
        save_png(grid, self.dir / "samples" / f"step{position:07d}.png")
        self.board.add_image("samples", np.asarray(grid), position, dataformats="HWC")

    def save(self, position: int, counters: dict, served: dict | None = None, served_counters: dict | None = None):
        """latest.pt (the `states`, these counters and the random generators' state, so that --resume draws what
        the uninterrupted run would) and, with `served` weights, the served checkpoint."""
        self._check_finite(position)
        self.counters = {self.unit: position, **counters}
        atomic_save(
            {
                **self.header._asdict(),
                "states": {k: v.state_dict() for k, v in self.states.items() if v is not None},
                "counters": self.counters,
                "rng": rng_state(),
            },
            self.dir / "latest.pt",
        )
        if served is not None:
            save_served(self.served_path, self.header, served, {self.unit: position, **(served_counters or {})})
        self.position = position

    def stop_here(self, position: int) -> bool:
        """Whether --stop-after-<unit> interrupts the run here (after its checkpoint); says so if it does."""
        if position != getattr(self.cfg, f"stop_after_{self.unit}"):
            return False
        print(f"stopped after {self.unit} {position} as asked; --resume continues", flush=True)
        return True
