#!/usr/bin/env bash
# Run the graders' scripts on DATA_ROOT's test sets with RUNS/checkpoints, score everything into RUNS/eval,
# draw the t-SNE figures, then write RUNS/report/README.md (with sample grids of the graders' images).
#   bash scripts/evaluate_all.sh DATA_ROOT RUNS
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -ne 2 ]; then echo "usage: bash scripts/evaluate_all.sh DATA_ROOT RUNS" >&2; exit 2; fi
data="$1"; runs="$2"; eval="$runs/eval"
export HW2_CKPT_DIR="$runs/checkpoints"
source "$root/scripts/lib.sh"
mkdir -p "$eval"
TSNE_SAMPLES="${TSNE_SAMPLES:-1000}"

echo "== [eval] P1: hw2_p1.sh, FID against the test faces, IS, the face detector's rate"
bash "$root/scripts/hw2_p1.sh" "$eval/p1_images"
py common.metrics fid "$eval/p1_images" "$data/face/test" | tee "$eval/p1_fid.txt"
py common.metrics is "$eval/p1_images" | tee "$eval/p1_is.txt"
py common.metrics faces "$eval/p1_images" | tee "$eval/p1_faces.txt"

echo "== [eval] P2: hw2_p2.sh and the digit classifiers"
bash "$root/scripts/hw2_p2.sh" "$eval/p2_images"
classifiers=(--classifier "$HW2_CKPT_DIR/$(py app.model_files checkpoint evaluator)")
[ -n "${COURSE_CLASSIFIER:-}" ] && classifiers+=(--classifier "$COURSE_CLASSIFIER")
py p2_acgan.evaluate "$eval/p2_images" "${classifiers[@]}" | tee "$eval/p2_accuracy.txt"

echo "== [eval] P3 and bonus: hw2_p3.sh / hw2_bonus.sh per target, accuracy against test.csv"
# The bounds (source-only, target-only) through the graders' prediction code, all six in one process.
py app.predict_bounds "$data" "$HW2_CKPT_DIR" "$eval" >/dev/null
tsne_ckpts=()
while read -r s t method stem <&3; do  # every UDA model and the name of its checkpoint and results (app/model_files.py)
  test_dir="$data/digits/$t/test"
  case "$method" in
    dann) bash "$root/scripts/hw2_p3.sh" "$test_dir" "$t" "$eval/$stem.csv" >/dev/null
          tsne_ckpts+=("$HW2_CKPT_DIR/$stem.pt") ;;
    bonus) bash "$root/scripts/hw2_bonus.sh" "$test_dir" "$t" "$eval/$stem.csv" >/dev/null
           tsne_ckpts+=("$HW2_CKPT_DIR/$stem.pt") ;;
  esac
  py app.score "$eval/$stem.csv" "$data/digits/$t/test.csv" | tee "$eval/$stem.txt"
done 3< <(py app.model_files uda dann,bonus,source,target)
py app.tsne --data-root "$data" --out "$eval" --samples "$TSNE_SAMPLES" "${tsne_ckpts[@]}"

echo "== [report]"
py app.report "$runs" --data-root "$data"
