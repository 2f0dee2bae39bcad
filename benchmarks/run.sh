#!/usr/bin/env bash
# The benchmark suite: builds everything (release) and runs native, the PolkaVM interpreter (gas
# off / simple gas / full cost model), WasmKit and Wasmtime interleaved, round by round; checks
# every checksum against native's; writes docs/BENCHMARKS.md. Options: see scripts/suite.py --help
# (e.g. --rounds 7, --scale 0.5, --only sieve,fib, --no-micro, --micro-only, --no-write).
set -euo pipefail
# Relative paths in the options (--extra, --output) are the caller's: suite.py resolves them from here.
export SUITE_CALLER_DIR="$PWD"
cd "$(dirname "$0")"
export PATH="/opt/swift/usr/bin:$PATH"

# build PRODUCT [SCRATCH [extra swift build flags...]]
build() {
    local log product="$1" scratch="${2:-.build-bench}"
    shift; shift || true
    log=$(mktemp)
    if ! swift build -c release --package-path . --scratch-path "$scratch" --product "$product" "$@" >"$log" 2>&1; then
        # Files added to or renamed in the main package (a path dependency) can leave a stale build
        # description behind ("missing inputs", or "cannot find ... in scope" for a new file): drop it
        # and retry once.
        rm -f "$scratch/release.yaml" "$scratch/build.db"
        swift build -c release --package-path . --scratch-path "$scratch" --product "$product" "$@" >"$log" 2>&1 || { cat "$log"; rm -f "$log"; return 1; }
    fi
    tail -n 1 "$log"
    rm -f "$log"
}

echo "== building polkavm-bench and the polkavm CLI (release, scratch dir benchmarks/.build-bench)"
build polkavm-bench
# The CLI from the main package (for `polkavm build` / `polkavm link`), built in the same scratch dir.
if ! build polkavm; then
    echo "!! could not build the polkavm CLI; PolkaVM columns will be skipped"
fi

exec python3 scripts/suite.py "$@"
