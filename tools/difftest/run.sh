#!/usr/bin/env bash
# Differential test: random C programs (gen.py) built with `polkavm build` and run by `polkavm run`
# (rv64 and rv32), against the same C compiled as freestanding Linux executables for riscv64/riscv32
# (rv64gc/rv32gc, native/polkavm.h + native/start.c) and run under qemu-user. Each width's PolkaVM
# output and exit status must equal qemu's for that width (the generator aims for width-independent
# programs, so the widths normally agree too; a rare width-dependent program is noted on stderr).
# Without qemu-user, the rv64 and rv32 PolkaVM runs must agree.
#
#   tools/difftest/run.sh [--count N] [--seed S] [--jobs J] [--keep DIR]
#
# Environment: POLKAVM (a polkavm binary; default: `swift build -c release` here), CLANG, LD_LLD,
# QEMU_RISCV64, QEMU_RISCV32. Without qemu-user the native runs are skipped and only the rv64 and
# rv32 PolkaVM runs are compared. The last line is "N passed, N failed".
set -uo pipefail

count=200
seed=1
jobs=2
keep=""
while [ $# -gt 0 ]; do
    case "$1" in
        --count) count="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --jobs) jobs="$2"; shift 2 ;;
        --keep) keep="$2"; shift 2 ;;
        *) echo "usage: $0 [--count N] [--seed S] [--jobs J] [--keep DIR]" >&2; exit 2 ;;
    esac
done

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

find_tool() { # name envvar
    local name="$1" env="$2"
    if [ -n "${!env:-}" ]; then echo "${!env}"; return; fi
    local swift
    if swift="$(command -v swift)"; then
        local bin; bin="$(dirname "$(readlink -f "$swift")")"
        if [ -x "$bin/$name" ]; then echo "$bin/$name"; return; fi
    fi
    command -v "$name" || true
}
CLANG="$(find_tool clang CLANG)"
LD_LLD="$(find_tool ld.lld LD_LLD)"
QEMU64="${QEMU_RISCV64:-$(command -v qemu-riscv64 || true)}"
QEMU32="${QEMU_RISCV32:-$(command -v qemu-riscv32 || true)}"
if [ -z "$CLANG" ] || [ -z "$LD_LLD" ]; then
    echo "clang or ld.lld not found (set CLANG / LD_LLD or put the Swift toolchain on PATH)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
native=1
if [ -z "$QEMU64" ] || [ -z "$QEMU32" ]; then
    echo "qemu-riscv64/qemu-riscv32 not found (apt-get install qemu-user): comparing rv64 and rv32 PolkaVM runs only" >&2
    native=0
fi
if [ -z "${POLKAVM:-}" ]; then
    (cd "$root" && swift build -c release --product polkavm >/dev/null) || { echo "0 passed, 1 failed"; exit 1; }
    POLKAVM="$(cd "$root" && swift build -c release --show-bin-path)/polkavm"
fi

if [ -n "$keep" ]; then work="$keep"; mkdir -p "$work"; else work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi

# Shared objects: the guest C library per width, the native C library and entry point per width.
guest_rv64=(--target=riscv64-unknown-none-elf -march=rv64emac_zbb_xtheadcondmov -mabi=lp64e)
guest_rv32=(--target=riscv32-unknown-none-elf -march=rv32emac_zbb_xtheadcondmov -mabi=ilp32e)
guest_common=(-O2 -ffreestanding -nostdlib -fPIC -fvisibility=hidden -fno-common -ffunction-sections -fdata-sections -fno-builtin -I "$root/guest")
native_rv64=(--target=riscv64-unknown-linux-gnu -march=rv64gc -mabi=lp64d)
native_rv32=(--target=riscv32-unknown-linux-gnu -march=rv32gc -mabi=ilp32d)
native_common=(-ffreestanding -nostdlib -fno-pic -fno-builtin -ffunction-sections -fdata-sections -I "$here/native")
cp "$root/guest/polkavm_libc.c" "$work/native_libc.c" # so that its "polkavm.h" is the native shim
for w in rv64 rv32; do
    g="guest_$w[@]"; n="native_$w[@]"
    "$CLANG" "${!g}" "${guest_common[@]}" -c "$root/guest/polkavm_libc.c" -o "$work/guest_libc_$w.o" || exit 1
    if [ $native = 1 ]; then
        "$CLANG" "${!n}" -O2 "${native_common[@]}" -c "$work/native_libc.c" -o "$work/native_libc_$w.o" || exit 1
        "$CLANG" "${!n}" -O2 "${native_common[@]}" -c "$here/native/start.c" -o "$work/native_start_$w.o" || exit 1
    fi
done

levels=(2 s 1 3 z 0)

# One program: prints "PASS seed" or "FAIL seed: reason".
one() {
    local s="$1" d="$work/$1"
    mkdir -p "$d"
    local opt="${levels[$((s % ${#levels[@]}))]}"
    python3 "$here/gen.py" --seed "$s" --out "$d/prog.c" || { echo "FAIL $s: generator"; return; }
    local outs=() w
    for w in rv64 rv32; do
        if ! "$POLKAVM" build --target $w -O$opt --no-libc --cflag=-w "$d/prog.c" "$work/guest_libc_$w.o" -o "$d/$w.polkavm" 2>"$d/build_$w.err"; then
            echo "FAIL $s: polkavm build --target $w -O$opt: $(grep -m1 -i "error" "$d/build_$w.err")"; return
        fi
        timeout 60 "$POLKAVM" run "$d/$w.polkavm" --call main >"$d/pvm_$w.out" 2>"$d/pvm_$w.err"
        echo "exit $?" >>"$d/pvm_$w.out"
        outs+=("pvm_$w")
        if [ $native = 1 ]; then
            local n="native_$w[@]" q
            if ! "$CLANG" "${!n}" -O$opt "${native_common[@]}" -w -c "$d/prog.c" -o "$d/native_$w.o" 2>"$d/native_$w.err" ||
               ! "$LD_LLD" -static -e _start "$d/native_$w.o" "$work/native_start_$w.o" "$work/native_libc_$w.o" -o "$d/native_$w" 2>>"$d/native_$w.err"; then
                echo "FAIL $s: native build ($w): $(tail -n 1 "$d/native_$w.err")"; return
            fi
            if [ $w = rv64 ]; then q="$QEMU64"; else q="$QEMU32"; fi
            timeout 60 "$q" "$d/native_$w" >"$d/qemu_$w.out" 2>"$d/qemu_$w.err"
            echo "exit $?" >>"$d/qemu_$w.out"
            outs+=("qemu_$w")
        fi
    done
    local first="${outs[0]}" o
    if [ $native = 1 ]; then
        # The check that matters: each width under PolkaVM against real RISC-V of the same width. (A
        # generated program can still depend on the width through C's implementation-defined or
        # undefined corners; such a program is noted, not failed, when both widths agree with qemu.)
        for w in rv64 rv32; do
            if ! cmp -s "$d/pvm_$w.out" "$d/qemu_$w.out"; then
                echo "FAIL $s (-O$opt): pvm_$w and qemu_$w differ: $(diff "$d/pvm_$w.out" "$d/qemu_$w.out" | head -n 3 | tr '\n' ' ')"
                return
            fi
        done
        if ! cmp -s "$d/pvm_rv64.out" "$d/pvm_rv32.out"; then
            echo "NOTE $s (-O$opt): the program's output depends on the width (both widths agree with qemu)" >&2
        fi
    else
        for o in "${outs[@]:1}"; do
            if ! cmp -s "$d/$first.out" "$d/$o.out"; then
                echo "FAIL $s (-O$opt): $first and $o differ: $(diff "$d/$first.out" "$d/$o.out" | head -n 3 | tr '\n' ' ')"
                return
            fi
        done
    fi
    if [ "$(wc -l <"$d/$first.out")" -lt 2 ] || ! grep -q "^exit 0$" "$d/$first.out"; then
        echo "FAIL $s (-O$opt): no output or non-zero exit: $(tail -n 2 "$d/$first.out" | tr '\n' ' ') $(head -c 200 "$d/pvm_rv64.err")"
        return
    fi
    echo "PASS $s"
    [ -n "$keep" ] || rm -rf "$d"
}
export -f one
export work here root POLKAVM CLANG LD_LLD QEMU64 QEMU32 native keep
export levels_str="${levels[*]}"

echo "differential test: seeds $seed..$((seed + count - 1)), $jobs jobs, $( [ $native = 1 ] && echo "PolkaVM rv64/rv32 vs qemu riscv64/riscv32" || echo "PolkaVM rv64 vs rv32")"
results="$work/results.txt"
seq "$seed" $((seed + count - 1)) | xargs -P "$jobs" -I{} bash -c 'levels=($levels_str); native_common=(-ffreestanding -nostdlib -fno-pic -fno-builtin -ffunction-sections -fdata-sections -I "$here/native"); native_rv64=(--target=riscv64-unknown-linux-gnu -march=rv64gc -mabi=lp64d); native_rv32=(--target=riscv32-unknown-linux-gnu -march=rv32gc -mabi=ilp32d); one {}' >"$results"
grep '^FAIL' "$results" | sort -k2 -n
passed=$(grep -c '^PASS' "$results")
failed=$(grep -c '^FAIL' "$results")
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
