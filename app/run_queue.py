"""Run independent training commands side by side, one per slot, through one queue: each GPU listed (a run sees
only its own, CUDA_VISIBLE_DEVICES), each `cpu` slot (the cores shared out, OMP_NUM_THREADS), or `auto` (the
environment as it is: the trainer's own choice of device).

    python3 -m app.run_queue --slots 0,1,2,3 --logs DIR < RUNS      # RUNS: one line per run, NAME MODULE ARGS...

Each run is `python3 -m MODULE ARGS...` (shell-quoted words) with its output in DIR/NAME.log; one line says when it
starts and one when it ends, with how many are done and an estimate of the time left at the pace so far. The small
networks here gain little from a second GPU each (no DDP): side by side is how several GPUs are used. Exit code 1
when any run failed (the end of its log is shown); the others still run to their end.
"""

import os
import queue
import shlex
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common.cli import UsageError, command_parser, run_cli

LAUNCHER = Path(__file__).resolve().parent.parent / "scripts" / "run_module.py"


def slot_env(slot: str, cpu_slots: int) -> dict[str, str]:
    if slot == "auto":
        return {}
    if slot == "cpu":
        return {"OMP_NUM_THREADS": str(max(1, (os.cpu_count() or 1) // cpu_slots)), "CUDA_VISIBLE_DEVICES": ""}
    return {"CUDA_VISIBLE_DEVICES": slot}


def parse_slots(text: str) -> list[str]:
    slots = [s.strip() for s in text.split(",") if s.strip()]
    if not slots or any(s not in ("cpu", "auto") and not s.isdigit() for s in slots):
        raise UsageError(
            f"--slots takes GPU indices, 'cpu' or 'auto', comma-separated (e.g. 0,1 or cpu,cpu), got {text!r}"
        )
    return slots


def parse_runs(lines: list[str]) -> list[tuple[str, list[str]]]:
    runs = []
    for line in lines:
        words = shlex.split(line)
        if not words:
            continue
        if len(words) < 2:
            raise UsageError(f"a run line needs NAME MODULE [ARGS...], got {line.strip()!r}")
        runs.append((words[0], words[1:]))
    return runs


def run_all(runs: list[tuple[str, list[str]]], slots: list[str], logs: Path) -> int:
    """Run every (name, [module, args...]) on the slots; returns how many failed."""
    logs.mkdir(parents=True, exist_ok=True)
    free: queue.Queue[str] = queue.Queue()
    for slot in slots:
        free.put(slot)
    lock, start, durations, failed = threading.Lock(), time.time(), [], []
    cpu_slots = slots.count("cpu")

    def say(text: str) -> None:
        with lock:
            print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    def one(name: str, command: list[str]) -> None:
        slot = free.get()
        try:
            where = {"cpu": "a share of the CPU cores", "auto": "the default device"}.get(slot, f"GPU {slot}")
            say(f"start {name} on {where}")
            began = time.time()
            with open(logs / f"{name}.log", "w") as log:
                code = subprocess.run(
                    [sys.executable, str(LAUNCHER), *command],
                    env={**os.environ, **slot_env(slot, cpu_slots)},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                ).returncode
            with lock:
                durations.append(time.time() - began)
                done, left = len(durations), len(runs) - len(durations)
                estimate = sum(durations) / done * -(-left // len(slots))
                if code != 0:
                    failed.append(name)
            tail = (
                ""
                if code == 0
                else f" FAILED (exit {code}); the end of its log:\n"
                + "".join((logs / f"{name}.log").read_text(errors="replace").splitlines(keepends=True)[-5:])
            )
            say(
                f"end {name} in {time.time() - began:.0f} s{tail} ({done}/{len(runs)} done"
                + (f", about {estimate / 60:.0f} min left)" if left else f", all in {time.time() - start:.0f} s)")
            )
        finally:
            free.put(slot)

    with ThreadPoolExecutor(len(slots)) as pool:
        list(pool.map(lambda run: one(*run), runs))
    return len(failed)


def main() -> None:
    p = command_parser(__spec__.name, __doc__)
    p.add_argument(
        "--slots", default="auto", help="GPU indices, 'cpu' or 'auto', comma-separated: one run at a time on each"
    )
    p.add_argument("--logs", type=Path, required=True, help="folder for each run's log, NAME.log")
    a = p.parse_args()
    runs = parse_runs(sys.stdin.read().splitlines())
    slots = parse_slots(a.slots)
    print(f"{len(runs)} run(s) on {len(slots)} slot(s): {', '.join(slots)}; logs in {a.logs}", flush=True)
    if run_all(runs, slots, a.logs):
        raise SystemExit(1)


if __name__ == "__main__":
    run_cli(main)
