#!/usr/bin/env python3
"""Mutation fuzzing of the CLI's untrusted inputs: RISC-V ELF objects through `polkavm link` and
program blobs through `polkavm run`, `disasm` and `stats`. Every run must end with a normal exit
status (0, or an error reported with status 1-127) within the time limit; a signal (a Swift trap,
a crash) or a hang is a failure, and the input is kept for reproduction.

    tools/mutfuzz/run.py --polkavm PATH [--objects N] [--blobs N] [--seed S] [--keep DIR]

Seed inputs are built here: the examples and benchmark programs compiled for rv64 and rv32 (with and
without debug information, as objects and as `ld.lld -shared --emit-relocs` shared objects), and the
committed example blobs.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGETS = {
    "rv64": ["--target=riscv64-unknown-elf", "-march=rv64emac_zbb_xtheadcondmov", "-mabi=lp64e"],
    "rv32": ["--target=riscv32-unknown-elf", "-march=rv32emac_zbb_xtheadcondmov", "-mabi=ilp32e"],
}


def toolchain():
    swift = shutil.which("swift")
    bindir = os.path.dirname(os.path.realpath(swift)) if swift else ""
    clang = os.environ.get("CLANG") or os.path.join(bindir, "clang")
    lld = os.environ.get("LD_LLD") or os.path.join(bindir, "ld.lld")
    return clang, lld


def seed_objects(work):
    clang, lld = toolchain()
    sources = [os.path.join(ROOT, "examples", d, d + ".c") for d in ("sieve", "switch", "funcptr", "mandelbrot")]
    sources += [os.path.join(ROOT, "benchmarks", "programs", p + ".c") for p in ("qsort", "interp")]
    out = []
    for k, src in enumerate(sources):
        for target, flags in TARGETS.items():
            obj = os.path.join(work, f"seed{k}.{target}.o")
            debug = ["-g"] if k % 2 == 0 else []
            subprocess.run([clang, *flags, "-fPIC", "-ffreestanding", "-nostdlib", "-fno-common", "-O2", *debug,
                            "-I", os.path.join(ROOT, "guest"), "-c", src, "-o", obj], check=True, capture_output=True)
            out.append(obj)
            if k % 3 == 0:
                so = obj + ".so"
                if subprocess.run([lld, "-shared", "--emit-relocs", obj, "-o", so], capture_output=True).returncode == 0:
                    out.append(so)
    return out


def seed_blobs():
    out = []
    for d in sorted(os.listdir(os.path.join(ROOT, "examples"))):
        path = os.path.join(ROOT, "examples", d, d + ".polkavm")
        if os.path.exists(path):
            out.append(path)
    return out


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 4, 8, 32])):
        k = rng.randrange(len(data))
        r = rng.random()
        if r < 0.5:
            data[k] = rng.randrange(256)
        elif r < 0.8:
            data[k] ^= 1 << rng.randrange(8)
        else:
            v = rng.choice([0, 1, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, rng.getrandbits(32)])
            data[k:k + 4] = v.to_bytes(4, "little")
    if rng.random() < 0.05:
        data = data[:rng.randrange(len(data))]
    return bytes(data)


def check(cmd, path, label, keep, failures):
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=30)
        bad = p.returncode < 0 or p.returncode >= 128
        why = f"status {p.returncode}: {p.stderr.decode(errors='replace').strip().splitlines()[-1:] }" if bad else ""
    except subprocess.TimeoutExpired:
        bad, why = True, "no result within 30 s"
    if bad:
        kept = os.path.join(keep, f"{label}{os.path.splitext(path)[1]}")
        shutil.copy(path, kept)
        failures.append(f"{' '.join(os.path.basename(c) for c in cmd[:2])}: {why} (input kept as {kept})")
    return not bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--polkavm", required=True)
    ap.add_argument("--objects", type=int, default=1000)
    ap.add_argument("--blobs", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", default=os.path.join(tempfile.gettempdir(), "polkavm-mutfuzz"))
    args = ap.parse_args()
    os.makedirs(args.keep, exist_ok=True)
    rng = random.Random(args.seed)
    failures = []
    with tempfile.TemporaryDirectory() as work:
        objects, blobs = seed_objects(work), seed_blobs()
        inputs = {p: open(p, "rb").read() for p in objects + blobs}
        m = os.path.join(work, "m")
        for i in range(args.objects):
            with open(m + ".o", "wb") as f:
                f.write(mutate(rng, inputs[rng.choice(objects)]))
            if check([args.polkavm, "link", m + ".o", "-o", m + ".polkavm"], m + ".o", f"link-{args.seed}-{i}", args.keep, failures) \
                    and os.path.exists(m + ".polkavm"):
                check([args.polkavm, "disasm", m + ".polkavm"], m + ".polkavm", f"linked-{args.seed}-{i}", args.keep, failures)
                os.unlink(m + ".polkavm")
        for i in range(args.blobs):
            with open(m + ".blob", "wb") as f:
                f.write(mutate(rng, inputs[rng.choice(blobs)]))
            for cmd in (["run", m + ".blob", "--call", "main", "--gas", "20000000"], ["disasm", m + ".blob"], ["stats", m + ".blob"]):
                if not check([args.polkavm, *cmd], m + ".blob", f"blob-{args.seed}-{i}", args.keep, failures):
                    break
    print(f"mutation fuzzing (seed {args.seed}): {args.objects} objects through link, {args.blobs} blobs through "
          f"run/disasm/stats, {len(failures)} failures")
    for f in failures[:20]:
        print("  " + f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
