#!/usr/bin/env bash
# P3 grader: bash scripts/hw2_p3.sh TEST_DIR DOMAIN OUT_CSV  (DOMAIN = target: mnistm, usps or svhn)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -ne 3 ]; then echo "usage: bash scripts/hw2_p3.sh TEST_DIR DOMAIN OUT_CSV" >&2; exit 2; fi
source "$root/scripts/require_runtime.sh"
exec python3 "$root/scripts/run_module.py" p3_dann.inference -- "$1" "$2" "$3"
