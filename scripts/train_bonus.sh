#!/usr/bin/env bash
# Bonus: the three improved-model runs, the report's bonus table (our DANN vs improved) and their t-SNE figures.
#   bash scripts/train_bonus.sh DATA_ROOT [CKPT_DIR]   (run train_p3.sh first: the table compares against its DANN)
# Budget on the real data: 60 passes over the source training split at 128 images per domain per step
# (25,300 steps for MNIST-M → USPS, 30,900 for SVHN → MNIST-M, 3,060 for USPS → SVHN, whose small source
# makes its epochs short); the EMA weights of the last epoch are served (--select last).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ]; then echo "usage: bash scripts/train_bonus.sh DATA_ROOT [CKPT_DIR]" >&2; exit 2; fi
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
data="$1"; ck="${2:-$root/checkpoints}"; epochs="${EPOCHS:-60}"
python3 -m bonus_uda.train --data-root "$data" --source mnistm --target usps --ckpt-dir "$ck" --epochs "$epochs"
python3 -m bonus_uda.train --data-root "$data" --source svhn --target mnistm --ckpt-dir "$ck" --epochs "$epochs"
python3 -m bonus_uda.train --data-root "$data" --source usps --target svhn --ckpt-dir "$ck" --epochs "$epochs"
python3 -m p3_dann.table --data-root "$data" --ckpt-dir "$ck" --rows dann,bonus --out "$ck/bonus_table.md"
python3 -m p3_dann.tsne --data-root "$data" --out "$ck/figures" "$ck/bonus_mnistm2usps.pt" "$ck/bonus_svhn2mnistm.pt" \
  "$ck/bonus_usps2svhn.pt"
