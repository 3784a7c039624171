#!/usr/bin/env bash
# make demo: build the embedded data and train every problem briefly (scripts/demo_train.sh, which reuses
# finished stages), run the graders' scripts, score, and write DEMO_OUT/report/README.md; ends with each
# stage's time.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
RUNS="${DEMO_OUT:-demo_out}"
SECONDS=0
bash scripts/demo_train.sh
train_s=$SECONDS
TSNE_SAMPLES="${TSNE_SAMPLES:-300}" bash scripts/evaluate_all.sh "${DEMO_DATA:-demo_data}/hw2_data" "$RUNS"
echo "== stage times"
cat "$RUNS/stage_times.txt"
printf '%6d s  %s\n' $((SECONDS - train_s)) "graders' scripts, scores, figures, report" $SECONDS "all"
echo "== done: $RUNS/report/README.md"
