#!/usr/bin/env bash
# P3: the nine runs (source-only, DANN, target-only × three scenarios), the report's table and six t-SNE figures.
#   bash scripts/train_p3.sh DATA_ROOT [CKPT_DIR]     (EPOCHS=N to change the budget)
# Budget on the real data: 60 passes over the labelled training split at 128 images per domain per step:
# 25,300 steps from 54,000 MNIST-M, 30,900 from 65,900 SVHN, 3,060 from 6,560 USPS (90% of train; 10% validates).
# The learning rate anneals and λ ramps over the whole run, and the last epoch is served (--select last).
# Rerun after an interruption: finished models are reused, the interrupted run resumes (scripts/lib.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ]; then echo "usage: bash scripts/train_p3.sh DATA_ROOT [CKPT_DIR]" >&2; exit 2; fi
data="$1"; ck="${2:-$root/checkpoints}"; epochs="${EPOCHS:-60}"
source "$root/scripts/lib.sh"
runs() {  # the queue's lines for the models not yet finished (scripts/lib.sh)
  local s t method stem how
  while read -r s t method stem <&3; do  # the nine models and their checkpoint names (app/model_files.py)
    how="$(reuse_or_train "$ck/$stem.pt" "$stem")"
    [ "$how" = reuse ] || queue_line "$stem" p3_dann.train --data-root "$data" --source "$s" --target "$t" \
      --method "$method" --ckpt-dir "$ck" --epochs "$epochs" $([ "$how" != resume ] || echo --resume)
  done 3< <(py app.model_files uda source,dann,target)
}
if [ -n "${ONLY_LIST_RUNS:-}" ]; then runs; exit 0; fi  # train_all.sh queues every problem's runs together
runs | run_queue "$ck/logs"
tsne=()
while read -r _ _ _ stem; do tsne+=("$ck/$stem.pt"); done < <(py app.model_files uda dann)
py app.uda_table --data-root "$data" --ckpt-dir "$ck" --methods source,dann,target --out "$ck/p3_table.md"
py app.tsne --data-root "$data" --out "$ck/figures" "${tsne[@]}"
