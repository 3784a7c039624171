#!/usr/bin/env bash
# P2 full training on one GPU: bash scripts/train_p2.sh DATA_ROOT [CKPT_DIR]   -> CKPT_DIR/p2_acgan.pt
# Budget on the real data: 30,000 steps of 64 digits (about 32 passes over the 60,000 MNIST-M training digits).
# First trains our LeNet evaluator on MNIST-M train into CKPT_DIR/digit_classifier.pt unless it is there (the
# report scores P2 with it beside the course's); the checkpoint is selected by the course classifier when
# COURSE_CLASSIFIER names its Classifier.pth, else by our evaluator.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ]; then echo "usage: bash scripts/train_p2.sh DATA_ROOT [CKPT_DIR]" >&2; exit 2; fi
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
ck="${2:-$root/checkpoints}"; ours="$ck/$(python3 -m app.models checkpoint evaluator)"
[ -f "$ours" ] || python3 -m p2_acgan.digit_classifier train --data-root "$1" --out "$ours"
course="${COURSE_CLASSIFIER:-$ours}"
python3 -m p2_acgan.train --data-root "$1" --ckpt-dir "$ck" --arch acgan_sn --steps 30000 --batch-size 64 \
  --classifier "$course"
