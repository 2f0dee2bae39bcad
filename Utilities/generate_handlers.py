#!/usr/bin/env python3
"""Generates Sources/PolkaVMInterpreter/Generated/Handlers.swift: the interpreter's instruction handlers.

Every op's semantics is written once, in the table below. The generator emits each op twice:
  * a threaded handler that ends by tail-calling the next op's handler (release builds), and
  * a trampoline handler that returns to a dispatch loop after one op (debug builds, step tracing),
so both dispatch modes share one definition of every instruction.

Body mini-language (Swift, with these names available):
  r            the register file (UnsafeMutablePointer<UInt64>)
  d, a, b      register indices of the op (Int)
  imm, aux     the op's immediate and auxiliary 64-bit fields
  NEXT         continue with the next op
  JUMP(x)      enter the basic block whose chargeGas op is x; the threaded handler charges its cost
               (stored in x's aux) and continues after it, so block gas costs no dispatch of its own;
               the trampoline handler continues at x, which charges when it runs
  TARGET       the op's resolved static target (an op pointer)
  EXIT(reason) leave to the host loop with a LoopExit reason (the op stays current)
  LOAD(addr, size) / STORE(addr, size)  -> `p`, the host pointer, or EXIT(.memory) for the slow path

Besides the plain handler of every op, the generator writes the variants that read `r[a]`/`r[b]` from the
two carried values `v` and `w` (the results of the last two ops, passed between threaded handlers), and
the fused pairs and triples with their forwarding variants; docs/INTERPRETER.md explains them.
Usage: python3 Utilities/generate_handlers.py
"""
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

LOADS = {
    "loadU8": ("1", "UInt64(p.load(as: UInt8.self))"),
    "loadI8": ("1", "UInt64(bitPattern: Int64(p.load(as: Int8.self)))"),
    "loadU16": ("2", "UInt64(p.loadUnaligned(as: UInt16.self))"),
    "loadI16": ("2", "UInt64(bitPattern: Int64(p.loadUnaligned(as: Int16.self)))"),
    "loadU32": ("4", "UInt64(p.loadUnaligned(as: UInt32.self))"),
    "loadI32": ("4", "UInt64(bitPattern: Int64(p.loadUnaligned(as: Int32.self)))"),
    "loadU64": ("8", "p.loadUnaligned(as: UInt64.self)"),
}
STORES = {
    "U8": ("1", "UInt8"), "U16": ("2", "UInt16"), "U32": ("4", "UInt32"), "U64": ("8", "UInt64"),
}

OPS = {}

# Loads: absolute address (imm) and base + offset.
for name, (size, expr) in LOADS.items():
    OPS[name] = f"LOAD(lo32(imm), {size})\nr[d] = {expr}\nNEXT"
    ind = "loadIndirect" + name[4:]
    OPS[ind] = f"LOAD(lo32(r[a] &+ imm), {size})\nr[d] = {expr}\nNEXT"

# Stores: value from register a or an immediate (aux), address absolute (imm) or base b + imm.
for suffix, (size, ty) in STORES.items():
    conv = "r[a]" if ty == "UInt64" else f"{ty}(truncatingIfNeeded: r[a])"
    convi = "aux" if ty == "UInt64" else f"{ty}(truncatingIfNeeded: aux)"
    OPS["store" + suffix] = f"STORE(lo32(imm), {size})\np.storeBytes(of: {conv}, toByteOffset: 0, as: {ty}.self)\nNEXT"
    OPS["storeIndirect" + suffix] = f"STORE(lo32(r[b] &+ imm), {size})\np.storeBytes(of: {conv}, toByteOffset: 0, as: {ty}.self)\nNEXT"
    OPS["storeImm" + suffix] = f"STORE(lo32(imm), {size})\np.storeBytes(of: {convi}, toByteOffset: 0, as: {ty}.self)\nNEXT"
    OPS["storeImmIndirect" + suffix] = f"STORE(lo32(r[b] &+ imm), {size})\np.storeBytes(of: {convi}, toByteOffset: 0, as: {ty}.self)\nNEXT"

BRANCHES = {
    "branchEq": "r[a] == r[b]", "branchNotEq": "r[a] != r[b]",
    "branchLessUnsigned": "r[a] < r[b]", "branchLessSigned": "signed(r[a]) < signed(r[b])",
    "branchGreaterOrEqualUnsigned": "r[a] >= r[b]", "branchGreaterOrEqualSigned": "signed(r[a]) >= signed(r[b])",
    "branchEqImm": "r[a] == imm", "branchNotEqImm": "r[a] != imm",
    "branchLessUnsignedImm": "r[a] < imm", "branchLessOrEqualUnsignedImm": "r[a] <= imm",
    "branchGreaterOrEqualUnsignedImm": "r[a] >= imm", "branchGreaterUnsignedImm": "r[a] > imm",
    "branchLessSignedImm": "signed(r[a]) < signed(imm)", "branchLessOrEqualSignedImm": "signed(r[a]) <= signed(imm)",
    "branchGreaterOrEqualSignedImm": "signed(r[a]) >= signed(imm)", "branchGreaterSignedImm": "signed(r[a]) > signed(imm)",
}
for name, cond in BRANCHES.items():
    OPS[name] = f"if _fastPath({cond}) {{ JUMP(TARGET) }}\nJUMP(ip + 1)"

# A dynamic jump: the table is indexed by address / 2. Rotating the address right by one bit gives that
# index for even addresses and puts odd ones above 2^31, past every table (`dynamicCount` is kept below
# the halt address's index), so one bounds check rejects both; the halt address is tested only then.
DJUMP = """let slot = rotr32(address, 1)
let c = context(r)
guard _fastPath(slot < c.pointee.dynamicCount), let t = c.pointee.dynamic[Int(slot)] else {
    if address == 0xFFFF_0000 { EXIT(.halt) }
    EXIT(.trap)
}
JUMP(t)"""

OPS.update({
    # Gas is charged by subtracting first and testing the sign (the run starts with gas >= 0 and costs are
    # small, so this never overflows): the counter is updated in place. A failed charge leaves with the
    # cost already deducted, and the host adds it back (`InterpreterInstance.run`).
    "chargeGas": "let g = g &- Int64(bitPattern: aux)\nif _slowPath(g < 0) { EXIT(.outOfGas) }\nNEXT",
    "trap": "EXIT(.trap)",
    "nop": "NEXT",
    "fallthrough": "JUMP(ip + 1)",
    "unlikely": "NEXT",
    "ecalli": "EXIT(.ecalli)",
    "memset": "EXIT(.memset)",
    "sbrk": "EXIT(.sbrk)",
    "jump": "JUMP(TARGET)",
    "loadImmAndJump": "r[d] = imm\nJUMP(TARGET)",
    "jumpIndirect": "let address = lo32(r[a] &+ imm)\n" + DJUMP,
    "loadImmAndJumpIndirect": "let address = lo32(r[a] &+ aux)\nr[d] = imm\n" + DJUMP,
    "loadImm": "r[d] = imm\nNEXT",
    "loadImm64": "r[d] = imm\nNEXT",
    "moveReg": "r[d] = r[a]\nNEXT",
})

ALU = {
    # two registers
    "countSetBits64": "UInt64(r[a].nonzeroBitCount)",
    "countSetBits32": "UInt64(lo32(r[a]).nonzeroBitCount)",
    "countLeadingZeroBits64": "UInt64(r[a].leadingZeroBitCount)",
    "countLeadingZeroBits32": "UInt64(lo32(r[a]).leadingZeroBitCount)",
    "countTrailingZeroBits64": "UInt64(r[a].trailingZeroBitCount)",
    "countTrailingZeroBits32": "UInt64(lo32(r[a]).trailingZeroBitCount)",
    "signExtend8": "UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: r[a])))",
    "signExtend16": "UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: r[a])))",
    "zeroExtend16": "r[a] & 0xFFFF",
    "reverseByte": "r[a].byteSwapped",
    "reverseByte32": "sx32(lo32(r[a]).byteSwapped)",
    # register and immediate
    "addImm32": "sx32(r[a] &+ imm)",
    "addImm64": "r[a] &+ imm",
    "andImm": "r[a] & imm",
    "xorImm": "r[a] ^ imm",
    "orImm": "r[a] | imm",
    "mulImm32": "sx32(r[a] &* imm)",
    "mulImm64": "r[a] &* imm",
    "setLessThanUnsignedImm": "bool(r[a] < imm)",
    "setLessThanSignedImm": "bool(signed(r[a]) < signed(imm))",
    "setGreaterThanUnsignedImm": "bool(r[a] > imm)",
    "setGreaterThanSignedImm": "bool(signed(r[a]) > signed(imm))",
    "shiftLogicalLeftImm32": "sx32(lo32(r[a]) &<< lo32(imm))",
    "shiftLogicalRightImm32": "sx32(lo32(r[a]) &>> lo32(imm))",
    "shiftArithmeticRightImm32": "sx32(UInt32(bitPattern: Int32(truncatingIfNeeded: r[a]) &>> Int32(truncatingIfNeeded: imm)))",
    "shiftLogicalLeftImm64": "r[a] &<< imm",
    "shiftLogicalRightImm64": "r[a] &>> imm",
    "shiftArithmeticRightImm64": "UInt64(bitPattern: signed(r[a]) &>> signed(imm))",
    "negateAndAddImm32": "sx32(imm &- r[a])",
    "negateAndAddImm64": "imm &- r[a]",
    "shiftLogicalLeftImmAlt32": "sx32(lo32(imm) &<< lo32(r[a]))",
    "shiftLogicalRightImmAlt32": "sx32(lo32(imm) &>> lo32(r[a]))",
    "shiftArithmeticRightImmAlt32": "sx32(UInt32(bitPattern: Int32(truncatingIfNeeded: imm) &>> Int32(truncatingIfNeeded: r[a])))",
    "shiftLogicalLeftImmAlt64": "imm &<< r[a]",
    "shiftLogicalRightImmAlt64": "imm &>> r[a]",
    "shiftArithmeticRightImmAlt64": "UInt64(bitPattern: signed(imm) &>> signed(r[a]))",
    "rotateRightImm64": "rotr64(r[a], imm)",
    "rotateRightImmAlt64": "rotr64(imm, r[a])",
    "rotateRightImm32": "sx32(rotr32(lo32(r[a]), lo32(imm)))",
    "rotateRightImmAlt32": "sx32(rotr32(lo32(imm), lo32(r[a])))",
    # three registers
    "add32": "sx32(r[a] &+ r[b])",
    "sub32": "sx32(r[a] &- r[b])",
    "mul32": "sx32(r[a] &* r[b])",
    "divUnsigned32": "divU32(r[a], r[b])",
    "divSigned32": "divS32(r[a], r[b])",
    "remUnsigned32": "remU32(r[a], r[b])",
    "remSigned32": "remS32(r[a], r[b])",
    "shiftLogicalLeft32": "sx32(lo32(r[a]) &<< lo32(r[b]))",
    "shiftLogicalRight32": "sx32(lo32(r[a]) &>> lo32(r[b]))",
    "shiftArithmeticRight32": "sx32(UInt32(bitPattern: Int32(truncatingIfNeeded: r[a]) &>> Int32(truncatingIfNeeded: r[b])))",
    "add64": "r[a] &+ r[b]",
    "sub64": "r[a] &- r[b]",
    "mul64": "r[a] &* r[b]",
    "divUnsigned64": "divU64(r[a], r[b])",
    "divSigned64": "divS64(r[a], r[b])",
    "remUnsigned64": "remU64(r[a], r[b])",
    "remSigned64": "remS64(r[a], r[b])",
    "shiftLogicalLeft64": "r[a] &<< r[b]",
    "shiftLogicalRight64": "r[a] &>> r[b]",
    "shiftArithmeticRight64": "UInt64(bitPattern: signed(r[a]) &>> signed(r[b]))",
    "and": "r[a] & r[b]",
    "xor": "r[a] ^ r[b]",
    "or": "r[a] | r[b]",
    "mulUpperSignedSigned": "UInt64(bitPattern: signed(r[a]).multipliedFullWidth(by: signed(r[b])).high)",
    "mulUpperUnsignedUnsigned": "r[a].multipliedFullWidth(by: r[b]).high",
    "mulUpperSignedUnsigned": "mulUpperSU64(r[a], r[b])",
    "mulUpperSignedSigned32": "sx32(UInt64(bitPattern: (Int64(Int32(truncatingIfNeeded: r[a])) &* Int64(Int32(truncatingIfNeeded: r[b]))) &>> 32))",
    "mulUpperUnsignedUnsigned32": "sx32((UInt64(lo32(r[a])) &* UInt64(lo32(r[b]))) &>> 32)",
    "mulUpperSignedUnsigned32": "sx32(UInt64(bitPattern: (Int64(Int32(truncatingIfNeeded: r[a])) &* Int64(lo32(r[b]))) &>> 32))",
    "setLessThanUnsigned": "bool(r[a] < r[b])",
    "setLessThanSigned": "bool(signed(r[a]) < signed(r[b]))",
    "rotateLeft64": "rotr64(r[a], 64 &- (r[b] & 63))",
    "rotateLeft32": "sx32(rotr32(lo32(r[a]), 32 &- (lo32(r[b]) & 31)))",
    "rotateRight64": "rotr64(r[a], r[b])",
    "rotateRight32": "sx32(rotr32(lo32(r[a]), lo32(r[b])))",
    "andInverted": "r[a] & ~r[b]",
    "orInverted": "r[a] | ~r[b]",
    "xnor": "~(r[a] ^ r[b])",
    "maximum": "UInt64(bitPattern: Swift.max(signed(r[a]), signed(r[b])))",
    "maximumUnsigned": "Swift.max(r[a], r[b])",
    "minimum": "UInt64(bitPattern: Swift.min(signed(r[a]), signed(r[b])))",
    "minimumUnsigned": "Swift.min(r[a], r[b])",
}
for name, expr in ALU.items():
    OPS[name] = f"r[d] = {expr}\nNEXT"

# Fused pairs (superinstructions): two adjacent ops of one basic block that one threaded handler runs
# back to back, saving a dispatch. The first op must be straight-line (it ends in NEXT and may only
# EXIT(.memory) otherwise); the second may be anything, branches included. The second op stays in place
# after the fused one, so host entry mid-block, the trampoline and the memory slow path (which resumes
# at the second op when its access faults) all see the original pair. Chosen from dynamic pair counts
# over the benchmark suite (benchmarks/).
PAIRS = []
for add in ("addImm32", "addImm64"):
    for name in BRANCHES:
        PAIRS.append((add, name))
PAIRS += [
    # memory: copies, spills and reloads, unrolled byte loops
    ("loadIndirectU8", "loadIndirectU8"), ("loadIndirectI32", "loadIndirectI32"), ("loadIndirectU64", "loadIndirectU64"),
    ("storeIndirectU8", "storeIndirectU8"), ("storeIndirectU32", "storeIndirectU32"), ("storeIndirectU64", "storeIndirectU64"),
    ("loadIndirectU8", "storeIndirectU8"), ("loadIndirectU64", "storeIndirectU64"),
    ("storeIndirectU8", "addImm64"), ("storeIndirectU32", "addImm64"), ("storeIndirectU64", "addImm64"),
    ("loadIndirectU8", "addImm64"), ("loadIndirectI32", "addImm64"),
    ("add64", "loadIndirectU8"), ("add64", "loadIndirectI32"), ("add64", "loadIndirectU64"),
    ("add64", "storeIndirectU8"), ("add64", "storeIndirectU64"),
    # arithmetic: pointer steps, index scaling (zero-extend and shift), hashing
    ("addImm64", "addImm64"), ("add64", "add64"), ("mul64", "add64"), ("loadIndirectI32", "mul64"),
    ("shiftLogicalLeftImm64", "shiftLogicalRightImm64"), ("shiftLogicalRightImm64", "add64"),
    ("shiftLogicalLeftImm64", "add64"), ("rotateRightImm32", "rotateRightImm32"), ("rotateRightImm32", "xor"),
    ("xor", "xor"), ("loadImm", "loadImm"), ("moveReg", "moveReg"),
    ("and", "xor"), ("xor", "add64"), ("shiftLogicalRightImm64", "xor"), ("xor", "shiftLogicalLeftImm64"),
    ("mul64", "shiftLogicalRightImm64"),
    # register shuffles around spills and calls
    ("moveReg", "storeIndirectU64"), ("moveReg", "loadIndirectU64"), ("loadIndirectU64", "moveReg"),
    ("addImm64", "moveReg"), ("addImm32", "addImm64"), ("addImm64", "addImm32"),
    # function prologues and epilogues: stack pointer step + first spill, last reload + step, step + return
    ("addImm64", "storeIndirectU64"), ("loadIndirectU64", "addImm64"), ("addImm64", "jumpIndirect"),
]
# The 32-bit twins of the pairs above, for rv32 guests (and `int` arithmetic in rv64 ones): pointer
# arithmetic, spills and reloads, prologues and epilogues are 32-bit there.
PAIRS += [
    ("add32", "loadIndirectU8"), ("add32", "loadIndirectI32"), ("add32", "storeIndirectU8"), ("add32", "storeIndirectU32"),
    ("storeIndirectU8", "addImm32"), ("storeIndirectU32", "addImm32"), ("loadIndirectU8", "addImm32"),
    ("loadIndirectI32", "addImm32"), ("loadIndirectI32", "storeIndirectU32"),
    ("addImm32", "addImm32"), ("add32", "add32"), ("mul32", "add32"), ("loadIndirectI32", "mul32"),
    ("shiftLogicalLeftImm32", "add32"), ("moveReg", "storeIndirectU32"), ("moveReg", "loadIndirectI32"),
    ("loadIndirectI32", "moveReg"), ("addImm32", "moveReg"), ("addImm32", "storeIndirectU32"), ("addImm32", "jumpIndirect"),
]
# Chosen with `polkavm run --profile-out` over the suite (rv64 and rv32 guests): each pair is the one
# that most lowered the geometric mean of dispatches per instruction when added to the ones before it,
# keeping pairs of general shape (loads feeding arithmetic or a compare, calls with a stack step, byte
# loops, 64-bit carries on rv32) and leaving out ones only one program's hot loop uses.
PAIRS += [
    ("loadIndirectI32", "add64"), ("loadIndirectU64", "add64"), ("loadImm", "moveReg"), ("addImm64", "add64"),
    ("addImm64", "loadImmAndJump"), ("loadIndirectU8", "branchNotEqImm"), ("loadIndirectU8", "branchNotEq"),
    ("addImm64", "storeIndirectU8"), ("storeIndirectU64", "jump"), ("shiftLogicalLeftImm64", "addImm32"),
    ("moveReg", "branchNotEq"), ("loadIndirectI32", "branchGreaterOrEqualUnsigned"), ("loadIndirectI32", "jump"),
    ("addImm64", "fallthrough"), ("moveReg", "fallthrough"), ("and", "and"), ("shiftLogicalLeftImm64", "or"),
    ("andInverted", "or"), ("shiftLogicalRightImm32", "branchNotEqImm"),
    ("loadIndirectI32", "add32"), ("addImm32", "add32"), ("addImm32", "storeIndirectU8"),
    ("loadIndirectU8", "branchLessUnsigned"), ("add32", "setLessThanUnsigned"), ("shiftLogicalLeftImm32", "or"),
    ("shiftLogicalRightImm32", "add32"), ("moveReg", "addImm32"), ("add32", "moveReg"),
    ("addImm32", "setGreaterThanUnsignedImm"), ("sub32", "addImm32"), ("addImm32", "loadImmAndJump"),
]
# Fused triples, tried before pairs: index arithmetic (zero-extend and scale a 32-bit index, add the
# base, load), loop steps before the loop branch, and the function epilogue (reload ra, pop the frame,
# return). Chosen like the pairs, from `--profile-out` counts over the suite.
TRIPLES = [
    ("shiftLogicalLeftImm64", "shiftLogicalRightImm64", "add64"),
    ("shiftLogicalLeftImm64", "add64", "loadIndirectI32"),
    ("shiftLogicalRightImm64", "add64", "loadIndirectU8"),
    ("addImm64", "addImm64", "branchNotEq"),
    ("addImm64", "addImm64", "branchLessUnsigned"),
    ("addImm64", "addImm32", "branchEq"),
    ("add64", "loadIndirectU64", "loadIndirectU64"),
    ("loadIndirectU64", "addImm64", "jumpIndirect"),
    ("loadIndirectI32", "addImm32", "jumpIndirect"),
    # Chosen after the carried-value handlers made longer chains cheap: multiply-accumulate-store,
    # read-modify-write of a memory word, a store then two pointer bumps, and runs of 64-bit loads and
    # stores (prologues, epilogues, struct copies).
    ("mul64", "add64", "storeIndirectU32"),
    ("loadIndirectI32", "addImm64", "storeIndirectU32"),
    ("storeIndirectU32", "addImm64", "addImm64"),
    ("loadIndirectU64", "loadIndirectU64", "loadIndirectU64"),
    ("storeIndirectU64", "storeIndirectU64", "storeIndirectU64"),
]
# The same way, after the carried-value handlers: a relative jump-table tail (add the table base, jump),
# 64-bit to 32-bit shift chains, a spill followed by a reload, and a few chains from the larger programs.
PAIRS += [
    ("add64", "jumpIndirect"), ("shiftLogicalRightImm64", "shiftLogicalRightImm32"), ("loadIndirectI32", "loadIndirectU32"),
    ("loadIndirectU64", "fallthrough"), ("storeIndirectU64", "loadIndirectU64"), ("addImm64", "shiftLogicalRightImm64"),
    ("and", "shiftLogicalLeftImm64"), ("shiftLogicalLeftImm64", "xor"),
]
# A constant loaded for a compare (RISC-V has no compare-with-immediate branches).
for name in ("branchEq", "branchNotEq", "branchLessUnsigned", "branchLessSigned",
             "branchGreaterOrEqualUnsigned", "branchGreaterOrEqualSigned"):
    PAIRS.append(("loadImm", name))


def pair_name(first, second):
    return first + "Then" + second[0].upper() + second[1:]


OPS.update({
    "cmovIfZeroImm": "if r[a] == 0 { r[d] = imm }\nNEXT",
    "cmovIfNotZeroImm": "if r[a] != 0 { r[d] = imm }\nNEXT",
    "cmovIfZero": "if r[b] == 0 { r[d] = r[a] }\nNEXT",
    "cmovIfNotZero": "if r[b] != 0 { r[d] = r[a] }\nNEXT",
})


def expand(body, mode, ip="ip", sfx="", tail=True, carry="v", carry2="v"):
    """Expands an op body into Swift lines. `ip` names the op's pointer and `sfx` suffixes the op's
    locals (for the second op of a fused pair); with `tail` false, NEXT is dropped (the first op of a
    fused pair falls into the second). A threaded NEXT passes on two carried values: `carry`, the op's
    own result if it produces one (see `produces_value`; else `v`, unused), and `carry2`, the result of
    the op before it (`v` for a single op)."""
    if mode == "threaded" and tail and len(PRODUCER.findall(body)) == 1 and body.endswith("\nNEXT") and "JUMP" not in body:
        body = PRODUCER.sub(lambda m: "let o_ = %s\nr[d] = o_" % m.group(1), body)
        carry = "o%s_" % sfx
    original = body
    uses = lambda name: re.search(r"\b%s\b" % name, original) is not None
    body = re.sub(r"\b(d|a|b|imm|aux|p)\b", lambda m: m.group(1) + sfx, body)
    body = re.sub(r"\bo_\b", "o%s_" % sfx, body)
    body = re.sub(r"\bip\b", ip, body)
    lines = []
    for name, field in (("d", "d"), ("a", "a"), ("b", "b")):
        if uses(name):
            lines.append(f"let {name}{sfx} = Int({ip}.pointee.{field})")
    if uses("imm"):
        lines.append(f"let imm{sfx} = {ip}.pointee.imm")
    if uses("aux") or "TARGET" in body:
        lines.append(f"let aux{sfx} = {ip}.pointee.aux")
    out = []
    for line in body.split("\n"):
        if line == "NEXT" and not tail:
            continue
        m = re.match(r"(LOAD|STORE)\((.*), (\d)\)$", line)
        if m:
            # The page-table lookup, inline: one entry of the read or write table (host page minus guest
            # page, 0 = no access), and the access must not cross into the next page; anything else goes
            # to the slow path. An aligned access never crosses, so the crossing bound is checked out of
            # line, only for misaligned addresses.
            table = "" if m.group(1) == "LOAD" else "(1 << 20) + "
            line = (f"let addr{sfx}_ = {m.group(2)}; "
                    f"let e{sfx}_ = pageTables(r)[{table}Int(truncatingIfNeeded: addr{sfx}_ &>> 12)]; "
                    f"guard _fastPath(e{sfx}_ != 0) else {{ EXIT(.memory) }}; "
                    + ("" if m.group(3) == "1" else
                       f"if _slowPath(addr{sfx}_ & {int(m.group(3)) - 1} != 0) {{ guard (addr{sfx}_ & 0xFFF) &+ {m.group(3)} <= 4096 else {{ EXIT(.memory) }} }}; ") +
                    f"let p{sfx} = UnsafeMutableRawPointer(bitPattern: e{sfx}_ &+ UInt(addr{sfx}_)).unsafelyUnwrapped")
        line = line.replace("TARGET", f"UnsafePointer<Op>(bitPattern: UInt(aux{sfx})).unsafelyUnwrapped")
        line = re.sub(r"EXIT\((\.\w+)\)", r"return leave(%s, g, context(r), \1)" % ip, line)
        enter = ("let t_ = %s; let g_ = g &- Int64(bitPattern: t_.pointee.aux); "
                 "if _slowPath(g_ < 0) { return leave(t_, g_, context(r), .outOfGas) }; let n_ = t_ + 1; ")
        if mode == "threaded":
            line = re.sub(r"JUMP\((.*?)\)( \})?$", lambda mm: (enter % mm.group(1)) + "return n_.pointee.handler(n_, r, g_, v, w)" + (mm.group(2) or ""), line)
            line = line.replace("NEXT", f"let n_ = {ip} + 1; return n_.pointee.handler(n_, r, g, {carry}, {carry2})")
        else:
            # The trampoline does not fold: it continues at the block's chargeGas op, which the loop then
            # runs as an op of its own, so step tracing stops before a block is charged.
            line = re.sub(r"JUMP\((.*?)\)( \})?$", lambda mm: "return proceed(%s, g, context(r))%s" % (mm.group(1), mm.group(2) or ""), line)
            line = line.replace("NEXT", f"return proceed({ip} + 1, g, context(r))")
        out.append(line)
    return lines + out


PRODUCER = re.compile(r"^r\[d\] = (.*)$", re.M)


def produces_value(kind):
    """Whether the op's body ends by writing one value to r[d] (and can hand it to the next op)."""
    body = OPS[kind]
    return body.endswith("\nNEXT") and len(PRODUCER.findall(body)) == 1 and "JUMP" not in body


def reads(kind, reg):
    """Whether the op reads register `reg` ("a" or "b"), every read before any register write."""
    body = OPS[kind]
    uses = [m.start() for m in re.finditer(r"r\[%s\]" % reg, body)]
    # A write takes effect at the end of its statement (its own right-hand side reads first).
    writes = [body.find("\n", m.end()) % (len(body) + 1) for m in re.finditer(r"r\[\w+\] = ", body)]
    if uses and writes:
        assert max(uses) < min(writes), (kind, reg, "reads after a write cannot take a forwarded value")
    return bool(uses)


def forwarding_codes(first, second):
    """The forwarding variants of an adjacent pair: 0 = none, 1 = the second op's r[a] is the first op's
    result, 2 = its r[b] is (the rule `OpKind.forwarding(to:d:a:b:)` applies at compile time)."""
    return input_codes(second) if produces_value(first) else [0]


def expand_fused(kinds, forward=None):
    """The threaded handler of fused adjacent ops: each op but the last in its own scope, reading its op
    record at ip, ip + 1, ...; then the last op, which may end in anything. `forward[k]` (for k >= 1)
    says whether op k takes op k - 1's result from a host register instead of reloading it from the
    register file (1: as its r[a], 2: as its r[b]); the value is still stored first, so faults, slow
    paths and every other reader see the same register file. `forward[0]` does the same for the first
    op with the handler's carried value `v` (the result of the op before the group)."""
    forward = forward or [0] * len(kinds)
    lines = []
    for k, kind in enumerate(kinds):
        body = OPS[kind]
        ip = "ip" if k == 0 else "ip%d_" % (k + 1)
        sfx = "" if k == 0 else "_%d" % (k + 1)
        if forward[k]:
            body = body.replace("r[a]" if forward[k] == 1 else "r[b]", "v%d_" % k if k > 0 else "v")
        value = k + 1 < len(kinds) and (forward[k + 1] or (k == len(kinds) - 2 and produces_value(kind)))
        if value:
            body = PRODUCER.sub(lambda m: "v%d_ = %s\nr[d] = v%d_" % (k + 1, m.group(1), k + 1), body)
        if k > 0:
            lines.append("let %s = ip + %d" % (ip, k))
        if k == len(kinds) - 1:
            before = "v%d_" % k if k > 0 and produces_value(kinds[k - 1]) else "v"
            return lines + expand(body, "threaded", ip=ip, sfx=sfx, carry2=before)
        assert body.endswith("\nNEXT") and body.count("NEXT") == 1 and "JUMP" not in body, kind
        assert re.findall(r"EXIT\((\.\w+)\)", body) in ([], [".memory"]), kind
        if value:
            lines.append("let v%d_: UInt64" % (k + 1))
        lines += ["do {"] + ["    " + l for l in expand(body, "threaded", ip=ip, sfx=sfx, tail=False)] + ["}"]


# Interpreter-only kinds, on raw values no instruction set uses.
EXTRA_KINDS = [
    ("chargeGas", 4, "Charge the block's gas (`aux` holds the cost)."),
    ("nop", 5, "No effect (kept so that host entry and stepping see the instruction)."),
    ("mulUpperSignedSigned32", 240, "`mul_upper_signed_signed` with 32-bit registers."),
    ("mulUpperUnsignedUnsigned32", 241, "`mul_upper_unsigned_unsigned` with 32-bit registers."),
    ("mulUpperSignedUnsigned32", 242, "`mul_upper_signed_unsigned` with 32-bit registers."),
    ("reverseByte32", 243, "`reverse_byte` with 32-bit registers."),
]


def camel(name):
    parts = name.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def op_kinds():
    """(name, raw value, doc or None) of every OpKind: each instruction of Utilities/Instructions.json (raw
    value = its latest64 opcode, as ``Opcode``), then the interpreter-only kinds."""
    table = json.load(open(os.path.join(ROOT, "Utilities", "Instructions.json")))["instructions"]
    kinds = [(camel(r["name"]), r["opcodes"]["latest64"], None) for r in table] + EXTRA_KINDS
    raws = [raw for _, raw, _ in kinds]
    assert len(set(raws)) == len(raws), "two op kinds share a raw value"
    return kinds


def write_op_kinds():
    """Writes OpKind.swift: the cases of `op_kinds()`."""
    w = ["// Generated by Utilities/generate_handlers.py from Utilities/Instructions.json. Do not edit.", "",
         "/// The operation of a pre-decoded instruction. Instruction kinds share the raw value of the ``Opcode``",
         "/// they execute; the rest are interpreter-only: block gas charges, no-ops and the 32-bit-register",
         "/// variants of width-generic instructions. (Fused pairs have no kind of their own: a fused op keeps",
         "/// its first instruction's kind and gets the group's handler, see `HandlerTables`.)",
         "enum OpKind: UInt8 {"]
    for name, raw, doc in op_kinds():
        if doc:
            w.append("    /// " + doc)
        w.append("    case %s = %d" % (swift_case(name), raw))
    w.append("}")
    path = os.path.join(ROOT, "Sources", "PolkaVMInterpreter", "Generated", "OpKind.swift")
    open(path, "w").write("\n".join(w) + "\n")


def input_sources(kind, reg):
    """Where a single op's r[a] or r[b] can come from: the register file (0), the value carried from the op
    before (1), from two ops before (2)."""
    return [0, 1, 2] if reads(kind, reg) else [0]


def passes_values_through(kind):
    """Whether the op falls through to the next op having written no register but its own result (so a
    value carried from the op before it is still current after it)."""
    body = OPS[kind]
    writes = re.findall(r"r\[\w+\] = ", body)
    return (kind != "chargeGas" and body.endswith("\nNEXT") and "JUMP" not in body
            and (produces_value(kind) or not writes))


def input_codes(kind):
    """The variants of an op that can take its r[a] (1) or r[b] (2) from the carried value `v`."""
    return [0] + [c for c, reg in ((1, "a"), (2, "b")) if reads(kind, reg)]


def group_variants(group):
    """(code, forward list) for every forwarding variant of a fused group; the code is
    the sum of its links' codes (0, 1 or 2) in base 3: the carried value into the first op lowest,
    then the first op's result into the second, and so on."""
    variants = [(c, [c]) for c in input_codes(group[0])]
    for k in range(1, len(group)):
        variants = [(code + c * 3 ** k, fwd + [c])
                    for code, fwd in variants for c in forwarding_codes(group[k - 1], group[k])]
    return variants


def table_builder(w, table, count, initial, entries, comments=None):
    """Emits `private static func make<Table>() -> [Handler]`, which fills a `count`-entry table by one
    store per entry: `entries` is a list of (index expression, Swift lines of a handler closure, or the
    index expression of an entry already stored) in store order; `comments` maps an index expression to a
    comment written before its store. Every entry starts as `initial` (a
    handler closure's lines). The stores are plain statements in a function, not one closure, so that each
    is type-checked alone (as one closure, the release build took over 15 minutes); they go through a
    pointer, then into the array in one copy."""
    w.append("    /// Builds `%s` (see `Utilities/generate_handlers.py`, `table_builder`)." % table)
    w.append("    private static func make%s() -> [Handler] {" % (table[0].upper() + table[1:]))
    w.append("        let t = UnsafeMutablePointer<Handler>.allocate(capacity: %d)" % count)
    w.append("        defer { t.deallocate() }")
    w.append("        let initial: Handler = { ip, r, g, v, w in")
    w.extend("            " + line for line in initial)
    w.append("        }")
    w.append("        t.initialize(repeating: initial, count: %d)" % count)
    for index, value in entries:
        if comments and index in comments:
            w.append("        // " + comments[index])
        if isinstance(value, str):
            w.append("        t[%s] = t[%s]" % (index, value))
        else:
            w.append("        t[%s] = { ip, r, g, v, w in" % index)
            w.extend("            " + line for line in value)
            w.append("        }")
    w.append("        var table = [Handler](repeating: initial, count: %d)" % count)
    w.append("        table.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: t, count: %d) }" % count)
    w.append("        return table")
    w.append("    }")


def fused_table(w, doc, signature, table, index_func, params, groups, width):
    """Emits the fused handlers of `groups` (pairs or triples of op kinds): `static let <table>`, every
    forwarding variant of every group at index `group * width + code` (a code the group has no variant for
    holds its plain variant, as `forwarding` defaults to it); `static func <index_func>`, the group's index
    from its kinds; and `func <signature> -> Handler?`, the lookup for one group."""
    names = ["self", "next", "third"][:len(groups[0])]
    w.append("    /// The group index of fused kinds (an index into `%s` divided by %d), if they are fused." % (table, width))
    w.append("    static func %s(%s) -> Int? {" % (index_func, ", ".join("_ %s: OpKind" % p for p in params)))
    w.append("        switch (%s) {" % ", ".join(params))
    for i, group in enumerate(groups):
        w.append("        case (%s): return %d" % (", ".join("." + swift_case(k) for k in group), i))
    w.append("        default: return nil")
    w.append("        }")
    w.append("    }")
    w.append("")
    for line in doc:
        w.append("    /// " + line)
    w.append(f"    func {signature} -> Handler? {{")
    w.append("        guard let group = Self.%s(%s) else { return nil }" % (index_func, ", ".join(names)))
    w.append("        return Self.%s[group &* %d &+ ((0..<%d).contains(forwarding) ? forwarding : 0)]" % (table, width, width))
    w.append("    }")
    w.append("")
    w.append("    /// Every forwarding variant of every fused group, at index `group * %d + forwarding` (see `%s`)." % (width, index_func))
    w.append("    static let %s: [Handler] = make%s()" % (table, table[0].upper() + table[1:]))
    w.append("")
    entries, comments = [], {}
    for i, group in enumerate(groups):
        comments[str(i * width)] = " + ".join(group)
        variants = group_variants(group)
        entries += [(str(i * width + code), expand_fused(list(group), fwd)) for code, fwd in variants]
        present = {code for code, _ in variants}
        entries += [(str(i * width + code), str(i * width)) for code in range(width) if code not in present]
    # Every entry is stored; the initial value only has to be a handler.
    table_builder(w, table, len(groups) * width, expand(OPS["trap"], "threaded"), entries, comments)


def swift_case(kind):
    """The op kind as a Swift enum case name (`fallthrough` is a keyword)."""
    return "`%s`" % kind if kind == "fallthrough" else kind


def emit_handler(w, case, lines):
    """Emits `case <case>: return { ... }`, a handler closure with the given body lines."""
    w.append(f"        case {case}:")
    w.append("            return { ip, r, g, v, w in")
    for line in lines:
        w.append("                " + line)
    w.append("            }")


def main():
    pairs = {pair_name(f, s): (f, s) for f, s in PAIRS}
    assert len(pairs) == len(PAIRS), "duplicate fused pair"
    kinds = sorted(OPS)
    w = []
    w.append("// Generated by Utilities/generate_handlers.py. Do not edit.")
    w.append("// swiftlint:disable all")
    w.append("")
    w.append("extension OpKind {")
    w.append("    /// The trampoline handler of this op (a non-capturing closure, so it converts to a thin function pointer).")
    w.append("    var trampolineHandler: Handler {")
    w.append("        switch self {")
    for k in kinds:
        emit_handler(w, "." + swift_case(k), expand(OPS[k], "trampoline"))
    w.append("        }")
    w.append("    }")
    w.append("")
    w.append("    /// The threaded handler of this op that takes no carried value.")
    w.append("    var threadedHandler: Handler { threadedHandler(a: 0, b: 0)! }")
    w.append("")
    w.append("    /// The threaded handler of this op (a non-capturing closure, so it converts to a thin function pointer) that")
    w.append("    /// reads `r[a]` and `r[b]` from the register file (0), the value carried from the op before (1) or the one")
    w.append("    /// two ops before (2); nil if the op has no such variant.")
    w.append("    func threadedHandler(a: Int, b: Int) -> Handler? {")
    w.append("        guard (0...2).contains(a), (0...2).contains(b) else { return nil }")
    w.append("        let code = a &+ 3 &* b")
    w.append("        guard Self.threadedHandlerVariants[Int(rawValue)] & (1 << code) != 0 else { return nil }")
    w.append("        return Self.threadedHandlerTable[Int(rawValue) &* 9 &+ code]")
    w.append("    }")
    w.append("")
    masks = [0] * 256
    raw_of = {name: raw for name, raw, _ in op_kinds()}
    for k in kinds:
        for sa in input_sources(k, "a"):
            for sb in input_sources(k, "b"):
                masks[raw_of[k]] |= 1 << (sa + 3 * sb)
    w.append("    /// For each raw value, bit `a + 3 * b` set where `threadedHandler(a:b:)` has a variant.")
    w.append("    static let threadedHandlerVariants: [UInt16] = [")
    for i in range(0, 256, 16):
        w.append("        " + ", ".join("0x%03X" % m for m in masks[i:i + 16]) + ",")
    w.append("    ]")
    w.append("")
    w.append("    /// Every single-op threaded handler, at index `rawValue * 9 + a + 3 * b` (`threadedHandler(a:b:)`): a")
    w.append("    /// variant an op does not have holds its plain handler, a raw value no kind has holds `trap`'s. A table")
    w.append("    /// filled by stores, not a switch, so that building the compiler's tables on a process's first load costs little.")
    w.append("    static let threadedHandlerTable: [Handler] = makeThreadedHandlerTable()")
    w.append("")
    entries = []
    for k in kinds:
        base = "Int(OpKind.%s.rawValue) * 9" % swift_case(k)
        for sa in input_sources(k, "a"):
            for sb in input_sources(k, "b"):
                body = OPS[k]
                for reg, src in (("a", sa), ("b", sb)):
                    if src:
                        body = body.replace("r[%s]" % reg, ("v", "w")[src - 1])
                entries.append(("%s + %d" % (base, sa + 3 * sb), expand(body, "threaded")))
        entries += [("%s + %d" % (base, code), base) for code in range(9) if not masks[raw_of[k]] & (1 << code)]
    # Raw values no kind has keep the initial entry, `trap`'s handler.
    table_builder(w, "threadedHandlerTable", 256 * 9, expand(OPS["trap"], "threaded"), entries)
    w.append("")
    for prop, doc, pred in (
            ("readsA", "Whether this op reads `r[a]`.", lambda k: reads(k, "a")),
            ("readsB", "Whether this op reads `r[b]`.", lambda k: reads(k, "b")),
            ("passesValuesThrough", "Whether the op after this one (in the same block) runs right after it, with no register written "
             "but this op's result: the value carried from before this op is then still current.", passes_values_through)):
        w.append("    /// " + doc)
        w.append(f"    var {prop}: Bool {{")
        w.append("        switch self {")
        w.append("        case %s: return true" % ", ".join("." + swift_case(k) for k in kinds if pred(k)))
        w.append("        default: return false")
        w.append("        }")
        w.append("    }")
        w.append("")
    w.append("    /// Whether this op's threaded handler passes its result (the value it writes to `r[d]`) to the next handler.")
    w.append("    var producesValue: Bool {")
    w.append("        switch self {")
    w.append("        case %s: return true" % ", ".join("." + k for k in sorted(k for k in OPS if produces_value(k))))
    w.append("        default: return false")
    w.append("        }")
    w.append("    }")
    w.append("}")
    w.append("")
    w.append("extension OpKind {")
    fused_table(w, ["The threaded handler that runs this op and then `next` (the op after it), if the pair is fused.",
                    "The fused op keeps this op's kind; only its handler changes. `forwarding` is",
                    "`forwarding(to:d:a:b:)` of the pair: the variant that passes this op's result to `next` in a",
                    "host register (the register file is still written), which shortens the dependency chain."],
                "fusedHandler(with next: OpKind, forwarding: Int = 0)", "fusedPairTable", "fusedPairIndex",
                ["first", "second"], PAIRS, 9)
    w.append("")
    w.append("    /// The fused pairs (for the compiler's lookup tables, tests and tools).")
    w.append("    static let fusedPairs: [(OpKind, OpKind)] = [")
    for pair in PAIRS:
        w.append("        (.%s, .%s)," % tuple(swift_case(k) for k in pair))
    w.append("    ]")
    w.append("")
    w.append("    /// The fused triples (for the compiler's lookup tables, tests and tools).")
    w.append("    static let fusedTriples: [(OpKind, OpKind, OpKind)] = [")
    for triple in TRIPLES:
        w.append("        (.%s, .%s, .%s)," % triple)
    w.append("    ]")
    w.append("")
    fused_table(w, ["The threaded handler that runs this op, `next` and `third` (the two ops after it), if the triple",
                    "is fused. The fused op keeps this op's kind; only its handler changes. `forwarding` is the",
                    "first link's `forwarding(to:d:a:b:)` plus 3 times the second's."],
                "fusedHandler(with next: OpKind, and third: OpKind, forwarding: Int = 0)", "fusedTripleTable",
                "fusedTripleIndex", ["first", "second", "third"], TRIPLES, 27)

    w.append("}")
    w.append("")
    write_op_kinds()
    path = os.path.join(ROOT, "Sources", "PolkaVMInterpreter", "Generated", "Handlers.swift")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "w").write("\n".join(w) + "\n")
    print("wrote", os.path.relpath(path, ROOT), "with", len(kinds), "ops,", len(pairs), "fused pairs and", len(TRIPLES), "triples")


if __name__ == "__main__":
    main()
