#!/usr/bin/env bash
# P1 full training on one GPU: bash scripts/train_p1.sh DATA_ROOT [CKPT_DIR]   -> CKPT_DIR/p1_dcgan.pt
# Budget on the real data: 60,000 steps of 64 faces (about 100 passes over the 38,000 training faces the FID
# hold-out leaves). Improved default (SN discriminator, hinge, EMA generator, DiffAugment); FID of 1000 samples
# against held-out training faces every 2000 steps picks the checkpoint (needs the FID Inception weights:
# download or FID_WEIGHTS; without them the last step is served).
# Rerun after an interruption: a finished model is reused, an interrupted run resumes (scripts/lib.sh). Its log:
# CKPT_DIR/logs/p1_dcgan.log; live curves: tensorboard --logdir CKPT_DIR/runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ]; then echo "usage: bash scripts/train_p1.sh DATA_ROOT [CKPT_DIR]" >&2; exit 2; fi
source "$root/scripts/lib.sh"
ck="${2:-$root/checkpoints}"; name="$(py app.model_files checkpoint p1)"
runs() {  # the queue's line for the run, unless its model is finished (scripts/lib.sh)
  local how; how="$(reuse_or_train "$ck/$name" "${name%.pt}")"
  [ "$how" = reuse ] || queue_line "${name%.pt}" p1_dcgan.train --data-root "$1" --ckpt-dir "$ck" --arch sngan \
    --steps 60000 --batch-size 64 --eval-every 2000 $([ "$how" != resume ] || echo --resume)
}
if [ -n "${ONLY_LIST_RUNS:-}" ]; then runs "$1"; exit 0; fi  # train_all.sh queues every problem's runs together
runs "$1" | run_queue "$ck/logs"
