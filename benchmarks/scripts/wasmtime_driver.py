#!/usr/bin/env python3
"""Wasmtime peer (PyPI package `wasmtime`): times loading (compile + instantiate) and one call
of `bench(n)`. Usage: wasmtime_driver.py FILE.wasm N [REPEAT]
Prints: load_ns=... call_ns=... checksum=... min_ns=..."""
import sys
import time

import wasmtime


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    with open(path, "rb") as f:
        data = f.read()
    t0 = time.perf_counter_ns()
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    module = wasmtime.Module(engine, data)
    imports = []
    for imp in module.imports:
        if imp.name == "host_add":
            ty = wasmtime.FuncType([wasmtime.ValType.i64()], [wasmtime.ValType.i64()])
            imports.append(wasmtime.Func(store, ty, lambda x: (x + 1) & 0xFFFFFFFFFFFFFFFF))
        else:
            raise SystemExit(f"unknown import {imp.module}.{imp.name}")
    instance = wasmtime.Instance(store, module, imports)
    bench = instance.exports(store)["bench"]
    load_ns = time.perf_counter_ns() - t0
    first = checksum = None
    min_ns = None
    for i in range(max(1, repeat)):
        s = time.perf_counter_ns()
        r = bench(store, n)
        dt = time.perf_counter_ns() - s
        r &= 0xFFFFFFFFFFFFFFFF  # i64 results come back signed
        if i == 0:
            first, checksum = dt, r
        elif r != checksum:
            raise SystemExit("checksum changed between calls")
        min_ns = dt if min_ns is None else min(min_ns, dt)
    print(f"load_ns={load_ns} call_ns={first} checksum={checksum} min_ns={min_ns}")


if __name__ == "__main__":
    main()
