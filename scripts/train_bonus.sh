#!/usr/bin/env bash
# Bonus: the three improved-model runs, the report's bonus table (our DANN vs improved) and their t-SNE figures.
#   bash scripts/train_bonus.sh DATA_ROOT [CKPT_DIR]   (run train_p3.sh first: the table compares against its DANN)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ]; then echo "usage: bash scripts/train_bonus.sh DATA_ROOT [CKPT_DIR]" >&2; exit 2; fi
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
data="$1"; ck="${2:-$root/checkpoints}"; epochs="${EPOCHS:-60}"
python3 -m bonus_uda.train --data-root "$data" --source mnistm --target usps --ckpt-dir "$ck" --epochs "$epochs"
python3 -m bonus_uda.train --data-root "$data" --source svhn --target mnistm --ckpt-dir "$ck" --epochs "$epochs"
python3 -m bonus_uda.train --data-root "$data" --source usps --target svhn --ckpt-dir "$ck" --epochs "$epochs"
python3 -m p3_dann.table --data-root "$data" --ckpt-dir "$ck" --rows dann,bonus --out "$ck/bonus_table.md"
for pair in mnistm:usps svhn:mnistm usps:svhn; do
  s="${pair%%:*}"; t="${pair##*:}"
  python3 -m p3_dann.tsne --data-root "$data" --source "$s" --target "$t" --ckpt "$ck/bonus_${s}2${t}.pt" \
    --out "$ck/figures" --tag bonus_
done
