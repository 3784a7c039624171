#!/usr/bin/env bash
# P2 grader: bash scripts/hw2_p2.sh OUT_DIR -> 1000 RGB 28×28 PNGs, 0_001.png ... 9_100.png, deterministic.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -ne 1 ]; then echo "usage: bash scripts/hw2_p2.sh OUT_DIR" >&2; exit 2; fi
source "$root/scripts/require_runtime.sh"
exec python3 "$root/scripts/run_module.py" p2_acgan.inference --out="$1"
