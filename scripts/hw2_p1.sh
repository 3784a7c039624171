#!/usr/bin/env bash
# P1 grader: bash scripts/hw2_p1.sh OUT_DIR -> 1000 RGB 64×64 PNGs, the same on every run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -ne 1 ]; then echo "usage: bash scripts/hw2_p1.sh OUT_DIR" >&2; exit 2; fi
source "$root/scripts/require_runtime.sh"
exec python3 "$root/scripts/run_module.py" p1_dcgan.inference --out="$1"
