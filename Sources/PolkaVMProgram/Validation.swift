extension ProgramCode {
    /// Whole-program validation (JamV1 and Gray Paper 0.8.0 `deblob`): walking from offset 0, every
    /// instruction must be a defined opcode with no gap of more than 24 argument bytes, and the code must
    /// end with an instruction that cannot fall through past it. Throws at the first offending offset.
    public func validateWholeProgram() throws(ProgramError) {
        guard !code.isEmpty else {
            throw ProgramError(.missingCode, section: .code)
        }
        for inst in linearWalk() where inst.instruction.opcode == .invalid {
            let pc = Int(inst.pc)
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
    }

    /// Whether ``validateWholeProgram()`` passes. The same walk, without decoding operands or building
    /// the instruction list (every module load asks).
    public var isWholeProgramValid: Bool {
        guard !code.isEmpty, isInstructionStart(0) else { return false }
        var pc = 0
        while true {
            let opcode = isa.opcode(forByte: code[pc])
            if opcode == .invalid { return false }
            let next = pc + 1 + skip(at: pc)
            if !isInstructionStart(next) { return !opcode.canFallThrough }
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
