#!/usr/bin/env bash
# Checks guest/polkavm_softfloat.c natively against the host's IEEE 754 hardware (tools/softfloat/check.c),
# and guest/polkavm_libm.c against the host's libm (libm_check.c).
#   tools/softfloat/run.sh [CASES] [SEED] [LIBM_CASES]
set -euo pipefail
cd "$(dirname "$0")"
source ../host-cc.sh
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
"$cc" -O2 -Wall -o "$out" check.c -lm
"$out" "${1:-2000000}" "${2:-$(date +%s)}"
# The rv32 code paths (no 128-bit products, no 64-bit division, no fast paths), and the fast paths on
# top of the 32-bit product, on a quarter of the cases each.
"$cc" -O2 -Wall -DPOLKAVM_SOFTFLOAT_TEST_NARROW -o "$out" check.c -lm
"$out" "$(( ${1:-2000000} / 4 ))" "${2:-$(date +%s)}"
"$cc" -O2 -Wall -DPOLKAVM_SOFTFLOAT_TEST_NARROW -DSF_FAST_PATHS=1 -o "$out" check.c -lm
"$out" "$(( ${1:-2000000} / 4 ))" "${2:-$(date +%s)}"
# The transcendental functions (guest/polkavm_libm.c) against the host's libm, within their bounds.
"$cc" -O2 -Wall -ffp-contract=off -o "$out" libm_check.c -lm
"$out" "${3:-300000}" "${2:-$(date +%s)}"
