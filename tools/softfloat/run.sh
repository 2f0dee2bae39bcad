#!/usr/bin/env bash
# Checks guest/polkavm_softfloat.c natively against the host's IEEE 754 hardware (tools/softfloat/check.c).
#   tools/softfloat/run.sh [CASES] [SEED]
set -euo pipefail
cd "$(dirname "$0")"
cc="${CC:-}"
if [ -z "$cc" ]; then
    for candidate in clang cc gcc "$(dirname "$(readlink -f "$(command -v swift)")")/clang"; do
        if command -v "$candidate" >/dev/null 2>&1; then cc="$candidate"; break; fi
    done
fi
[ -n "$cc" ] || { echo "no C compiler found (set CC)" >&2; exit 1; }
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
"$cc" -O2 -Wall -o "$out" check.c -lm
"$out" "${1:-2000000}" "${2:-$(date +%s)}"
