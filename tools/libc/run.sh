#!/usr/bin/env bash
# Checks the guest SDK's printf engine, strtod and strtof (guest/polkavm_format.c) natively against
# the host's C library (tools/libc/check.c).
#   tools/libc/run.sh [CASES] [SEED]
set -euo pipefail
cd "$(dirname "$0")"
source ../host-cc.sh
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
"$cc" -O2 -Wall -Wno-format -o "$out" check.c -lm
"$out" "${1:-400000}" "${2:-$(date +%s)}"
# The 32-bit targets' division by 10^9 (a multiplication by its inverse), on a quarter of the cases.
"$cc" -O2 -Wall -Wno-format -DPOLKAVM_FORMAT_TEST_NARROW -o "$out" check.c -lm
"$out" "$(( ${1:-400000} / 4 ))" "${2:-$(date +%s)}"
