import Testing

@testable import PolkaVMProgram

/// The decoder's fixed-size loads (used for instructions at least 16 bytes from the end of the code)
/// against a byte-at-a-time reading of docs/SPEC.md's instruction encoding, on random code: every
/// instruction start of every length of code decodes to the same instruction either way, near the end
/// and far from it.
@Suite struct DecoderTests {
    /// The spec's reading, one byte at a time: bytes past the end of the code are zero.
    struct Reference {
        let code: [UInt8]
        let starts: [Bool]

        func byte(_ offset: Int) -> UInt8 { offset < code.count ? code[offset] : 0 }

        /// Argument bytes: up to the next instruction start (or the end of the code), at most 24.
        func skip(at pc: Int) -> Int {
            var next = pc + 1
            while next < code.count && !starts[next] { next += 1 }
            return min(24, next - pc - 1)
        }

        /// An `length`-byte little-endian value at `offset`, sign-extended from its top byte to 64 bits.
        func immediate(at offset: Int, length: Int) -> UInt64 {
            guard length > 0 else { return 0 }
            var value: UInt64 = 0
            for k in 0..<length { value |= UInt64(byte(offset + k)) << UInt64(8 * k) }
            let unused = UInt64(64 - 8 * length)
            return UInt64(bitPattern: Int64(bitPattern: value << unused) >> Int64(unused))
        }

        func register(_ nibble: UInt8) -> UInt8 { min(12, nibble & 15) }

        func decode(at pc: Int, isa: InstructionSetKind) -> DecodedInstruction {
            let skip = skip(at: pc)
            let opcode = isa.opcode(forByte: code[pc])
            var i = Instruction(opcode)
            let first = byte(pc + 1)
            func target(_ offset: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: UInt64(pc) &+ offset) }
            func length(_ n: Int) -> Int { max(0, min(4, n)) }
            switch opcode.operandKind {
            case .argless:
                break
            case .imm:
                i.imm1 = immediate(at: pc + 1, length: length(skip))
            case .offset:
                i.target = target(immediate(at: pc + 1, length: length(skip)))
            case .regImm:
                i.regA = register(first)
                i.imm1 = immediate(at: pc + 2, length: length(skip - 1))
            case .regImm64:
                i.regA = register(first)
                for k in 0..<8 { i.imm1 |= UInt64(byte(pc + 2 + k)) << UInt64(8 * k) }
            case .regImmImm, .regImmOffset:
                i.regA = register(first)
                let l1 = min(4, Int(first >> 4) & 7)
                i.imm1 = immediate(at: pc + 2, length: l1)
                let second = immediate(at: pc + 2 + l1, length: length(skip - 1 - l1))
                if opcode.operandKind == .regImmOffset { i.target = target(second) } else { i.imm2 = second }
            case .regRegImm, .regRegOffset:
                i.regA = register(first)
                i.regB = register(first >> 4)
                let value = immediate(at: pc + 2, length: length(skip - 1))
                if opcode.operandKind == .regRegOffset { i.target = target(value) } else { i.imm1 = value }
            case .regRegReg:
                i.regA = register(first)
                i.regB = register(first >> 4)
                i.regD = register(byte(pc + 2))
            case .regReg:
                i.regA = register(first)
                i.regB = register(first >> 4)
            case .immImm:
                let l1 = min(4, Int(first & 7))
                i.imm1 = immediate(at: pc + 2, length: l1)
                i.imm2 = immediate(at: pc + 2 + l1, length: length(skip - 1 - l1))
            case .regRegImmImm:
                i.regA = register(first)
                i.regB = register(first >> 4)
                let l1 = min(4, Int(byte(pc + 2) & 7))
                i.imm1 = immediate(at: pc + 3, length: l1)
                i.imm2 = immediate(at: pc + 3 + l1, length: length(skip - 2 - l1))
            }
            return DecodedInstruction(instruction: i, pc: UInt32(pc), nextPC: UInt32(pc + 1 + skip))
        }

        /// A start that is offset 0 or follows a terminator (within 25 bytes).
        func isJumpTargetValid(_ pc: Int, isa: InstructionSetKind) -> Bool {
            guard pc >= 0, pc < code.count, starts[pc] else { return false }
            if pc == 0 { return true }
            for previous in stride(from: pc - 1, through: max(0, pc - 25), by: -1) where starts[previous] {
                return isa.opcode(forByte: code[previous]).isTerminator
            }
            return false
        }
    }

    @Test("fast and byte-by-byte decoding agree on random code", arguments: InstructionSetKind.allCases)
    func randomCode(isa: InstructionSetKind) throws {
        var random = SplitMix64(seed: 0x5EED_0000 &+ UInt64(InstructionSetKind.allCases.firstIndex(of: isa)!))
        var checked = 0
        for round in 0..<400 {
            // Lengths from 1 to 96 bytes, so that instructions sit both near the end and far from it;
            // starts sparse enough for long argument runs (and the 24-byte cap) to occur.
            let length = 1 + round % 96
            let density = [2, 3, 5, 30][round % 4]
            let code = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var starts = (0..<length).map { _ in random.below(density) == 0 }
            starts[0] = true
            let bitmask = ProgramCode.bitmask(codeLength: length, starts: starts.indices.filter { starts[$0] })
            let program = try ProgramCode(code: code, bitmask: bitmask, jumpTable: [], isa: isa)
            let reference = Reference(code: code, starts: starts)
            program.withDecoder { decoder in
                for pc in 0..<length {
                    #expect(decoder.isInstructionStart(pc) == starts[pc])
                    #expect(decoder.isJumpTargetValid(pc) == reference.isJumpTargetValid(pc, isa: isa), "pc \(pc) of \(code)")
                    guard starts[pc] else { continue }
                    #expect(decoder.skip(at: pc) == reference.skip(at: pc))
                    let expected = reference.decode(at: pc, isa: isa)
                    #expect(decoder.decode(at: pc) == expected, "pc \(pc) of \(code) (starts \(starts))")
                    #expect(program.decode(at: pc) == expected)
                    checked += 1
                }
            }
        }
        #expect(checked > 5_000)
    }
}
