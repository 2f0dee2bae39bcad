#!/usr/bin/env python3
"""Generates random, deterministic, UB-free C programs for differential testing.

    gen.py --seed S [--out FILE]

The same seed always gives the same program. Programs use only fixed-width integer types, so their
output is the same on rv32, rv64 and x86-64; they mix 8/16/32/64-bit signed and unsigned arithmetic,
shifts, guarded division and remainder (by zero and INT_MIN / -1), comparisons, loops, global and
local arrays, heap buffers, function pointers, switch statements (dense enough for jump tables),
recursion, and print a running checksum through polkavm_write (guest/polkavm.h or the native shim).
Float and double arithmetic (specials, subnormals and overflow included) enters the integer
expressions through its bit patterns (NaNs canonical) and range-guarded conversions, so it too is
fully defined; neither native nor guest builds may contract a * b + c into fused multiply-adds (-ffp-contract=off)
and should compute square roots with the FPU's instruction (-fno-math-errno).
"""
import argparse
import random

TYPES = ["uint8_t", "int8_t", "uint16_t", "int16_t", "uint32_t", "int32_t", "uint64_t", "int64_t"]
WIDTH = {t: int("".join(c for c in t if c.isdigit())) for t in TYPES}
SIGNED = {t: not t.startswith("u") for t in TYPES}
FLOAT_CONSTANTS = ["0.0", "-0.0", "1.0", "0.5", "-2.5", "3.0", "0.1", "1e16", "-7e22", "1e300", "-1e-300",
                   "4.9e-324", "2.2250738585072014e-308", "1.1754942e-38", "3.4028234e38", "__builtin_inf()",
                   "__builtin_nan(\"\")", "9007199254740993.0", "2147483648.0", "-2147483649.0"]
# (integer type of the result, helper): how a floating-point value becomes an integer expression.
FLOAT_TO_INT = [("uint64_t", "fbits_d"), ("uint32_t", "fbits_f"), ("int64_t", "d2i64"), ("uint64_t", "d2u64"),
                ("int32_t", "d2i32"), ("uint32_t", "d2u32")]


def unsigned_of(t):
    return "uint64_t" if WIDTH[t] == 64 else "uint32_t"


def signed_wide(t):
    return "int64_t" if WIDTH[t] == 64 else "int32_t"


def const(rng, t):
    w = WIDTH[t]
    choice = rng.random()
    if choice < 0.3:
        v = rng.choice([0, 1, 2, 3, 7, 255, 256, 0x7FFF, 0x8000, (1 << (w - 1)) - 1, 1 << (w - 1), (1 << w) - 1])
    elif choice < 0.6:
        v = rng.randrange(0, 64)
    else:
        v = rng.getrandbits(w)
    v &= (1 << w) - 1
    if SIGNED[t] and v >= 1 << (w - 1):
        v -= 1 << w
    if SIGNED[t] and v == -(1 << (w - 1)):
        return f"(({t})({v + 1}) - 1)" if w >= 32 else f"(({t})({v}))"
    suffix = "ull" if w == 64 and not SIGNED[t] else ("ll" if w == 64 else ("u" if not SIGNED[t] else ""))
    return f"(({t}){v}{suffix})"


class Function:
    def __init__(self, name, params, ret, leaf):
        self.name, self.params, self.ret, self.leaf = name, params, ret, leaf


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.seed = seed
        self.lines = []
        self.functions = []
        self.arrays = []  # (name, type, size)
        self.counter = 0
        self.callees = []

    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}"

    # -- expressions ---------------------------------------------------------------------------------

    def expr(self, t, scope, depth, in_loop):
        rng = self.rng
        if depth <= 0 or rng.random() < 0.25:
            return self.leaf(t, scope)
        kind = rng.choices(
            ["arith", "div", "shift", "bit", "cmp", "ternary", "unary", "cast", "call", "array", "minmax", "float"],
            [6, 2, 3, 3, 2, 1, 2, 2, 0, 2, 1, 1])[0]
        u = unsigned_of(t)
        if kind == "arith":
            op = rng.choice(["+", "-", "*"])
            a, b = self.expr(t, scope, depth - 1, in_loop), self.expr(t, scope, depth - 1, in_loop)
            return f"(({t})(({u})({a}) {op} ({u})({b})))"
        if kind == "div":
            op = rng.choice(["div", "rem"])
            a, b = self.expr(t, scope, depth - 1, in_loop), self.expr(t, scope, depth - 1, in_loop)
            return f"{op}_{t[:-2]}({a}, {b})"
        if kind == "shift":
            a = self.expr(t, scope, depth - 1, in_loop)
            s = self.expr(rng.choice(TYPES), scope, depth - 1, in_loop)
            mask = WIDTH[t] - 1
            if rng.random() < 0.5:
                return f"(({t})(({u})({a}) << (({u})({s}) & {mask})))"
            if SIGNED[t]:
                return f"(({t})(({signed_wide(t)})({a}) >> (({u})({s}) & {mask})))"
            return f"(({t})(({u})({a}) >> (({u})({s}) & {mask})))"
        if kind == "bit":
            op = rng.choice(["&", "|", "^"])
            a, b = self.expr(t, scope, depth - 1, in_loop), self.expr(t, scope, depth - 1, in_loop)
            return f"(({t})(({t})({a}) {op} ({t})({b})))"
        if kind == "cmp":
            ct = rng.choice(TYPES)
            op = rng.choice(["<", "<=", ">", ">=", "==", "!="])
            a, b = self.expr(ct, scope, depth - 1, in_loop), self.expr(ct, scope, depth - 1, in_loop)
            return f"(({t})(({ct})({a}) {op} ({ct})({b})))"
        if kind == "ternary":
            c = self.expr(rng.choice(TYPES), scope, depth - 1, in_loop)
            a, b = self.expr(t, scope, depth - 1, in_loop), self.expr(t, scope, depth - 1, in_loop)
            return f"(({c}) ? ({t})({a}) : ({t})({b}))"
        if kind == "unary":
            a = self.expr(t, scope, depth - 1, in_loop)
            op = rng.choice(["-", "~", "!"])
            if op == "!":
                return f"(({t})!({a}))"
            return f"(({t})({op}({u})({a})))"
        if kind == "cast":
            return f"(({t})({self.expr(rng.choice(TYPES), scope, depth - 1, in_loop)}))"
        if kind == "minmax":
            a, b = self.expr(t, scope, depth - 1, in_loop), self.expr(t, scope, depth - 1, in_loop)
            return f"{rng.choice(['min', 'max'])}_{t[:-2]}({a}, {b})"
        if kind == "float":
            rt, helper = rng.choices(FLOAT_TO_INT, [3, 2, 1, 1, 1, 1])[0]
            ft = "float" if helper == "fbits_f" else rng.choice(["double", "float"])
            return f"(({t}){helper}({self.fexpr(ft, scope, 3, in_loop)}))"
        if kind == "array":
            name, at, size = rng.choice(self.arrays)
            idx = self.expr("uint32_t", scope, depth - 1, in_loop)
            return f"(({t}){name}[({idx}) & {size - 1}])"
        raise AssertionError(kind)

    def fexpr(self, ft, scope, depth, in_loop):
        """A `float` or `double` expression built from integer expressions and constants."""
        rng = self.rng
        if depth <= 0 or rng.random() < 0.2:
            if rng.random() < 0.75:
                return f"(({ft})({self.leaf(rng.choice(TYPES), scope)}))"
            return f"(({ft}){rng.choice(FLOAT_CONSTANTS)})"
        kind = rng.choices(["arith", "convert", "select", "sqrt"], [6, 1, 1, 1])[0]
        if kind == "sqrt":
            return f"__builtin_sqrt{'f' if ft == 'float' else ''}({self.fexpr(ft, scope, depth - 1, in_loop)})"
        if kind == "arith":
            a, b = self.fexpr(ft, scope, depth - 1, in_loop), self.fexpr(ft, scope, depth - 1, in_loop)
            return f"(({ft})({a} {rng.choice(['+', '-', '*', '/'])} {b}))"
        if kind == "convert":
            return f"(({ft})({self.fexpr('float' if ft == 'double' else 'double', scope, depth - 1, in_loop)}))"
        op = rng.choice(["<", "<=", ">", ">=", "==", "!="])
        c1, c2 = self.fexpr(ft, scope, depth - 1, in_loop), self.fexpr(ft, scope, depth - 1, in_loop)
        a, b = self.fexpr(ft, scope, depth - 1, in_loop), self.fexpr(ft, scope, depth - 1, in_loop)
        return f"(({c1} {op} {c2}) ? {a} : {b})"

    def leaf(self, t, scope):
        if scope and self.rng.random() < 0.7:
            name, vt = self.rng.choice(scope)
            return f"(({t}){name})" if vt != t else name
        return const(self.rng, t)

    # -- statements ----------------------------------------------------------------------------------

    def block(self, scope, depth, indent, in_loop, budget):
        rng = self.rng
        out = []
        scope = list(scope)
        for _ in range(rng.randint(2, budget)):
            pad = "    " * indent
            kind = rng.choices(["decl", "assign", "if", "loop", "switch", "store", "mix", "fptr", "call"],
                               [4, 4, 2, 2 if depth > 0 else 0, 1 if depth > 0 else 0, 2, 2, 1,
                                2 if self.callees else 0])[0]
            assignable = [v for v in scope if not v[0].startswith("i")]
            if kind == "call":
                # Calls are whole statements, so the order of side effects (mix, array stores) is fixed.
                f = rng.choice(self.callees)
                t = rng.choice(TYPES)
                name = self.fresh("v")
                args = ", ".join(self.expr(pt, scope, 2, in_loop) for pt in f.params)
                out.append(f"{pad}{t} {name} = ({t}){f.name}({args});")
                scope.append((name, t))
            elif kind == "decl" or not assignable:
                t = rng.choice(TYPES)
                name = self.fresh("v")
                out.append(f"{pad}{t} {name} = {self.expr(t, scope, 3, in_loop)};")
                scope.append((name, t))
            elif kind == "assign":
                name, t = rng.choice(assignable)
                op = rng.choice(["=", "^=", "|=", "&="])
                out.append(f"{pad}{name} {op} ({t})({self.expr(t, scope, 3, in_loop)});")
            elif kind == "if":
                c = self.expr(rng.choice(TYPES), scope, 2, in_loop)
                out.append(f"{pad}if ({c}) {{")
                out += self.block(scope, depth - 1, indent + 1, in_loop, 3)
                out.append(f"{pad}}} else {{")
                out += self.block(scope, depth - 1, indent + 1, in_loop, 3)
                out.append(f"{pad}}}")
            elif kind == "loop":
                i = self.fresh("i")
                n = rng.randint(1, 12)
                if rng.random() < 0.5:
                    out.append(f"{pad}for (uint32_t {i} = 0; {i} < {n}; {i}++) {{")
                else:
                    out.append(f"{pad}for (int32_t {i} = {n}; {i} > 0; {i}--) {{")
                out += self.block(scope + [(i, "uint32_t" if "for (uint32_t" in out[-1] else "int32_t")],
                                  depth - 1, indent + 1, True, 4)
                out.append(f"{pad}}}")
            elif kind == "switch":
                name, t = rng.choice(scope)
                cases = rng.randint(5, 12)
                assignable = assignable or [(name, t)]
                out.append(f"{pad}switch ((uint32_t)({name}) % {cases + 1}u) {{")
                for c in range(cases):
                    tt = rng.choice(TYPES)
                    target, vt = rng.choice(assignable)
                    out.append(f"{pad}case {c}: {target} ^= ({vt})({self.expr(vt, scope, 2, in_loop)}); "
                               f"{'break;' if rng.random() < 0.8 else '/* fall through */'}")
                out.append(f"{pad}default: mix((uint64_t){name}); break;")
                out.append(f"{pad}}}")
            elif kind == "store":
                name, at, size = rng.choice(self.writable)
                idx = self.expr("uint32_t", scope, 2, in_loop)
                out.append(f"{pad}{name}[({idx}) & {size - 1}] = ({at})({self.expr(at, scope, 2, in_loop)});")
            elif kind == "mix":
                name, t = rng.choice(scope)
                out.append(f"{pad}mix((uint64_t)({t})({name}));")
            elif kind == "fptr":
                k = rng.randrange(4)
                a = self.expr("uint64_t", scope, 2, in_loop)
                b = self.expr("uint64_t", scope, 2, in_loop)
                out.append(f"{pad}mix(ops[({k} + (uint32_t)({a})) & 3]({a}, {b}));")
        return out

    # -- program -------------------------------------------------------------------------------------

    def program(self):
        rng = self.rng
        L = self.lines
        L.append(f"/* Generated by tools/difftest/gen.py --seed {self.seed}. */")
        L.append('#include "polkavm.h"')
        L.append("")
        L.append("POLKAVM_EXPORT(int, main);")
        L.append("")
        L.append("static uint64_t checksum = 0xcbf29ce484222325ull;")
        L.append("static void mix(uint64_t v) { checksum = (checksum ^ v) * 0x100000001b3ull; checksum ^= checksum >> 29; }")
        L.append("static void print_checksum(uint32_t step) {")
        L.append("    char buf[32]; int n = 0;")
        L.append("    buf[n++] = 's'; buf[n++] = (char)('0' + step / 10 % 10); buf[n++] = (char)('0' + step % 10); buf[n++] = ' ';")
        L.append("    for (int i = 60; i >= 0; i -= 4) buf[n++] = \"0123456789abcdef\"[(checksum >> i) & 15];")
        L.append("    buf[n++] = '\\n';")
        L.append("    polkavm_write(POLKAVM_STDOUT, buf, (size_t)n);")
        L.append("}")
        for t in TYPES:
            s = t[:-2]
            if SIGNED[t]:
                mn = f"(({t})1 << {WIDTH[t] - 1})" if WIDTH[t] < 64 else "INT64_MIN"
                if WIDTH[t] == 64:
                    mn = "((int64_t)(-9223372036854775807ll - 1))"
                elif WIDTH[t] == 32:
                    mn = "((int32_t)(-2147483647 - 1))"
                else:
                    mn = f"(({t})(-{1 << (WIDTH[t] - 1)}))"
                L.append(f"static {t} div_{s}({t} a, {t} b) {{ return (b == 0 || (a == {mn} && b == -1)) ? a : ({t})(a / b); }}")
                L.append(f"static {t} rem_{s}({t} a, {t} b) {{ return (b == 0 || (a == {mn} && b == -1)) ? a : ({t})(a % b); }}")
            else:
                L.append(f"static {t} div_{s}({t} a, {t} b) {{ return b == 0 ? a : ({t})(a / b); }}")
                L.append(f"static {t} rem_{s}({t} a, {t} b) {{ return b == 0 ? a : ({t})(a % b); }}")
            L.append(f"static {t} min_{s}({t} a, {t} b) {{ return a < b ? a : b; }}")
            L.append(f"static {t} max_{s}({t} a, {t} b) {{ return a > b ? a : b; }}")
        # Floating point to integers: bit patterns (NaN canonical) and conversions guarded to their range.
        L.append("static uint64_t fbits_d(double d) { union { double d; uint64_t u; } b; b.d = d; return d != d ? 0x7ff8000000000000ull : b.u; }")
        L.append("static uint32_t fbits_f(float f) { union { float f; uint32_t u; } b; b.f = f; return f != f ? 0x7fc00000u : b.u; }")
        L.append("static int64_t d2i64(double d) { return d > -9223372036854775808.0 && d < 9223372036854775808.0 ? (int64_t)d : 0; }")
        L.append("static uint64_t d2u64(double d) { return d > -1.0 && d < 18446744073709551616.0 ? (uint64_t)d : 0; }")
        L.append("static int32_t d2i32(double d) { return d > -2147483649.0 && d < 2147483648.0 ? (int32_t)d : 0; }")
        L.append("static uint32_t d2u32(double d) { return d > -1.0 && d < 4294967296.0 ? (uint32_t)d : 0; }")
        # Function pointers.
        L.append("static uint64_t op0(uint64_t a, uint64_t b) { return a + b * 3; }")
        L.append("static uint64_t op1(uint64_t a, uint64_t b) { return (a ^ b) >> 3; }")
        L.append("static uint64_t op2(uint64_t a, uint64_t b) { return a * (b | 1); }")
        L.append("static uint64_t op3(uint64_t a, uint64_t b) { return b ? a % b : a; }")
        L.append("static uint64_t (*const ops[4])(uint64_t, uint64_t) = {op0, op1, op2, op3};")
        # Global arrays.
        for _ in range(rng.randint(2, 4)):
            t = rng.choice(TYPES)
            size = rng.choice([4, 8, 16, 32])
            name = self.fresh("g")
            init = ", ".join(const(rng, t) for _ in range(size))
            const_q = "const " if rng.random() < 0.3 else ""
            if const_q:
                # Read-only arrays are never stored to; keep them out of the store candidates.
                L.append(f"static const {t} {name}[{size}] = {{{init}}};")
                self.arrays.append((name, t, size))
                self.arrays_ro = getattr(self, "arrays_ro", set()) | {name}
            else:
                L.append(f"static {t} {name}[{size}] = {{{init}}};")
                self.arrays.append((name, t, size))
        ro = getattr(self, "arrays_ro", set())
        writable = [a for a in self.arrays if a[0] not in ro]
        if not writable:
            name = self.fresh("g")
            L.append(f"static uint32_t {name}[8];")
            writable.append((name, "uint32_t", 8))
            self.arrays.append((name, "uint32_t", 8))
        self.writable = writable
        # A recursive function.
        L.append("static uint64_t rec(uint32_t n, uint64_t x) {")
        L.append("    if (n < 2) return x + n;")
        L.append(f"    return rec(n - 1, x * {rng.randrange(3, 99)}u + n) ^ rec(n - 2, x + {rng.randrange(1, 999)}u);")
        L.append("}")
        # Functions.
        for k in range(rng.randint(3, 7)):
            ret = rng.choice(TYPES)
            params = [rng.choice(TYPES) for _ in range(rng.randint(0, 5))]
            name = self.fresh("f")
            scope = [(f"p{j}", pt) for j, pt in enumerate(params)]
            # Leaf functions call nothing; the others call only leaf functions (bounded run time).
            leaf = rng.random() < 0.4 or not any(f.leaf for f in self.functions)
            self.callees = [] if leaf else [f for f in self.functions if f.leaf]
            body = self.body(scope, 2 if not leaf else 1)
            plist = ", ".join(f"{pt} p{j}" for j, pt in enumerate(params)) or "void"
            attr = "__attribute__((noinline)) " if rng.random() < 0.5 else ""
            L.append(f"static {attr}{ret} {name}({plist}) {{")
            L += body
            L.append(f"    return ({ret})({self.expr(ret, scope + self.last_scope, 3, False)});")
            L.append("}")
            self.functions.append(Function(name, params, ret, leaf))
        # main: call every function, with checksums in between.
        L.append("int main(void) {")
        step = 0
        for f in self.functions:
            for _ in range(rng.randint(1, 3)):
                args = ", ".join(const(rng, pt) for pt in f.params)
                L.append(f"    mix((uint64_t){f.name}({args}));")
            L.append(f"    print_checksum({step});")
            step += 1
        L.append(f"    mix(rec({rng.randint(5, 14)}, {rng.getrandbits(32)}u));")
        # Heap: a buffer filled and folded.
        n = rng.randint(16, 600)
        t = rng.choice(TYPES)
        L.append(f"    {t} *heap = malloc({n} * sizeof({t}));")
        L.append(f"    for (uint32_t i = 0; i < {n}; i++) heap[i] = ({t})(i * {rng.getrandbits(16)}u + {rng.getrandbits(8)}u);")
        L.append(f"    heap = realloc(heap, {n * 2} * sizeof({t}));")
        L.append(f"    for (uint32_t i = {n}; i < {n * 2}; i++) heap[i] = ({t})((uint64_t)heap[i - {n}] * 3u);")
        L.append(f"    for (uint32_t i = 0; i < {n * 2}; i++) mix((uint64_t)heap[i]);")
        L.append("    free(heap);")
        for name, at, size in self.arrays:
            L.append(f"    for (uint32_t i = 0; i < {size}; i++) mix((uint64_t){name}[i]);")
        L.append(f"    print_checksum({step});")
        L.append("    polkavm_exit(0);")
        L.append("}")
        return "\n".join(L) + "\n"

    def body(self, scope, depth):
        """A function body; remembers its top-level declarations for the return expression."""
        out = self.block(scope, depth, 1, False, 8)
        self.last_scope = []
        for line in out:
            words = line.strip().split()
            if line.startswith("    ") and not line.startswith("     ") and len(words) > 2 and words[0] in TYPES and words[2] == "=":
                self.last_scope.append((words[1], words[0]))
        return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out")
    args = parser.parse_args()
    text = Generator(args.seed).program()
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
