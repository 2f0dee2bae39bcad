#!/usr/bin/env bash
# Differential test: random C programs (gen.py) built with `polkavm build` and run by `polkavm run`
# (rv64 and rv32), against the same C compiled as freestanding Linux executables for riscv64/riscv32
# (rv64gc/rv32gc, native/polkavm.h + native/start.c) and run under qemu-user. Each width's PolkaVM
# output and exit status must equal qemu's for that width (the generator aims for width-independent
# programs, so the widths normally agree too; a rare width-dependent program is noted on stderr).
# Without qemu-user, the rv64 and rv32 PolkaVM runs must agree. Where the two qemu builds disagree
# with each other (one reference is then wrong), the same C built for x86-64 decides (x86-64 hosts).
#
#   tools/difftest/run.sh [--count N] [--seed S] [--jobs J] [--keep DIR] [--toolchain clang|gnu]
#
# --toolchain gnu builds the PolkaVM guests through the GNU tools instead of `polkavm build`, in four
# variants, each compared with qemu of its width (the clang-built native program for ld64/ld32; for
# gcc32/gcc64 the same program built natively by GCC at the same -O level, since the two compilers may
# resolve a generated program's undefined corners differently):
#   ld64, ld32   the Swift toolchain's clang compiles as `polkavm build` does (its target and
#                common flags; guest/polkavm_libc.c with -fno-builtin), GNU ld links, `polkavm link`
#                makes the blob. rv64 links need `--no-warn-mismatch`: ld 2.40 does not know RV64E
#                and refuses to merge the objects' attributes otherwise. Debug information is DWARF 4
#                (-gdwarf-4): ld 2.40 crashes on the R_RISCV_SET/SUB_ULEB128 relocations in clang
#                21's DWARF 5 (polkavm build's default -gline-tables-only).
#   gcc32        riscv64-linux-gnu-gcc (GCC 12) compiles for RV32E (-march=rv32emac_zbb -mabi=ilp32e,
#                the same common flags), then GNU ld and `polkavm link`.
#   gcc64        GCC 12 has no RV64E/lp64e: -march=rv64imac_zbb -mabi=lp64 with every register PolkaVM
#                lacks made fixed (-ffixed-gp ... -ffixed-t6). Only for code that passes at most 6
#                argument registers (lp64 passes more in a6/a7, which the linker rejects): the
#                generated programs qualify, the C library's variadic functions (which spill a6/a7)
#                do not, so gcc64 programs are always linked at --opt-level 2 (dead code dropped).
# GNU ld's output shape rotates with the seed (seed % 5): 0-2 a shared object (upstream's convention,
# `-shared --emit-relocs --no-undefined`), 3 a PIE (`-pie --emit-relocs`), 4 a static executable
# (`-static --emit-relocs`; gcc variants compile with -fno-pic, so .sdata/.sbss, %hi/%lo pairs and
# GNU ld's gp relaxation appear). seed % 4: 0 compiles with line tables (clang -gline-tables-only
# as polkavm build does, GCC -g1), 2 with full debug information (-g), 1 without, and 3 without but
# linked by `polkavm link --opt-level 0` (all of .text translated) instead of 2. Needs
# binutils-riscv64-linux-gnu and gcc-riscv64-linux-gnu (Debian/Ubuntu; GNU_LD / GNU_CC override).
#
# Environment: POLKAVM (a polkavm binary; default: `swift build -c release` here), CLANG, LD_LLD,
# QEMU_RISCV64, QEMU_RISCV32, GNU_LD, GNU_CC. Without qemu-user the native runs are skipped and the
# PolkaVM runs are only compared with each other (rv64 against rv32, or the four GNU variants). The
# last line is "N passed, N failed".
set -uo pipefail

count=200
seed=1
jobs=2
keep=""
toolchain=clang
while [ $# -gt 0 ]; do
    case "$1" in
        --count) count="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --jobs) jobs="$2"; shift 2 ;;
        --keep) keep="$2"; shift 2 ;;
        --toolchain) toolchain="$2"; shift 2 ;;
        *) echo "usage: $0 [--count N] [--seed S] [--jobs J] [--keep DIR] [--toolchain clang|gnu]" >&2; exit 2 ;;
    esac
done

case "$toolchain" in
    clang|gnu) ;;
    *) echo "unknown toolchain '$toolchain' (clang, gnu)" >&2; exit 2 ;;
esac

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
GNU_LD="${GNU_LD:-$(command -v riscv64-linux-gnu-ld || true)}"
GNU_CC="${GNU_CC:-$(command -v riscv64-linux-gnu-gcc || true)}"
if [ $toolchain = gnu ] && { [ -z "$GNU_LD" ] || [ -z "$GNU_CC" ]; }; then
    echo "riscv64-linux-gnu-ld or riscv64-linux-gnu-gcc not found (apt-get install binutils-riscv64-linux-gnu gcc-riscv64-linux-gnu, or set GNU_LD / GNU_CC)" >&2
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

# Compiler and linker flags. A function, so that the parallel workers (which cannot inherit arrays)
# get them too.
flags() {
    guest_rv64=(--target=riscv64-unknown-none-elf -march=rv64emac_zbb_xtheadcondmov -mabi=lp64e -mno-strict-align)
    guest_rv32=(--target=riscv32-unknown-none-elf -march=rv32emac_zbb_xtheadcondmov -mabi=ilp32e -mno-strict-align)
    guest_common=(-O2 -ffreestanding -nostdlib -fPIC -fvisibility=hidden -fno-common -ffunction-sections -fdata-sections -fno-builtin -ffp-contract=off -I "$root/guest")
    native_rv64=(--target=riscv64-unknown-linux-gnu -march=rv64gc -mabi=lp64d)
    native_rv32=(--target=riscv32-unknown-linux-gnu -march=rv32gc -mabi=ilp32d)
    # (-ffp-contract=off: rv64gc/rv32gc could fuse a * b + c into one rounding. Guests are built without
    # contraction too (`polkavm build` passes it): their soft-float never fuses at run time, but clang would
    # still fuse what it folds at compile time.
    # -fno-math-errno: __builtin_sqrt becomes fsqrt, so the SDK's sqrt is checked against the FPU.)
    native_common=(-ffreestanding -nostdlib -fno-pic -fno-builtin -ffunction-sections -fdata-sections -ffp-contract=off -fno-math-errno -I "$here/native")
    # --toolchain gnu. build_common is `polkavm build`'s GuestToolchain.commonFlags (plus the SDK
    # include); the ld variants use its clang target flags (GuestToolchain.Target.clangFlags).
    build_common=(-ffreestanding -nostdlib -fPIC -fvisibility=hidden -fno-common -ffunction-sections -fdata-sections
                  -fno-exceptions -fno-unwind-tables -fno-asynchronous-unwind-tables -fno-stack-protector -fno-ident -ffp-contract=off
                  -I "$root/guest")
    cc_ld64=("$CLANG" --target=riscv64-unknown-none-elf -march=rv64emac_zbb_xtheadcondmov -mabi=lp64e -mno-strict-align "${build_common[@]}")
    cc_ld32=("$CLANG" --target=riscv32-unknown-none-elf -march=rv32emac_zbb_xtheadcondmov -mabi=ilp32e -mno-strict-align "${build_common[@]}")
    cc_gcc32=("$GNU_CC" -march=rv32emac_zbb -mabi=ilp32e "${build_common[@]}")
    cc_gcc64=("$GNU_CC" -march=rv64imac_zbb -mabi=lp64 -ffixed-gp -ffixed-tp -ffixed-a6 -ffixed-a7 -ffixed-t3 -ffixed-t4 -ffixed-t5 -ffixed-t6
              -ffixed-s2 -ffixed-s3 -ffixed-s4 -ffixed-s5 -ffixed-s6 -ffixed-s7 -ffixed-s8 -ffixed-s9 -ffixed-s10 -ffixed-s11 "${build_common[@]}")
    ld_ld64=("$GNU_LD" -m elf64lriscv --no-warn-mismatch)
    ld_ld32=("$GNU_LD" -m elf32lriscv)
    ld_gcc32=("${ld_ld32[@]}")
    ld_gcc64=("$GNU_LD" -m elf64lriscv)
    # The output shapes (seed % 5: 0-2 shared, 3 pie, 4 exe).
    shape_shared=(-shared --emit-relocs --no-undefined)
    shape_pie=(-pie --emit-relocs --no-undefined -e 0)
    shape_exe=(-static --emit-relocs --no-undefined -e 0)
}
flags
if [ $toolchain = clang ]; then variants=(rv64 rv32); else variants=(ld64 ld32 gcc32 gcc64); fi

# Shared objects: the guest C library per variant, the native C library and entry point per width.
cp "$root/guest/polkavm_libc.c" "$work/native_libc.c" # so that its "polkavm.h" is the native shim
cp "$root/guest/polkavm_softfloat.c" "$root/guest/polkavm_libm.c" "$root/guest/polkavm_format.c" "$work/" # which it includes
for w in rv64 rv32; do
    if [ $toolchain = clang ]; then
        g="guest_$w[@]"
        "$CLANG" "${!g}" "${guest_common[@]}" -c "$root/guest/polkavm_libc.c" -o "$work/guest_libc_$w.o" || exit 1
    fi
    if [ $native = 1 ]; then
        n="native_$w[@]"
        "$CLANG" "${!n}" -O2 "${native_common[@]}" -c "$work/native_libc.c" -o "$work/native_libc_$w.o" || exit 1
        "$CLANG" "${!n}" -O2 "${native_common[@]}" -c "$here/native/start.c" -o "$work/native_start_$w.o" || exit 1
    fi
done
if [ $toolchain = gnu ]; then
    for v in "${variants[@]}"; do
        c="cc_$v[@]"
        "${!c}" -O2 -fno-builtin -c "$root/guest/polkavm_libc.c" -o "$work/guest_libc_$v.o" || exit 1
        "${!c}" -O2 -fno-builtin -fno-pic -c "$root/guest/polkavm_libc.c" -o "$work/guest_libc_${v}_nopic.o" || exit 1
    done
fi

levels=(2 s 1 3 z 0)

# Builds variant $1 of program $2 (directory $3) at -O$4 into $3/$1.polkavm; prints the failure.
build_guest() {
    local v="$1" s="$2" d="$3" opt="$4"
    if [ $toolchain = clang ]; then
        if ! "$POLKAVM" build --target $v -O$opt --no-libc --cflag=-w "$d/prog.c" "$work/guest_libc_$v.o" -o "$d/$v.polkavm" 2>"$d/build_$v.err"; then
            echo "FAIL $s: polkavm build --target $v -O$opt: $(grep -m1 -i "error" "$d/build_$v.err")"; return 1
        fi
        return 0
    fi
    local c="cc_$v[@]" l="ld_$v[@]" link_opt=2 shape pic=() libc="$work/guest_libc_$v.o"
    # (Not gcc64: under lp64 the libc's variadic functions spill a6/a7, which only dead-code removal drops.)
    [ $((s % 4)) = 3 ] && [ $v != gcc64 ] && link_opt=0
    case $((s % 5)) in 3) shape=pie ;; 4) shape=exe ;; *) shape=shared ;; esac
    if [ $shape = exe ] && [ "${v#gcc}" != "$v" ]; then pic=(-fno-pic); libc="$work/guest_libc_${v}_nopic.o"; fi
    # Debug information (DWARF 4 for clang, see above): line tables as `polkavm build` writes them
    # (seed % 4 = 0), or everything (seed % 4 = 2).
    local debug=()
    case $((s % 4)) in
        0) if [ "${v#gcc}" != "$v" ]; then debug=(-g1); else debug=(-gdwarf-4 -gline-tables-only); fi ;;
        2) if [ "${v#gcc}" != "$v" ]; then debug=(-g); else debug=(-g -gdwarf-4); fi ;;
    esac
    local sh="shape_$shape[@]" what="$v ($shape, -O$opt${pic:+ -fno-pic}${debug:+ ${debug[*]}})"
    if ! "${!c}" -O$opt "${pic[@]}" "${debug[@]}" -w -c "$d/prog.c" -o "$d/$v.o" 2>"$d/build_$v.err"; then
        echo "FAIL $s: $what compile: $(grep -m1 -i "error" "$d/build_$v.err")"; return 1
    fi
    if ! "${!l}" "${!sh}" "$d/$v.o" "$libc" -o "$d/$v.elf" 2>"$d/build_$v.err"; then
        echo "FAIL $s: $what GNU ld: $(head -n 1 "$d/build_$v.err")"; return 1
    fi
    if ! "$POLKAVM" link --opt-level $link_opt "$d/$v.elf" -o "$d/$v.polkavm" 2>"$d/build_$v.err"; then
        echo "FAIL $s: $what polkavm link --opt-level $link_opt: $(grep -m1 -i "error" "$d/build_$v.err")"; return 1
    fi
    if [ -s "$d/build_$v.err" ]; then
        echo "NOTE $s: $what polkavm link: $(head -n 1 "$d/build_$v.err")" >&2
    fi
}

# The native executable for width $1 of program $2 (directory $3) at -O$4, run under qemu into
# $3/qemu_$1.out (once per width); prints the failure.
run_native() {
    local w="$1" s="$2" d="$3" opt="$4" n="native_$1[@]" q
    [ -f "$d/qemu_$w.out" ] && return 0
    if ! "$CLANG" "${!n}" -O$opt "${native_common[@]}" -w -c "$d/prog.c" -o "$d/native_$w.o" 2>"$d/native_$w.err" ||
       ! "$LD_LLD" -static -e _start "$d/native_$w.o" "$work/native_start_$w.o" "$work/native_libc_$w.o" -o "$d/native_$w" 2>>"$d/native_$w.err"; then
        echo "FAIL $s: native build ($w): $(tail -n 1 "$d/native_$w.err")"; return 1
    fi
    if [ $w = rv64 ]; then q="$QEMU64"; else q="$QEMU32"; fi
    timeout 60 "$q" "$d/native_$w" >"$d/qemu_$w.out" 2>"$d/qemu_$w.err"
    echo "exit $?" >>"$d/qemu_$w.out"
}

# For the GCC variants (--toolchain gnu): the same program compiled natively by the same GCC at the
# same -O level, run under qemu into $3/qemu_$1.out. Clang and GCC may resolve a generated program's
# undefined or unspecified corners differently (seen: seed 5077, where clang -O1 and up differ from
# clang -O0 and GCC at every level), so a GCC-built guest is compared with GCC-built native code.
run_native_gcc() {
    local v="$1" s="$2" d="$3" opt="$4" arch q
    [ -f "$d/qemu_$v.out" ] && return 0
    if [ $v = gcc64 ]; then arch=(-march=rv64imac_zbb -mabi=lp64); q="$QEMU64"; else arch=(-march=rv32imac_zbb -mabi=ilp32); q="$QEMU32"; fi
    if ! "$GNU_CC" "${arch[@]}" -O$opt "${native_common[@]}" -w -static -Wl,--no-relax -e _start \
            "$d/prog.c" "$here/native/start.c" "$work/native_libc.c" -o "$d/native_$v" 2>"$d/native_$v.err"; then
        echo "FAIL $s: native GCC build ($v): $(tail -n 1 "$d/native_$v.err")"; return 1
    fi
    timeout 60 "$q" "$d/native_$v" >"$d/qemu_$v.out" 2>"$d/qemu_$v.err"
    echo "exit $?" >>"$d/qemu_$v.out"
}

# The width a variant runs at.
width() { case "$1" in *64) echo rv64 ;; *) echo rv32 ;; esac; }

# A third reference for programs on which the two qemu builds disagree: the same C as an x86-64
# executable at the same -O level, run natively into $3/native_x86.out (x86-64 hosts only).
run_native_x86() {
    local s="$1" d="$2" opt="$3"
    [ -f "$d/native_x86.out" ] && return 0
    [ "$(uname -m)" = x86_64 ] || return 1
    "$CLANG" -O$opt "${native_common[@]}" -w -static -e _start "$d/prog.c" "$here/native/start.c" "$work/native_libc.c" \
        -o "$d/native_x86" 2>"$d/native_x86.err" || return 1
    timeout 60 "$d/native_x86" >"$d/native_x86.out" 2>/dev/null
    echo "exit $?" >>"$d/native_x86.out"
}

# One program: prints "PASS seed" or "FAIL seed: reason".
one() {
    local s="$1" d="$work/$1"
    mkdir -p "$d"
    local opt="${levels[$((s % ${#levels[@]}))]}"
    python3 "$here/gen.py" --seed "$s" --out "$d/prog.c" || { echo "FAIL $s: generator"; return; }
    local outs=() v
    for v in "${variants[@]}"; do
        build_guest "$v" "$s" "$d" "$opt" || return
        timeout 60 "$POLKAVM" run "$d/$v.polkavm" --call main >"$d/pvm_$v.out" 2>"$d/pvm_$v.err"
        echo "exit $?" >>"$d/pvm_$v.out"
        outs+=("pvm_$v")
        if [ $native = 1 ]; then
            run_native "$(width "$v")" "$s" "$d" "$opt" || return
            if [ "${v#gcc}" != "$v" ]; then run_native_gcc "$v" "$s" "$d" "$opt" || return; fi
        fi
    done
    local first="${outs[0]}" o
    if [ $native = 1 ]; then
        # The check that matters: each variant under PolkaVM against real RISC-V of the same width. (A
        # generated program can still depend on the width through C's implementation-defined or
        # undefined corners; such a program is noted, not failed, when every variant agrees with qemu.)
        for v in "${variants[@]}"; do
            local w; w="$(width "$v")"
            # GCC-built guests against GCC-built native code (see run_native_gcc).
            [ "${v#gcc}" != "$v" ] && w="$v"
            if ! cmp -s "$d/pvm_$v.out" "$d/qemu_$w.out"; then
                # The generated programs do not depend on the width, so when the two qemu builds disagree
                # one reference is wrong (seen once: clang's rv32gc -O2 code, against rv64gc, x86-64, GCC
                # and both PolkaVM widths). Then x86-64 decides; agreeing with it is noted, not failed.
                if ! cmp -s "$d/qemu_rv64.out" "$d/qemu_rv32.out" && run_native_x86 "$s" "$d" "$opt" &&
                   cmp -s "$d/pvm_$v.out" "$d/native_x86.out"; then
                    echo "NOTE $s (-O$opt): pvm_$v differs from qemu_$w, but the qemu builds disagree with each other and pvm_$v matches x86-64" >&2
                    continue
                fi
                echo "FAIL $s (-O$opt$( [ $toolchain = gnu ] && echo ", seed % 5 = $((s % 5))")): pvm_$v and qemu_$w differ: $(diff "$d/pvm_$v.out" "$d/qemu_$w.out" | head -n 3 | tr '\n' ' ')"
                return
            fi
        done
        if ! cmp -s "$d/qemu_rv64.out" "$d/qemu_rv32.out"; then
            echo "NOTE $s (-O$opt): the program's output depends on the width under qemu (every variant agrees with qemu of its width, or with x86-64 where the qemu builds disagree)" >&2
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
        echo "FAIL $s (-O$opt): no output or non-zero exit: $(tail -n 2 "$d/$first.out" | tr '\n' ' ') $(head -c 200 "$d/$first.err")"
        return
    fi
    echo "PASS $s"
    [ -n "$keep" ] || rm -rf "$d"
}
export -f one flags build_guest run_native run_native_gcc run_native_x86 width
export work here root POLKAVM CLANG LD_LLD QEMU64 QEMU32 GNU_LD GNU_CC native keep toolchain
export levels_str="${levels[*]}" variants_str="${variants[*]}"

if [ $toolchain = clang ]; then
    echo "differential test: seeds $seed..$((seed + count - 1)), $jobs jobs, $( [ $native = 1 ] && echo "PolkaVM rv64/rv32 vs qemu riscv64/riscv32" || echo "PolkaVM rv64 vs rv32")"
else
    echo "differential test (GNU toolchain): seeds $seed..$((seed + count - 1)), $jobs jobs, PolkaVM ${variants[*]} $( [ $native = 1 ] && echo "vs qemu riscv64/riscv32" || echo "compared with each other (no qemu)")"
fi
results="$work/results.txt"
seq "$seed" $((seed + count - 1)) | xargs -P "$jobs" -I{} bash -c 'levels=($levels_str); variants=($variants_str); flags; one {}' >"$results"
grep '^FAIL' "$results" | sort -k2 -n
passed=$(grep -c '^PASS' "$results")
failed=$(grep -c '^FAIL' "$results")
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
