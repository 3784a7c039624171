#!/usr/bin/env bash
# The full single-GPU pipeline: P1, P2, P3, bonus, then every grader script and the report.
#   bash scripts/train_all.sh DATA_ROOT [RUNS]      -> RUNS/checkpoints, RUNS/eval, RUNS/report/README.md
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ]; then echo "usage: bash scripts/train_all.sh DATA_ROOT [RUNS]" >&2; exit 2; fi
data="$1"; runs="${2:-runs_full}"; ck="$runs/checkpoints"
bash "$root/scripts/train_p1.sh" "$data" "$ck"
bash "$root/scripts/train_p2.sh" "$data" "$ck"
bash "$root/scripts/train_p3.sh" "$data" "$ck"
bash "$root/scripts/train_bonus.sh" "$data" "$ck"
bash "$root/scripts/evaluate_all.sh" "$data" "$runs"
echo "copy or point HW2_CKPT_DIR at $ck for the graders' scripts"
