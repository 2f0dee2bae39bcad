import Testing
@testable import PolkaVMInterpreter
import PolkaVMProgram

/// The compiler's bookkeeping on arbitrary code (random bytes and random bitmasks, so gaps, undefined
/// opcodes, invalid targets and code that runs off its end all occur): the whole-program flag it finds
/// along the way must equal the decoder's own walk, the instruction census must count what the bitmask
/// and the opcode table say, and every static target must point at a gas charge inside the op array.
@Suite struct CompilerStructureTests {
    typealias Rng = DispatchEquivalenceTests.Rng

    /// Random code of `length` bytes; each byte starts an instruction with probability 1/`spacing`
    /// (offset 0 usually does). Opcode bytes are drawn from the set's defined opcodes most of the time;
    /// with `wellFormed`, always, and the last instruction is a `trap` (so the whole-program walk can pass).
    static func randomCode(_ rng: inout Rng, isa: InstructionSetKind, length: Int, spacing: Int, wellFormed: Bool) -> ProgramCode {
        let defined = (0...255).map { UInt8($0) }.filter { isa.opcode(forByte: $0) != .invalid }
        var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        var starts: [Int] = []
        for pc in 0..<length where (pc == 0 && (wellFormed || rng.below(8) != 0)) || rng.below(spacing) == 0 {
            starts.append(pc)
            if wellFormed || rng.below(10) != 0 { bytes[pc] = defined[rng.below(defined.count)] }
        }
        if wellFormed, let last = starts.last { bytes[last] = isa.byte(for: .trap)! }
        let jumpTable = (0..<rng.below(4)).map { _ in UInt32(rng.below(length + 2)) }
        return ProgramCode(uncheckedCode: bytes, bitmask: ProgramCode.bitmask(codeLength: length, starts: starts),
                           jumpTable: jumpTable, isa: isa)
    }

    @Test(arguments: InstructionSetKind.allCases)
    func compiledProgramAgreesWithTheDecoder(isa: InstructionSetKind) {
        var rng = Rng(state: 0x9E37_79B9_7F4A_7C15 ^ UInt64(isa.rawValue + 1))
        var validSeen = 0
        for round in 0..<400 {
            let length = 1 + rng.below(round % 4 == 0 ? 8 : 120)
            let code = Self.randomCode(&rng, isa: isa, length: length, spacing: 1 + rng.below(4), wellFormed: round % 3 == 0)
            let census = code.instructionCensus()
            let starts = (0..<length).filter { code.isInstructionStart($0) }
            #expect(census.instructions == starts.count)
            #expect(census.terminators == starts.filter { code.opcode(at: $0).isTerminator }.count)
            for dispatch in [InterpreterDispatch.threaded, .trampoline] {
                for granularity in [false, true] {
                    var semantics = ExecutionSemantics.polkavm
                    if granularity { semantics.gasGranularity = .instruction }
                    let program = CompiledProgram(code: code, options: InterpreterOptions(
                        gasMetering: true, costModel: .simple, semantics: semantics, dispatch: dispatch))
                    #expect(program.isWholeProgramValid == code.isWholeProgramValid, "code \(code.code) mask \(code.bitmask)")
                    let first = UInt(bitPattern: program.ops), end = first + UInt(program.opCount * MemoryLayout<Op>.stride)
                    for i in 0..<program.opCount where program.ops[i].kind.hasStaticTarget {
                        let target = UInt(truncatingIfNeeded: program.ops[i].aux)
                        let inArray = target >= first && target < end
                        #expect(inArray && (target - first) % UInt(MemoryLayout<Op>.stride) == 0)
                        if inArray {
                            #expect(program.ops[Int((target - first) / UInt(MemoryLayout<Op>.stride))].kind == .chargeGas)
                        }
                    }
                    // Ops in code order: program counters never decrease before the appended trap blocks.
                    for i in 1..<Swift.max(1, program.orderedOpCount) {
                        #expect(program.ops[i - 1].pc <= program.ops[i].pc)
                    }
                }
            }
            if code.isWholeProgramValid { validSeen += 1 }
        }
        // The generator must produce both outcomes for the comparison to mean anything.
        #expect(validSeen > 5 && validSeen < 395)
    }
}
