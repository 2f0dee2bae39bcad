#!/usr/bin/env python3
"""Measures the examples' sizes for docs/SIZES.md and prints the Markdown tables.

    tools/sizes/sizes.py [--polkavm PATH]

For each example (examples/build.sh's targets, -O2): the .polkavm blob and its parts (`polkavm stats`);
the RISC-V ELF that ld.lld makes from the very same object files (`polkavm build --keep-temps`), its
.text, its loadable contents (allocated, file-backed sections except the .polkavm_* metadata) and the
file size after llvm-objcopy --strip-all;
and the same C compiled by clang for wasm32 (tools/sizes/wasm/polkavm.h), at -Oz and -O2, linked by
wasm-ld --no-entry --gc-sections --strip-all with the exports exported.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = [("hello", "rv64"), ("ackermann", "rv64"), ("sieve", "rv64"), ("int64", "rv32"), ("funcptr", "rv32"), ("switch", "rv64"),
            ("mandelbrot", "rv32")]


def tool(name):
    swift = shutil.which("swift")
    if swift:
        candidate = os.path.join(os.path.dirname(os.path.realpath(swift)), name)
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


def run(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def stats(polkavm, blob):
    text = run([polkavm, "stats", blob]).stdout
    get = lambda pattern: int(re.search(pattern, text).group(1))
    exports = re.search(r"exports: \d+ \(([^)]*)\)", text).group(1)
    return {
        "blob": get(r"blob: (\d+) bytes"),
        "code": get(r"code: (\d+) bytes"),
        "bitmask": get(r"bitmask (\d+) bytes"),
        "jump": get(r"jump table \d+ entries \((\d+) bytes\)"),
        "ro": get(r"ro data: (\d+) bytes"),
        "rw": get(r"rw data: (\d+) bytes"),
        "exports": [e.split("@")[0] for e in exports.split(", ") if e],
    }


def elf_sections(path):
    out = run([tool("llvm-objdump"), "-h", path]).stdout
    sections = []
    for line in out.splitlines():
        m = re.match(r"\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s*(\S*)", line)
        if m:
            sections.append((m.group(1), int(m.group(2), 16), int(m.group(3), 16), m.group(4)))
    return sections


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--polkavm", default=os.path.join(ROOT, ".build", "release", "polkavm"))
    args = parser.parse_args()
    clang, lld, wasm_ld = tool("clang"), tool("ld.lld"), tool("wasm-ld")
    work = tempfile.mkdtemp()
    rows = []
    try:
        shutil.copy(os.path.join(ROOT, "guest", "polkavm_libc.c"), os.path.join(work, "wasm_libc.c"))
        shutil.copy(os.path.join(ROOT, "guest", "polkavm_format.c"), os.path.join(work, "polkavm_format.c"))

        for name, target in EXAMPLES:
            src = os.path.join(ROOT, "examples", name, f"{name}.c")
            blob = os.path.join(work, f"{name}.polkavm")
            built = run([args.polkavm, "build", "--target", target, "--keep-temps", src, "-o", blob])
            temps = re.search(r"kept in (\S+)", built.stderr).group(1)
            s = stats(args.polkavm, blob)
            committed = os.path.getsize(os.path.join(ROOT, "examples", name, f"{name}.polkavm"))
            assert committed == s["blob"], f"{name}: the committed blob differs from a fresh build"
            stripped = os.path.join(work, f"{name}-stripped.polkavm")
            run([args.polkavm, "build", "--target", target, "--strip", src, "-o", stripped])
            s["stripped"] = os.path.getsize(stripped)
            # The ELF from the same objects.
            objects = sorted(glob.glob(os.path.join(temps, "*.o")))
            elf = os.path.join(work, f"{name}.elf")
            roots = sum((["-u", e] for e in s["exports"][1:]), [])
            run([lld, "-static", "--gc-sections", "-e", s["exports"][0], *roots, *objects, "-o", elf])
            secs = elf_sections(elf)
            s["text"] = sum(size for n, size, vma, t in secs if n.startswith(".text"))
            s["loadable"] = sum(size for n, size, vma, t in secs
                                if vma != 0 and t in ("TEXT", "DATA") and not n.startswith(".polkavm"))
            run([tool("llvm-objcopy"), "--strip-all", elf, elf + ".stripped"])
            s["elffile"] = os.path.getsize(elf + ".stripped")
            shutil.rmtree(temps)
            # wasm32.
            for level in ("z", "2"):
                flags = ["--target=wasm32-unknown-unknown", f"-O{level}", "-ffreestanding", "-nostdlib", "-w",
                         "-I", os.path.join(ROOT, "tools", "sizes", "wasm")]
                run([clang, *flags, "-fno-builtin", "-c", os.path.join(work, "wasm_libc.c"), "-o", os.path.join(work, "wlibc.o")])
                run([clang, *flags, "-c", src, "-o", os.path.join(work, "w.o")])
                wasm = os.path.join(work, f"{name}.wasm")
                run([wasm_ld, "--no-entry", "--gc-sections", "--strip-all", *[f"--export={e}" for e in s["exports"]],
                     os.path.join(work, "w.o"), os.path.join(work, "wlibc.o"), "-o", wasm])
                s[f"wasm{level}"] = os.path.getsize(wasm)
            rows.append((name, target, s))
    finally:
        shutil.rmtree(work)

    print("| example | target | blob | blob --strip | code | bitmask | jump table | RO data | RW data | ELF .text | ELF loadable | ELF file (stripped) | blob < loadable? | wasm32 -Oz | wasm32 -O2 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for name, target, s in rows:
        smaller = "yes" if s["blob"] < s["loadable"] else "no"
        print(f"| {name} | {target} | {s['blob']} | {s['stripped']} | {s['code']} | {s['bitmask']} | {s['jump']} | {s['ro']} | {s['rw']} | "
              f"{s['text']} | {s['loadable']} | {s['elffile']} | {smaller} | {s['wasmz']} | {s['wasm2']} |")


if __name__ == "__main__":
    main()
