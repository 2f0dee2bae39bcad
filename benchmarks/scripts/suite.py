#!/usr/bin/env python3
"""The benchmark suite driver behind benchmarks/run.sh.

Builds the guest programs (native x86-64 + timing driver, wasm32, PolkaVM blobs), then runs every
column interleaved, round by round, after a warm-up round: each measurement is a fresh process
that reports its load time, the time of the `bench(n)` call and the checksum; the suite adds the
whole-process wall time. Every checksum is checked against native's (a mismatch aborts with a
non-zero exit). Prints per program the median call time and the median of the per-round ratios
vs native, the geometric means, the micro measurements, and writes docs/BENCHMARKS.md.
"""
import argparse
import datetime
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH_DIR = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH_DIR)
PROGRAMS_DIR = os.path.join(BENCH_DIR, "programs")
SCRATCH = os.path.join(BENCH_DIR, ".build-bench")
OUT = os.path.join(SCRATCH, "guests")
RUNNER = os.path.join(SCRATCH, "release", "polkavm-bench")
POLKAVM_CLI = os.path.join(SCRATCH, "release", "polkavm")

# Program -> default n: each about 50 ms natively on the reference machine (a 2-core x86-64 VM),
# the low end of the 50-300 ms range so that the whole default run stays under ~10 minutes.
PROGRAMS = {
    "sieve": 24,
    "sha256": 600,
    "fib": 36,
    "qsort": 14,
    "matmul": 400,
    "memops": 30000,
    "interp": 25000,
    "deflate": 8,
    "minilang": 15,
}

# The warm-up round runs every column at this fraction of the measured n.
WARMUP_SCALE = 0.1

CFLAGS = ["-O2", "-fno-builtin", "-ffreestanding", "-fno-strict-aliasing", "-Wall"]

# Native code without auto-vectorization: a reference column (not the baseline) that shows how much of a
# ratio comes from SIMD, which clang -O2 uses on loops like matmul's and memops' and a scalar VM cannot.
SCALAR_FLAGS = ["-fno-vectorize", "-fno-slp-vectorize"]

COLUMNS = ["native", "native-scalar", "polkavm", "polkavm-gas", "polkavm-full", "wasmkit", "wasmtime"]
COLUMN_TITLES = {
    "native": "native (clang -O2)",
    "native-scalar": "native, no auto-vectorization",
    "polkavm": "PolkaVM interp, gas off",
    "polkavm-gas": "PolkaVM interp, simple gas",
    "polkavm-full": "PolkaVM interp, full cost model",
    "wasmkit": "WasmKit 0.4.2",
    "wasmtime": "Wasmtime (PyPI)",
}


# The columns that run the wasm32 build.
WASM_COLUMNS = ("wasmkit", "wasmtime")

# Program -> source file. The table above, any other `programs/*.c`, and files given with --extra.
SOURCES = {}

# Native call time a calibrated program's default n aims at.
CALIBRATION_TARGET_NS = 50_000_000


def calibrate_n(native_binary):
    """The n at which a program not in PROGRAMS takes about CALIBRATION_TARGET_NS natively: doubles n
    from 1 until one call takes at least 5 ms, then scales linearly (median of three runs)."""
    n = 1
    while True:
        times = sorted(measure([native_binary, str(n)])["call_ns"] for _ in range(3))
        t = times[1]
        if t >= 5_000_000 or n >= 1 << 30:
            return max(1, round(n * CALIBRATION_TARGET_NS / max(t, 1)))
        n *= 2 if t >= 500_000 else 16


def scaled_n(prog, scale):
    """n for a program at a time scale factor (fib's time grows by the golden ratio per step)."""
    if prog == "fib":
        return max(2, PROGRAMS[prog] + round(math.log(scale) / math.log(1.618034))) if scale > 0 else PROGRAMS[prog]
    return max(1, int(PROGRAMS[prog] * scale))


def log(msg):
    print(msg, flush=True)


def run(cmd, check=True, capture=True, timeout=None):
    p = subprocess.run(cmd, stdout=subprocess.PIPE if capture else None, stderr=subprocess.PIPE if capture else None,
                       text=True, timeout=timeout)
    if check and p.returncode != 0:
        sys.stderr.write(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout or ''}{p.stderr or ''}\n")
        raise SystemExit(1)
    return p


def clang():
    for c in ("/opt/swift/usr/bin/clang", shutil.which("clang") or ""):
        if c and os.path.exists(c):
            return c
    raise SystemExit("clang not found")


# ----------------------------------------------------------------------------- guest builds

def polkavm_cli_commands():
    if not os.path.exists(POLKAVM_CLI):
        return set()
    p = run([POLKAVM_CLI, "--help"], check=False)
    text = (p.stdout or "") + (p.stderr or "")
    return {c for c in ("build", "link") if re.search(r"^\s+%s\b" % c, text, re.M)}


def build_native(src, out, extra_flags=()):
    obj = out + ".o"
    run([clang(), *CFLAGS, *extra_flags, f"-I{PROGRAMS_DIR}", "-c", src, "-o", obj])
    # -lm: a program using the math library (or a builtin such as sqrt that falls back to it for errno).
    run([clang(), "-O2", os.path.join(BENCH_DIR, "native", "driver.c"), obj, "-o", out, "-lm"])


def build_wasm(src, out):
    """Builds the wasm32 module for the WebAssembly peers. Returns None on success, or why it failed (the
    program then runs without those peers' columns)."""
    cmd = [clang(), "--target=wasm32", *CFLAGS, f"-I{PROGRAMS_DIR}", "-nostdlib", "-Wl,--no-entry", "-Wl,--export=bench", "-o", out, src]
    p = run(cmd, check=False)
    if p.returncode == 0:
        return None
    sys.stderr.write(f"wasm32 build failed: {' '.join(cmd)}\n{p.stdout or ''}{p.stderr or ''}\n")
    first = next((line for line in (p.stderr or p.stdout or "").splitlines() if "error" in line), "").strip()
    return (f"`{os.path.basename(src)}` does not build for wasm32, which has no C library here ({first[:200]}); "
            "its WasmKit and Wasmtime cells are empty. (bench.h defines memcpy/memset/memmove/memcmp for wasm32.)")


def build_polkavm(src, out, target, cli_commands, min_stack=None, export_bench=False):
    """Builds a blob with `polkavm build` (clang + ld + link with the guest SDK). With `export_bench`,
    `bench` is exported by its symbol name too, so a program written without bench.h's BENCH_EXPORT
    (plain C defining `uint64_t bench(uint64_t)`) runs as well. Returns None on success, or the reason
    the blob could not be built."""
    if "build" not in cli_commands:
        return "`polkavm build` does not exist yet (or the polkavm CLI did not build)"
    cmd = [POLKAVM_CLI, "build", src, "-o", out, "--target", target, "-O2"]
    cmd += [f"--cflag={f}" for f in CFLAGS if f != "-O2"] + [f"-I{PROGRAMS_DIR}"]
    if min_stack:
        cmd += ["--min-stack-size", str(min_stack)]
    if export_bench:
        cmd += ["--export", "bench"]
    p = run(cmd, check=False)
    if p.returncode == 0:
        return None
    return f"`polkavm build` failed for {os.path.basename(src)}: {(p.stderr or p.stdout).strip()[:400]}"


def build_guests(programs, target, want_polkavm):
    os.makedirs(OUT, exist_ok=True)
    cli = polkavm_cli_commands() if want_polkavm else set()
    built = {}
    polkavm_problems = {}
    wasm_problems = []
    for name in programs:
        src = SOURCES[name]
        base = os.path.join(OUT, name)
        build_native(src, base + ".native")
        build_native(src, base + ".native-scalar", SCALAR_FLAGS)
        entry = {"native": base + ".native", "native-scalar": base + ".native-scalar"}
        wasm_problem = build_wasm(src, base + ".wasm")
        if wasm_problem is None:
            entry["wasm"] = base + ".wasm"
        else:
            wasm_problems.append(wasm_problem)
        if want_polkavm:
            reason = build_polkavm(src, base + f".{target}.polkavm", target, cli, min_stack=256 * 1024, export_bench=True)
            if reason is None:
                entry["polkavm"] = base + f".{target}.polkavm"
            else:
                polkavm_problems[name] = reason
        built[name] = entry
    return built, polkavm_problems, wasm_problems


# ----------------------------------------------------------------------------- measurements

LINE = re.compile(r"(\w+)=(\S+)")


def measure(cmd):
    t0 = time.perf_counter_ns()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter_ns() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {p.returncode}: {p.stderr.strip()[:500]}")
    fields = dict(LINE.findall(p.stdout.strip().splitlines()[-1]))
    return {"load_ns": int(fields["load_ns"]), "call_ns": int(fields["call_ns"]),
            "checksum": int(fields["checksum"]), "process_ns": wall}


def column_command(column, files, n):
    if column in ("native", "native-scalar"):
        return [files[column], str(n)]
    if column.startswith("polkavm"):
        gas = {"polkavm": "none", "polkavm-gas": "simple", "polkavm-full": "full"}[column]
        return [RUNNER, "run", "polkavm", "--gas", gas, files["polkavm"], str(n)]
    if column == "wasmkit":
        return [RUNNER, "run", "wasmkit", files["wasm"], str(n)]
    if column == "wasmtime":
        return [sys.executable, os.path.join(HERE, "wasmtime_driver.py"), files["wasm"], str(n)]
    raise ValueError(column)


def geomean(values):
    values = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def run_suite(built, columns, rounds, scale):
    """results[program][column] = list of per-round measurement dicts (warm-up excluded)."""
    results = {p: {c: [] for c in columns} for p in built}
    total_rounds = rounds + 1
    for r in range(total_rounds):
        label = "warm-up" if r == 0 else f"round {r}/{rounds}"
        t_round = time.time()
        for prog, files in built.items():
            n = scaled_n(prog, scale * (WARMUP_SCALE if r == 0 else 1.0))
            reference = None
            for column in columns:
                if column in WASM_COLUMNS and "wasm" not in files:
                    continue
                m = measure(column_command(column, files, n))
                if column == "native":
                    reference = m["checksum"]
                elif m["checksum"] != reference:
                    sys.stderr.write(f"\n*** CHECKSUM MISMATCH: {prog} n={n} {column} returned {m['checksum']}, "
                                     f"native returned {reference} ***\n")
                    raise SystemExit(1)
                if r > 0:
                    results[prog][column].append(m)
        log(f"  {label} done in {time.time() - t_round:.1f} s")
    return results


def summarize(results, columns):
    """Per program/column: median call ms, median ratio vs native, median load/process ms."""
    summary = {}
    for prog, cols in results.items():
        native = cols["native"]
        summary[prog] = {}
        for c in columns:
            ms = cols[c]
            if not ms:  # a WebAssembly peer for a program that does not build for wasm32
                summary[prog][c] = None
                continue
            ratios = [m["call_ns"] / nm["call_ns"] for m, nm in zip(ms, native)]
            summary[prog][c] = {
                "call_ms": statistics.median(m["call_ns"] for m in ms) / 1e6,
                "ratio": statistics.median(ratios),
                "load_ms": statistics.median(m["load_ns"] for m in ms) / 1e6,
                "process_ms": statistics.median(m["process_ns"] for m in ms) / 1e6,
            }
        # The interpreter against scalar native code (per-round ratios, as for the main table).
        if "polkavm-gas" in cols and cols.get("native-scalar"):
            summary[prog]["gas_vs_scalar"] = statistics.median(
                x["call_ns"] / y["call_ns"] for x, y in zip(cols["polkavm-gas"], cols["native-scalar"]))
        # Gas metering cost: per-round ratios between the interpreter columns.
        for a, b, key in (("polkavm-gas", "polkavm", "simple_vs_off"), ("polkavm-full", "polkavm-gas", "full_vs_simple")):
            if a in cols and b in cols and cols[a] and cols[b]:
                summary[prog][key] = statistics.median(x["call_ns"] / y["call_ns"] for x, y in zip(cols[a], cols[b]))
    return summary


# ----------------------------------------------------------------------------- micro measurements

def micro(target, cli_commands, built):
    """Returns (lines for the report, dict of figures) or a reason string."""
    os.makedirs(os.path.join(OUT, "micro"), exist_ok=True)
    micro_src = os.path.join(PROGRAMS_DIR, "micro")
    figures = {}
    # Load-time scaling: 1x/10x/100x generated programs.
    scale_files = []
    for k in (100, 1000, 10000):
        src = os.path.join(OUT, "micro", f"scale{k}.c")
        # The generated file includes "../bench.h" relative to programs/micro; point it at the real header.
        text = run([sys.executable, os.path.join(micro_src, "gen_scale.py"), str(k)]).stdout
        text = text.replace('#include "../bench.h"', '#include "%s"' % os.path.join(PROGRAMS_DIR, "bench.h"))
        # Compiling 10,000 functions takes clang a while: reuse objects built from identical sources.
        unchanged = os.path.exists(src) and open(src).read() == text and \
            os.path.getmtime(src) > os.path.getmtime(os.path.join(PROGRAMS_DIR, "bench.h"))
        if not unchanged:
            with open(src, "w") as f:
                f.write(text)
        out = os.path.join(OUT, "micro", f"scale{k}.{target}.polkavm")
        wasm = os.path.join(OUT, "micro", f"scale{k}.wasm")
        reason = build_polkavm(src, out, target, cli_commands)
        if reason:
            return reason
        if not (unchanged and os.path.exists(wasm)):
            build_wasm(src, wasm)
        scale_files.append((k, out))
    p = run([RUNNER, "micro", "load", "--reps", "7", *[f for _, f in scale_files]])
    figures["load"] = []
    for (k, _), line in zip(scale_files, p.stdout.strip().splitlines()):
        f = dict(LINE.findall(line))
        wk = run([RUNNER, "run", "wasmkit", os.path.join(OUT, "micro", f"scale{k}.wasm"), "1"])
        wk_load = int(dict(LINE.findall(wk.stdout))["load_ns"])
        figures["load"].append({"functions": k, "blob_bytes": int(f["blob_bytes"]), "code_bytes": int(f["code_bytes"]),
                                "load_ms": int(f["load_ns"]) / 1e6, "wasmkit_load_ms": wk_load / 1e6})
    # Trivial export: instantiate + call, memory per instance.
    builds = {}
    for name in ("trivial", "hostcall"):
        out = os.path.join(OUT, "micro", f"{name}.{target}.polkavm")
        reason = build_polkavm(os.path.join(micro_src, name + ".c"), out, target, cli_commands)
        if reason:
            return reason
        builds[name] = out
    f = dict(LINE.findall(run([RUNNER, "micro", "instantiate", builds["trivial"]]).stdout))
    figures["instantiate"] = {k: int(v) for k, v in f.items()}
    # Instantiating the suite's programs (maps memory, copies RO and RW data in).
    blobs = [(name, entry["polkavm"]) for name, entry in built.items() if "polkavm" in entry]
    figures["instances"] = []
    if blobs:
        p = run([RUNNER, "micro", "instances", *[f for _, f in blobs]])
        for (name, _), line in zip(blobs, p.stdout.strip().splitlines()):
            f = dict(LINE.findall(line))
            figures["instances"].append({"program": name, "data_bytes": int(f["data_bytes"]),
                                         "instantiate_ns": int(f["instantiate_ns"])})
    f = dict(LINE.findall(run([RUNNER, "micro", "memory", builds["trivial"], "1000"]).stdout))
    figures["memory"] = {k: int(v) for k, v in f.items()}
    f = dict(LINE.findall(run([RUNNER, "micro", "hostcall", builds["hostcall"], "1000000"]).stdout))
    figures["hostcall"] = {k: float(v) for k, v in f.items()}
    return figures


# ----------------------------------------------------------------------------- reporting

def machine_details():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    swift = run(["swift", "--version"], check=False)
    clang_v = run([clang(), "--version"], check=False)
    try:
        import wasmtime  # noqa: F401
        from importlib.metadata import version
        wasmtime_v = version("wasmtime")
    except Exception:
        wasmtime_v = "not installed"
    commit = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], check=False).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "swift": ((swift.stdout or "") + (swift.stderr or "")).strip().splitlines()[0] if swift.returncode == 0 else "?",
        "clang": (clang_v.stdout or "").strip().splitlines()[0] if clang_v.returncode == 0 else "?",
        "wasmtime": wasmtime_v,
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "load": open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else [],
    }


def fmt_ms(v):
    return f"{v:.1f}" if v >= 10 else f"{v:.2f}" if v >= 1 else f"{v:.3f}"


def render(summary, columns, machine, args, notes, micro_figures, scale):
    L = []
    L.append("# Benchmarks")
    L.append("")
    L.append("Generated by `benchmarks/run.sh` (see the README's Benchmarks section); do not edit by hand.")
    L.append("")
    L.append("## Machine")
    L.append("")
    L.append(f"- CPU: {machine['cpu']} ({machine['cores']} cores visible)")
    L.append(f"- OS: {machine['os']}; load average at the end of the run: {' '.join(machine['load'])}")
    L.append(f"- Swift: {machine['swift']}")
    L.append(f"- clang: {machine['clang']}")
    L.append(f"- Wasmtime (PyPI): {machine['wasmtime']}, Python {machine['python']}; WasmKit 0.4.2")
    L.append(f"- Date: {machine['date']}; commit {machine['commit']}")
    L.append(f"- Rounds: {args.rounds} measured after 1 warm-up round, columns interleaved; n scale {scale}; PolkaVM target {args.target}")
    L.append("")
    L.append("Every cell is a fresh process. *call* is the `bench(n)` call alone; *ratio* is the median over rounds of "
             "(column call time / native call time in the same round), so lower is better and native is 1.00. "
             "The geometric mean is over the per-program median ratios. The machine is shared, so single numbers are "
             "noisy; medians and ratios are the figures to compare.")
    L.append("")
    for note in notes:
        L.append(f"> {note}")
        L.append("")
    progs = list(summary)
    L.append("## Execution: median ratio vs native (median call time)")
    L.append("")
    L.append("| program | n | " + " | ".join(COLUMN_TITLES[c] for c in columns) + " |")
    L.append("|---|---:|" + "---:|" * len(columns))
    for p in progs:
        cells = []
        for c in columns:
            s = summary[p][c]
            cells.append("-" if s is None else f"{s['call_ms']:.1f} ms" if c == "native" else f"{s['ratio']:.2f}x ({fmt_ms(s['call_ms'])} ms)")
        L.append(f"| {p} | {scaled_n(p, scale)} | " + " | ".join(cells) + " |")
    gm = column_geomeans(summary, columns)
    partial = partial_columns(summary, columns)
    L.append("| **geometric mean** | | " + " | ".join("1.00x" if c == "native" else f"**{gm[c]:.2f}x**" + (" (*)" if c in partial else "")
                                                    for c in columns) + " |")
    if partial:
        L.append("")
        L.append("(*) over the programs that built for that column only (see the notes above).")
    L.append("")
    if "native-scalar" in columns and "polkavm-gas" in columns:
        L.append("### Against scalar native code")
        L.append("")
        L.append("The *native, no auto-vectorization* column is the same C built with `clang -O2 "
                 + " ".join(SCALAR_FLAGS) + "`. It is a reference, not the baseline: the ratios above and their geometric "
                 "mean are against plain `-O2`. On loops that clang turns into SIMD code (matmul's multiply-add, memops' "
                 "copies) plain `-O2` does several guest instructions' work per host instruction, which no scalar "
                 "interpreter can match; this table separates that from the interpreter's own cost.")
        L.append("")
        L.append("| program | native, no auto-vectorization vs native | PolkaVM interp, simple gas vs native, no auto-vectorization |")
        L.append("|---|---:|---:|")
        for p in progs:
            L.append(f"| {p} | {summary[p]['native-scalar']['ratio']:.2f}x | {summary[p]['gas_vs_scalar']:.2f}x |")
        L.append(f"| **geometric mean** | **{gm['native-scalar']:.2f}x** | "
                 f"**{geomean([summary[p]['gas_vs_scalar'] for p in progs]):.2f}x** |")
        L.append("")
    L.append("## Load time (bytes to callable instance) and whole-process time, medians in ms")
    L.append("")
    L.append("| program | " + " | ".join(f"{c} load / process" for c in columns) + " |")
    L.append("|---|" + "---:|" * len(columns))
    for p in progs:
        L.append(f"| {p} | " + " | ".join("-" if summary[p][c] is None else f"{fmt_ms(summary[p][c]['load_ms'])} / {fmt_ms(summary[p][c]['process_ms'])}"
                                          for c in columns) + " |")
    L.append("")
    if "polkavm" in columns and "polkavm-gas" in columns:
        L.append("## Gas metering cost (median per-round ratio of call times)")
        L.append("")
        L.append("| program | simple gas vs off | full vs simple |")
        L.append("|---|---:|---:|")
        for p in progs:
            a = summary[p].get("simple_vs_off")
            b = summary[p].get("full_vs_simple")
            L.append(f"| {p} | {a:.3f}x | " + (f"{b:.3f}x" if b else "-") + " |")
        ga = geomean([summary[p].get("simple_vs_off") for p in progs])
        gb = geomean([summary[p].get("full_vs_simple") for p in progs])
        L.append(f"| **geometric mean** | **{ga:.3f}x** | " + (f"**{gb:.3f}x**" if gb else "-") + " |")
        L.append("")
    L.append("## Micro measurements (PolkaVM interpreter)")
    L.append("")
    if isinstance(micro_figures, str):
        L.append(f"Not run: {micro_figures}")
    elif micro_figures:
        L.append("Load-time scaling (generated programs of K functions reached through a table; bytes to callable "
                 "instance, median of 7; WasmKit parse + instantiate of the same C for comparison):")
        L.append("")
        L.append("| size | functions | blob bytes | code bytes | PolkaVM load ms | ns per code byte | WasmKit load ms |")
        L.append("|---|---:|---:|---:|---:|---:|---:|")
        for i, row in enumerate(micro_figures["load"]):
            L.append(f"| {10 ** i}x | {row['functions']} | {row['blob_bytes']} | {row['code_bytes']} | {fmt_ms(row['load_ms'])} | "
                     f"{row['load_ms'] * 1e6 / max(1, row['code_bytes']):.1f} | {fmt_ms(row['wasmkit_load_ms'])} |")
        L.append("")
        i = micro_figures["instantiate"]
        m = micro_figures["memory"]
        h = micro_figures["hostcall"]
        L.append("| measurement | value |")
        L.append("|---|---:|")
        L.append(f"| Module creation, trivial program (bytes to module) | {i['module_ns'] / 1000:.1f} µs |")
        L.append(f"| instantiate + call a trivial export | {i['instantiate_call_ns'] / 1000:.2f} µs |")
        L.append(f"| call a trivial export on an existing instance | {i['call_ns'] / 1000:.2f} µs |")
        for row in micro_figures.get("instances", []):
            L.append(f"| instantiate `{row['program']}` ({row['data_bytes']:,} bytes of RO and RW data), median of 200 | "
                     f"{row['instantiate_ns'] / 1000:.2f} µs |")
        L.append(f"| RSS added per live instance (1,000 instances, each called once) | {m['rss_per_instance_bytes'] / 1024:.1f} KB |")
        L.append(f"| RSS added per idle instance (1,000 instances, never called) | {m['rss_per_idle_instance_bytes'] / 1024:.1f} KB |")
        L.append(f"| guest page bytes allocated per called instance | {m['guest_bytes_per_instance'] / 1024:.1f} KB |")
        L.append(f"| host-call round trip (`ecalli` to a Swift closure), gas off | {h['ns_per_call_gas_none']:.1f} ns |")
        L.append(f"| host-call round trip, simple gas | {h['ns_per_call_gas_simple']:.1f} ns |")
    L.append("")
    return "\n".join(L)


def column_geomeans(summary, columns):
    """Per column, the geometric mean of the programs' median ratios (over the programs it has)."""
    return {c: geomean([summary[p][c]["ratio"] for p in summary if summary[p][c] is not None]) for c in columns}


def partial_columns(summary, columns):
    """The columns some program has no measurement in (a WebAssembly peer it does not build for)."""
    return {c for c in columns if any(summary[p][c] is None for p in summary)}


def print_table(summary, columns, scale):
    progs = list(summary)
    w = 14
    log("")
    log("median call time and median per-round ratio vs native (lower is better)")
    log(f"{'program':<9} {'n':>6} " + " ".join(f"{c:>{w + 8}}" for c in columns))
    for p in progs:
        cells = []
        for c in columns:
            s = summary[p][c]
            cells.append(f"{'-':>{w + 8}}" if s is None else f"{fmt_ms(s['call_ms']) + ' ms':>{w + 8}}" if c == "native"
                         else f"{fmt_ms(s['call_ms']) + ' ms ' + format(s['ratio'], '.2f') + 'x':>{w + 8}}")
        log(f"{p:<9} {scaled_n(p, scale):>6} " + " ".join(cells))
    gm = column_geomeans(summary, columns)
    log(f"{'geomean':<9} {'':>6} " + " ".join(f"{format(gm[c], '.2f') + 'x' + ('*' if c in partial_columns(summary, columns) else ''):>{w + 8}}"
                                          for c in columns))
    if partial_columns(summary, columns):
        log("* over the programs that built for that column only")
    scalar = [summary[p]["gas_vs_scalar"] for p in progs if "gas_vs_scalar" in summary[p]]
    if scalar:
        log(f"PolkaVM interp (simple gas) vs native without auto-vectorization: geomean {geomean(scalar):.2f}x")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5, help="measured rounds after the warm-up (default 5)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every program's n (default 1)")
    ap.add_argument("--only", default="", help="comma-separated programs to run")
    ap.add_argument("--target", default="rv64", choices=["rv64", "rv32"], help="PolkaVM guest target")
    ap.add_argument("--no-wasmtime", action="store_true")
    ap.add_argument("--no-wasmkit", action="store_true")
    ap.add_argument("--no-full", action="store_true", help="skip the full-cost-model column")
    ap.add_argument("--no-micro", action="store_true")
    ap.add_argument("--micro-only", action="store_true")
    ap.add_argument("--output", default=os.path.join(ROOT, "docs", "BENCHMARKS.md"))
    ap.add_argument("--no-write", action="store_true", help="do not write docs/BENCHMARKS.md")
    ap.add_argument("--extra", action="append", default=[], metavar="FILE.c",
                    help="another benchmark program (freestanding C with `uint64_t bench(uint64_t n)`, "
                         "`#include \"bench.h\"`); its n is calibrated to ~50 ms natively. Repeatable. "
                         "Programs dropped into benchmarks/programs/ are picked up the same way.")
    args = ap.parse_args()
    # run.sh changes into benchmarks/; relative paths on the command line are the caller's.
    caller = os.environ.get("SUITE_CALLER_DIR", os.getcwd())
    args.extra = [os.path.join(caller, f) for f in args.extra]
    args.output = os.path.join(caller, args.output)

    for name in PROGRAMS:
        SOURCES[name] = os.path.join(PROGRAMS_DIR, name + ".c")
    for f in sorted(os.listdir(PROGRAMS_DIR)):
        if f.endswith(".c") and f[:-2] not in SOURCES:
            SOURCES[f[:-2]] = os.path.join(PROGRAMS_DIR, f)
    for f in args.extra:
        name = os.path.splitext(os.path.basename(f))[0]
        if name in SOURCES and SOURCES[name] != os.path.abspath(f):
            raise SystemExit(f"--extra {f}: a program named '{name}' already exists")
        SOURCES[name] = os.path.abspath(f)
    programs = [p for p in SOURCES if not args.only or p in args.only.split(",")]
    notes = []
    log("== building guests")
    cli = polkavm_cli_commands()
    built, problems, wasm_problems = build_guests(programs, args.target, want_polkavm=True)
    for msg in wasm_problems:
        log("!! " + msg)
        notes.append(msg)
    for name in programs:
        if name not in PROGRAMS:
            PROGRAMS[name] = calibrate_n(built[name]["native"])
            log(f"  {name}: not in the table, n calibrated to {PROGRAMS[name]} (~50 ms natively)")
            notes.append(f"`{name}` ({os.path.relpath(SOURCES[name], ROOT)}) is not in the suite's table: its n "
                         f"({PROGRAMS[name]}) was calibrated to about 50 ms natively.")
    columns = ["native", "native-scalar"]
    if problems:
        reason = sorted(set(problems.values()))
        msg = f"PolkaVM columns not run: {'; '.join(reason)}"
        log("!! " + msg)
        notes.append(msg)
        if any("failed" in r for r in reason):
            raise SystemExit(1)
    else:
        columns += ["polkavm", "polkavm-gas"] + ([] if args.no_full else ["polkavm-full"])
    if args.no_wasmkit:
        notes.append("WasmKit column skipped (--no-wasmkit).")
    else:
        columns.append("wasmkit")
    if args.no_wasmtime:
        notes.append("Wasmtime column skipped (--no-wasmtime).")
    else:
        try:
            import wasmtime  # noqa: F401
            columns.append("wasmtime")
        except ImportError:
            msg = "Wasmtime column skipped: the Python package `wasmtime` is not installed (`pip install wasmtime`)."
            log("!! " + msg)
            notes.append(msg)

    summary = None
    if not args.micro_only:
        log(f"== running {len(programs)} programs x {len(columns)} columns, 1 warm-up + {args.rounds} rounds")
        results = run_suite(built, columns, args.rounds, args.scale)
        summary = summarize(results, columns)
        print_table(summary, columns, args.scale)
        log("all checksums match native")

    micro_figures = None
    if not args.no_micro:
        log("== micro measurements")
        micro_figures = micro(args.target, cli, built)
        if isinstance(micro_figures, str):
            log("!! micro measurements not run: " + micro_figures)
        else:
            for k, v in micro_figures.items():
                log(f"  {k}: {v}")

    if not args.no_write and summary is not None:
        text = render(summary, columns, machine_details(), args, notes, micro_figures, args.scale)
        os.makedirs(os.path.dirname(args.output), exist_ok=True)
        with open(args.output, "w") as f:
            f.write(text)
        log(f"== wrote {os.path.relpath(args.output, ROOT)}")


if __name__ == "__main__":
    main()
