#!/usr/bin/env bash
# The benchmark suite: builds everything (release) and runs native, the PolkaVM interpreter (gas
# off / simple gas / full cost model), WasmKit and Wasmtime interleaved, round by round; checks
# every checksum against native's; writes docs/BENCHMARKS.md. Options: see scripts/suite.py --help
# (e.g. --rounds 7, --scale 0.5, --only sieve,fib, --no-micro, --micro-only, --no-write).
set -euo pipefail
cd "$(dirname "$0")"
export PATH="/opt/swift/usr/bin:$PATH"

echo "== building polkavm-bench and the polkavm CLI (release, scratch dir benchmarks/.build-bench)"
swift build -c release --package-path . --scratch-path .build-bench --product polkavm-bench 2>&1 | tail -n 1
# The CLI from the main package (for `polkavm build` / `polkavm link`), built in the same scratch dir.
if ! swift build -c release --package-path . --scratch-path .build-bench --product polkavm 2>&1 | tail -n 1; then
    echo "!! could not build the polkavm CLI; PolkaVM columns will be skipped"
fi

exec python3 scripts/suite.py "$@"
