#!/usr/bin/env bash
# make demo: build the embedded data, train every problem briefly (CPU-sized budgets; a GPU is used when
# present), run the graders' scripts, score, and write demo_out/report/README.md. Finished stages are reused.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
DEMO_DATA="${DEMO_DATA:-demo_data}"; RUNS="${DEMO_OUT:-demo_out}"
# Budgets: the defaults fit 30 minutes on 2 CPU cores; tests shrink them.
P1_STEPS="${P1_STEPS:-300}"; P2_STEPS="${P2_STEPS:-800}"; P3_EPOCHS="${P3_EPOCHS:-6}"; BONUS_EPOCHS="${BONUS_EPOCHS:-6}"
CLS_EPOCHS="${CLS_EPOCHS:-10}"; BATCH="${BATCH:-32}"; UDA_BATCH="${UDA_BATCH:-64}"
data="$DEMO_DATA/hw2_data"; ck="$RUNS/checkpoints"
SECONDS=0
stage() { echo "== [$(date +%H:%M:%S) +${SECONDS}s] $*"; }

stage "demo data"
[ -d "$data" ] || python3 -m common.demo_data --out "$DEMO_DATA" ${DEMO_SIZES:-}

stage "digit evaluator (our LeNet on MNIST-M)"
[ -f "$ck/digit_classifier.pt" ] || python3 -m p2_acgan.digit_classifier train --data-root "$data" \
  --out "$ck/digit_classifier.pt" --epochs "$CLS_EPOCHS"

stage "P1 DCGAN ($P1_STEPS steps)"
[ -f "$ck/p1_dcgan.pt" ] || python3 -m p1_dcgan.train --data-root "$data" --ckpt-dir "$ck" --steps "$P1_STEPS" \
  --batch-size "$BATCH" --eval-every 100 --ckpt-every 100 --fid-samples 200

stage "P2 ACGAN ($P2_STEPS steps)"
[ -f "$ck/p2_acgan.pt" ] || python3 -m p2_acgan.train --data-root "$data" --ckpt-dir "$ck" --steps "$P2_STEPS" \
  --batch-size "$BATCH" --eval-every 100 --fake-cls-start 100 --classifier "$ck/digit_classifier.pt"

for pair in mnistm:usps svhn:mnistm usps:svhn; do
  s="${pair%%:*}"; t="${pair##*:}"
  for mode in source dann target; do
    name="p3_${s}2${t}"; [ "$mode" = dann ] || name="${name}_${mode}"
    stage "P3 $s -> $t, $mode, $P3_EPOCHS epoch(s)"
    [ -f "$ck/$name.pt" ] || python3 -m p3_dann.train --data-root "$data" --source "$s" --target "$t" \
      --mode "$mode" --ckpt-dir "$ck" --epochs "$P3_EPOCHS" --batch-size "$UDA_BATCH"
  done
  stage "bonus $s -> $t, $BONUS_EPOCHS epoch(s)"
  [ -f "$ck/bonus_${s}2${t}.pt" ] || python3 -m bonus_uda.train --data-root "$data" --source "$s" --target "$t" \
    --ckpt-dir "$ck" --epochs "$BONUS_EPOCHS" --batch-size "$UDA_BATCH"
done

stage "graders' scripts, scores, figures, report"
TSNE_SAMPLES="${TSNE_SAMPLES:-500}" bash scripts/evaluate_all.sh "$data" "$RUNS"
stage "done: $RUNS/report/README.md"
