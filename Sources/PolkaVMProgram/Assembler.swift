/// A problem in assembler source: where it is (1-based line and column) and what is wrong.
public struct AssemblerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based source line.
    public var line: Int
    /// The 1-based column (in UTF-8 bytes) within the line.
    public var column: Int
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line L, column C: message`.
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// Assembles upstream PolkaVM's textual assembly (the syntax of `polkatool assemble` and of the spectool test
/// sources, which is also what the disassembler prints) into a ``ProgramBlob``.
///
/// One statement per line; `//` starts a comment. Statements:
/// * directives: `%isa = latest64|latest32|revive_v1|jam_v1`, `%ro_data_size = N`, `%rw_data_size = N`,
///   `%stack_size = N`, `%ro_data = 01 02 ...`, `%rw_data = ...` (hex bytes);
/// * labels: `@name:`, exported `pub @name:`, either optionally followed by `%no_fallthrough`;
/// * instructions in assignment syntax, e.g. `a0 = a1 + 0x10`, `i32 a0 = a1 * a2`, `a0 = u8 [a1 + 4]`,
///   `u32 [sp + 8] = a0`, `jump @loop if a0 <u 10`, `ra = 2, jump @f`, `ret`, `ecalli 3`.
///
/// Labels name the start of the current basic block; a label after an instruction that can fall through
/// gets a `fallthrough` inserted before it (as upstream does) unless `%no_fallthrough` is given.
/// `reg = @label` loads the label's dynamic jump-table address (a new jump-table entry per use).
///
/// A disassembler listing (the default output of `polkavm disasm`) is accepted too and reassembles to
/// the same code bytes.
public enum Assembler {
    /// Assembles `source`. `isa` is the instruction set unless the source has an `%isa` directive.
    public static func assemble(_ source: String, isa: InstructionSetKind = .latest64) throws(AssemblerError) -> ProgramBlob {
        var state = AssemblerState(isa: isa)
        if isListing(source) {
            // A disassembler listing: keep its code offsets and jump table so the code comes back as it was.
            let listing = listingSource(source)
            state.listingOffsets = listing.offsets
            state.listingJumpTable = listing.jumpTable
            try state.run(listing.source)
        } else {
            try state.run(source)
        }
        return try state.finish()
    }
}

// MARK: - Tokens

struct AsmToken {
    enum Kind { case ident, number, label, op, directive }
    var kind: Kind
    var text: String
    var column: Int
}

/// A parsed integer literal: an optional minus sign and a 64-bit magnitude.
struct AsmLiteral {
    var negative: Bool
    var magnitude: UInt64
    var column: Int

    /// The value as a 64-bit two's-complement pattern, if it fits.
    var pattern: UInt64? {
        if !negative { return magnitude }
        if magnitude > (1 << 63) { return nil }
        return 0 &- magnitude
    }

    /// The value as a 32-bit immediate when it is exactly a sign-extended 32-bit value (`-1`,
    /// `0xffffffffffffffff`), or, with `allowUnsigned32`, any value in `0...0xffffffff`.
    func imm32(allowUnsigned32: Bool) -> UInt32? {
        guard let p = pattern else { return nil }
        let s = Int64(bitPattern: p)
        if s >= Int64(Int32.min) && s <= Int64(Int32.max) { return UInt32(truncatingIfNeeded: p) }
        if allowUnsigned32 && !negative && magnitude <= 0xFFFF_FFFF { return UInt32(magnitude) }
        return nil
    }
}

func tokenizeAssemblyLine(_ bytes: ArraySlice<UInt8>, line: Int) throws(AssemblerError) -> [AsmToken] {
    var tokens: [AsmToken] = []
    let base = bytes.startIndex
    var i = bytes.startIndex
    let end = bytes.endIndex
    @inline(__always) func isIdentStart(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 }
    @inline(__always) func isIdent(_ c: UInt8) -> Bool { isIdentStart(c) || (c >= 48 && c <= 57) }
    @inline(__always) func isLabelChar(_ c: UInt8) -> Bool { isIdent(c) || c == 46 || c == 36 }
    func text(_ from: Int, _ to: Int) -> String { String(decoding: bytes[from..<to], as: UTF8.self) }
    let operators: [[UInt8]] = [
        "<=u", "<=s", ">=u", ">=s", "<<r", ">>r", ">>a", "<<", ">>", "<u", "<s", ">u", ">s", "==", "!=",
        "/u", "/s", "..", "+", "-", "*", "&", "|", "^", "~", "=", ",", "[", "]", "(", ")", ":",
    ].map { Array($0.utf8) }
    while i < end {
        let c = bytes[i]
        let column = i - base + 1
        if c == 32 || c == 9 || c == 13 { i += 1; continue }
        if isIdentStart(c) {
            var j = i + 1
            while j < end && isIdent(bytes[j]) { j += 1 }
            tokens.append(AsmToken(kind: .ident, text: text(i, j), column: column))
            i = j
            continue
        }
        if c >= 48 && c <= 57 {
            var j = i + 1
            while j < end && isIdent(bytes[j]) { j += 1 }
            tokens.append(AsmToken(kind: .number, text: text(i, j), column: column))
            i = j
            continue
        }
        if c == 64 { // @
            var j = i + 1
            while j < end && isLabelChar(bytes[j]) { j += 1 }
            if j == i + 1 { throw AssemblerError(line: line, column: column, message: "expected a label name after '@'") }
            tokens.append(AsmToken(kind: .label, text: text(i + 1, j), column: column))
            i = j
            continue
        }
        if c == 37 { // %
            // `%u` / `%s` are the remainder operators; `%name` is a directive keyword.
            if i + 1 < end, bytes[i + 1] == 117 || bytes[i + 1] == 115, i + 2 >= end || !isIdent(bytes[i + 2]) {
                tokens.append(AsmToken(kind: .op, text: text(i, i + 2), column: column))
                i += 2
                continue
            }
            var j = i + 1
            while j < end && isIdent(bytes[j]) { j += 1 }
            if j == i + 1 { throw AssemblerError(line: line, column: column, message: "unexpected character '%'") }
            tokens.append(AsmToken(kind: .directive, text: text(i, j), column: column))
            i = j
            continue
        }
        var matched = false
        for op in operators where end - i >= op.count {
            if bytes[i..<(i + op.count)].elementsEqual(op) {
                tokens.append(AsmToken(kind: .op, text: String(decoding: op, as: UTF8.self), column: column))
                i += op.count
                matched = true
                break
            }
        }
        if !matched {
            var j = i + 1
            while j < end && bytes[j] & 0xC0 == 0x80 { j += 1 }
            throw AssemblerError(line: line, column: column, message: "unexpected character '\(text(i, j))'")
        }
    }
    return tokens
}

// MARK: - Statement parsing

/// Where a jump, branch or `load_imm_and_jump` goes before labels are resolved.
enum AsmTarget {
    case label(String, column: Int)
    case pc(UInt32)
}

struct AsmItem {
    var instruction: Instruction
    var target: AsmTarget?
    /// For `reg = @label`: the label whose jump-table address is loaded.
    var labelAddress: (name: String, column: Int)?
    var line: Int
    var column: Int
}

enum AsmBinaryOp {
    case add, sub, and, xor, or, mul, divU, divS, remU, remS, lessU, lessS, greaterU, greaterS
    case shl, shr, sar, rotl, rotr, andInverted, orInverted, mulh, mulhu, mulhsu

    init?(token: String) {
        switch token {
        case "+": self = .add
        case "-": self = .sub
        case "&": self = .and
        case "^": self = .xor
        case "|": self = .or
        case "*": self = .mul
        case "/u": self = .divU
        case "/s": self = .divS
        case "%u": self = .remU
        case "%s": self = .remS
        case "<u": self = .lessU
        case "<s": self = .lessS
        case ">u": self = .greaterU
        case ">s": self = .greaterS
        case "<<": self = .shl
        case ">>": self = .shr
        case ">>a": self = .sar
        case "<<r": self = .rotl
        case ">>r": self = .rotr
        case "mulh": self = .mulh
        case "mulhu": self = .mulhu
        case "mulhsu": self = .mulhsu
        default: return nil
        }
    }
}

enum AsmCondition {
    case eq, ne, ltU, ltS, leU, leS, gtU, gtS, geU, geS

    init?(token: String) {
        switch token {
        case "==": self = .eq
        case "!=": self = .ne
        case "<u": self = .ltU
        case "<s": self = .ltS
        case "<=u": self = .leU
        case "<=s": self = .leS
        case ">u": self = .gtU
        case ">s": self = .gtS
        case ">=u": self = .geU
        case ">=s": self = .geS
        default: return nil
        }
    }

    /// The condition with its operands swapped (`a < b` ⇔ `b > a`).
    var reversed: AsmCondition {
        switch self {
        case .eq: return .eq
        case .ne: return .ne
        case .ltU: return .gtU
        case .ltS: return .gtS
        case .leU: return .geU
        case .leS: return .geS
        case .gtU: return .ltU
        case .gtS: return .ltS
        case .geU: return .leU
        case .geS: return .leS
        }
    }
}

enum AsmOperand {
    case reg(UInt8, column: Int)
    case imm(AsmLiteral)
}

struct AsmLineParser {
    let tokens: [AsmToken]
    var index = 0
    let line: Int
    let isa: InstructionSetKind
    let lineColumn: Int

    init(tokens: [AsmToken], line: Int, isa: InstructionSetKind) {
        self.tokens = tokens
        self.line = line
        self.isa = isa
        self.lineColumn = tokens.first?.column ?? 1
    }

    var atEnd: Bool { index >= tokens.count }
    var peek: AsmToken? { index < tokens.count ? tokens[index] : nil }
    func peek(_ offset: Int) -> AsmToken? { index + offset < tokens.count ? tokens[index + offset] : nil }
    var column: Int { peek?.column ?? ((tokens.last.map { $0.column + $0.text.utf8.count }) ?? lineColumn) }

    func error(_ message: String, column: Int? = nil) -> AssemblerError {
        AssemblerError(line: line, column: column ?? self.column, message: message)
    }

    func isOp(_ text: String, _ offset: Int = 0) -> Bool {
        guard let t = peek(offset) else { return false }
        return t.kind == .op && t.text == text
    }

    func isIdent(_ text: String, _ offset: Int = 0) -> Bool {
        guard let t = peek(offset) else { return false }
        return t.kind == .ident && t.text == text
    }

    mutating func acceptOp(_ text: String) -> Bool {
        if isOp(text) { index += 1; return true }
        return false
    }

    mutating func expectOp(_ text: String) throws(AssemblerError) {
        guard acceptOp(text) else { throw error(unexpected("'\(text)'")) }
    }

    mutating func expectIdent(_ text: String) throws(AssemblerError) {
        guard isIdent(text) else { throw error(unexpected("'\(text)'")) }
        index += 1
    }

    mutating func expectEnd() throws(AssemblerError) {
        if let t = peek { throw error("unexpected '\(t.text)' at the end of the statement", column: t.column) }
    }

    func unexpected(_ expected: String) -> String {
        if let t = peek { return "expected \(expected), found '\(t.text)'" }
        return "expected \(expected) at the end of the line"
    }

    static func register(named name: String) -> UInt8? {
        Reg(name: name)?.rawValue
    }

    /// Whether the next token is a register name.
    var atRegister: Bool {
        guard let t = peek, t.kind == .ident else { return false }
        return Self.register(named: t.text) != nil
    }

    mutating func parseRegister() throws(AssemblerError) -> UInt8 {
        guard let t = peek else { throw error("expected a register at the end of the line") }
        guard t.kind == .ident else { throw error("expected a register, found '\(t.text)'", column: t.column) }
        guard let r = Self.register(named: t.text) else {
            throw error("unknown register '\(t.text)'", column: t.column)
        }
        index += 1
        return r
    }

    /// Whether the next tokens are an integer literal (with an optional leading minus sign).
    var atLiteral: Bool {
        if peek?.kind == .number { return true }
        return isOp("-") && peek(1)?.kind == .number
    }

    mutating func parseLiteral() throws(AssemblerError) -> AsmLiteral {
        let column = self.column
        let negative = acceptOp("-")
        guard let t = peek, t.kind == .number else { throw error(unexpected("a number")) }
        index += 1
        let s = Substring(t.text.lowercased())
        let parsed: UInt64?
        if s.hasPrefix("0x") {
            parsed = s.count > 2 ? UInt64(s.dropFirst(2), radix: 16) : nil
        } else if s.hasPrefix("0b") {
            parsed = s.count > 2 ? UInt64(s.dropFirst(2), radix: 2) : nil
        } else {
            parsed = UInt64(s, radix: 10)
        }
        guard let magnitude = parsed else {
            throw error("invalid number '\(t.text)' (or it does not fit in 64 bits)", column: t.column)
        }
        return AsmLiteral(negative: negative, magnitude: magnitude, column: column)
    }

    /// A 32-bit immediate operand. `lenient` also accepts `0...0xffffffff` (upstream's `parse_imm`, used for
    /// addresses, offsets and comparison operands); otherwise values in `0x80000000...0xffffffff` are only
    /// accepted by 32-bit instruction sets (upstream's `parse_immediate`, for values that get sign-extended).
    func imm32(_ literal: AsmLiteral, lenient: Bool) throws(AssemblerError) -> UInt64 {
        guard let v = literal.imm32(allowUnsigned32: lenient || !isa.is64Bit) else {
            throw error("the immediate does not fit in 32 bits (sign-extended)", column: literal.column)
        }
        return Instruction.immediate(Int32(bitPattern: v))
    }

    mutating func parseImm32(lenient: Bool) throws(AssemblerError) -> UInt64 {
        let literal = try parseLiteral()
        return try imm32(literal, lenient: lenient)
    }

    mutating func parseOperand() throws(AssemblerError) -> AsmOperand {
        if atLiteral { return .imm(try parseLiteral()) }
        let column = self.column
        return .reg(try parseRegister(), column: column)
    }

    /// `[reg]`, `[reg + imm]`, `[reg - imm]`: base register and offset.
    /// `[imm]`: absolute address (`base == nil`).
    mutating func parseMemory() throws(AssemblerError) -> (base: UInt8?, offset: UInt64) {
        try expectOp("[")
        if atLiteral {
            let address = try parseImm32(lenient: true)
            try expectOp("]")
            return (nil, address)
        }
        let base = try parseRegister()
        var offset: UInt64 = 0
        if acceptOp("+") {
            offset = try parseImm32(lenient: true)
        } else if isOp("-") && peek(1)?.kind == .number {
            var literal = try parseLiteral()
            literal.negative = true
            offset = try imm32(literal, lenient: true)
        }
        try expectOp("]")
        return (base, offset)
    }

    /// `@label` or an absolute code offset.
    mutating func parseJumpTarget() throws(AssemblerError) -> AsmTarget {
        guard let t = peek else { throw error("expected a label ('@name') at the end of the line") }
        if t.kind == .label {
            index += 1
            return .label(t.text, column: t.column)
        }
        if t.kind == .number {
            let literal = try parseLiteral()
            guard !literal.negative, literal.magnitude <= 0xFFFF_FFFF else {
                throw error("a code offset must be in 0...0xffffffff", column: literal.column)
            }
            return .pc(UInt32(literal.magnitude))
        }
        throw error("expected a label ('@name'), found '\(t.text)'", column: t.column)
    }

    // MARK: statements

    mutating func parseStatement() throws(AssemblerError) -> AsmItem {
        let column = lineColumn
        let line = self.line
        func item(_ inst: Instruction, target: AsmTarget? = nil) -> AsmItem {
            AsmItem(instruction: inst, target: target, labelAddress: nil, line: line, column: column)
        }
        guard let first = peek else { throw error("empty statement") }

        if first.kind == .ident && tokens.count == 1 {
            switch first.text {
            case "trap": return item(Instruction(.trap))
            case "fallthrough": return item(Instruction(.fallthrough))
            case "unlikely": return item(Instruction(.unlikely))
            case "memset": return item(Instruction(.memset))
            case "ret": return item(Instruction(.jumpIndirect, regA: Reg.ra.rawValue))
            case "nop": return item(Instruction(.moveReg, regA: Reg.ra.rawValue, regB: Reg.ra.rawValue))
            case "invalid": throw error("'invalid' cannot be assembled (it stands for an undefined opcode)")
            default: break
            }
        }

        if first.kind == .ident {
            switch first.text {
            case "ecalli":
                index += 1
                let literal = try parseLiteral()
                guard let v = literal.imm32(allowUnsigned32: true), !literal.negative || literal.magnitude == 0 else {
                    throw error("the host call number must be in 0...0xffffffff", column: literal.column)
                }
                try expectEnd()
                return item(Instruction(.ecalli, imm1: Instruction.immediate(Int32(bitPattern: v))))
            case "jump":
                index += 1
                return try parseJump(item)
            case "tmp" where isOp("=", 1):
                index += 2
                return try parseTmpJump(item)
            case "u8", "u16", "u32", "u64":
                if isOp("[", 1) { return try parseStore(item) }
            default:
                break
            }
        }

        if first.kind == .op && first.text == "[" {
            return try parseMemset(item)
        }

        var is32 = false
        if isIdent("i32") && peek(1)?.kind == .ident && isOp("=", 2) {
            is32 = true
            index += 1
        }
        if let t = peek, t.kind == .ident, isOp("=", 1) {
            let dst = try parseRegister()
            index += 1 // '='
            return try parseAssignment(dst: dst, is32: is32, item)
        }
        if let t = peek, t.kind == .ident, !atRegister, !isOp("=", 1) {
            throw error("unknown instruction '\(t.text)'", column: t.column)
        }
        throw error("cannot parse this statement", column: column)
    }

    mutating func parseJump(_ item: (Instruction, AsmTarget?) -> AsmItem) throws(AssemblerError) -> AsmItem {
        if isOp("[") {
            let mem = try parseMemory()
            try expectEnd()
            guard let base = mem.base else { throw error("an indirect jump needs a base register") }
            return item(Instruction(.jumpIndirect, regA: base, imm1: mem.offset), nil)
        }
        let target = try parseJumpTarget()
        if atEnd { return item(Instruction(.jump), target) }
        try expectIdent("if")
        let lhsColumn = column
        let lhs = try parseOperand()
        guard let condToken = peek, condToken.kind == .op, let cond = AsmCondition(token: condToken.text) else {
            throw error(unexpected("a comparison (==, !=, <u, <s, <=u, <=s, >u, >s, >=u, >=s)"))
        }
        index += 1
        let rhs = try parseOperand()
        try expectEnd()
        switch (lhs, rhs) {
        case (.reg(let a, _), .reg(let b, _)):
            let (opcode, x, y): (Opcode, UInt8, UInt8)
            switch cond {
            case .eq: (opcode, x, y) = (.branchEq, a, b)
            case .ne: (opcode, x, y) = (.branchNotEq, a, b)
            case .ltU: (opcode, x, y) = (.branchLessUnsigned, a, b)
            case .ltS: (opcode, x, y) = (.branchLessSigned, a, b)
            case .geU: (opcode, x, y) = (.branchGreaterOrEqualUnsigned, a, b)
            case .geS: (opcode, x, y) = (.branchGreaterOrEqualSigned, a, b)
            case .leU: (opcode, x, y) = (.branchGreaterOrEqualUnsigned, b, a)
            case .leS: (opcode, x, y) = (.branchGreaterOrEqualSigned, b, a)
            case .gtU: (opcode, x, y) = (.branchLessUnsigned, b, a)
            case .gtS: (opcode, x, y) = (.branchLessSigned, b, a)
            }
            return item(Instruction(opcode, regA: x, regB: y), target)
        case (.reg(let r, _), .imm(let literal)):
            return item(branchImm(cond, reg: r, imm: try imm32(literal, lenient: true)), target)
        case (.imm(let literal), .reg(let r, _)):
            return item(branchImm(cond.reversed, reg: r, imm: try imm32(literal, lenient: true)), target)
        case (.imm, .imm):
            throw error("both sides of a comparison cannot be immediates", column: lhsColumn)
        }
    }

    func branchImm(_ cond: AsmCondition, reg: UInt8, imm: UInt64) -> Instruction {
        let opcode: Opcode
        switch cond {
        case .eq: opcode = .branchEqImm
        case .ne: opcode = .branchNotEqImm
        case .ltU: opcode = .branchLessUnsignedImm
        case .ltS: opcode = .branchLessSignedImm
        case .leU: opcode = .branchLessOrEqualUnsignedImm
        case .leS: opcode = .branchLessOrEqualSignedImm
        case .gtU: opcode = .branchGreaterUnsignedImm
        case .gtS: opcode = .branchGreaterSignedImm
        case .geU: opcode = .branchGreaterOrEqualUnsignedImm
        case .geS: opcode = .branchGreaterOrEqualSignedImm
        }
        return Instruction(opcode, regA: reg, imm1: imm)
    }

    /// `tmp = base, dst = value, jump [tmp + offset]` (the `dst == base` form of `load_imm_and_jump_indirect`).
    mutating func parseTmpJump(_ item: (Instruction, AsmTarget?) -> AsmItem) throws(AssemblerError) -> AsmItem {
        let base = try parseRegister()
        try expectOp(",")
        let dst = try parseRegister()
        try expectOp("=")
        let value = try parseImm32(lenient: false)
        try expectOp(",")
        try expectIdent("jump")
        try expectOp("[")
        try expectIdent("tmp")
        var offset: UInt64 = 0
        if acceptOp("+") {
            offset = try parseImm32(lenient: true)
        } else if isOp("-") && peek(1)?.kind == .number {
            var literal = try parseLiteral()
            literal.negative = true
            offset = try imm32(literal, lenient: true)
        }
        try expectOp("]")
        try expectEnd()
        return item(Instruction(.loadImmAndJumpIndirect, regA: dst, regB: base, imm1: value, imm2: offset), nil)
    }

    /// `[a0..a0 + a2] = u8 a1` (`memset`).
    mutating func parseMemset(_ item: (Instruction, AsmTarget?) -> AsmItem) throws(AssemblerError) -> AsmItem {
        try expectOp("[")
        let expected: [(String, Bool)] = [("a0", false), ("..", true), ("a0", false), ("+", true), ("a2", false), ("]", true), ("=", true), ("u8", false), ("a1", false)]
        for (text, isOperator) in expected {
            if isOperator ? isOp(text) : isIdent(text) {
                index += 1
            } else {
                throw error(unexpected("'\(text)' (memset is written '[a0..a0 + a2] = u8 a1')"))
            }
        }
        try expectEnd()
        return item(Instruction(.memset), nil)
    }

    mutating func parseStore(_ item: (Instruction, AsmTarget?) -> AsmItem) throws(AssemblerError) -> AsmItem {
        let width = peek!.text
        index += 1
        let mem = try parseMemory()
        try expectOp("=")
        if atRegister {
            let src = try parseRegister()
            try expectEnd()
            if let base = mem.base {
                let opcode: Opcode = width == "u8" ? .storeIndirectU8 : width == "u16" ? .storeIndirectU16 : width == "u32" ? .storeIndirectU32 : .storeIndirectU64
                return item(Instruction(opcode, regA: src, regB: base, imm1: mem.offset), nil)
            }
            let opcode: Opcode = width == "u8" ? .storeU8 : width == "u16" ? .storeU16 : width == "u32" ? .storeU32 : .storeU64
            return item(Instruction(opcode, regA: src, imm1: mem.offset), nil)
        }
        guard atLiteral else { throw error(unexpected("a register or an immediate")) }
        let value = try parseImm32(lenient: true)
        try expectEnd()
        if let base = mem.base {
            let opcode: Opcode = width == "u8" ? .storeImmIndirectU8 : width == "u16" ? .storeImmIndirectU16 : width == "u32" ? .storeImmIndirectU32 : .storeImmIndirectU64
            return item(Instruction(opcode, regA: base, imm1: mem.offset, imm2: value), nil)
        }
        let opcode: Opcode = width == "u8" ? .storeImmU8 : width == "u16" ? .storeImmU16 : width == "u32" ? .storeImmU32 : .storeImmU64
        return item(Instruction(opcode, imm1: mem.offset, imm2: value), nil)
    }

    mutating func parseAssignment(dst: UInt8, is32: Bool, _ item: (Instruction, AsmTarget?) -> AsmItem) throws(AssemblerError) -> AsmItem {
        let rhsColumn = column
        guard let first = peek else { throw error("expected an expression after '='") }

        // `dst = value, jump @label` / `dst = value, jump [base + offset]`
        if atLiteral, let comma = tokens[index...].firstIndex(where: { $0.kind == .op && $0.text == "," }) {
            let value = try parseImm32(lenient: false)
            if index != comma { throw error(unexpected("','")) }
            index += 1
            try expectIdent("jump")
            if isOp("[") {
                let memColumn = column
                let mem = try parseMemory()
                try expectEnd()
                guard let base = mem.base else { throw error("an indirect jump needs a base register", column: memColumn) }
                if base == dst {
                    let b = Reg(rawValue: base)!.description
                    throw error("the register is also the jump base; write 'tmp = \(b), \(b) = ..., jump [tmp + ...]'", column: memColumn)
                }
                return item(Instruction(.loadImmAndJumpIndirect, regA: dst, regB: base, imm1: value, imm2: mem.offset), nil)
            }
            let target = try parseJumpTarget()
            try expectEnd()
            return item(Instruction(.loadImmAndJump, regA: dst, imm1: value), target)
        }

        // Conditional moves: `dst = src if cond == 0`, `dst = imm if cond != 0`.
        if tokens[index...].contains(where: { $0.kind == .ident && $0.text == "if" }) {
            let src = try parseOperand()
            try expectIdent("if")
            let cond = try parseRegister()
            let notZero: Bool
            if acceptOp("==") { notZero = false } else if acceptOp("!=") { notZero = true } else {
                throw error(unexpected("'== 0' or '!= 0'"))
            }
            let zero = try parseLiteral()
            guard zero.magnitude == 0 else { throw error("a conditional move compares with 0", column: zero.column) }
            try expectEnd()
            switch src {
            case .reg(let s, _):
                return item(Instruction(notZero ? .cmovIfNotZero : .cmovIfZero, regA: s, regB: cond, regD: dst), nil)
            case .imm(let literal):
                return item(Instruction(notZero ? .cmovIfNotZeroImm : .cmovIfZeroImm, regA: dst, regB: cond, imm1: try imm32(literal, lenient: false)), nil)
            }
        }

        if first.kind == .ident {
            // Unary register operations.
            let unary: Opcode?
            switch first.text {
            case "cpop": unary = is32 ? .countSetBits32 : .countSetBits64
            case "clz": unary = is32 ? .countLeadingZeroBits32 : .countLeadingZeroBits64
            case "ctz": unary = is32 ? .countTrailingZeroBits32 : .countTrailingZeroBits64
            case "sext8": unary = .signExtend8
            case "sext16": unary = .signExtend16
            case "zext16": unary = .zeroExtend16
            case "reverse": unary = .reverseByte
            case "sbrk": unary = .sbrk
            default: unary = nil
            }
            if let opcode = unary, peek(1)?.kind == .ident {
                index += 1
                let src = try parseRegister()
                try expectEnd()
                return item(Instruction(opcode, regA: dst, regB: src), nil)
            }

            let minMax: Opcode?
            switch first.text {
            case "maxs": minMax = .maximum
            case "maxu": minMax = .maximumUnsigned
            case "mins": minMax = .minimum
            case "minu": minMax = .minimumUnsigned
            default: minMax = nil
            }
            if let opcode = minMax, isOp("(", 1) {
                index += 2
                let a = try parseRegister()
                try expectOp(",")
                let b = try parseRegister()
                try expectOp(")")
                try expectEnd()
                return item(Instruction(opcode, regA: a, regB: b, regD: dst), nil)
            }

            // Loads: `dst = u8 [base + offset]`, `dst = i32 [address]`.
            let load: (indirect: Opcode, absolute: Opcode)?
            switch first.text {
            case "u8": load = (.loadIndirectU8, .loadU8)
            case "i8": load = (.loadIndirectI8, .loadI8)
            case "u16": load = (.loadIndirectU16, .loadU16)
            case "i16": load = (.loadIndirectI16, .loadI16)
            case "u32": load = (.loadIndirectU32, .loadU32)
            case "i32": load = (.loadIndirectI32, .loadI32)
            case "u64": load = (.loadIndirectU64, .loadU64)
            default: load = nil
            }
            if let load, isOp("[", 1) {
                index += 1
                let mem = try parseMemory()
                try expectEnd()
                if let base = mem.base {
                    return item(Instruction(load.indirect, regA: dst, regB: base, imm1: mem.offset), nil)
                }
                return item(Instruction(load.absolute, regA: dst, imm1: mem.offset), nil)
            }

            // `dst = i64 value` always uses `load_imm64`.
            if first.text == "i64" && (peek(1)?.kind == .number || (isOp("-", 1) && peek(2)?.kind == .number)) {
                index += 1
                let literal = try parseLiteral()
                try expectEnd()
                guard let p = literal.pattern else { throw error("the immediate does not fit in 64 bits", column: literal.column) }
                return item(Instruction(.loadImm64, regA: dst, imm1: p), nil)
            }

            if !atRegister {
                if peek(1)?.kind == .ident || isOp("(", 1) {
                    throw error("unknown operation '\(first.text)'", column: first.column)
                }
                throw error("unknown register '\(first.text)'", column: first.column)
            }
        }

        // `dst = @label`: the label's dynamic (jump-table) address.
        if first.kind == .label {
            index += 1
            try expectEnd()
            var result = item(Instruction(.loadImm, regA: dst), nil)
            result.labelAddress = (first.text, first.column)
            return result
        }

        // `dst = ~(a ^ b)`
        if isOp("~") {
            index += 1
            try expectOp("(")
            let a = try parseRegister()
            try expectOp("^")
            let b = try parseRegister()
            try expectOp(")")
            try expectEnd()
            return item(Instruction(.xnor, regA: a, regB: b, regD: dst), nil)
        }

        // `dst = -src` (negate_and_add_imm with 0)
        if isOp("-") && peek(1)?.kind == .ident {
            index += 1
            let src = try parseRegister()
            try expectEnd()
            return item(Instruction(is32 ? .negateAndAddImm32 : .negateAndAddImm64, regA: dst, regB: src), nil)
        }

        let lhs = try parseOperand()
        if atEnd {
            switch lhs {
            case .reg(let src, _):
                return item(Instruction(.moveReg, regA: dst, regB: src), nil)
            case .imm(let literal):
                return item(try loadImmediate(dst: dst, literal), nil)
            }
        }

        guard let opToken = peek else { throw error("expected an operator") }
        var op: AsmBinaryOp
        if opToken.kind == .op || opToken.kind == .ident, let parsed = AsmBinaryOp(token: opToken.text) {
            op = parsed
        } else {
            throw error("unknown operator '\(opToken.text)'", column: opToken.column)
        }
        index += 1
        if (op == .and || op == .or) && acceptOp("~") {
            op = op == .and ? .andInverted : .orInverted
        }
        let rhs = try parseOperand()
        try expectEnd()
        let inst = try binary(op, dst: dst, lhs: lhs, rhs: rhs, is32: is32, column: rhsColumn)
        return item(inst, nil)
    }

    func loadImmediate(dst: UInt8, _ literal: AsmLiteral) throws(AssemblerError) -> Instruction {
        if let v = literal.imm32(allowUnsigned32: !isa.is64Bit) {
            return Instruction(.loadImm, regA: dst, imm1: Instruction.immediate(Int32(bitPattern: v)))
        }
        guard let p = literal.pattern else { throw error("the immediate does not fit in 64 bits", column: literal.column) }
        return Instruction(.loadImm64, regA: dst, imm1: p)
    }

    func binary(_ op: AsmBinaryOp, dst: UInt8, lhs: AsmOperand, rhs: AsmOperand, is32: Bool, column: Int) throws(AssemblerError) -> Instruction {
        func unsupported(_ what: String) -> AssemblerError {
            error(is32 ? "'i32' is not supported for \(what)" : "\(what) is not supported", column: column)
        }
        switch (lhs, rhs) {
        case (.reg(let a, _), .reg(let b, _)):
            let opcode: Opcode
            var (x, y) = (a, b)
            if is32 {
                switch op {
                case .add: opcode = .add32
                case .sub: opcode = .sub32
                case .mul: opcode = .mul32
                case .divU: opcode = .divUnsigned32
                case .divS: opcode = .divSigned32
                case .remU: opcode = .remUnsigned32
                case .remS: opcode = .remSigned32
                case .shl: opcode = .shiftLogicalLeft32
                case .shr: opcode = .shiftLogicalRight32
                case .sar: opcode = .shiftArithmeticRight32
                case .rotl: opcode = .rotateLeft32
                case .rotr: opcode = .rotateRight32
                default: throw unsupported("this operation")
                }
            } else {
                switch op {
                case .add: opcode = .add64
                case .sub: opcode = .sub64
                case .and: opcode = .and
                case .xor: opcode = .xor
                case .or: opcode = .or
                case .mul: opcode = .mul64
                case .divU: opcode = .divUnsigned64
                case .divS: opcode = .divSigned64
                case .remU: opcode = .remUnsigned64
                case .remS: opcode = .remSigned64
                case .lessU: opcode = .setLessThanUnsigned
                case .lessS: opcode = .setLessThanSigned
                case .greaterU: opcode = .setLessThanUnsigned; (x, y) = (b, a)
                case .greaterS: opcode = .setLessThanSigned; (x, y) = (b, a)
                case .shl: opcode = .shiftLogicalLeft64
                case .shr: opcode = .shiftLogicalRight64
                case .sar: opcode = .shiftArithmeticRight64
                case .rotl: opcode = .rotateLeft64
                case .rotr: opcode = .rotateRight64
                case .andInverted: opcode = .andInverted
                case .orInverted: opcode = .orInverted
                case .mulh: opcode = .mulUpperSignedSigned
                case .mulhu: opcode = .mulUpperUnsignedUnsigned
                case .mulhsu: opcode = .mulUpperSignedUnsigned
                }
            }
            return Instruction(opcode, regA: x, regB: y, regD: dst)

        case (.reg(let src, _), .imm(let literal)):
            var imm = try imm32(literal, lenient: false)
            let opcode: Opcode
            if is32 {
                switch op {
                case .add: opcode = .addImm32
                case .sub: opcode = .addImm32; imm = negate(imm)
                case .mul: opcode = .mulImm32
                case .shl: opcode = .shiftLogicalLeftImm32
                case .shr: opcode = .shiftLogicalRightImm32
                case .sar: opcode = .shiftArithmeticRightImm32
                case .rotr: opcode = .rotateRightImm32
                default: throw unsupported("this operation with an immediate")
                }
            } else {
                switch op {
                case .add: opcode = .addImm64
                case .sub: opcode = .addImm64; imm = negate(imm)
                case .and: opcode = .andImm
                case .xor: opcode = .xorImm
                case .or: opcode = .orImm
                case .mul: opcode = .mulImm64
                case .lessU: opcode = .setLessThanUnsignedImm
                case .lessS: opcode = .setLessThanSignedImm
                case .greaterU: opcode = .setGreaterThanUnsignedImm
                case .greaterS: opcode = .setGreaterThanSignedImm
                case .shl: opcode = .shiftLogicalLeftImm64
                case .shr: opcode = .shiftLogicalRightImm64
                case .sar: opcode = .shiftArithmeticRightImm64
                case .rotr: opcode = .rotateRightImm64
                default: throw unsupported("this operation with an immediate")
                }
            }
            return Instruction(opcode, regA: dst, regB: src, imm1: imm)

        case (.imm(let literal), .reg(let src, _)):
            let imm = try imm32(literal, lenient: false)
            let opcode: Opcode
            if is32 {
                switch op {
                case .add: opcode = .addImm32
                case .sub: opcode = .negateAndAddImm32
                case .mul: opcode = .mulImm32
                case .shl: opcode = .shiftLogicalLeftImmAlt32
                case .shr: opcode = .shiftLogicalRightImmAlt32
                case .sar: opcode = .shiftArithmeticRightImmAlt32
                case .rotr: opcode = .rotateRightImmAlt32
                default: throw unsupported("this operation with an immediate")
                }
            } else {
                switch op {
                case .add: opcode = .addImm64
                case .sub: opcode = .negateAndAddImm64
                case .and: opcode = .andImm
                case .xor: opcode = .xorImm
                case .or: opcode = .orImm
                case .mul: opcode = .mulImm64
                case .lessU: opcode = .setGreaterThanUnsignedImm
                case .lessS: opcode = .setGreaterThanSignedImm
                case .greaterU: opcode = .setLessThanUnsignedImm
                case .greaterS: opcode = .setLessThanSignedImm
                case .shl: opcode = .shiftLogicalLeftImmAlt64
                case .shr: opcode = .shiftLogicalRightImmAlt64
                case .sar: opcode = .shiftArithmeticRightImmAlt64
                case .rotr: opcode = .rotateRightImmAlt64
                default: throw unsupported("this operation with an immediate")
                }
            }
            return Instruction(opcode, regA: dst, regB: src, imm1: imm)

        case (.imm, .imm):
            throw error("both operands cannot be immediates", column: column)
        }
    }

    func negate(_ imm: UInt64) -> UInt64 {
        Instruction.immediate(0 &- Int32(truncatingIfNeeded: imm))
    }
}

// MARK: - Whole-program state

struct AssemblerState {
    var isa: InstructionSetKind
    var items: [AsmItem] = []
    var labels: [String: (index: Int, line: Int)] = [:]
    var exports: [(name: String, index: Int)] = []
    var atBlockStart = true
    var currentBlockStart = 0
    var roDataSize: UInt32 = 0
    var rwDataSize: UInt32 = 0
    var stackSize: UInt32 = 0
    var roData: [UInt8] = []
    var rwData: [UInt8] = []
    var roDataLine = 0
    var rwDataLine = 0
    /// For a listing: the code offset printed on each source line.
    var listingOffsets: [Int: UInt32] = [:]
    /// For a listing: jump-table entries (1-based) and the block labels they point at.
    var listingJumpTable: [(entry: Int, label: String)] = []

    init(isa: InstructionSetKind) {
        self.isa = isa
    }

    /// The lines of `source` with comments removed, as UTF-8 slices, with their 1-based numbers.
    static func lines(_ source: String) -> [(number: Int, bytes: ArraySlice<UInt8>)] {
        let bytes = Array(source.utf8)
        var result: [(Int, ArraySlice<UInt8>)] = []
        var start = 0
        var number = 1
        var i = 0
        while i <= bytes.count {
            if i == bytes.count || bytes[i] == 10 {
                var end = i
                var k = start
                while k + 1 < end {
                    if bytes[k] == 47 && bytes[k + 1] == 47 { end = k; break }
                    k += 1
                }
                result.append((number, bytes[start..<end]))
                number += 1
                start = i + 1
            }
            i += 1
        }
        return result
    }

    mutating func run(_ source: String) throws(AssemblerError) {
        let lines = Self.lines(source)
        // `%isa` applies to the whole program wherever it appears (the last one wins).
        for (number, bytes) in lines {
            let tokens = try tokenizeAssemblyLine(bytes, line: number)
            if let first = tokens.first, first.kind == .directive, first.text == "%isa" {
                try parseISA(tokens, line: number)
            }
        }
        for (number, bytes) in lines {
            let tokens = try tokenizeAssemblyLine(bytes, line: number)
            guard let first = tokens.first else { continue }
            if first.kind == .directive {
                try directive(tokens, line: number)
                continue
            }
            if (first.kind == .label && tokens.count >= 2 && tokens[1].kind == .op && tokens[1].text == ":")
                || (first.kind == .ident && first.text == "pub" && tokens.count >= 2 && tokens[1].kind == .label) {
                try label(tokens, line: number)
                continue
            }
            var parser = AsmLineParser(tokens: tokens, line: number, isa: isa)
            emit(try parser.parseStatement())
        }
    }

    mutating func emit(_ item: AsmItem) {
        items.append(item)
        atBlockStart = item.instruction.opcode.isTerminator
        if atBlockStart { currentBlockStart = items.count }
    }

    mutating func label(_ tokens: [AsmToken], line: Int) throws(AssemblerError) {
        var i = 0
        var isExport = false
        if tokens[0].kind == .ident {
            isExport = true
            i = 1
        }
        let name = tokens[i].text
        let nameColumn = tokens[i].column
        i += 1
        guard i < tokens.count, tokens[i].kind == .op, tokens[i].text == ":" else {
            throw AssemblerError(line: line, column: i < tokens.count ? tokens[i].column : nameColumn, message: "expected ':' after the label")
        }
        i += 1
        var noFallthrough = false
        if i < tokens.count, tokens[i].kind == .directive, tokens[i].text == "%no_fallthrough" {
            noFallthrough = true
            i += 1
        }
        if i < tokens.count {
            throw AssemblerError(line: line, column: tokens[i].column, message: "unexpected '\(tokens[i].text)' after the label (put instructions on their own line)")
        }
        if !atBlockStart && !noFallthrough {
            emit(AsmItem(instruction: Instruction(.fallthrough), target: nil, labelAddress: nil, line: line, column: nameColumn))
        }
        if let previous = labels[name] {
            throw AssemblerError(line: line, column: nameColumn, message: "duplicate label '@\(name)' (first defined on line \(previous.line))")
        }
        labels[name] = (currentBlockStart, line)
        if isExport {
            exports.append((name, items.count))
        }
    }

    mutating func parseISA(_ tokens: [AsmToken], line: Int) throws(AssemblerError) {
        let value = try directiveValue(tokens, line: line)
        let names = value.map(\.text).joined()
        let kind: InstructionSetKind?
        switch names {
        case "revive_v1": kind = .reviveV1
        case "jam_v1": kind = .jamV1
        case "latest32": kind = .latest32
        case "latest64": kind = .latest64
        default: kind = nil
        }
        guard let kind else {
            throw AssemblerError(line: line, column: value.first?.column ?? tokens[0].column, message: "unknown instruction set '\(names)' (expected revive_v1, jam_v1, latest32 or latest64)")
        }
        isa = kind
    }

    func directiveValue(_ tokens: [AsmToken], line: Int) throws(AssemblerError) -> ArraySlice<AsmToken> {
        guard tokens.count >= 2, tokens[1].kind == .op, tokens[1].text == "=" else {
            throw AssemblerError(line: line, column: tokens.count >= 2 ? tokens[1].column : tokens[0].column + tokens[0].text.utf8.count, message: "expected '=' after \(tokens[0].text)")
        }
        return tokens[2...]
    }

    func directiveNumber(_ tokens: [AsmToken], line: Int) throws(AssemblerError) -> UInt32 {
        let value = try directiveValue(tokens, line: line)
        let column = value.first?.column ?? tokens[0].column
        guard value.count == 1, let t = value.first, t.kind == .number else {
            throw AssemblerError(line: line, column: column, message: "expected a size in bytes")
        }
        let s = Substring(t.text.lowercased())
        let parsed = s.hasPrefix("0x") ? UInt32(s.dropFirst(2), radix: 16) : UInt32(s, radix: 10)
        guard let v = parsed else {
            throw AssemblerError(line: line, column: column, message: "invalid size '\(t.text)' (must fit in 32 bits)")
        }
        return v
    }

    func directiveBytes(_ tokens: [AsmToken], line: Int) throws(AssemblerError) -> [UInt8] {
        let value = try directiveValue(tokens, line: line)
        // Hex digits, spaces ignored: `01 02 03` or `010203`.
        var digits: [UInt8] = []
        for t in value {
            guard t.kind == .number || t.kind == .ident else {
                throw AssemblerError(line: line, column: t.column, message: "expected hex bytes")
            }
            for c in t.text.utf8 {
                let v: UInt8
                switch c {
                case 48...57: v = c - 48
                case 97...102: v = c - 87
                case 65...70: v = c - 55
                default: throw AssemblerError(line: line, column: t.column, message: "invalid hex digit in '\(t.text)'")
                }
                digits.append(v)
            }
        }
        guard digits.count % 2 == 0 else {
            throw AssemblerError(line: line, column: value.first?.column ?? tokens[0].column, message: "odd number of hex digits")
        }
        return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    mutating func directive(_ tokens: [AsmToken], line: Int) throws(AssemblerError) {
        switch tokens[0].text {
        case "%isa": break // handled up front
        case "%ro_data_size": roDataSize = try directiveNumber(tokens, line: line)
        case "%rw_data_size": rwDataSize = try directiveNumber(tokens, line: line)
        case "%stack_size": stackSize = try directiveNumber(tokens, line: line)
        case "%ro_data": roData = try directiveBytes(tokens, line: line); roDataLine = line
        case "%rw_data": rwData = try directiveBytes(tokens, line: line); rwDataLine = line
        case "%no_fallthrough":
            throw AssemblerError(line: line, column: tokens[0].column, message: "%no_fallthrough must follow a label ('@name: %no_fallthrough')")
        default:
            throw AssemblerError(line: line, column: tokens[0].column, message: "unknown directive '\(tokens[0].text)'")
        }
    }

    mutating func finish() throws(AssemblerError) -> ProgramBlob {
        if roData.count > Int(roDataSize) {
            throw AssemblerError(line: roDataLine, column: 1, message: "%ro_data has \(roData.count) bytes but %ro_data_size is \(roDataSize)")
        }
        if rwData.count > Int(rwDataSize) {
            throw AssemblerError(line: rwDataLine, column: 1, message: "%rw_data has \(rwData.count) bytes but %rw_data_size is \(rwDataSize)")
        }

        func resolve(_ name: String, line: Int, column: Int) throws(AssemblerError) -> Int {
            guard let entry = labels[name] else {
                throw AssemblerError(line: line, column: column, message: "undefined label '@\(name)'")
            }
            return entry.index
        }

        var instructions: [Instruction] = []
        var targets: [LayoutTarget?] = []
        var jumpTableIndices: [Int] = []
        instructions.reserveCapacity(items.count)
        targets.reserveCapacity(items.count)
        for item in items {
            var inst = item.instruction
            if !isa.contains(inst.opcode) {
                throw AssemblerError(line: item.line, column: item.column, message: "the instruction '\(inst.opcode.name)' is not available in the '\(Self.isaName(isa))' instruction set")
            }
            if let address = item.labelAddress {
                jumpTableIndices.append(try resolve(address.name, line: item.line, column: address.column))
                inst.imm1 = UInt64(jumpTableIndices.count * 2)
            }
            switch item.target {
            case .label(let name, let column)?:
                targets.append(.instruction(try resolve(name, line: item.line, column: column)))
            case .pc(let pc)?:
                targets.append(.pc(pc))
            case nil:
                targets.append(nil)
            }
            instructions.append(inst)
        }

        var listed: InstructionLayout?
        if !listingOffsets.isEmpty {
            // Reproduce the listing's own layout when every instruction has its offset and fits it.
            let offsets = items.map { listingOffsets[$0.line] }
            if !offsets.contains(where: { $0 == nil }) {
                listed = InstructionEncoder.layout(instructions, targets: targets, fixedOffsets: offsets.map { $0! }, isa: isa)
            }
        }
        let layout: InstructionLayout
        if let listed {
            layout = listed
        } else {
            do {
                layout = try InstructionEncoder.layout(instructions, targets: targets, isa: isa)
            } catch {
                let item = error.index < items.count ? items[error.index] : nil
                throw AssemblerError(line: item?.line ?? 0, column: item?.column ?? 0, message: error.message)
            }
        }
        if layout.bytes.count > ProgramLimits.maximumCodeLength {
            throw AssemblerError(line: items.last?.line ?? 0, column: 1, message: "the code is too long (\(layout.bytes.count) bytes)")
        }

        var jumpTable = jumpTableIndices.map { layout.pc(of: .instruction($0)) }
        if jumpTable.isEmpty && !listingJumpTable.isEmpty {
            let entries = listingJumpTable.sorted { $0.entry < $1.entry }
            if entries.enumerated().allSatisfy({ $0.offset + 1 == $0.element.entry }) {
                jumpTable = try entries.map { entry throws(AssemblerError) in
                    layout.pc(of: .instruction(try resolve(entry.label, line: 0, column: 0)))
                }
            }
        }
        let sortedExports = exports.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        let programExports = sortedExports.map {
            ProgramExport(pc: layout.pc(of: .instruction($0.index)), symbol: ProgramSymbol($0.name))
        }
        return ProgramBlob(
            isa: isa, roDataSize: roDataSize, rwDataSize: rwDataSize, stackSize: stackSize,
            roData: roData, rwData: rwData, imports: [], exports: programExports,
            code: layout.programCode(jumpTable: jumpTable)
        )
    }

    /// Upstream's spelling of an instruction set (`%isa` values).
    static func isaName(_ isa: InstructionSetKind) -> String {
        switch isa {
        case .reviveV1: return "revive_v1"
        case .latest32: return "latest32"
        case .latest64: return "latest64"
        case .jamV1: return "jam_v1"
        }
    }
}
