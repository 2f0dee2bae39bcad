#!/usr/bin/env bash
# Links and runs the RISC-V ELF files that upstream PolkaVM keeps in its repository (built there with
# GCC/GNU as and upstream's own SDK), to check that this linker and interpreter accept them:
#   * guest-programs/riscv-tests/output/*/*.elf: the riscv-tests suite (rv32/rv64 I, M, A, C, Zbb),
#     adapted by upstream to export `main`; a test passes by returning, fails by reaching `unimp`;
#   * guest-programs/asm-tests/output/*.elf: hand-written assembly with metadata in an arbitrary
#     section and GOT/ADD/SUB relocations; `get_string(i)` must return the address of magic word i.
# Nothing of upstream's is stored in this repository: pass the path of a checkout (or of a directory
# with the same layout).
# Usage: tools/upstream-compat/run.sh UPSTREAM_CHECKOUT [POLKAVM_CLI]
set -euo pipefail
up="${1:?usage: $0 UPSTREAM_CHECKOUT [POLKAVM_CLI]}"
cd "$(dirname "$0")/../.."
polkavm="${2:-}"
if [ -z "$polkavm" ]; then
    swift build -c release --product polkavm >/dev/null
    polkavm="$(swift build -c release --show-bin-path)/polkavm"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

pass=0; fail=0
for elf in "$up"/guest-programs/riscv-tests/output/*/*.elf; do
    [ -e "$elf" ] || continue
    name="${elf#"$up"/guest-programs/riscv-tests/output/}"
    if ! "$polkavm" link "$elf" -o "$work/t.polkavm" 2>"$work/err"; then
        echo "FAIL (link) $name: $(head -n 1 "$work/err")"; fail=$((fail + 1)); continue
    fi
    if "$polkavm" run "$work/t.polkavm" --call main --gas 100000000 >/dev/null 2>"$work/err"; then
        pass=$((pass + 1))
    else
        echo "FAIL (run) $name: $(head -n 1 "$work/err")"; fail=$((fail + 1))
    fi
done
echo "riscv-tests: $pass passed, $fail failed"

# asm-tests: the three magic words of each program, read back through the address get_string returns.
# (little-endian hex of 0x01010101/0x02020202/0x03030303 and 0xA1010101/0xB2020202/0xC3030303)
declare -A magic=([reloc_add_sub_64]="01010101 02020202 03030303" [reloc_hi_lo_64]="010101a1 020202b2 030303c3")
asm_pass=0; asm_fail=0
for test in "${!magic[@]}"; do
    elf="$up/guest-programs/asm-tests/output/$test.elf"
    [ -e "$elf" ] || continue
    if ! "$polkavm" link "$elf" -o "$work/$test.polkavm" 2>"$work/err"; then
        echo "FAIL (link) $test: $(head -n 1 "$work/err")"; asm_fail=$((asm_fail + 1)); continue
    fi
    read -r -a want <<<"${magic[$test]}"
    ok=1
    for i in 0 1 2; do
        address=$("$polkavm" run "$work/$test.polkavm" --call get_string "$i")
        got=$("$polkavm" run "$work/$test.polkavm" --call get_string "$i" --dump "$address:4" 2>/dev/null | sed -n 2p || echo "?")
        [ "$got" = "${want[$i]}" ] || { echo "FAIL $test get_string($i): word at $address is $got, want ${want[$i]}"; ok=0; }
    done
    if [ $ok = 1 ]; then asm_pass=$((asm_pass + 1)); else asm_fail=$((asm_fail + 1)); fi
done
echo "asm-tests: $asm_pass passed, $asm_fail failed"
[ $fail = 0 ] && [ $asm_fail = 0 ]
