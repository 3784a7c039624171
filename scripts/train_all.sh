#!/usr/bin/env bash
# The full pipeline: every run of P1, P2, P3 and the bonus through one queue, then the tables, t-SNE figures, every
# grader script and the report.
#   bash scripts/train_all.sh DATA_ROOT [RUNS]      -> RUNS/checkpoints, RUNS/logs, RUNS/eval, RUNS/report/README.md
#   GPUS=0,1,2,3 bash scripts/train_all.sh ...      -> four runs side by side, one per GPU (GPUS=cpu,cpu: two on the CPU)
# Each run's budget is in its train_*.sh; each run prints a line when it starts and one when it ends, with how many
# are done and the time left at the pace so far (app/run_queue.py). Live curves: tensorboard --logdir RUNS/checkpoints/runs.
# Rerun after an interruption: finished models are reused, interrupted runs resume (scripts/lib.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ]; then echo "usage: bash scripts/train_all.sh DATA_ROOT [RUNS]" >&2; exit 2; fi
source "$root/scripts/lib.sh"
data="$1"; runs="${2:-runs_full}"; ck="$runs/checkpoints"
for problem in p1 p2 p3 bonus; do ONLY_LIST_RUNS=1 bash "$root/scripts/train_$problem.sh" "$data" "$ck"; done \
  | run_queue "$runs/logs"
bash "$root/scripts/train_p3.sh" "$data" "$ck"     # every model is finished now: the P3 table and t-SNE figures
bash "$root/scripts/train_bonus.sh" "$data" "$ck"  # and the bonus table and figures
bash "$root/scripts/evaluate_all.sh" "$data" "$runs"
echo "copy or point HW2_CKPT_DIR at $ck for the graders' scripts"
