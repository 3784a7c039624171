#!/usr/bin/env bash
# Bonus: the three improved-model runs, the report's bonus table (our DANN vs improved) and their t-SNE figures.
#   bash scripts/train_bonus.sh DATA_ROOT [CKPT_DIR]   (run train_p3.sh first: the table compares against its DANN)
# Budget on the real data: 60 passes over the source training split at 128 images per domain per step
# (25,300 steps for MNIST-M → USPS, 30,900 for SVHN → MNIST-M, 3,060 for USPS → SVHN, whose small source
# makes its epochs short); the EMA weights of the last epoch are served (--select last).
# Rerun after an interruption: finished models are reused, the interrupted run resumes (scripts/lib.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ]; then echo "usage: bash scripts/train_bonus.sh DATA_ROOT [CKPT_DIR]" >&2; exit 2; fi
data="$1"; ck="${2:-$root/checkpoints}"; epochs="${EPOCHS:-60}"
source "$root/scripts/lib.sh"
runs() {  # the queue's lines for the models not yet finished (scripts/lib.sh)
  local s t stem how
  while read -r s t _ stem <&3; do  # the three scenarios and their checkpoint names (app/model_files.py)
    how="$(reuse_or_train "$ck/$stem.pt" "$stem")"
    [ "$how" = reuse ] || queue_line "$stem" bonus_uda.train --data-root "$data" --source "$s" --target "$t" \
      --ckpt-dir "$ck" --epochs "$epochs" $([ "$how" != resume ] || echo --resume)
  done 3< <(py app.model_files uda bonus)
}
if [ -n "${ONLY_LIST_RUNS:-}" ]; then runs; exit 0; fi  # train_all.sh queues every problem's runs together
runs | run_queue "$ck/logs"
tsne=()
while read -r _ _ _ stem; do tsne+=("$ck/$stem.pt"); done < <(py app.model_files uda bonus)
py app.uda_table --data-root "$data" --ckpt-dir "$ck" --methods dann,bonus --out "$ck/bonus_table.md"
py app.tsne --data-root "$data" --out "$ck/figures" "${tsne[@]}"
