import PolkaVM

/// Formats one instruction for `--trace` output.
enum InstructionFormatter {
    static func format(_ d: DecodedInstruction, isa: InstructionSetKind) -> String {
        let i = d.instruction
        func r(_ n: UInt8) -> String { Reg(rawValue: n)?.description ?? "r\(n)" }
        func imm(_ v: UInt64) -> String { "0x" + String(isa.is64Bit ? v : v & 0xFFFF_FFFF, radix: 16) }
        let name = i.opcode.name
        switch i.opcode.operandKind {
        case .argless: return name
        case .imm: return "\(name) \(imm(i.imm1))"
        case .offset: return "\(name) @\(i.target)"
        case .regImm, .regImm64: return "\(name) \(r(i.regA)), \(imm(i.imm1))"
        case .regImmImm: return "\(name) \(r(i.regA)), \(imm(i.imm1)), \(imm(i.imm2))"
        case .regImmOffset: return "\(name) \(r(i.regA)), \(imm(i.imm1)), @\(i.target)"
        case .regRegImm: return "\(name) \(r(i.regA)), \(r(i.regB)), \(imm(i.imm1))"
        case .regRegOffset: return "\(name) \(r(i.regA)), \(r(i.regB)), @\(i.target)"
        case .regRegReg: return "\(name) \(r(i.regD)), \(r(i.regA)), \(r(i.regB))"
        case .regReg: return "\(name) \(r(i.regA)), \(r(i.regB))"
        case .immImm: return "\(name) \(imm(i.imm1)), \(imm(i.imm2))"
        case .regRegImmImm: return "\(name) \(r(i.regA)), \(r(i.regB)), \(imm(i.imm1)), \(imm(i.imm2))"
        }
    }
}
