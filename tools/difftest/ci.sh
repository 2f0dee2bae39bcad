#!/usr/bin/env bash
# CI step for the differential test: installs qemu-user if it is missing (Debian/Ubuntu, as root),
# then runs tools/difftest/run.sh with a fresh seed (override with DIFFTEST_SEED, DIFFTEST_COUNT);
# then installs the GNU RISC-V toolchain (binutils-riscv64-linux-gnu, gcc-riscv64-linux-gnu) the same
# way and runs `run.sh --toolchain gnu` for DIFFTEST_GNU_COUNT (default 60) programs, skipping that
# part with a message when the GNU tools cannot be had.
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
status=$?

if ! command -v riscv64-linux-gnu-ld >/dev/null 2>&1 || ! command -v riscv64-linux-gnu-gcc >/dev/null 2>&1; then
    echo "installing binutils-riscv64-linux-gnu gcc-riscv64-linux-gnu"
    (apt-get update && apt-get install -y binutils-riscv64-linux-gnu gcc-riscv64-linux-gnu) >/dev/null 2>&1 ||
        echo "(could not install the GNU RISC-V toolchain)"
fi
if command -v riscv64-linux-gnu-ld >/dev/null 2>&1 && command -v riscv64-linux-gnu-gcc >/dev/null 2>&1; then
    echo "== GNU toolchain variant (GNU ld and GCC inputs to polkavm link)"
    "$here/run.sh" --toolchain gnu --count "${DIFFTEST_GNU_COUNT:-60}" --seed "$seed" || status=1
else
    echo "(riscv64-linux-gnu-ld / riscv64-linux-gnu-gcc not available: skipping run.sh --toolchain gnu)"
fi
exit $status
