#!/usr/bin/env bash
# Bonus grader: bash scripts/hw2_bonus.sh TEST_DIR DOMAIN OUT_CSV  (same contract as hw2_p3.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -ne 3 ]; then echo "usage: bash scripts/hw2_bonus.sh TEST_DIR DOMAIN OUT_CSV" >&2; exit 2; fi
source "$root/scripts/require_runtime.sh"
exec python3 "$root/scripts/run_module.py" bonus_uda.inference -- "$1" "$2" "$3"
