/// A program's code: the instruction bytes, the bitmask marking instruction starts, the jump table
/// and the instruction set that numbers the opcodes. This is what every backend executes, and it is
/// the only place where instruction bytes are decoded (docs/SPEC.md, "Code").
public struct ProgramCode: Sendable, Hashable {
    /// The instruction bytes.
    public let code: [UInt8]
    /// One bit per code byte (LSB first); a set bit marks an instruction start.
    public let bitmask: [UInt8]
    /// Jump-table entries: the code offsets reached by dynamic addresses `2 * (index + 1)`.
    public let jumpTable: [UInt32]
    /// The instruction set.
    public let isa: InstructionSetKind
    /// `isa`'s opcode for each byte, held here so that decoding does not go through the static table's
    /// lazy-initialization check for every instruction.
    @usableFromInline let decodeTable: [Opcode]
    /// The operand kind of each opcode (by raw value), so that decoding does not call
    /// ``Opcode/operandKind`` for every instruction.
    @usableFromInline let operandKinds: [OperandKind]

    /// The largest number of argument bytes an instruction can have.
    public static let maximumSkip = 24
    /// The dynamic address that returns to the host.
    public static let returnToHostAddress: UInt32 = 0xFFFF_0000

    /// Wraps already-validated parts. The bitmask must be `ceil(code.count / 8)` bytes long with zero
    /// padding; use ``init(code:bitmask:jumpTable:isa:validating:)`` for untrusted input.
    public init(uncheckedCode code: [UInt8], bitmask: [UInt8], jumpTable: [UInt32], isa: InstructionSetKind) {
        self.code = code
        self.bitmask = bitmask
        self.jumpTable = jumpTable
        self.isa = isa
        self.decodeTable = isa.decodeTable
        self.operandKinds = OperandKind.byOpcode
    }

    /// Whether two codes have the same bytes, bitmask, jump table and instruction set (the decode tables
    /// follow from the instruction set, so they are not compared).
    public static func == (lhs: ProgramCode, rhs: ProgramCode) -> Bool {
        lhs.code == rhs.code && lhs.bitmask == rhs.bitmask && lhs.jumpTable == rhs.jumpTable && lhs.isa == rhs.isa
    }

    /// Hashes what ``==`` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(bitmask)
        hasher.combine(jumpTable)
        hasher.combine(isa)
    }

    /// Checks the bitmask's length and padding and wraps the parts.
    public init(code: [UInt8], bitmask: [UInt8], jumpTable: [UInt32], isa: InstructionSetKind, validating: Void = ()) throws(ProgramError) {
        guard code.count <= ProgramLimits.maximumCodeLength else {
            throw ProgramError(.codeTooLong(code.count), section: .code)
        }
        guard bitmask.count == (code.count + 7) / 8 else {
            throw ProgramError(.bitmaskLengthMismatch(expected: (code.count + 7) / 8, actual: bitmask.count), section: .code)
        }
        let used = code.count % 8
        if used != 0, bitmask[bitmask.count - 1] >> UInt8(used) != 0 {
            throw ProgramError(.bitmaskPaddingNotZero, section: .code)
        }
        self.init(uncheckedCode: code, bitmask: bitmask, jumpTable: jumpTable, isa: isa)
    }

    /// Builds the bitmask for instructions starting at the given offsets.
    public static func bitmask(codeLength: Int, starts: some Sequence<Int>) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: (codeLength + 7) / 8)
        for s in starts where s >= 0 && s < codeLength {
            mask[s >> 3] |= 1 << UInt8(s & 7)
        }
        return mask
    }

    /// The code length in bytes.
    @inlinable @inline(__always)
    public var count: Int { code.count }

    /// Whether an instruction starts at `pc`.
    @inlinable @inline(__always)
    public func isInstructionStart(_ pc: Int) -> Bool {
        pc >= 0 && pc < code.count && (bitmask[pc >> 3] >> UInt8(pc & 7)) & 1 == 1
    }

    /// The number of argument bytes of the instruction at `pc`: the distance to the next instruction
    /// start minus one, capped at 24 and at the end of the code.
    @inlinable @inline(__always)
    public func skip(at pc: Int) -> Int {
        withDecoder { $0.skip(at: pc) }
    }

    /// The opcode at `pc` (``Opcode/invalid`` when no instruction starts there or the byte is undefined).
    @inline(__always)
    public func opcode(at pc: Int) -> Opcode {
        guard isInstructionStart(pc) else { return .invalid }
        return decodeTable[Int(code[pc])]
    }

    /// The start of the instruction before `pc`, if it lies within 25 bytes (its skip can reach `pc`).
    public func previousInstructionStart(before pc: Int) -> Int? {
        withDecoder { $0.previousInstructionStart(before: pc) }
    }

    /// Whether `pc` may be the target of a jump, a branch or a jump-table entry: an instruction starts
    /// there, and it is either offset 0 or follows a (defined) block terminator.
    public func isJumpTargetValid(_ pc: Int) -> Bool {
        withDecoder { $0.isJumpTargetValid(pc) }
    }

    /// The start of the basic block containing the instruction at `pc`, walking back over instructions
    /// until offset 0 or one that follows a terminator or an undefined opcode; `nil` when `pc` is not an
    /// instruction start or the walk meets a gap of more than 24 argument bytes.
    public func blockStart(containing pc: Int) -> Int? {
        guard isInstructionStart(pc) else { return nil }
        var offset = pc
        while true {
            if offset == 0 { return 0 }
            guard let prev = previousInstructionStart(before: offset) else { return nil }
            if decodeTable[Int(code[prev])].endsBlock { return offset }
            offset = prev
        }
    }

    /// Decodes the instruction starting at `pc`, which must be an instruction start.
    @inlinable
    public func decode(at pc: Int) -> DecodedInstruction {
        withDecoder { $0.decode(at: pc) }
    }

    /// Calls `body` with an ``InstructionDecoder`` over this code, for loops that decode many instructions
    /// (a backend's compile pass): it reads the code through pointers, without the array accesses' checks.
    /// The decoder must not escape `body`.
    @inlinable
    public func withDecoder<R>(_ body: (InstructionDecoder) throws -> R) rethrows -> R {
        try code.withUnsafeBufferPointer { code in
            try bitmask.withUnsafeBufferPointer { bitmask in
                try decodeTable.withUnsafeBufferPointer { opcodes in
                    try operandKinds.withUnsafeBufferPointer { kinds in
                        try body(InstructionDecoder(code: code, bitmask: bitmask, opcodes: opcodes, operandKinds: kinds))
                    }
                }
            }
        }
    }

    /// The instruction at `pc` as the machine sees it: the decoded instruction where one starts, else an
    /// implicit `invalid` (as when execution runs off the end of the code or into a gap).
    public func instruction(at pc: Int) -> DecodedInstruction {
        if isInstructionStart(pc) { return decode(at: pc) }
        return DecodedInstruction(instruction: Instruction(.invalid), pc: UInt32(truncatingIfNeeded: pc), nextPC: UInt32(truncatingIfNeeded: pc + 1))
    }

    /// The instructions of the basic block that starts at `start`, including an implicit trailing
    /// `invalid` when the block runs off the end of the code or into a gap.
    public func basicBlock(startingAt start: Int) -> [DecodedInstruction] {
        var out: [DecodedInstruction] = []
        var pc = start
        while true {
            let inst = instruction(at: pc)
            out.append(inst)
            if inst.instruction.opcode.endsBlock { return out }
            if !isInstructionStart(Int(inst.nextPC)) {
                out.append(instruction(at: Int(inst.nextPC)))
                return out
            }
            pc = Int(inst.nextPC)
        }
    }

    /// The instructions reached by walking from offset 0 instruction by instruction, as upstream's bounded
    /// iterator does: the walk ends at the end of the code or at the first gap, where an implicit
    /// `invalid` is produced if the last instruction could fall through.
    public func linearWalk() -> [DecodedInstruction] {
        var out: [DecodedInstruction] = []
        guard !code.isEmpty else { return out }
        if !isInstructionStart(0) {
            out.append(instruction(at: 0))
            return out
        }
        var pc = 0
        while pc < code.count {
            let inst = decode(at: pc)
            out.append(inst)
            let next = Int(inst.nextPC)
            if !isInstructionStart(next) {
                let op = inst.instruction.opcode
                if op.canFallThrough {
                    out.append(instruction(at: next))
                }
                break
            }
            pc = next
        }
        return out
    }

    /// The start offsets of the basic blocks along ``linearWalk()`` (the blocks test vectors list gas costs for).
    public func basicBlockStartsAlongWalk() -> [Int] {
        var starts: [Int] = []
        var atStart = true
        for inst in linearWalk() {
            if atStart { starts.append(Int(inst.pc)) }
            atStart = inst.instruction.opcode.endsBlock
        }
        return starts
    }

    /// How many instructions start in the code (bits set in the bitmask) and how many of them are
    /// block terminators: a cheap census for sizing a backend's per-instruction arrays before it
    /// decodes anything (a program has at most `terminators + 1` basic blocks plus gap blocks).
    public func instructionCensus() -> (instructions: Int, terminators: Int) {
        withDecoder { $0.instructionCensus() }
    }
}
