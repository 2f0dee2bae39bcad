import PolkaVMProgram

/// One instruction of a block whose symbolic immediates have been resolved.
struct ResolvedOp {
    var instruction: Instruction
    /// The block a jump/branch/`load_imm_and_jump` goes to.
    var target: Int?
    /// The input offset it was translated from (debug info).
    var source: Int?
}

/// A block ready for emission (and for the optimizer).
struct ResolvedBlock {
    var ops: [ResolvedOp]
    var hasTerminator: Bool
    var successors: [Int]
}

/// A set of guest registers (bit `r` for register index `r`).
typealias RegisterSet = UInt16

extension RegisterSet {
    static let allRegisters: RegisterSet = (1 << 13) - 1
    static func of(_ regs: UInt8...) -> RegisterSet { regs.reduce(0) { $0 | (1 << RegisterSet($1)) } }
    func has(_ r: UInt8) -> Bool { self & (1 << RegisterSet(r)) != 0 }
}

/// What an instruction does to registers, for the dataflow passes (docs/LINKER.md, "Optimizations").
enum RegisterEffects {
    /// The registers an instruction may read. Control transfers whose destination is not known
    /// statically (indirect jumps and calls, returns), host calls and traps count as reading every register.
    static func uses(_ i: Instruction) -> RegisterSet {
        let a = RegisterSet.of(i.regA), b = RegisterSet.of(i.regB), d = RegisterSet.of(i.regD)
        switch i.opcode {
        case .ecalli, .jumpIndirect, .loadImmAndJumpIndirect, .trap, .invalid:
            return .allRegisters
        case .memset:
            return .of(7, 8, 9)
        case .fallthrough, .unlikely, .jump, .loadImmAndJump, .loadImm, .loadImm64,
             .loadU8, .loadI8, .loadU16, .loadI16, .loadU32, .loadI32, .loadU64,
             .storeImmU8, .storeImmU16, .storeImmU32, .storeImmU64:
            return 0
        case .storeU8, .storeU16, .storeU32, .storeU64,
             .storeImmIndirectU8, .storeImmIndirectU16, .storeImmIndirectU32, .storeImmIndirectU64:
            return a
        case .cmovIfZeroImm, .cmovIfNotZeroImm, .storeIndirectU8, .storeIndirectU16, .storeIndirectU32, .storeIndirectU64:
            return a | b
        case .cmovIfZero, .cmovIfNotZero:
            return a | b | d
        default:
            switch i.opcode.operandKind {
            case .regImmOffset: return a // branches with an immediate
            case .regRegOffset: return a | b
            case .regReg, .regRegImm: return b
            case .regRegReg: return a | b
            default: return .allRegisters
            }
        }
    }

    /// The register an instruction always overwrites (nil for conditional moves).
    static func kills(_ i: Instruction) -> UInt8? {
        switch i.opcode {
        case .cmovIfZero, .cmovIfNotZero, .cmovIfZeroImm, .cmovIfNotZeroImm: return nil
        default: return i.destinationRegister
        }
    }

    /// The registers an instruction may change.
    static func writes(_ i: Instruction) -> RegisterSet {
        switch i.opcode {
        case .ecalli, .memset: return .allRegisters
        default:
            if let d = i.destinationRegister { return .of(d) }
            return 0
        }
    }

    /// Whether the instruction's only effect is writing its destination register (no memory access,
    /// no fault, no control transfer): it may be removed when that register is dead.
    static func isPure(_ i: Instruction) -> Bool {
        switch i.opcode {
        case .loadImm, .loadImm64, .moveReg, .countSetBits64, .countSetBits32, .countLeadingZeroBits64, .countLeadingZeroBits32,
             .countTrailingZeroBits64, .countTrailingZeroBits32, .signExtend8, .signExtend16, .zeroExtend16, .reverseByte:
            return true
        case .storeIndirectU8, .storeIndirectU16, .storeIndirectU32, .storeIndirectU64,
             .loadIndirectU8, .loadIndirectI8, .loadIndirectU16, .loadIndirectI16, .loadIndirectU32, .loadIndirectI32, .loadIndirectU64:
            return false
        default:
            switch i.opcode.operandKind {
            case .regRegImm, .regRegReg: return true // ALU operations (division never traps)
            default: return false
            }
        }
    }
}

/// Exact PolkaVM arithmetic (docs/SPEC.md §5) for constant folding, at the program's register width.
struct ConstantFolder {
    let is64: Bool

    func mask(_ v: UInt64) -> UInt64 { is64 ? v : v & 0xFFFF_FFFF }
    /// `w(i)`: a 32-bit immediate at register width.
    func w(_ imm: UInt64) -> UInt64 { mask(UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: imm)))) }
    /// `X(v)`: a 32-bit result at register width.
    func x(_ v: UInt64) -> UInt64 { w(v) }
    /// A register value as a signed integer.
    func s(_ v: UInt64) -> Int64 { is64 ? Int64(bitPattern: v) : Int64(Int32(truncatingIfNeeded: v)) }
    func u32(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v) }
    func i32(_ v: UInt64) -> Int32 { Int32(truncatingIfNeeded: v) }
    /// Whether a register value is `w(i)` for some immediate `i` (the immediate is then `imm(v)`).
    func fitsImmediate(_ v: UInt64) -> Bool { !is64 || v == w(v) }
    /// The stored form of an immediate for `w(i) = v` (only meaningful when ``fitsImmediate(_:)``).
    func imm(_ v: UInt64) -> UInt64 { UInt64(bitPattern: Int64(i32(v))) }

    func rotr32(_ v: UInt32, _ n: UInt32) -> UInt32 { let k = n & 31; return k == 0 ? v : (v >> k) | (v << (32 - k)) }
    func rotr64(_ v: UInt64, _ n: UInt64) -> UInt64 { let k = n & 63; return k == 0 ? v : (v >> k) | (v << (64 - k)) }

    /// The value an instruction writes to its destination, given the values of the registers it reads
    /// (`nil` when some input is unknown or the operation is not folded).
    func evaluate(_ i: Instruction, _ value: (UInt8) -> UInt64?) -> UInt64? {
        switch i.opcode {
        case .loadImm: return w(i.imm1)
        case .loadImm64: return i.imm1
        default: break
        }
        switch i.opcode.operandKind {
        case .regReg:
            guard let b = value(i.regB) else { return nil }
            return unary(i.opcode, b)
        case .regRegImm:
            guard let b = value(i.regB) else { return nil }
            return withImmediate(i.opcode, b, i.imm1)
        case .regRegReg:
            guard let a = value(i.regA), let b = value(i.regB) else { return nil }
            return binary(i.opcode, a, b)
        default:
            return nil
        }
    }

    func unary(_ op: Opcode, _ b: UInt64) -> UInt64? {
        switch op {
        case .moveReg: return b
        case .signExtend8: return mask(UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: b))))
        case .signExtend16: return mask(UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: b))))
        case .zeroExtend16: return b & 0xFFFF
        case .countSetBits64: return UInt64(b.nonzeroBitCount)
        case .countSetBits32: return UInt64(u32(b).nonzeroBitCount)
        case .countLeadingZeroBits64: return UInt64(b.leadingZeroBitCount)
        case .countLeadingZeroBits32: return UInt64(u32(b).leadingZeroBitCount)
        case .countTrailingZeroBits64: return UInt64(b.trailingZeroBitCount)
        case .countTrailingZeroBits32: return UInt64(u32(b).trailingZeroBitCount)
        case .reverseByte: return is64 ? b.byteSwapped : UInt64(u32(b).byteSwapped)
        default: return nil
        }
    }

    func withImmediate(_ op: Opcode, _ b: UInt64, _ imm: UInt64) -> UInt64? {
        let sh32 = u32(imm) & 31, sh64 = UInt64(u32(imm) & 63)
        switch op {
        case .addImm32: return x(b &+ imm)
        case .addImm64: return b &+ w(imm)
        case .andImm: return b & w(imm)
        case .xorImm: return b ^ w(imm)
        case .orImm: return b | w(imm)
        case .mulImm32: return x(b &* imm)
        case .mulImm64: return b &* w(imm)
        case .setLessThanUnsignedImm: return b < w(imm) ? 1 : 0
        case .setLessThanSignedImm: return s(b) < Int64(i32(imm)) ? 1 : 0
        case .setGreaterThanUnsignedImm: return b > w(imm) ? 1 : 0
        case .setGreaterThanSignedImm: return s(b) > Int64(i32(imm)) ? 1 : 0
        case .shiftLogicalLeftImm32: return x(UInt64(u32(b) << sh32))
        case .shiftLogicalRightImm32: return x(UInt64(u32(b) >> sh32))
        case .shiftArithmeticRightImm32: return x(UInt64(bitPattern: Int64(i32(b) >> sh32)))
        case .negateAndAddImm32: return x(imm &- b)
        case .shiftLogicalLeftImmAlt32: return x(UInt64(u32(imm) << (u32(b) & 31)))
        case .shiftLogicalRightImmAlt32: return x(UInt64(u32(imm) >> (u32(b) & 31)))
        case .shiftArithmeticRightImmAlt32: return x(UInt64(bitPattern: Int64(i32(imm) >> (u32(b) & 31))))
        case .shiftLogicalLeftImm64: return b << sh64
        case .shiftLogicalRightImm64: return b >> sh64
        case .shiftArithmeticRightImm64: return UInt64(bitPattern: Int64(bitPattern: b) >> sh64)
        case .negateAndAddImm64: return w(imm) &- b
        case .shiftLogicalLeftImmAlt64: return w(imm) << (b & 63)
        case .shiftLogicalRightImmAlt64: return w(imm) >> (b & 63)
        case .shiftArithmeticRightImmAlt64: return UInt64(bitPattern: Int64(bitPattern: w(imm)) >> (b & 63))
        case .rotateRightImm64: return rotr64(b, sh64)
        case .rotateRightImmAlt64: return rotr64(w(imm), b)
        case .rotateRightImm32: return x(UInt64(rotr32(u32(b), sh32)))
        case .rotateRightImmAlt32: return x(UInt64(rotr32(u32(imm), u32(b))))
        default: return nil
        }
    }

    func binary(_ op: Opcode, _ a: UInt64, _ b: UInt64) -> UInt64? {
        switch op {
        case .add32: return x(a &+ b)
        case .sub32: return x(a &- b)
        case .mul32: return x(a &* b)
        case .add64: return a &+ b
        case .sub64: return a &- b
        case .mul64: return a &* b
        case .shiftLogicalLeft32: return x(UInt64(u32(a) << (u32(b) & 31)))
        case .shiftLogicalRight32: return x(UInt64(u32(a) >> (u32(b) & 31)))
        case .shiftArithmeticRight32: return x(UInt64(bitPattern: Int64(i32(a) >> (u32(b) & 31))))
        case .shiftLogicalLeft64: return a << (b & 63)
        case .shiftLogicalRight64: return a >> (b & 63)
        case .shiftArithmeticRight64: return UInt64(bitPattern: Int64(bitPattern: a) >> (b & 63))
        case .and: return a & b
        case .xor: return a ^ b
        case .or: return a | b
        case .andInverted: return mask(a & ~b)
        case .orInverted: return mask(a | ~b)
        case .xnor: return mask(~(a ^ b))
        case .setLessThanUnsigned: return a < b ? 1 : 0
        case .setLessThanSigned: return s(a) < s(b) ? 1 : 0
        case .maximum: return s(a) >= s(b) ? a : b
        case .maximumUnsigned: return a >= b ? a : b
        case .minimum: return s(a) <= s(b) ? a : b
        case .minimumUnsigned: return a <= b ? a : b
        case .rotateLeft64: return rotr64(a, (64 - (b & 63)) & 63)
        case .rotateRight64: return rotr64(a, b)
        case .rotateLeft32: return x(UInt64(rotr32(u32(a), (32 - (u32(b) & 31)) & 31)))
        case .rotateRight32: return x(UInt64(rotr32(u32(a), u32(b))))
        default: return nil
        }
    }
}

/// Equivalent, possibly cheaper forms of an instruction when some of the registers it reads hold known
/// constants (docs/LINKER.md, "Optimizations"). Each candidate has exactly the original's effect on
/// registers and memory for those register values.
extension ConstantFolder {
    func rewrites(_ i: Instruction, _ value: (UInt8) -> UInt64?, isa: InstructionSetKind) -> [Instruction] {
        var out: [Instruction] = []
        func add(_ c: Instruction) { if isa.contains(c.opcode) { out.append(c) } }
        /// A constant as a 32-bit immediate that only its low 32 bits matter for.
        func low(_ v: UInt64) -> UInt64 { imm(v) }
        // Results that are constants.
        if RegisterEffects.isPure(i), let d = RegisterEffects.kills(i), let r = evaluate(i, value), i.opcode != .loadImm, i.opcode != .loadImm64 {
            if fitsImmediate(r) { add(Instruction(.loadImm, regA: d, imm1: imm(r))) } else { add(Instruction(.loadImm64, regA: d, imm1: r)) }
        }
        switch i.opcode.operandKind {
        case .regRegReg:
            let d = i.regD
            if let c = value(i.regB) {
                let src = i.regA
                func ri(_ op: Opcode, _ immediate: UInt64) { add(Instruction(op, regA: d, regB: src, imm1: immediate)) }
                switch i.opcode {
                case .add32: ri(.addImm32, low(c))
                case .sub32: ri(.addImm32, low(0 &- c))
                case .mul32: ri(.mulImm32, low(c))
                case .add64: if fitsImmediate(c) { ri(.addImm64, imm(c)) }
                case .sub64: if fitsImmediate(0 &- c) { ri(.addImm64, imm(0 &- c)) }
                case .mul64: if fitsImmediate(c) { ri(.mulImm64, imm(c)) }
                case .and: if fitsImmediate(c) { ri(.andImm, imm(c)) }
                case .or: if fitsImmediate(c) { ri(.orImm, imm(c)) }
                case .xor: if fitsImmediate(c) { ri(.xorImm, imm(c)) }
                case .andInverted: if fitsImmediate(mask(~c)) { ri(.andImm, imm(mask(~c))) }
                case .orInverted: if fitsImmediate(mask(~c)) { ri(.orImm, imm(mask(~c))) }
                case .xnor: if fitsImmediate(mask(~c)) { ri(.xorImm, imm(mask(~c))) }
                case .shiftLogicalLeft32: ri(.shiftLogicalLeftImm32, c & 31)
                case .shiftLogicalRight32: ri(.shiftLogicalRightImm32, c & 31)
                case .shiftArithmeticRight32: ri(.shiftArithmeticRightImm32, c & 31)
                case .shiftLogicalLeft64: ri(.shiftLogicalLeftImm64, c & 63)
                case .shiftLogicalRight64: ri(.shiftLogicalRightImm64, c & 63)
                case .shiftArithmeticRight64: ri(.shiftArithmeticRightImm64, c & 63)
                case .rotateRight32: ri(.rotateRightImm32, c & 31)
                case .rotateRight64: ri(.rotateRightImm64, c & 63)
                case .rotateLeft32: ri(.rotateRightImm32, (32 - (c & 31)) & 31)
                case .rotateLeft64: ri(.rotateRightImm64, (64 - (c & 63)) & 63)
                case .setLessThanUnsigned: if fitsImmediate(c) { ri(.setLessThanUnsignedImm, imm(c)) }
                case .setLessThanSigned: if fitsImmediate(c) { ri(.setLessThanSignedImm, imm(c)) }
                default: break
                }
            }
            if let c = value(i.regA) {
                let src = i.regB
                func ri(_ op: Opcode, _ immediate: UInt64) { add(Instruction(op, regA: d, regB: src, imm1: immediate)) }
                switch i.opcode {
                case .add32: ri(.addImm32, low(c))
                case .mul32: ri(.mulImm32, low(c))
                case .sub32: ri(.negateAndAddImm32, low(c))
                case .add64: if fitsImmediate(c) { ri(.addImm64, imm(c)) }
                case .mul64: if fitsImmediate(c) { ri(.mulImm64, imm(c)) }
                case .sub64: if fitsImmediate(c) { ri(.negateAndAddImm64, imm(c)) }
                case .and: if fitsImmediate(c) { ri(.andImm, imm(c)) }
                case .or: if fitsImmediate(c) { ri(.orImm, imm(c)) }
                case .xor: if fitsImmediate(c) { ri(.xorImm, imm(c)) }
                case .xnor: if fitsImmediate(mask(~c)) { ri(.xorImm, imm(mask(~c))) }
                case .shiftLogicalLeft32: ri(.shiftLogicalLeftImmAlt32, low(c))
                case .shiftLogicalRight32: ri(.shiftLogicalRightImmAlt32, low(c))
                case .shiftArithmeticRight32: ri(.shiftArithmeticRightImmAlt32, low(c))
                case .shiftLogicalLeft64: if fitsImmediate(c) { ri(.shiftLogicalLeftImmAlt64, imm(c)) }
                case .shiftLogicalRight64: if fitsImmediate(c) { ri(.shiftLogicalRightImmAlt64, imm(c)) }
                case .shiftArithmeticRight64: if fitsImmediate(c) { ri(.shiftArithmeticRightImmAlt64, imm(c)) }
                case .rotateRight32: ri(.rotateRightImmAlt32, low(c))
                case .rotateRight64: if fitsImmediate(c) { ri(.rotateRightImmAlt64, imm(c)) }
                case .setLessThanUnsigned: if fitsImmediate(c) { ri(.setGreaterThanUnsignedImm, imm(c)) }
                case .setLessThanSigned: if fitsImmediate(c) { ri(.setGreaterThanSignedImm, imm(c)) }
                default: break
                }
            }
        case .regRegImm:
            let base = i.regB
            switch i.opcode {
            case .loadIndirectU8, .loadIndirectI8, .loadIndirectU16, .loadIndirectI16, .loadIndirectU32, .loadIndirectI32, .loadIndirectU64:
                if let c = value(base) {
                    let op: Opcode = [.loadIndirectU8: .loadU8, .loadIndirectI8: .loadI8, .loadIndirectU16: .loadU16, .loadIndirectI16: .loadI16,
                                      .loadIndirectU32: .loadU32, .loadIndirectI32: .loadI32, .loadIndirectU64: .loadU64][i.opcode]!
                    add(Instruction(op, regA: i.regA, imm1: low(c &+ i.imm1)))
                }
            case .storeIndirectU8, .storeIndirectU16, .storeIndirectU32, .storeIndirectU64:
                let is64Store = i.opcode == .storeIndirectU64
                let stored = value(i.regA).flatMap { v -> UInt64? in
                    // store_imm writes w(i2) (sign-extended for the 64-bit store).
                    if is64Store { return fitsImmediate(v) ? imm(v) : nil }
                    return low(v)
                }
                let absolute: Opcode = [.storeIndirectU8: .storeU8, .storeIndirectU16: .storeU16, .storeIndirectU32: .storeU32, .storeIndirectU64: .storeU64][i.opcode]!
                let immIndirect: Opcode = [.storeIndirectU8: .storeImmIndirectU8, .storeIndirectU16: .storeImmIndirectU16,
                                           .storeIndirectU32: .storeImmIndirectU32, .storeIndirectU64: .storeImmIndirectU64][i.opcode]!
                let immAbsolute: Opcode = [.storeIndirectU8: .storeImmU8, .storeIndirectU16: .storeImmU16,
                                           .storeIndirectU32: .storeImmU32, .storeIndirectU64: .storeImmU64][i.opcode]!
                if let v = stored { add(Instruction(immIndirect, regA: base, imm1: i.imm1, imm2: v)) }
                if let c = value(base) {
                    let address = low(c &+ i.imm1)
                    add(Instruction(absolute, regA: i.regA, imm1: address))
                    if let v = stored { add(Instruction(immAbsolute, imm1: address, imm2: v)) }
                }
            default: break
            }
        case .regImmImm:
            let ops: [Opcode: Opcode] = [.storeImmIndirectU8: .storeImmU8, .storeImmIndirectU16: .storeImmU16,
                                         .storeImmIndirectU32: .storeImmU32, .storeImmIndirectU64: .storeImmU64]
            if let op = ops[i.opcode], let c = value(i.regA) {
                add(Instruction(op, imm1: low(c &+ i.imm1), imm2: i.imm2))
            }
        case .regRegOffset:
            // Branches: a constant operand becomes the immediate.
            let withB: [Opcode: Opcode] = [.branchEq: .branchEqImm, .branchNotEq: .branchNotEqImm,
                                           .branchLessUnsigned: .branchLessUnsignedImm, .branchLessSigned: .branchLessSignedImm,
                                           .branchGreaterOrEqualUnsigned: .branchGreaterOrEqualUnsignedImm,
                                           .branchGreaterOrEqualSigned: .branchGreaterOrEqualSignedImm]
            let withA: [Opcode: Opcode] = [.branchEq: .branchEqImm, .branchNotEq: .branchNotEqImm,
                                           .branchLessUnsigned: .branchGreaterUnsignedImm, .branchLessSigned: .branchGreaterSignedImm,
                                           .branchGreaterOrEqualUnsigned: .branchLessOrEqualUnsignedImm,
                                           .branchGreaterOrEqualSigned: .branchLessOrEqualSignedImm]
            if let c = value(i.regB), fitsImmediate(c), let op = withB[i.opcode] {
                add(Instruction(op, regA: i.regA, imm1: imm(c), target: i.target))
            }
            if let c = value(i.regA), fitsImmediate(c), let op = withA[i.opcode] {
                add(Instruction(op, regA: i.regB, imm1: imm(c), target: i.target))
            }
        default: break
        }
        return out
    }
}

/// The linker's instruction-level optimizations at levels 1 and 2 (docs/LINKER.md, "Optimizations"):
/// constant propagation with folding into immediate forms, and dead register definition elimination
/// driven by a whole-program liveness analysis.
struct Optimizer {
    let isa: InstructionSetKind
    let folder: ConstantFolder
    /// Blocks in emission order.
    let order: [Int]
    var blocks: [Int: ResolvedBlock]
    /// Blocks that can be entered from outside the static control flow (exports, jump-table entries).
    let externalEntries: Set<Int>

    init(isa: InstructionSetKind, order: [Int], blocks: [Int: ResolvedBlock], externalEntries: Set<Int>) {
        self.isa = isa
        folder = ConstantFolder(is64: isa.is64Bit)
        self.order = order
        self.blocks = blocks
        self.externalEntries = externalEntries
    }

    func length(_ i: Instruction) -> Int { InstructionEncoder.encode(i, at: 0, isa: isa)?.count ?? Int.max / 2 }

    mutating func run() {
        // Removing dead definitions can leave a constant with fewer readers, which makes more folds pay.
        for _ in 0..<3 {
            let before = blocks.values.reduce(0) { $0 + $1.ops.reduce(0) { $0 + length($1.instruction) } }
            propagateConstants()
            removeDeadDefinitions()
            let after = blocks.values.reduce(0) { $0 + $1.ops.reduce(0) { $0 + length($1.instruction) } }
            if after >= before { break }
        }
    }

    // MARK: Liveness

    /// The registers live on entry to each block (everything for a block that ends the code or leaves it
    /// for an unknown place: see ``RegisterEffects/uses(_:)``).
    func liveIn() -> [Int: RegisterSet] {
        var liveIn: [Int: RegisterSet] = [:]
        for b in order { liveIn[b] = 0 }
        var changed = true
        while changed {
            changed = false
            for b in order.reversed() {
                let block = blocks[b]!
                var live = liveOut(block, liveIn)
                for op in block.ops.reversed() { live = transfer(op.instruction, live) }
                if live != liveIn[b]! { liveIn[b] = live; changed = true }
            }
        }
        return liveIn
    }

    func liveOut(_ block: ResolvedBlock, _ liveIn: [Int: RegisterSet]) -> RegisterSet {
        // A block without a terminator or successor runs into the end of its section (an implicit trap).
        if !block.hasTerminator && block.successors.isEmpty { return .allRegisters }
        var live: RegisterSet = 0
        for s in block.successors { live |= liveIn[s] ?? .allRegisters }
        return live
    }

    func transfer(_ i: Instruction, _ liveAfter: RegisterSet) -> RegisterSet {
        var live = liveAfter
        if let d = RegisterEffects.kills(i) { live &= ~RegisterSet.of(d) }
        return live | RegisterEffects.uses(i)
    }

    /// Removes pure instructions whose destination is dead, until none is left.
    mutating func removeDeadDefinitions() {
        while true {
            let liveIn = liveIn()
            var removed = false
            for b in order {
                var block = blocks[b]!
                var live = liveOut(block, liveIn)
                var kept: [ResolvedOp] = []
                for op in block.ops.reversed() {
                    let i = op.instruction
                    if RegisterEffects.isPure(i), let d = i.destinationRegister, !live.has(d) {
                        removed = true
                        continue
                    }
                    live = transfer(i, live)
                    kept.append(op)
                }
                if kept.count != block.ops.count {
                    block.ops = kept.reversed()
                    blocks[b] = block
                }
            }
            if !removed { return }
        }
    }

    // MARK: Constant propagation

    /// What is known about the registers at a point of a block.
    struct Constants {
        var value = [UInt64?](repeating: nil, count: 13)
        /// The encoded length of the pure instruction that computed the constant, if nothing has read it since.
        var unreadDefinitionLength = [Int?](repeating: nil, count: 13)

        mutating func read(_ regs: RegisterSet) {
            for r in 0..<13 where regs.has(UInt8(r)) { unreadDefinitionLength[r] = nil }
        }
    }

    /// The registers holding the same constant on every path into each block (a forward dataflow
    /// analysis over the static control flow; blocks entered from outside it start with nothing known).
    func constantsAtEntry() -> [Int: [UInt64?]] {
        let unknown = [UInt64?](repeating: nil, count: 13)
        var entry: [Int: [UInt64?]] = [:]
        for b in order where externalEntries.contains(b) { entry[b] = unknown }
        var changed = true
        while changed {
            changed = false
            for b in order {
                guard var values = entry[b] else { continue }
                let block = blocks[b]!
                for op in block.ops {
                    let i = op.instruction
                    let result = RegisterEffects.isPure(i) ? folder.evaluate(i) { values[Int($0)] } : nil
                    let written = RegisterEffects.writes(i)
                    for r in 0..<13 where written.has(UInt8(r)) { values[r] = nil }
                    if let d = RegisterEffects.kills(i), let result { values[Int(d)] = result }
                }
                for s in block.successors {
                    if let old = entry[s] {
                        var merged = old
                        for r in 0..<13 where merged[r] != values[r] { merged[r] = nil }
                        if merged != old { entry[s] = merged; changed = true }
                    } else {
                        entry[s] = values
                        changed = true
                    }
                }
            }
        }
        return entry
    }

    mutating func propagateConstants() {
        let liveIn = liveIn()
        let known = constantsAtEntry()
        // Static predecessors; a block with one, emitted before it, starts with its exit state.
        var predecessors: [Int: [Int]] = [:]
        for b in order { for s in blocks[b]!.successors { predecessors[s, default: []].append(b) } }
        var exitState: [Int: Constants] = [:]
        for b in order {
            var state = Constants()
            state.value = known[b] ?? state.value
            if !externalEntries.contains(b), let preds = predecessors[b], preds.count == 1, let p = preds.first, let exit = exitState[p] {
                state = exit
                // Registers another successor of the predecessor may read keep their definitions alive.
                for s in blocks[p]!.successors where s != b { state.read(liveIn[s] ?? .allRegisters) }
            }
            var block = blocks[b]!
            // Liveness after each instruction (of the code before this pass; rewriting only removes reads).
            var liveAfter = [RegisterSet](repeating: 0, count: block.ops.count)
            var live = liveOut(block, liveIn)
            for k in block.ops.indices.reversed() {
                liveAfter[k] = live
                live = transfer(block.ops[k].instruction, live)
            }
            var ops: [ResolvedOp] = []
            for (k, op) in block.ops.enumerated() {
                var op = op
                let original = op.instruction
                let value: (UInt8) -> UInt64? = { state.value[Int($0)] }
                let kill = RegisterEffects.kills(original)
                // An instruction that leaves its destination as it is can go.
                if RegisterEffects.isPure(original), let d = kill, let old = state.value[Int(d)], folder.evaluate(original, value) == old {
                    continue
                }
                let oldUses = RegisterEffects.uses(original)
                var best = original
                var bestCost = length(original)
                for candidate in folder.rewrites(original, value, isa: isa) {
                    let newUses = RegisterEffects.uses(candidate)
                    guard newUses & ~oldUses == 0 else { continue }
                    // Definitions whose last reader this was die with the rewrite.
                    var saved = 0
                    for r in 0..<13 where oldUses.has(UInt8(r)) && !newUses.has(UInt8(r)) {
                        if let len = state.unreadDefinitionLength[r], kill == UInt8(r) || !liveAfter[k].has(UInt8(r)) { saved += len }
                    }
                    let cost = length(candidate) - saved
                    let bestUses = RegisterEffects.uses(best)
                    if cost < bestCost || (cost == bestCost && newUses & ~bestUses == 0 && newUses != bestUses) {
                        best = candidate
                        bestCost = cost
                    }
                }
                op.instruction = best
                // The new state.
                let result = RegisterEffects.isPure(best) ? folder.evaluate(best, value) : nil
                state.read(RegisterEffects.uses(best))
                let written = RegisterEffects.writes(best)
                for r in 0..<13 where written.has(UInt8(r)) {
                    state.value[r] = nil
                    state.unreadDefinitionLength[r] = nil
                }
                if let d = RegisterEffects.kills(best), let result {
                    state.value[Int(d)] = result
                    state.unreadDefinitionLength[Int(d)] = length(best)
                }
                ops.append(op)
            }
            block.ops = ops
            blocks[b] = block
            exitState[b] = state
        }
    }
}
