#!/usr/bin/env bash
# P2 full training on one GPU: bash scripts/train_p2.sh DATA_ROOT [CKPT_DIR]   -> CKPT_DIR/p2_acgan.pt
# Budget on the real data: 15,000 steps of 64 digits (16 passes over the 60,000 MNIST-M training digits): on the demo
# data the default's accuracy stops rising after about 16 passes (docs/benchmarks.md, 2026-12-07), and the best step
# is served, so a longer run costs time, not quality.
# First trains our LeNet evaluator on MNIST-M train into CKPT_DIR/digit_classifier.pt unless it is there (the
# report scores P2 with it beside the course's); the checkpoint is selected by the course classifier when
# COURSE_CLASSIFIER names its Classifier.pth, else by our evaluator.
# Rerun after an interruption: finished models are reused, an interrupted run resumes (scripts/lib.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ]; then echo "usage: bash scripts/train_p2.sh DATA_ROOT [CKPT_DIR]" >&2; exit 2; fi
source "$root/scripts/lib.sh"
ck="${2:-$root/checkpoints}"; evaluator="$(py app.model_files checkpoint evaluator)"; ours="$ck/$evaluator"
[ "$(reuse_or_train "$ours" "${evaluator%.pt}")" = reuse ] || \
  py p2_acgan.digit_classifier train --data-root "$1" --out "$ours" >&2  # stdout carries the queue's lines
name="$(py app.model_files checkpoint p2)"
runs() {  # the queue's line for the run, unless its model is finished (scripts/lib.sh)
  local how; how="$(reuse_or_train "$ck/$name" "${name%.pt}")"
  [ "$how" = reuse ] || queue_line "${name%.pt}" p2_acgan.train --data-root "$1" --ckpt-dir "$ck" \
    --steps 15000 --batch-size 64 --classifier "${COURSE_CLASSIFIER:-$ours}" $([ "$how" != resume ] || echo --resume)
}
if [ -n "${ONLY_LIST_RUNS:-}" ]; then runs "$1"; exit 0; fi  # train_all.sh queues every problem's runs together
runs "$1" | run_queue "$ck/logs"
