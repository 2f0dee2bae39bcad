extension ProgramCode {
    /// Whole-program validation (JamV1 and Gray Paper 0.8.0 `deblob`): walking from offset 0, every
    /// instruction must be a defined opcode with no gap of more than 24 argument bytes, and the code must
    /// end with an instruction that cannot fall through past it. Throws at the first offending offset.
    public func validateWholeProgram() throws(ProgramError) {
        guard !code.isEmpty else {
            throw ProgramError(.missingCode, section: .code)
        }
        guard let pc = wholeProgramViolation() else { return }
        let reason: String
        if pc >= code.count {
            reason = "the last instruction can fall through past the end of the code"
        } else if !isInstructionStart(pc) {
            reason = "no instruction starts here (gap of more than 24 argument bytes)"
        } else {
            reason = "undefined opcode 0x\(String(code[pc], radix: 16)) in the \(isa) instruction set"
        }
        throw ProgramError(.invalidInstruction(pc: pc, reason: reason), section: .code, offset: pc)
    }

    /// Whether ``validateWholeProgram()`` passes (every module load asks).
    public var isWholeProgramValid: Bool {
        !code.isEmpty && wholeProgramViolation() == nil
    }

    /// The walk behind both: from offset 0, instruction by instruction along ``linearWalk()``, the first
    /// offset that is an undefined opcode, or where the walk stops (a gap or the end) after an instruction
    /// that can fall through; nil if there is none. Reads opcodes and argument lengths only. Non-empty code.
    private func wholeProgramViolation() -> Int? {
        guard isInstructionStart(0) else { return 0 }
        var pc = 0
        while true {
            let opcode = decodeTable[Int(code[pc])]
            if opcode == .invalid { return pc }
            let next = pc + 1 + skip(at: pc)
            if !isInstructionStart(next) { return opcode.canFallThrough ? next : nil }
            pc = next
        }
    }

    /// Strict checks on the jump table: every entry must lie inside the code.
    public func validateJumpTable() throws(ProgramError) {
        for (i, pc) in jumpTable.enumerated() where Int(pc) >= code.count {
            throw ProgramError(.invalidJumpTableEntry(index: i, pc: pc), section: .code)
        }
    }
}
