#!/usr/bin/env bash
# CI step for the differential test: installs qemu-user if it is missing (Debian/Ubuntu, as root),
# then runs tools/difftest/run.sh with a fresh seed (override with DIFFTEST_SEED, DIFFTEST_COUNT).
# Usage: tools/difftest/ci.sh [polkavm-binary]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v qemu-riscv64 >/dev/null 2>&1 || ! command -v qemu-riscv32 >/dev/null 2>&1; then
    echo "installing qemu-user"
    (apt-get update && apt-get install -y qemu-user) >/dev/null 2>&1 || echo "(could not install qemu-user)"
fi
seed="${DIFFTEST_SEED:-$(date +%s)}"
echo "seed: $seed"
if [ -n "${1:-}" ]; then export POLKAVM="$1"; fi
"$here/run.sh" --count "${DIFFTEST_COUNT:-200}" --seed "$seed"
