/// One instruction test: an exported function `name` computing a0 from (a0, a1), with the RISC-V
/// result computed in Swift for RV64 and/or RV32.
struct InstructionCase: Sendable, CustomStringConvertible {
    var name: String
    var body: String
    var ref64: (@Sendable (UInt64, UInt64) -> UInt64)?
    var ref32: (@Sendable (UInt32, UInt32) -> UInt32)?
    var description: String { name }
}

func s64(_ v: UInt64) -> Int64 { Int64(bitPattern: v) }
func s32(_ v: UInt32) -> Int32 { Int32(bitPattern: v) }
func sx(_ v: UInt32) -> UInt64 { UInt64(bitPattern: Int64(Int32(bitPattern: v))) }
func lo(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v) }

func div64(_ a: UInt64, _ b: UInt64) -> UInt64 {
    if b == 0 { return UInt64.max }
    if s64(a) == Int64.min && s64(b) == -1 { return a }
    return UInt64(bitPattern: s64(a) / s64(b))
}
func rem64(_ a: UInt64, _ b: UInt64) -> UInt64 {
    if b == 0 { return a }
    if s64(a) == Int64.min && s64(b) == -1 { return 0 }
    return UInt64(bitPattern: s64(a) % s64(b))
}
func div32(_ a: UInt32, _ b: UInt32) -> UInt32 {
    if b == 0 { return UInt32.max }
    if s32(a) == Int32.min && s32(b) == -1 { return a }
    return UInt32(bitPattern: s32(a) / s32(b))
}
func rem32(_ a: UInt32, _ b: UInt32) -> UInt32 {
    if b == 0 { return a }
    if s32(a) == Int32.min && s32(b) == -1 { return 0 }
    return UInt32(bitPattern: s32(a) % s32(b))
}
func mulhsu64(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let hu = a.multipliedFullWidth(by: b).high
    return s64(a) < 0 ? hu &- b : hu
}
func mulhsu32(_ a: UInt32, _ b: UInt32) -> UInt32 {
    UInt32(truncatingIfNeeded: (Int64(s32(a)) * Int64(b)) >> 32)
}
func orcb<T: FixedWidthInteger & UnsignedInteger>(_ v: T) -> T {
    var r: T = 0
    for i in 0..<(T.bitWidth / 8) where (v >> (8 * i)) & 0xFF != 0 { r |= T(0xFF) << (8 * i) }
    return r
}
func rotr<T: FixedWidthInteger & UnsignedInteger>(_ v: T, _ n: Int) -> T {
    let k = n & (T.bitWidth - 1)
    return k == 0 ? v : (v >> k) | (v << (T.bitWidth - k))
}
func branch(_ op: String) -> String { "\(op) a0, a1, 1f\nli a0, 0\nret\n1:\nli a0, 1\nret" }

let instructionCases: [InstructionCase] = {
    var c: [InstructionCase] = []
    func both(_ name: String, _ body: String, _ r64: @escaping @Sendable (UInt64, UInt64) -> UInt64, _ r32: @escaping @Sendable (UInt32, UInt32) -> UInt32) {
        c.append(InstructionCase(name: name, body: body + "\nret", ref64: r64, ref32: r32))
    }
    func only64(_ name: String, _ body: String, _ r64: @escaping @Sendable (UInt64, UInt64) -> UInt64) {
        c.append(InstructionCase(name: name, body: body + "\nret", ref64: r64, ref32: nil))
    }
    func only32(_ name: String, _ body: String, _ r32: @escaping @Sendable (UInt32, UInt32) -> UInt32) {
        c.append(InstructionCase(name: name, body: body + "\nret", ref64: nil, ref32: r32))
    }
    // RV32I/RV64I register-register.
    both("add", "add a0, a0, a1", { $0 &+ $1 }, { $0 &+ $1 })
    both("sub", "sub a0, a0, a1", { $0 &- $1 }, { $0 &- $1 })
    both("sll", "sll a0, a0, a1", { $0 << ($1 & 63) }, { $0 << ($1 & 31) })
    both("slt", "slt a0, a0, a1", { s64($0) < s64($1) ? 1 : 0 }, { s32($0) < s32($1) ? 1 : 0 })
    both("sltu", "sltu a0, a0, a1", { $0 < $1 ? 1 : 0 }, { $0 < $1 ? 1 : 0 })
    both("xor", "xor a0, a0, a1", { $0 ^ $1 }, { $0 ^ $1 })
    both("srl", "srl a0, a0, a1", { $0 >> ($1 & 63) }, { $0 >> ($1 & 31) })
    both("sra", "sra a0, a0, a1", { UInt64(bitPattern: s64($0) >> ($1 & 63)) }, { UInt32(bitPattern: s32($0) >> ($1 & 31)) })
    both("or", "or a0, a0, a1", { $0 | $1 }, { $0 | $1 })
    both("and", "and a0, a0, a1", { $0 & $1 }, { $0 & $1 })
    // Register-immediate.
    both("addi", "addi a0, a0, -1234", { a, _ in a &+ UInt64(bitPattern: -1234) }, { a, _ in a &+ UInt32(bitPattern: -1234) })
    both("slti", "slti a0, a0, -5", { a, _ in s64(a) < -5 ? 1 : 0 }, { a, _ in s32(a) < -5 ? 1 : 0 })
    both("sltiu", "sltiu a0, a0, 100", { a, _ in a < 100 ? 1 : 0 }, { a, _ in a < 100 ? 1 : 0 })
    both("xori", "xori a0, a0, 0x5a5", { a, _ in a ^ 0x5a5 }, { a, _ in a ^ 0x5a5 })
    both("ori", "ori a0, a0, -16", { a, _ in a | UInt64(bitPattern: -16) }, { a, _ in a | UInt32(bitPattern: -16) })
    both("andi", "andi a0, a0, 0x7f0", { a, _ in a & 0x7f0 }, { a, _ in a & 0x7f0 })
    both("slli", "slli a0, a0, 7", { a, _ in a << 7 }, { a, _ in a << 7 })
    both("srli", "srli a0, a0, 9", { a, _ in a >> 9 }, { a, _ in a >> 9 })
    both("srai", "srai a0, a0, 13", { a, _ in UInt64(bitPattern: s64(a) >> 13) }, { a, _ in UInt32(bitPattern: s32(a) >> 13) })
    only64("slli_high", "slli a0, a0, 40", { a, _ in a << 40 })
    both("lui", "lui a0, 0xfedcb", { _, _ in sx(0xfedc_b000) }, { _, _ in 0xfedc_b000 })
    both("li_large", "li a0, 0x12345678", { _, _ in 0x1234_5678 }, { _, _ in 0x1234_5678 })
    only64("li64", "li a0, 0x123456789abcdef0", { _, _ in 0x1234_5678_9abc_def0 })
    // RV64-only word forms.
    only64("addw", "addw a0, a0, a1", { sx(lo($0) &+ lo($1)) })
    only64("subw", "subw a0, a0, a1", { sx(lo($0) &- lo($1)) })
    only64("sllw", "sllw a0, a0, a1", { sx(lo($0) << (lo($1) & 31)) })
    only64("srlw", "srlw a0, a0, a1", { sx(lo($0) >> (lo($1) & 31)) })
    only64("sraw", "sraw a0, a0, a1", { sx(UInt32(bitPattern: s32(lo($0)) >> (lo($1) & 31))) })
    only64("addiw", "addiw a0, a0, 77", { a, _ in sx(lo(a) &+ 77) })
    only64("slliw", "slliw a0, a0, 5", { a, _ in sx(lo(a) << 5) })
    only64("srliw", "srliw a0, a0, 5", { a, _ in sx(lo(a) >> 5) })
    only64("sraiw", "sraiw a0, a0, 5", { a, _ in sx(UInt32(bitPattern: s32(lo(a)) >> 5)) })
    // M.
    both("mul", "mul a0, a0, a1", { $0 &* $1 }, { $0 &* $1 })
    both("mulh", "mulh a0, a0, a1", { UInt64(bitPattern: s64($0).multipliedFullWidth(by: s64($1)).high) },
         { UInt32(truncatingIfNeeded: (Int64(s32($0)) * Int64(s32($1))) >> 32) })
    both("mulhu", "mulhu a0, a0, a1", { $0.multipliedFullWidth(by: $1).high }, { $0.multipliedFullWidth(by: $1).high })
    both("mulhsu", "mulhsu a0, a0, a1", mulhsu64, mulhsu32)
    both("div", "div a0, a0, a1", div64, div32)
    both("divu", "divu a0, a0, a1", { $1 == 0 ? UInt64.max : $0 / $1 }, { $1 == 0 ? UInt32.max : $0 / $1 })
    both("rem", "rem a0, a0, a1", rem64, rem32)
    both("remu", "remu a0, a0, a1", { $1 == 0 ? $0 : $0 % $1 }, { $1 == 0 ? $0 : $0 % $1 })
    only64("mulw", "mulw a0, a0, a1", { sx(lo($0) &* lo($1)) })
    only64("divw", "divw a0, a0, a1", { sx(div32(lo($0), lo($1))) })
    only64("divuw", "divuw a0, a0, a1", { sx(lo($1) == 0 ? UInt32.max : lo($0) / lo($1)) })
    only64("remw", "remw a0, a0, a1", { sx(rem32(lo($0), lo($1))) })
    only64("remuw", "remuw a0, a0, a1", { sx(lo($1) == 0 ? lo($0) : lo($0) % lo($1)) })
    // Zbb.
    both("andn", "andn a0, a0, a1", { $0 & ~$1 }, { $0 & ~$1 })
    both("orn", "orn a0, a0, a1", { $0 | ~$1 }, { $0 | ~$1 })
    both("xnor", "xnor a0, a0, a1", { ~($0 ^ $1) }, { ~($0 ^ $1) })
    both("min", "min a0, a0, a1", { s64($0) < s64($1) ? $0 : $1 }, { s32($0) < s32($1) ? $0 : $1 })
    both("minu", "minu a0, a0, a1", { min($0, $1) }, { min($0, $1) })
    both("max", "max a0, a0, a1", { s64($0) > s64($1) ? $0 : $1 }, { s32($0) > s32($1) ? $0 : $1 })
    both("maxu", "maxu a0, a0, a1", { max($0, $1) }, { max($0, $1) })
    // Forms with the zero register as an operand (clang emits `max rd, rs, zero` for clamps); the
    // linker materializes a zero in a scratch register.
    both("max_zero", "max a0, a0, zero", { a, _ in s64(a) > 0 ? a : 0 }, { a, _ in s32(a) > 0 ? a : 0 })
    both("min_zero", "min a0, zero, a1", { _, b in s64(b) < 0 ? b : 0 }, { _, b in s32(b) < 0 ? b : 0 })
    both("max_zero_other", "max a2, a1, zero\nmv a0, a2", { _, b in s64(b) > 0 ? b : 0 }, { _, b in s32(b) > 0 ? b : 0 })
    both("div_zero_dividend", "div a0, zero, a1", { _, b in b == 0 ? UInt64.max : 0 }, { _, b in b == 0 ? UInt32.max : 0 })
    both("divu_zero_dividend", "divu a0, zero, a1", { _, b in b == 0 ? UInt64.max : 0 }, { _, b in b == 0 ? UInt32.max : 0 })
    both("rol", "rol a0, a0, a1", { rotr($0, 64 - Int($1 & 63)) }, { rotr($0, 32 - Int($1 & 31)) })
    both("ror", "ror a0, a0, a1", { rotr($0, Int($1 & 63)) }, { rotr($0, Int($1 & 31)) })
    both("rori", "rori a0, a0, 11", { a, _ in rotr(a, 11) }, { a, _ in rotr(a, 11) })
    both("clz", "clz a0, a0", { a, _ in UInt64(a.leadingZeroBitCount) }, { a, _ in UInt32(a.leadingZeroBitCount) })
    both("ctz", "ctz a0, a0", { a, _ in UInt64(a.trailingZeroBitCount) }, { a, _ in UInt32(a.trailingZeroBitCount) })
    both("cpop", "cpop a0, a0", { a, _ in UInt64(a.nonzeroBitCount) }, { a, _ in UInt32(a.nonzeroBitCount) })
    both("sext_b", "sext.b a0, a0", { a, _ in UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: a))) }, { a, _ in UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: a))) })
    both("sext_h", "sext.h a0, a0", { a, _ in UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: a))) }, { a, _ in UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: a))) })
    both("zext_h", "zext.h a0, a0", { a, _ in a & 0xFFFF }, { a, _ in a & 0xFFFF })
    both("rev8", "rev8 a0, a0", { a, _ in a.byteSwapped }, { a, _ in a.byteSwapped })
    both("orc_b", "orc.b a0, a0", { a, _ in orcb(a) }, { a, _ in orcb(a) })
    both("orc_b_same_inputs", "mv a2, a0\norc.b a1, a2\nmv a0, a1", { a, _ in orcb(a) }, { a, _ in orcb(a) })
    only64("rolw", "rolw a0, a0, a1", { sx(rotr(lo($0), 32 - Int($1 & 31))) })
    only64("rorw", "rorw a0, a0, a1", { sx(rotr(lo($0), Int($1 & 31))) })
    only64("roriw", "roriw a0, a0, 7", { a, _ in sx(rotr(lo(a), 7)) })
    only64("clzw", "clzw a0, a0", { a, _ in UInt64(lo(a).leadingZeroBitCount) })
    only64("ctzw", "ctzw a0, a0", { a, _ in UInt64(lo(a).trailingZeroBitCount) })
    only64("cpopw", "cpopw a0, a0", { a, _ in UInt64(lo(a).nonzeroBitCount) })
    // XTheadCondMov.
    both("th_mveqz", "li a2, 99\nth.mveqz a2, a0, a1\nmv a0, a2", { $1 == 0 ? $0 : 99 }, { $1 == 0 ? $0 : 99 })
    both("th_mvnez", "li a2, 99\nth.mvnez a2, a0, a1\nmv a0, a2", { $1 != 0 ? $0 : 99 }, { $1 != 0 ? $0 : 99 })
    // x0 operands.
    both("neg", "neg a0, a1", { 0 &- $1 }, { 0 &- $1 })
    both("snez", "snez a0, a1", { $1 != 0 ? 1 : 0 }, { $1 != 0 ? 1 : 0 })
    both("sltz", "sltz a0, a1", { s64($1) < 0 ? 1 : 0 }, { s32($1) < 0 ? 1 : 0 })
    both("sgtz", "sgtz a0, a1", { s64($1) > 0 ? 1 : 0 }, { s32($1) > 0 ? 1 : 0 })
    only64("sext_w", "sext.w a0, a1", { sx(lo($1)) })
    // Loads and stores (through the stack).
    for (st, ld, name, r64, r32) in [
        ("sb", "lb", "lb", { @Sendable (a: UInt64) in UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: a))) }, { @Sendable (a: UInt32) in UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: a))) }),
        ("sb", "lbu", "lbu", { @Sendable (a: UInt64) in a & 0xFF }, { @Sendable (a: UInt32) in a & 0xFF }),
        ("sh", "lh", "lh", { @Sendable (a: UInt64) in UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: a))) }, { @Sendable (a: UInt32) in UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: a))) }),
        ("sh", "lhu", "lhu", { @Sendable (a: UInt64) in a & 0xFFFF }, { @Sendable (a: UInt32) in a & 0xFFFF }),
        ("sw", "lw", "lw", { @Sendable (a: UInt64) in sx(lo(a)) }, { @Sendable (a: UInt32) in a }),
    ] as [(String, String, String, @Sendable (UInt64) -> UInt64, @Sendable (UInt32) -> UInt32)] {
        both("\(name)_\(st)", "addi sp, sp, -16\n\(st) a0, 3(sp)\n\(ld) a0, 3(sp)\naddi sp, sp, 16", { a, _ in r64(a) }, { a, _ in r32(a) })
    }
    only64("ld_sd", "addi sp, sp, -16\nsd a0, 5(sp)\nld a0, 5(sp)\naddi sp, sp, 16", { a, _ in a })
    only64("lwu_sw", "addi sp, sp, -16\nsw a0, 0(sp)\nlwu a0, 0(sp)\naddi sp, sp, 16", { a, _ in a & 0xFFFF_FFFF })
    both("store_zero", "addi sp, sp, -16\nsw a0, 0(sp)\nsh zero, 0(sp)\nlw a0, 0(sp)\naddi sp, sp, 16", { a, _ in sx(lo(a) & 0xFFFF_0000) }, { a, _ in a & 0xFFFF_0000 })
    // Branches (taken and not taken, register and zero forms).
    both("beq", branch("beq"), { $0 == $1 ? 1 : 0 }, { $0 == $1 ? 1 : 0 })
    both("bne", branch("bne"), { $0 != $1 ? 1 : 0 }, { $0 != $1 ? 1 : 0 })
    both("blt", branch("blt"), { s64($0) < s64($1) ? 1 : 0 }, { s32($0) < s32($1) ? 1 : 0 })
    both("bge", branch("bge"), { s64($0) >= s64($1) ? 1 : 0 }, { s32($0) >= s32($1) ? 1 : 0 })
    both("bltu", branch("bltu"), { $0 < $1 ? 1 : 0 }, { $0 < $1 ? 1 : 0 })
    both("bgeu", branch("bgeu"), { $0 >= $1 ? 1 : 0 }, { $0 >= $1 ? 1 : 0 })
    both("bgtz", "bgtz a0, 1f\nli a0, 0\nret\n1:\nli a0, 1", { a, _ in s64(a) > 0 ? 1 : 0 }, { a, _ in s32(a) > 0 ? 1 : 0 })
    both("blez", "blez a0, 1f\nli a0, 0\nret\n1:\nli a0, 1", { a, _ in s64(a) <= 0 ? 1 : 0 }, { a, _ in s32(a) <= 0 ? 1 : 0 })
    both("bltz", "bltz a0, 1f\nli a0, 0\nret\n1:\nli a0, 1", { a, _ in s64(a) < 0 ? 1 : 0 }, { a, _ in s32(a) < 0 ? 1 : 0 })
    both("bgez", "bgez a0, 1f\nli a0, 0\nret\n1:\nli a0, 1", { a, _ in s64(a) >= 0 ? 1 : 0 }, { a, _ in s32(a) >= 0 ? 1 : 0 })
    // Calls: jal, jalr, call/tail, a loop.
    both("jal_call", "addi sp, sp, -16\nsd_or_sw ra, 0(sp)\njal ra, helper_double\nld_or_lw ra, 0(sp)\naddi sp, sp, 16", { a, _ in a &* 2 }, { a, _ in a &* 2 })
    both("call_pseudo", "mv t0, ra\ncall helper_double\nmv ra, t0", { a, _ in a &* 2 }, { a, _ in a &* 2 })
    both("tail_pseudo", "tail helper_double", { a, _ in a &* 2 }, { a, _ in a &* 2 })
    both("jalr_pointer", "mv t0, ra\nlla a2, helper_double\njalr ra, 0(a2)\nmv ra, t0", { a, _ in a &* 2 }, { a, _ in a &* 2 })
    both("jr_pointer", "lla a2, helper_double\njr a2", { a, _ in a &* 2 }, { a, _ in a &* 2 })
    both("loop_sum", "andi a1, a1, 0xff\nli a2, 0\n1:\nbeqz a1, 2f\nadd a2, a2, a0\naddi a1, a1, -1\nj 1b\n2:\nmv a0, a2", { a, b in a &* (b & 0xFF) }, { a, b in a &* (b & 0xFF) })
    // Every compressed form (explicit mnemonics).
    both("c_addi4spn", "c.addi4spn a0, sp, 24\nsub a0, a0, sp", { _, _ in 24 }, { _, _ in 24 })
    both("c_lw_c_sw", "addi a2, sp, -16\nc.sw a1, 4(a2)\nc.lw a0, 4(a2)", { _, b in sx(lo(b)) }, { _, b in b })
    only64("c_ld_c_sd", "addi a2, sp, -16\nc.sd a1, 8(a2)\nc.ld a0, 8(a2)", { _, b in b })
    both("c_addi", "c.addi a0, -7", { a, _ in a &- 7 }, { a, _ in a &- 7 })
    both("c_nop", "c.nop\nmv a0, a1", { _, b in b }, { _, b in b })
    only32("c_jal", "mv t0, ra\nc.jal helper_double\nmv ra, t0", { a, _ in a &* 2 })
    only64("c_addiw", "c.addiw a0, 3", { a, _ in sx(lo(a) &+ 3) })
    both("c_li", "c.li a0, -9", { _, _ in UInt64(bitPattern: -9) }, { _, _ in UInt32(bitPattern: -9) })
    both("c_addi16sp", "mv a2, sp\nc.addi16sp sp, -64\nsub a0, a2, sp\nc.addi16sp sp, 64", { _, _ in 64 }, { _, _ in 64 })
    both("c_lui", "c.lui a0, 0xfffe1", { _, _ in UInt64(bitPattern: -0x1f000) }, { _, _ in UInt32(bitPattern: -0x1f000) })
    both("c_srli", "c.srli a0, 3", { a, _ in a >> 3 }, { a, _ in a >> 3 })
    both("c_srai", "c.srai a0, 3", { a, _ in UInt64(bitPattern: s64(a) >> 3) }, { a, _ in UInt32(bitPattern: s32(a) >> 3) })
    both("c_andi", "c.andi a0, -4", { a, _ in a & ~3 }, { a, _ in a & ~3 })
    both("c_sub", "c.sub a0, a1", { $0 &- $1 }, { $0 &- $1 })
    both("c_xor", "c.xor a0, a1", { $0 ^ $1 }, { $0 ^ $1 })
    both("c_or", "c.or a0, a1", { $0 | $1 }, { $0 | $1 })
    both("c_and", "c.and a0, a1", { $0 & $1 }, { $0 & $1 })
    only64("c_subw", "c.subw a0, a1", { sx(lo($0) &- lo($1)) })
    only64("c_addw", "c.addw a0, a1", { sx(lo($0) &+ lo($1)) })
    both("c_j", "c.j 1f\nli a0, 5\n1:\nc.addi a0, 1", { a, _ in a &+ 1 }, { a, _ in a &+ 1 })
    both("c_beqz", "c.beqz a0, 1f\nli a0, 0\nret\n1:\nli a0, 1", { a, _ in a == 0 ? 1 : 0 }, { a, _ in a == 0 ? 1 : 0 })
    both("c_bnez", "c.bnez a0, 1f\nli a0, 0\nret\n1:\nli a0, 1", { a, _ in a != 0 ? 1 : 0 }, { a, _ in a != 0 ? 1 : 0 })
    both("c_slli", "c.slli a0, 5", { a, _ in a << 5 }, { a, _ in a << 5 })
    both("c_lwsp_c_swsp", "c.addi16sp sp, -16\nc.swsp a1, 12(sp)\nc.lwsp a0, 12(sp)\nc.addi16sp sp, 16", { _, b in sx(lo(b)) }, { _, b in b })
    only64("c_ldsp_c_sdsp", "c.addi16sp sp, -16\nc.sdsp a1, 8(sp)\nc.ldsp a0, 8(sp)\nc.addi16sp sp, 16", { _, b in b })
    both("c_jr", "lla a2, helper_double\nc.jr a2", { a, _ in a &* 2 }, { a, _ in a &* 2 })
    both("c_mv", "c.mv a0, a1", { _, b in b }, { _, b in b })
    both("c_jalr", "mv t0, ra\nlla a2, helper_double\nc.jalr a2\nmv ra, t0", { a, _ in a &* 2 }, { a, _ in a &* 2 })
    both("c_add", "c.add a0, a1", { $0 &+ $1 }, { $0 &+ $1 })
    // fence is a no-op.
    both("fence", "fence\nfence.i\nmv a0, a1", { _, b in b }, { _, b in b })
    return c
}()

/// Atomic instruction cases: memory starts with a0; the function returns (old value, new memory value).
struct AtomicCase: Sendable, CustomStringConvertible {
    var mnemonic: String
    var doubleword: Bool
    var op: @Sendable (UInt64, UInt64) -> UInt64
    var description: String { mnemonic }
}

let atomicCases: [AtomicCase] = {
    var c: [AtomicCase] = []
    let ops: [(String, @Sendable (UInt64, UInt64, Bool) -> UInt64)] = [
        ("amoswap", { _, b, _ in b }),
        ("amoadd", { a, b, _ in a &+ b }),
        ("amoxor", { a, b, _ in a ^ b }),
        ("amoand", { a, b, _ in a & b }),
        ("amoor", { a, b, _ in a | b }),
        ("amomin", { a, b, w in w ? (s32(lo(a)) < s32(lo(b)) ? a : b) : (s64(a) < s64(b) ? a : b) }),
        ("amomax", { a, b, w in w ? (s32(lo(a)) > s32(lo(b)) ? a : b) : (s64(a) > s64(b) ? a : b) }),
        ("amominu", { a, b, w in w ? (lo(a) < lo(b) ? a : b) : min(a, b) }),
        ("amomaxu", { a, b, w in w ? (lo(a) > lo(b) ? a : b) : max(a, b) }),
    ]
    for (name, f) in ops {
        c.append(AtomicCase(mnemonic: "\(name).w", doubleword: false, op: { f($0, $1, true) }))
        c.append(AtomicCase(mnemonic: "\(name).d", doubleword: true, op: { f($0, $1, false) }))
    }
    return c
}()
