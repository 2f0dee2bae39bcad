#!/usr/bin/env bash
# Rebuilds the committed example blobs (examples/<name>/<name>.polkavm) from their C sources.
# ExamplesTests checks that this gives byte-identical blobs. Usage: examples/build.sh [polkavm-binary]
set -euo pipefail
cd "$(dirname "$0")/.."
POLKAVM="${1:-swift run polkavm}"
# name and target; the others use the defaults (-O2, debug names kept).
for entry in hello:rv64 ackermann:rv64 sieve:rv64 int64:rv32 funcptr:rv32 switch:rv64 mandelbrot:rv32; do
    name="${entry%%:*}" target="${entry##*:}"
    $POLKAVM build --target "$target" "examples/$name/$name.c" -o "examples/$name/$name.polkavm"
done
