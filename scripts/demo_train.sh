#!/usr/bin/env bash
# The training half of `make demo`: build the embedded data, then train every problem briefly (CPU-sized
# budgets; a GPU is used when present). A model of DEMO_OUT/checkpoints whose run finished is reused; an interrupted
# run is resumed (scripts/lib.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
DEMO_DATA="${DEMO_DATA:-demo_data}"; RUNS="${DEMO_OUT:-demo_out}"
# Budgets for 2 CPU cores; tests shrink them.
P1_STEPS="${P1_STEPS:-300}"; P2_STEPS="${P2_STEPS:-1000}"; P3_EPOCHS="${P3_EPOCHS:-2}"; BONUS_EPOCHS="${BONUS_EPOCHS:-3}"
CLS_EPOCHS="${CLS_EPOCHS:-15}"; BATCH="${BATCH:-32}"; UDA_BATCH="${UDA_BATCH:-64}"
data="$DEMO_DATA/hw2_data"; ck="$RUNS/checkpoints"
mkdir -p "$RUNS"; times="$RUNS/stage_times.txt"; : > "$times"
SECONDS=0; started=0; current=""
stage() {  # close the current stage (its time goes to $times), open the next
  [ -z "$current" ] || printf '%6d s  %s\n' $((SECONDS - started)) "$current" >> "$times"
  current="$*"; started=$SECONDS
  [ -z "$current" ] || echo "== [$(date +%H:%M:%S)] $*"
}
source scripts/lib.sh
train() {  # train CHECKPOINT COMMAND...: reuse a finished CHECKPOINT, resume its interrupted run, or run COMMAND
  case "$(reuse_or_train "$1" "$(basename "$1" .pt)")" in
    reuse) ;;
    resume) "${@:2}" --resume ;;
    *) "${@:2}" ;;
  esac
}

stage "demo data"
[ -d "$data" ] || py app.demo_data --out "$DEMO_DATA" ${DEMO_SIZES:-}

stage "digit evaluator (our LeNet on MNIST-M)"
evaluator="$ck/$(py app.model_files checkpoint evaluator)"
train "$evaluator" py p2_acgan.digit_classifier train --data-root "$data" --out "$evaluator" --epochs "$CLS_EPOCHS"

# Without DiffAugment: on 80 small faces and a few hundred steps it slows the early learning the demo has time for
# (blurred faces by step 300 without it, a checkerboard with it; docs/benchmarks.md, 2026-12-08).
stage "P1 DCGAN ($P1_STEPS steps)"
train "$ck/$(py app.model_files checkpoint p1)" py p1_dcgan.train --data-root "$data" --ckpt-dir "$ck" --steps "$P1_STEPS" \
  --batch-size "$BATCH" --eval-every 100 --ckpt-every 100 --fid-samples 200 --diffaugment ""

stage "P2 ACGAN ($P2_STEPS steps)"
train "$ck/$(py app.model_files checkpoint p2)" py p2_acgan.train --data-root "$data" --ckpt-dir "$ck" --steps "$P2_STEPS" \
  --batch-size "$BATCH" --eval-every 100 --classifier "${COURSE_CLASSIFIER:-$evaluator}"  # as train_p2.sh selects

# The UDA runs are small networks that scale poorly over threads: UDA_JOBS of them run side by side through the
# queue train_all.sh uses (scripts/lib.sh), each with its share of the cores (or, with GPUS, a GPU each) and its
# output in $RUNS/logs/<checkpoint>.log.
UDA_JOBS="${UDA_JOBS:-2}"
stage "the twelve UDA runs (P3 $P3_EPOCHS epochs, bonus $BONUS_EPOCHS), $UDA_JOBS at a time"
uda_runs() {
  local s t method stem how resume
  while read -r s t method stem <&3; do  # every UDA model and its checkpoint name (app/model_files.py)
    how="$(reuse_or_train "$ck/$stem.pt" "$stem")"; [ "$how" != reuse ] || continue
    resume=(); [ "$how" != resume ] || resume=(--resume)
    if [ "$method" = bonus ]; then
      queue_line "$stem" bonus_uda.train --data-root "$data" --source "$s" --target "$t" \
        --ckpt-dir "$ck" --epochs "$BONUS_EPOCHS" --batch-size "$UDA_BATCH" ${resume[@]+"${resume[@]}"}
    else
      queue_line "$stem" p3_dann.train --data-root "$data" --source "$s" --target "$t" \
        --method "$method" --ckpt-dir "$ck" --epochs "$P3_EPOCHS" --batch-size "$UDA_BATCH" ${resume[@]+"${resume[@]}"}
    fi
  done 3< <(py app.model_files uda bonus,dann,source,target | sort -s -k3,3)  # longest first
}
GPUS="${GPUS:-$(printf 'cpu,%.0s' $(seq "$UDA_JOBS") | sed 's/,$//')}" run_queue "$RUNS/logs" < <(uda_runs) \
  || { echo "error: a UDA run failed (logs in $RUNS/logs)" >&2; exit 1; }
stage ""
