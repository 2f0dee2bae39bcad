/// The instruction decoder: reads one instruction of a ``ProgramCode`` (docs/SPEC.md, "Code"). Every
/// consumer of instruction bytes goes through it, one at a time through ``ProgramCode/decode(at:)`` or,
/// for a loop over many instructions, through ``ProgramCode/withDecoder(_:)``.
///
/// It views the code through pointers that are valid only inside `withDecoder`'s closure. Reads are
/// bounded by the code's length: bytes past the end read as zero, as the spec says. Instructions that
/// end at least 16 bytes before the end of the code (nearly all of them) are read with fixed-size loads,
/// and the ones near the end byte by byte.
public struct InstructionDecoder {
    @usableFromInline let code: UnsafeRawPointer?
    @usableFromInline let count: Int
    @usableFromInline let bitmask: UnsafeRawPointer?
    @usableFromInline let bitmaskCount: Int
    @usableFromInline let opcodes: UnsafePointer<Opcode>
    @usableFromInline let operandKinds: UnsafePointer<OperandKind>

    @usableFromInline
    init(code: UnsafeBufferPointer<UInt8>, bitmask: UnsafeBufferPointer<UInt8>, opcodes: UnsafeBufferPointer<Opcode>,
         operandKinds: UnsafeBufferPointer<OperandKind>) {
        precondition(opcodes.count == 256 && operandKinds.count == 256, "decode tables have one entry per byte value")
        self.code = UnsafeRawPointer(code.baseAddress)
        self.count = code.count
        self.bitmask = UnsafeRawPointer(bitmask.baseAddress)
        self.bitmaskCount = bitmask.count
        self.opcodes = opcodes.baseAddress.unsafelyUnwrapped
        self.operandKinds = operandKinds.baseAddress.unsafelyUnwrapped
    }

    /// Whether an instruction starts at `pc`.
    @inlinable @inline(__always)
    public func isInstructionStart(_ pc: Int) -> Bool {
        guard pc >= 0 && pc < count else { return false }
        return (bitmask.unsafelyUnwrapped.load(fromByteOffset: pc &>> 3, as: UInt8.self) &>> UInt8(pc & 7)) & 1 == 1
    }

    /// The operand kind of `opcode` (``Opcode/operandKind``, read from a table).
    @inlinable @inline(__always)
    public func operandKind(of opcode: Opcode) -> OperandKind {
        operandKinds[Int(opcode.rawValue)]
    }

    /// Whether `pc` may be the target of a jump, a branch or a jump-table entry
    /// (``ProgramCode/isJumpTargetValid(_:)``): an instruction starts there, and it is offset 0 or the
    /// instruction before it (within 25 bytes) is a block terminator.
    @inlinable
    public func isJumpTargetValid(_ pc: Int) -> Bool {
        guard isInstructionStart(pc) else { return false }
        if pc == 0 { return true }
        guard let previous = previousInstructionStart(before: pc) else { return false }
        return opcodes[Int(code.unsafelyUnwrapped.load(fromByteOffset: previous, as: UInt8.self))].isTerminator
    }

    /// The start of the instruction before `pc`, if it lies within 25 bytes (its skip can reach `pc`).
    @inlinable
    public func previousInstructionStart(before pc: Int) -> Int? {
        // The bitmask's 64 bits that end with offset pc - 1's bit, in one load: the highest set bit at or
        // above pc - 25 is the answer.
        let lastByte = (pc &- 1) &>> 3
        if _fastPath(pc > 0 && pc <= count && lastByte >= 7 && lastByte < bitmaskCount) {
            let firstByte = lastByte &- 7
            var window = bitmaskWord(fromByte: firstByte)
            let top = pc &- 1 &- firstByte &* 8 // 57...63: the bit of offset pc - 1
            window &= UInt64.max &>> UInt64(63 &- top)
            let bottom = top &- ProgramCode.maximumSkip // the bit of offset pc - 25 (at least 32)
            window &>>= UInt64(bottom)
            guard window != 0 else { return nil }
            return firstByte &* 8 &+ bottom &+ (63 &- window.leadingZeroBitCount)
        }
        var p = pc &- 1
        while p >= 0 && p >= pc &- (ProgramCode.maximumSkip &+ 1) {
            if isInstructionStart(p) { return p }
            p &-= 1
        }
        return nil
    }

    /// The 64 bitmask bits from byte `k` on (bit j for code offset 8k + j): one load where eight bytes
    /// remain, and bytes past the end of the bitmask read as zero.
    @inlinable @inline(__always)
    func bitmaskWord(fromByte k: Int) -> UInt64 {
        if _fastPath(k &+ 8 <= bitmaskCount) {
            return UInt64(littleEndian: bitmask.unsafelyUnwrapped.loadUnaligned(fromByteOffset: k, as: UInt64.self))
        }
        var word: UInt64 = 0
        var j = 0
        while j < 8 && k &+ j < bitmaskCount {
            word |= UInt64(bitmask.unsafelyUnwrapped.load(fromByteOffset: k &+ j, as: UInt8.self)) &<< UInt64(8 &* j)
            j &+= 1
        }
        return word
    }

    /// How many instructions start in the code and how many of them are block terminators
    /// (``ProgramCode/instructionCensus()``), a bitmask word at a time; bits for offsets at or past the
    /// end of the code start nothing.
    @inlinable
    public func instructionCensus() -> (instructions: Int, terminators: Int) {
        var instructions = 0, terminators = 0
        let usable = Swift.min(bitmaskCount, (count &+ 7) / 8)
        var k = 0
        while k < usable {
            var word = bitmaskWord(fromByte: k)
            let firstBit = k &* 8
            if count &- firstBit < 64 { word &= (UInt64(1) &<< UInt64(count &- firstBit)) &- 1 }
            instructions &+= word.nonzeroBitCount
            while word != 0 {
                let pc = firstBit &+ word.trailingZeroBitCount
                word &= word &- 1
                if opcodes[Int(code.unsafelyUnwrapped.load(fromByteOffset: pc, as: UInt8.self))].isTerminator { terminators &+= 1 }
            }
            k &+= 8
        }
        return (instructions, terminators)
    }

    /// The byte at `offset` (0 past the end of the code).
    @inlinable @inline(__always)
    func byte(_ offset: Int) -> UInt8 {
        offset < count ? code.unsafelyUnwrapped.load(fromByteOffset: offset, as: UInt8.self) : 0
    }

    /// The number of argument bytes of the instruction at `pc`: the distance to the next instruction
    /// start minus one, capped at 24 and at the end of the code (``ProgramCode/skip(at:)``).
    @inlinable @inline(__always)
    public func skip(at pc: Int) -> Int {
        let startBit = pc &+ 1
        // After the shift at least 57 bits remain, more than the 25 needed.
        let window = bitmaskWord(fromByte: startBit &>> 3) &>> UInt64(startBit & 7)
        let distance = window == 0 ? 64 : window.trailingZeroBitCount
        return Swift.max(0, Swift.min(Swift.min(distance, ProgramCode.maximumSkip), count &- pc &- 1))
    }

    /// An `length`-byte (0...4) little-endian immediate at `offset`, sign-extended to 32 bits. With `near`
    /// false, the four bytes at `offset` lie inside the code and are read with one load.
    @inlinable @inline(__always)
    func immediate(at offset: Int, length: Int, near end: Bool) -> Int32 {
        if length == 0 { return 0 }
        var value: UInt32 = 0
        if _fastPath(!end) {
            // One load; the shift below drops the bytes past `length`.
            value = UInt32(littleEndian: code.unsafelyUnwrapped.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        } else {
            for k in 0..<length {
                value |= UInt32(byte(offset &+ k)) &<< UInt32(8 &* k)
            }
        }
        let shift = UInt32(32 &- 8 &* length)
        return Int32(bitPattern: value &<< shift) &>> Int32(shift)
    }

    /// Decodes the instruction starting at `pc`, which must be an instruction start.
    @inlinable
    public func decode(at pc: Int) -> DecodedInstruction {
        let skip = self.skip(at: pc)
        let opcodeByte = code.unsafelyUnwrapped.load(fromByteOffset: pc, as: UInt8.self)
        let opcode = opcodes[Int(opcodeByte)]
        let kind = operandKinds[Int(opcode.rawValue)]
        let next = UInt32(truncatingIfNeeded: pc &+ 1 &+ skip)
        // Every fixed-size read below ends within 16 bytes of `pc` (the 8-byte immediate of
        // `load_imm64` at pc + 2, or a second immediate at pc + 7 at the latest).
        let nearEnd = pc > count &- 16
        var inst = Instruction(opcode)
        let a = pc &+ 1
        let b0 = byte(a)
        @inline(__always) func clampLength(_ n: Int) -> Int { Swift.max(0, Swift.min(4, n)) }
        @inline(__always) func relative(_ imm: Int32) -> UInt32 { UInt32(truncatingIfNeeded: pc) &+ UInt32(bitPattern: imm) }
        switch kind {
        case .argless:
            break
        case .imm:
            inst.imm1 = Instruction.immediate(immediate(at: a, length: Swift.min(4, skip), near: nearEnd))
        case .offset:
            inst.target = relative(immediate(at: a, length: Swift.min(4, skip), near: nearEnd))
        case .regImm:
            inst.regA = Reg.clamped(nibble: b0)
            inst.imm1 = Instruction.immediate(immediate(at: a &+ 1, length: clampLength(skip &- 1), near: nearEnd))
        case .regImm64:
            inst.regA = Reg.clamped(nibble: b0)
            if _fastPath(!nearEnd) {
                inst.imm1 = UInt64(littleEndian: code.unsafelyUnwrapped.loadUnaligned(fromByteOffset: a &+ 1, as: UInt64.self))
            } else {
                var value: UInt64 = 0
                for k in 0..<8 { value |= UInt64(byte(a &+ 1 &+ k)) &<< UInt64(8 &* k) }
                inst.imm1 = value
            }
        case .regImmImm, .regImmOffset:
            inst.regA = Reg.clamped(nibble: b0)
            let l1 = Swift.min(4, Int((b0 &>> 4) & 7))
            let l2 = clampLength(skip &- l1 &- 1)
            inst.imm1 = Instruction.immediate(immediate(at: a &+ 1, length: l1, near: nearEnd))
            let second = immediate(at: a &+ 1 &+ l1, length: l2, near: nearEnd)
            if kind == .regImmOffset {
                inst.target = relative(second)
            } else {
                inst.imm2 = Instruction.immediate(second)
            }
        case .regRegImm, .regRegOffset:
            inst.regA = Reg.clamped(nibble: b0)
            inst.regB = Reg.clamped(nibble: b0 &>> 4)
            let value = immediate(at: a &+ 1, length: clampLength(skip &- 1), near: nearEnd)
            if kind == .regRegOffset {
                inst.target = relative(value)
            } else {
                inst.imm1 = Instruction.immediate(value)
            }
        case .regRegReg:
            inst.regA = Reg.clamped(nibble: b0)
            inst.regB = Reg.clamped(nibble: b0 &>> 4)
            inst.regD = Reg.clamped(nibble: byte(a &+ 1))
        case .regReg:
            inst.regA = Reg.clamped(nibble: b0)
            inst.regB = Reg.clamped(nibble: b0 &>> 4)
        case .immImm:
            let l1 = Swift.min(4, Int(b0 & 7))
            let l2 = clampLength(skip &- l1 &- 1)
            inst.imm1 = Instruction.immediate(immediate(at: a &+ 1, length: l1, near: nearEnd))
            inst.imm2 = Instruction.immediate(immediate(at: a &+ 1 &+ l1, length: l2, near: nearEnd))
        case .regRegImmImm:
            inst.regA = Reg.clamped(nibble: b0)
            inst.regB = Reg.clamped(nibble: b0 &>> 4)
            let b1 = byte(a &+ 1)
            let l1 = Swift.min(4, Int(b1 & 7))
            let l2 = clampLength(skip &- l1 &- 2)
            inst.imm1 = Instruction.immediate(immediate(at: a &+ 2, length: l1, near: nearEnd))
            inst.imm2 = Instruction.immediate(immediate(at: a &+ 2 &+ l1, length: l2, near: nearEnd))
        }
        return DecodedInstruction(instruction: inst, pc: UInt32(truncatingIfNeeded: pc), nextPC: next)
    }
}
