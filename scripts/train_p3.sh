#!/usr/bin/env bash
# P3: the nine runs (source-only, DANN, target-only × three scenarios), the report's table and six t-SNE figures.
#   bash scripts/train_p3.sh DATA_ROOT [CKPT_DIR]     (EPOCHS=N to change the budget)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ]; then echo "usage: bash scripts/train_p3.sh DATA_ROOT [CKPT_DIR]" >&2; exit 2; fi
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
data="$1"; ck="${2:-$root/checkpoints}"; epochs="${EPOCHS:-60}"
python3 -m p3_dann.train --data-root "$data" --source mnistm --target usps --mode source --ckpt-dir "$ck" --epochs "$epochs"
python3 -m p3_dann.train --data-root "$data" --source mnistm --target usps --mode dann --ckpt-dir "$ck" --epochs "$epochs"
python3 -m p3_dann.train --data-root "$data" --source mnistm --target usps --mode target --ckpt-dir "$ck" --epochs "$epochs"
python3 -m p3_dann.train --data-root "$data" --source svhn --target mnistm --mode source --ckpt-dir "$ck" --epochs "$epochs"
python3 -m p3_dann.train --data-root "$data" --source svhn --target mnistm --mode dann --ckpt-dir "$ck" --epochs "$epochs"
python3 -m p3_dann.train --data-root "$data" --source svhn --target mnistm --mode target --ckpt-dir "$ck" --epochs "$epochs"
python3 -m p3_dann.train --data-root "$data" --source usps --target svhn --mode source --ckpt-dir "$ck" --epochs "$epochs"
python3 -m p3_dann.train --data-root "$data" --source usps --target svhn --mode dann --ckpt-dir "$ck" --epochs "$epochs"
python3 -m p3_dann.train --data-root "$data" --source usps --target svhn --mode target --ckpt-dir "$ck" --epochs "$epochs"
python3 -m p3_dann.table --data-root "$data" --ckpt-dir "$ck" --rows source,dann,target --out "$ck/p3_table.md"
for pair in mnistm:usps svhn:mnistm usps:svhn; do
  s="${pair%%:*}"; t="${pair##*:}"
  python3 -m p3_dann.tsne --data-root "$data" --source "$s" --target "$t" --ckpt "$ck/p3_${s}2${t}.pt" --out "$ck/figures"
done
