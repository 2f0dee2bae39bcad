/// Where a jump, branch or `load_imm_and_jump` points while a list of instructions is being laid out.
public enum LayoutTarget: Sendable, Hashable {
    /// The start of the instruction with this index in the list; the list's count means "the end of the code".
    case instruction(Int)
    /// A fixed code offset.
    case pc(UInt32)
}

/// An instruction list that could not be laid out.
public struct InstructionEncodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The index of the offending instruction in the list.
    public var index: Int
    /// Why it failed.
    public var message: String

    /// Creates an error.
    public init(index: Int, message: String) {
        self.index = index
        self.message = message
    }

    /// A readable description.
    public var description: String { "instruction #\(index): \(message)" }
}

/// The bytes of a laid-out instruction list and the code offset of every instruction.
public struct InstructionLayout: Sendable, Hashable {
    /// The instruction bytes.
    public var bytes: [UInt8]
    /// The code offset of each instruction, in list order.
    public var offsets: [UInt32]
    /// The instruction set the bytes are numbered in.
    public var isa: InstructionSetKind

    /// Creates a layout.
    public init(bytes: [UInt8], offsets: [UInt32], isa: InstructionSetKind) {
        self.bytes = bytes
        self.offsets = offsets
        self.isa = isa
    }

    /// The bitmask marking each instruction start.
    public var bitmask: [UInt8] {
        ProgramCode.bitmask(codeLength: bytes.count, starts: offsets.lazy.map { Int($0) })
    }

    /// The code offset `target` resolves to (`bytes.count` for the end of the code).
    public func pc(of target: LayoutTarget) -> UInt32 {
        switch target {
        case .pc(let pc): return pc
        case .instruction(let index): return index < offsets.count ? offsets[index] : UInt32(truncatingIfNeeded: bytes.count)
        }
    }

    /// Wraps the bytes, bitmask and the given jump table into a ``ProgramCode``.
    public func programCode(jumpTable: [UInt32] = []) -> ProgramCode {
        ProgramCode(uncheckedCode: bytes, bitmask: bitmask, jumpTable: jumpTable, isa: isa)
    }
}

/// Encodes instructions the way upstream's writer does (docs: upstream-format §3.2/§3.3): every immediate
/// in its minimal sign-extended length (0–4 bytes), offsets as `(target − pc) mod 2^32`, `load_imm64` as
/// 8 raw bytes, register fields as nibbles.
public enum InstructionEncoder {
    /// The number of bytes the canonical encoding of a 32-bit immediate takes: 0 for zero, else the
    /// smallest of 1...4 whose sign extension reproduces the value.
    @inline(__always)
    public static func immediateLength(_ value: UInt32) -> Int {
        if value == 0 { return 0 }
        let signed = Int32(bitPattern: value)
        if signed >= -0x80 && signed < 0x80 { return 1 }
        if signed >= -0x8000 && signed < 0x8000 { return 2 }
        if signed >= -0x80_0000 && signed < 0x80_0000 { return 3 }
        return 4
    }

    /// Encodes one instruction at code offset `pc`; `nil` when `isa` lacks the opcode (or it is ``Opcode/invalid``).
    /// Immediates are taken from their low 32 bits (all 64 for `load_imm64`); register fields from their low nibble.
    public static func encode(_ instruction: Instruction, at pc: UInt32, isa: InstructionSetKind) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(12)
        guard encode(instruction, at: pc, isa: isa, into: &out) else { return nil }
        return out
    }

    /// Appends the encoding of `instruction` at `pc` to `out`; returns `false` (appending nothing) when
    /// `isa` lacks the opcode.
    @discardableResult
    public static func encode(_ instruction: Instruction, at pc: UInt32, isa: InstructionSetKind, into out: inout [UInt8]) -> Bool {
        encode(instruction, at: pc, isa: isa, minimumOffsetLength: 0, into: &out)
    }

    static func encode(
        _ instruction: Instruction, at pc: UInt32, isa: InstructionSetKind, minimumOffsetLength: Int,
        into out: inout [UInt8]
    ) -> Bool {
        guard let opcodeByte = isa.byte(for: instruction.opcode) else { return false }
        @inline(__always) func low32(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v) }
        @inline(__always) func nibble(_ r: UInt8) -> UInt8 { r & 0xF }
        func append(_ value: UInt32, length: Int) {
            for k in 0..<length { out.append(UInt8(truncatingIfNeeded: value >> UInt32(8 * k))) }
        }
        func appendMinimal(_ value: UInt32) { append(value, length: immediateLength(value)) }
        func appendOffset(_ target: UInt32) {
            let value = target &- pc
            append(value, length: Swift.max(immediateLength(value), Swift.min(4, minimumOffsetLength)))
        }
        let i = instruction
        out.append(opcodeByte)
        switch i.opcode.operandKind {
        case .argless:
            break
        case .imm:
            appendMinimal(low32(i.imm1))
        case .offset:
            appendOffset(i.target)
        case .regImm:
            out.append(nibble(i.regA))
            appendMinimal(low32(i.imm1))
        case .regImm64:
            out.append(nibble(i.regA))
            for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: i.imm1 >> UInt64(8 * k))) }
        case .regImmImm:
            let l1 = immediateLength(low32(i.imm1))
            out.append(nibble(i.regA) | UInt8(l1 << 4))
            append(low32(i.imm1), length: l1)
            appendMinimal(low32(i.imm2))
        case .regImmOffset:
            let l1 = immediateLength(low32(i.imm1))
            out.append(nibble(i.regA) | UInt8(l1 << 4))
            append(low32(i.imm1), length: l1)
            appendOffset(i.target)
        case .regRegImm:
            out.append(nibble(i.regA) | nibble(i.regB) << 4)
            appendMinimal(low32(i.imm1))
        case .regRegOffset:
            out.append(nibble(i.regA) | nibble(i.regB) << 4)
            appendOffset(i.target)
        case .regRegReg:
            out.append(nibble(i.regA) | nibble(i.regB) << 4)
            out.append(nibble(i.regD))
        case .regReg:
            out.append(nibble(i.regA) | nibble(i.regB) << 4)
        case .immImm:
            let l1 = immediateLength(low32(i.imm1))
            out.append(UInt8(l1))
            append(low32(i.imm1), length: l1)
            appendMinimal(low32(i.imm2))
        case .regRegImmImm:
            let l1 = immediateLength(low32(i.imm1))
            out.append(nibble(i.regA) | nibble(i.regB) << 4)
            out.append(UInt8(l1))
            append(low32(i.imm1), length: l1)
            appendMinimal(low32(i.imm2))
        }
        return true
    }

    /// Whether the opcode carries a code offset (`jump`, `load_imm_and_jump` and the branches).
    @inline(__always)
    static func hasTarget(_ opcode: Opcode) -> Bool {
        switch opcode.operandKind {
        case .offset, .regImmOffset, .regRegOffset: return true
        default: return false
        }
    }

    /// Encodes instructions back to back from offset 0, using each instruction's ``Instruction/target``
    /// as an absolute code offset. Throws when the instruction set lacks an opcode.
    public static func layout(_ instructions: [Instruction], isa: InstructionSetKind) throws(InstructionEncodingError) -> InstructionLayout {
        var bytes: [UInt8] = []
        var offsets: [UInt32] = []
        offsets.reserveCapacity(instructions.count)
        for (index, inst) in instructions.enumerated() {
            let pc = UInt32(truncatingIfNeeded: bytes.count)
            offsets.append(pc)
            guard encode(inst, at: pc, isa: isa, into: &bytes) else {
                throw InstructionEncodingError(index: index, message: "the instruction '\(inst.opcode.name)' is not available in the '\(isa)' instruction set")
            }
        }
        return InstructionLayout(bytes: bytes, offsets: offsets, isa: isa)
    }

    /// Encodes instructions back to back (absolute targets, as ``layout(_:isa:)``) into a ``ProgramCode``
    /// with the given jump table.
    public static func programCode(
        _ instructions: [Instruction], isa: InstructionSetKind, jumpTable: [UInt32] = []
    ) throws(InstructionEncodingError) -> ProgramCode {
        try layout(instructions, isa: isa).programCode(jumpTable: jumpTable)
    }

    /// Lays out instructions whose jump/branch targets are given separately (`targets[i]` for instruction
    /// `i`; `nil` keeps the instruction's own ``Instruction/target``), iterating until every offset is
    /// consistent with the lengths it implies. Uses the same initial guess and update order as upstream's
    /// writer, so the result matches upstream byte for byte.
    public static func layout(
        _ instructions: [Instruction], targets: [LayoutTarget?], isa: InstructionSetKind
    ) throws(InstructionEncodingError) -> InstructionLayout {
        let count = instructions.count
        var insts = instructions
        var encoded = [[UInt8]](repeating: [], count: count)
        var positions = [UInt32](repeating: 0, count: count)
        func target(at i: Int) -> LayoutTarget? { i < targets.count ? targets[i] : nil }
        func encodeOne(_ i: Int, minimum: Int) throws(InstructionEncodingError) {
            var out: [UInt8] = []
            guard encode(insts[i], at: positions[i], isa: isa, minimumOffsetLength: minimum, into: &out) else {
                throw InstructionEncodingError(index: i, message: "the instruction '\(insts[i].opcode.name)' is not available in the '\(isa)' instruction set")
            }
            encoded[i] = out
        }

        // Initial guess: targets are "as many bytes away as instructions away".
        var position: UInt32 = 0
        for i in 0..<count {
            if hasTarget(insts[i].opcode), let t = target(at: i) {
                switch t {
                case .pc(let pc): insts[i].target = pc
                case .instruction(let index):
                    insts[i].target = position &+ UInt32(bitPattern: Int32(truncatingIfNeeded: index - i))
                }
            }
            positions[i] = position
            try encodeOne(i, minimum: 0)
            position &+= UInt32(encoded[i].count)
        }
        var total = position

        // Fix the offsets until nothing changes. After many rounds (an oscillation, which upstream would
        // loop on forever) lengths are only allowed to grow, which guarantees termination.
        var round = 0
        while true {
            round += 1
            let monotone = round > 64
            var anyModified = false
            position = 0
            for i in 0..<count {
                var modified = positions[i] != position
                positions[i] = position
                if hasTarget(insts[i].opcode), let t = target(at: i) {
                    let newTarget: UInt32
                    switch t {
                    case .pc(let pc): newTarget = pc
                    case .instruction(let index): newTarget = index < count ? positions[index] : total
                    }
                    if insts[i].target != newTarget {
                        insts[i].target = newTarget
                        modified = true
                    }
                    if modified {
                        let previous = encoded[i].count
                        // The opcode, register and first-immediate bytes come before the offset.
                        try encodeOne(i, minimum: 0)
                        if monotone && encoded[i].count < previous {
                            let offsetLength = offsetFieldLength(encoded[i].count, insts[i])
                            try encodeOne(i, minimum: offsetLength + previous - encoded[i].count)
                        }
                    }
                }
                position &+= UInt32(encoded[i].count)
                anyModified = anyModified || modified
            }
            if position != total {
                total = position
                anyModified = true
            }
            if !anyModified { break }
        }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(total))
        for e in encoded { bytes.append(contentsOf: e) }
        return InstructionLayout(bytes: bytes, offsets: positions, isa: isa)
    }

    /// Lays out instructions at given code offsets (as a disassembler listing records them), padding
    /// jump and branch offset fields where an instruction must be longer than its minimal encoding.
    /// Returns nil when some instruction cannot take exactly the space its offsets leave (the caller
    /// then lays the code out afresh).
    public static func layout(
        _ instructions: [Instruction], targets: [LayoutTarget?], fixedOffsets offsets: [UInt32], isa: InstructionSetKind
    ) -> InstructionLayout? {
        let count = instructions.count
        guard offsets.count == count else { return nil }
        var bytes: [UInt8] = []
        for i in 0..<count {
            guard UInt32(bytes.count) == offsets[i] else { return nil }
            var inst = instructions[i]
            if hasTarget(inst.opcode), i < targets.count, let t = targets[i] {
                switch t {
                case .pc(let pc): inst.target = pc
                case .instruction(let index):
                    guard index < count else { return nil }
                    inst.target = offsets[index]
                }
            }
            var out: [UInt8] = []
            guard encode(inst, at: offsets[i], isa: isa, minimumOffsetLength: 0, into: &out) else { return nil }
            if i + 1 < count {
                guard offsets[i + 1] > offsets[i] else { return nil }
                let wanted = Int(offsets[i + 1] - offsets[i])
                if out.count < wanted && hasTarget(inst.opcode) {
                    let minimum = offsetFieldLength(out.count, inst) + wanted - out.count
                    out.removeAll()
                    guard encode(inst, at: offsets[i], isa: isa, minimumOffsetLength: minimum, into: &out) else { return nil }
                }
                guard out.count == wanted else { return nil }
            }
            bytes.append(contentsOf: out)
        }
        return InstructionLayout(bytes: bytes, offsets: offsets, isa: isa)
    }

    /// The length of the trailing offset field in an encoding of `length` bytes.
    static func offsetFieldLength(_ length: Int, _ inst: Instruction) -> Int {
        switch inst.opcode.operandKind {
        case .offset: return length - 1
        case .regRegOffset: return length - 2
        case .regImmOffset: return length - 2 - immediateLength(UInt32(truncatingIfNeeded: inst.imm1))
        default: return 0
        }
    }
}
