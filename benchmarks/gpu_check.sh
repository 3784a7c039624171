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
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name())"

echo "== a 6000-image 64×64 face folder (demo faces and upscaled MNIST-M) for throughput"
python3 - "$data" "$work/big" <<'PY'
import sys
from pathlib import Path
from PIL import Image
data, big = Path(sys.argv[1]), Path(sys.argv[2]) / "face" / "train"
big.mkdir(parents=True)
src = sorted((data / "face/train").iterdir()) + sorted((data / "digits/mnistm/train").iterdir())
for i in range(6000):
    Image.open(src[i % len(src)]).convert("RGB").resize((64, 64), Image.BILINEAR).save(big / f"{i:05d}.png")
PY

if [ -z "${SKIP_THROUGHPUT:-}" ]; then
echo "== benchmarks.p1_throughput"
python3 -m benchmarks.p1_throughput --data-root "$work/big" --steps 300
echo "== benchmarks.data_throughput"
python3 -m benchmarks.data_throughput --images 6000
fi

echo "== host syncs in a P1 training step on CUDA (torch raises on any)"
python3 - "$work/big" <<'PY'
import sys
from pathlib import Path
import torch
from common.data.batches import TensorBatches
from common.data.datasets import load_faces
from common.training.runtime import choose_runtime
from p1_dcgan.train import Config, GANTrainer
rt = choose_runtime()
for arch, policy in (("dcgan", ""), ("sngan", "translation,color,cutout")):
    trainer = GANTrainer(Config(data_root="", arch=arch, diffaugment=policy), rt)
    batches = TensorBatches(load_faces(Path(sys.argv[1]) / "face" / "train"), None, 64, rt.device, 0, flip=True,
                            memory_format=rt.memory_format)
    for _ in range(3):
        trainer.step(next(batches)[0])
    torch.cuda.set_sync_debug_mode("error")
    try:
        for _ in range(20):
            trainer.step(next(batches)[0])
        print(f"{arch}: 20 steps, no host sync")
    except RuntimeError as e:
        print(f"{arch}: HOST SYNC: {e}")
    finally:
        torch.cuda.set_sync_debug_mode("default")
PY

echo "== training speed of the defaults"
ck="$work/ck"
python3 -m p1_dcgan.train --data-root "$work/big" --ckpt-dir "$ck" --steps 1000 --eval-every 100000 \
  --fid-weights random --fid-samples 64 --ckpt-every 500 2>&1 | grep -v "img/s]" || true
python3 -m p2_acgan.digit_classifier train --data-root "$data" --out "$ck/digit_classifier.pt" --epochs 3 | tail -1
python3 -m p2_acgan.train --data-root "$data" --ckpt-dir "$ck" --steps 1000 --eval-every 500 \
  --classifier "$ck/digit_classifier.pt" 2>&1 | grep -v "img/s]" || true
for pair in ${PAIRS:-mnistm:usps svhn:mnistm usps:svhn}; do
  s="${pair%%:*}"; t="${pair##*:}"
  python3 -m p3_dann.train --data-root "$data" --source "$s" --target "$t" --ckpt-dir "$ck" --epochs 4 2>&1 | tail -1
  python3 -m bonus_uda.train --data-root "$data" --source "$s" --target "$t" --ckpt-dir "$ck" --epochs 4 2>&1 | tail -1
done
python3 - "$ck" <<'PY'
import json, sys
from pathlib import Path
for run in sorted(Path(sys.argv[1], "runs").glob("*/00000/metrics.jsonl")):
    rows = [json.loads(x) for x in run.read_text().splitlines()]
    t = [r["time"] for r in rows]
    key = "step" if "step" in rows[-1] else "epoch"
    span = rows[-1][key] - rows[0][key]
    if span:
        print(f"{run.parent.parent.name:<22} {(t[-1] - t[0]) / span:8.4f} s per {key}")
PY

echo "== determinism of the graders' outputs on CUDA"
export HW2_CKPT_DIR="$ck"
for i in 1 2; do
  bash "$root/scripts/hw2_p1.sh" "$work/p1_$i" >/dev/null
  bash "$root/scripts/hw2_p2.sh" "$work/p2_$i" >/dev/null
  bash "$root/scripts/hw2_p3.sh" "$data/digits/svhn/test" svhn "$work/p3_$i.csv" >/dev/null
  bash "$root/scripts/hw2_bonus.sh" "$data/digits/mnistm/test" mnistm "$work/bonus_$i.csv" >/dev/null
done
for kind in p1 p2; do
  diff -rq "$work/${kind}_1" "$work/${kind}_2" >/dev/null && echo "$kind: two runs byte-identical" || echo "$kind: RUNS DIFFER"
done
cmp -s "$work/p3_1.csv" "$work/p3_2.csv" && echo "p3: identical CSVs" || echo "p3: CSVs DIFFER"
cmp -s "$work/bonus_1.csv" "$work/bonus_2.csv" && echo "bonus: identical CSVs" || echo "bonus: CSVs DIFFER"
cp "$ck/p1_dcgan.pt" "$out/p1_dcgan_gpu.pt"
(cd "$work/p1_1" && sha256sum $(ls | head -5)) > "$out/p1_gpu_sha256.txt"
