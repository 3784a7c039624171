#!/usr/bin/env bash
# What only a GPU can show, in a few minutes: P1 training throughput against the pytorch/examples-style
# reference, host syncs in the P1 step, training speed of every default (for the full-pipeline time estimate),
# bf16 steps staying finite, and byte-identical graders' outputs across runs on CUDA.
#   bash benchmarks/gpu_check.sh DATA_ROOT OUT_DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$1"; out="$2"; work="$(mktemp -d)"
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" HW2_CACHE_DIR="$work/cache" PYTHONUNBUFFERED=1
mkdir -p "$out"
python3 -m benchmarks.gpu_probe device

echo "== a 6000-image 64×64 face folder (demo faces and upscaled MNIST-M) for throughput"
python3 -m benchmarks.gpu_probe face-folder "$data" "$work/big"

if [ -z "${SKIP_THROUGHPUT:-}" ]; then
echo "== benchmarks.p1_throughput"
python3 -m benchmarks.p1_throughput --data-root "$work/big" --steps 300
echo "== benchmarks.data_throughput"
python3 -m benchmarks.data_throughput --images 6000
fi

echo "== host syncs in a P1 training step on CUDA (torch raises on any)"
python3 -m benchmarks.gpu_probe host-syncs "$work/big"

echo "== training speed of the defaults"
ck="$work/ck"
python3 -m p1_dcgan.train --data-root "$work/big" --ckpt-dir "$ck" --steps 1000 --eval-every 100000 \
  --fid-weights random --fid-samples 64 --ckpt-every 500 2>&1 | grep -v "img/s]" || true
evaluator="$ck/$(python3 -m app.model_files checkpoint evaluator)"
python3 -m p2_acgan.digit_classifier train --data-root "$data" --out "$evaluator" --epochs 3 | tail -1
python3 -m p2_acgan.train --data-root "$data" --ckpt-dir "$ck" --steps 1000 --eval-every 500 \
  --classifier "$evaluator" 2>&1 | grep -v "img/s]" || true
while read -r s t _ _ <&3; do
  python3 -m p3_dann.train --data-root "$data" --source "$s" --target "$t" --ckpt-dir "$ck" --epochs 4 2>&1 | tail -1
  python3 -m bonus_uda.train --data-root "$data" --source "$s" --target "$t" --ckpt-dir "$ck" --epochs 4 2>&1 | tail -1
done 3< <(python3 -m app.model_files uda bonus)
python3 -m benchmarks.gpu_probe speeds "$ck"

echo "== determinism of the graders' outputs on CUDA"
export HW2_CKPT_DIR="$ck"
for i in 1 2; do
  bash "$root/scripts/hw2_p1.sh" "$work/p1_$i" >/dev/null
  bash "$root/scripts/hw2_p2.sh" "$work/p2_$i" >/dev/null
  bash "$root/scripts/hw2_p3.sh" "$data/digits/svhn/test" svhn "$work/p3_$i.csv" >/dev/null
  bash "$root/scripts/hw2_bonus.sh" "$data/digits/mnistm/test" mnistm "$work/bonus_$i.csv" >/dev/null
done
for problem in p1 p2; do
  diff -rq "$work/${problem}_1" "$work/${problem}_2" >/dev/null && echo "$problem: two runs byte-identical" || echo "$problem: RUNS DIFFER"
done
cmp -s "$work/p3_1.csv" "$work/p3_2.csv" && echo "p3: identical CSVs" || echo "p3: CSVs DIFFER"
cmp -s "$work/bonus_1.csv" "$work/bonus_2.csv" && echo "bonus: identical CSVs" || echo "bonus: CSVs DIFFER"
cp "$ck/$(python3 -m app.model_files checkpoint p1)" "$out/p1_dcgan_gpu.pt"
(cd "$work/p1_1" && sha256sum $(ls | head -5)) > "$out/p1_gpu_sha256.txt"
