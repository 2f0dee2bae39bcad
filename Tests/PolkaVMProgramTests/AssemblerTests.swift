import Testing

@testable import PolkaVMProgram

// MARK: - Helpers

/// Assembles `source` and returns the code bytes (failing the test on an error).
private func bytes(_ source: String, isa: InstructionSetKind = .latest64) throws -> [UInt8] {
    try Assembler.assemble(source, isa: isa).code.code
}

/// The error `source` produces, or `nil` if it assembles.
private func assemblerError(_ source: String, isa: InstructionSetKind = .latest64) -> AssemblerError? {
    do {
        _ = try Assembler.assemble(source, isa: isa)
        return nil
    } catch {
        return error
    }
}

/// Disassembles to source, reassembles, and checks the code, bitmask and data survive; returns the source.
@discardableResult
private func roundTrip(_ blob: ProgramBlob, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let text = Disassembler(blob: blob, options: .init(style: .source)).disassemble()
    let again: ProgramBlob
    do {
        again = try Assembler.assemble(text, isa: blob.isa == .latest64 ? .reviveV1 : .latest64)
    } catch {
        Issue.record("reassembly failed: \(error)\n\(text)", sourceLocation: sourceLocation)
        return text
    }
    #expect(again.isa == blob.isa, sourceLocation: sourceLocation)
    #expect(again.code.code == blob.code.code, "code bytes differ\n\(text)", sourceLocation: sourceLocation)
    #expect(again.code.bitmask == blob.code.bitmask, sourceLocation: sourceLocation)
    #expect(again.roData == blob.roData && again.rwData == blob.rwData, sourceLocation: sourceLocation)
    #expect(again.roDataSize == blob.roDataSize && again.rwDataSize == blob.rwDataSize && again.stackSize == blob.stackSize, sourceLocation: sourceLocation)
    // Printing the reassembled program gives the same text again (jump tables are not carried by the text).
    if blob.code.jumpTable.isEmpty {
        let text2 = Disassembler(blob: again, options: .init(style: .source)).disassemble()
        #expect(text2 == text, sourceLocation: sourceLocation)
    }
    return text
}

private let sampleImmediates: [Int32] = [
    0, 1, -1, 0x7F, 0x80, -0x80, -0x81, 0x7FFF, 0x8000, -0x8000, 0x12_3456, -0x80_0000, 0x7FFF_FFFF, Int32.min, -4095, -4096,
]

/// Canonical instructions of `opcode` with a spread of registers and immediates. Targets are left 0.
private func samples(of opcode: Opcode) -> [Instruction] {
    var out: [Instruction] = []
    for (k, v) in sampleImmediates.enumerated() {
        let imm = Instruction.immediate(v)
        let imm2 = Instruction.immediate(sampleImmediates[(k + 5) % sampleImmediates.count])
        let ra = UInt8(k % 13), rb = UInt8((k * 5 + 3) % 13), rd = UInt8((k * 7 + 1) % 13)
        switch opcode.operandKind {
        case .argless: if k == 0 { out.append(Instruction(opcode)) }
        case .imm: out.append(Instruction(opcode, imm1: imm))
        case .offset: if k == 0 { out.append(Instruction(opcode)) }
        case .regImm: out.append(Instruction(opcode, regA: ra, imm1: imm))
        case .regImm64:
            let values: [UInt64] = [0, 5, .max, 0x1234_5678_9ABC_DEF0, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFF_8000_0000]
            if k < values.count { out.append(Instruction(opcode, regA: ra, imm1: values[k])) }
        case .regImmImm: out.append(Instruction(opcode, regA: ra, imm1: imm, imm2: imm2))
        case .regImmOffset: out.append(Instruction(opcode, regA: ra, imm1: imm))
        case .regRegImm: out.append(Instruction(opcode, regA: ra, regB: rb, imm1: imm))
        case .regRegOffset: if k < 4 { out.append(Instruction(opcode, regA: ra, regB: rb)) }
        case .regRegReg: if k < 6 { out.append(Instruction(opcode, regA: ra, regB: rb, regD: rd)) }
        case .regReg: if k < 6 { out.append(Instruction(opcode, regA: ra, regB: rb)) }
        case .immImm: out.append(Instruction(opcode, imm1: imm, imm2: imm2))
        case .regRegImmImm:
            out.append(Instruction(opcode, regA: ra, regB: rb, imm1: imm, imm2: imm2))
            if k < 3 { out.append(Instruction(opcode, regA: ra, regB: ra, imm1: imm, imm2: imm2)) }
        }
    }
    return out
}

/// A program containing every opcode of `isa` whose operand kind is in `kinds`, laid out with the encoder.
/// Branches alternate between the start of the code and a block near the end.
private func everyOpcodeProgram(_ isa: InstructionSetKind, kinds: Set<OperandKind>? = nil) throws -> ProgramBlob {
    var instructions: [Instruction] = []
    for opcode in Opcode.allCases where opcode != .invalid && isa.contains(opcode) {
        if let kinds, !kinds.contains(opcode.operandKind) { continue }
        instructions += samples(of: opcode)
    }
    instructions.append(Instruction(.fallthrough))
    let end = instructions.count
    instructions.append(Instruction(.addImm32, regA: 7, regB: 8, imm1: 1))
    instructions.append(Instruction(.trap))
    var targets: [LayoutTarget?] = []
    for (i, inst) in instructions.enumerated() {
        switch inst.opcode.operandKind {
        case .offset, .regImmOffset, .regRegOffset: targets.append(.instruction(i % 2 == 0 ? 0 : end))
        default: targets.append(nil)
        }
    }
    let layout = try InstructionEncoder.layout(instructions, targets: targets, isa: isa)
    return ProgramBlob(
        isa: isa, roDataSize: 0x1000, rwDataSize: 8, stackSize: 0x2000, roData: [1, 2, 3], rwData: [0xAB],
        exports: [ProgramExport(pc: 0, symbol: ProgramSymbol("main")), ProgramExport(pc: layout.offsets[end], symbol: ProgramSymbol("tail"))],
        code: layout.programCode())
}

// MARK: - Tests

@Suite struct AssemblerTests {
    // MARK: Encoder

    @Test func immediateLengths() {
        let cases: [(Int32, Int)] = [
            (0, 0), (1, 1), (-1, 1), (0x7F, 1), (0x80, 2), (-0x80, 1), (-0x81, 2), (0x7FFF, 2), (0x8000, 3),
            (0x7F_FFFF, 3), (0x80_0000, 4), (-0x80_0000, 3), (Int32.max, 4), (Int32.min, 4),
        ]
        for (value, length) in cases {
            #expect(InstructionEncoder.immediateLength(UInt32(bitPattern: value)) == length, "\(value)")
        }
    }

    @Test(arguments: InstructionSetKind.allCases)
    func encodeDecodeRoundTrip(isa: InstructionSetKind) throws {
        for opcode in Opcode.allCases where opcode != .invalid {
            guard isa.contains(opcode) else {
                #expect(InstructionEncoder.encode(Instruction(opcode), at: 0, isa: isa) == nil)
                continue
            }
            for var inst in samples(of: opcode) {
                for pc: UInt32 in [0, 7, 1000] {
                    switch opcode.operandKind {
                    case .offset, .regImmOffset, .regRegOffset:
                        for target: UInt32 in [0, pc, pc &+ 5, pc &+ 200, pc &+ 0x10000, pc &- 1, pc &- 0x9000, 0xFFFF_FFFF] {
                            inst.target = target
                            try check(inst, pc: pc, isa: isa)
                        }
                    default:
                        try check(inst, pc: pc, isa: isa)
                    }
                }
            }
        }
        func check(_ inst: Instruction, pc: UInt32, isa: InstructionSetKind) throws {
            let encoded = try #require(InstructionEncoder.encode(inst, at: pc, isa: isa))
            #expect(encoded.count <= 12)
            // Place it at `pc` behind `trap`s so the offsets are computed against the right position.
            let code = [UInt8](repeating: 0, count: Int(pc)) + encoded
            let program = ProgramCode(
                uncheckedCode: code, bitmask: ProgramCode.bitmask(codeLength: code.count, starts: Array(0...Int(pc))),
                jumpTable: [], isa: isa)
            let decoded = program.decode(at: Int(pc))
            #expect(decoded.instruction == inst, "\(inst.opcode.name) at \(pc): \(encoded)")
            #expect(decoded.length == encoded.count)
        }
    }

    @Test func layoutReachesAFixedPoint() throws {
        // A forward jump over 300 bytes needs a 2-byte offset; a backward branch over it too.
        var insts = [Instruction(.jump)]
        insts += Array(repeating: Instruction(.loadImm, regA: 7, imm1: 0x1234), count: 75)
        insts.append(Instruction(.branchEq, regA: 7, regB: 8))
        insts.append(Instruction(.trap))
        var targets = [LayoutTarget?](repeating: nil, count: insts.count)
        targets[0] = .instruction(insts.count - 1)
        targets[insts.count - 2] = .instruction(0)
        let layout = try InstructionEncoder.layout(insts, targets: targets, isa: .latest64)
        let code = layout.programCode()
        #expect(code.decode(at: 0).instruction.target == layout.offsets.last)
        #expect(code.decode(at: 0).length == 3)
        let branch = code.decode(at: Int(layout.offsets[insts.count - 2]))
        #expect(branch.instruction.opcode == .branchEq && branch.instruction.target == 0)
        #expect(branch.length == 4)
        #expect(layout.bytes.count == 3 + 75 * 4 + 4 + 1)
    }

    @Test func layoutRejectsOpcodesMissingFromTheSet() {
        #expect(throws: InstructionEncodingError.self) {
            try InstructionEncoder.layout([Instruction(.add64)], isa: .latest32)
        }
    }

    // MARK: Exact bytes

    @Test func exactBytesForSyntaxExamples() throws {
        let cases: [(String, [UInt8])] = [
            ("i32 a2 = a0 + a1", [190, 0x87, 0x09]),
            ("a2 = a0 + a1", [200, 0x87, 0x09]),
            ("a2 = i16 [a0 + 0x6]", [127, 0x79, 0x06]),
            ("a2 = u64 [a0]", [130, 0x79]),
            ("a0 = u8 [0x20000]", [52, 0x07, 0x00, 0x00, 0x02]),
            ("u8 [a0 + 0x2] = a3", [120, 0x7A, 0x02]),
            ("u32 [0x20000] = 5", [32, 0x03, 0x00, 0x00, 0x02, 0x05]),
            ("u8 [a0 + 1] = 0xff", [70, 0x17, 0x01, 0xFF, 0x00]),
            ("u64 [sp - 8] = ra", [123, 0x10, 0xF8]),
            ("a0 = 0x30000", [51, 0x07, 0x00, 0x00, 0x03]),
            ("a0 = -1", [51, 0x07, 0xFF]),
            ("a0 = 0x80", [51, 0x07, 0x80, 0x00]),
            ("a0 = 0", [51, 0x07]),
            ("a0 = 0xffffffffffffffff", [51, 0x07, 0xFF]),
            ("a0 = 0x123456789", [20, 0x07, 0x89, 0x67, 0x45, 0x23, 0x01, 0, 0, 0]),
            ("a0 = 0xffffffff", [20, 0x07, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]),
            ("a0 = i64 5", [20, 0x07, 5, 0, 0, 0, 0, 0, 0, 0]),
            ("ecalli 4", [10, 0x04]),
            ("ecalli 0", [10]),
            ("trap", [0]),
            ("fallthrough", [1]),
            ("unlikely", [3]),
            ("ret", [50, 0x00]),
            ("nop", [100, 0x00]),
            ("jump [a0 + 4]", [50, 0x07, 0x04]),
            ("jump [a0]", [50, 0x07]),
            ("a0 = sbrk a1", [101, 0x87]),
            ("[a0..a0 + a2] = u8 a1", [2]),
            ("a0 = a1", [100, 0x87]),
            ("a0 = a1 if a2 == 0", [218, 0x98, 0x07]),
            ("a0 = a1 if a2 != 0", [219, 0x98, 0x07]),
            ("a0 = 5 if a2 != 0", [148, 0x97, 0x05]),
            ("a0 = a1 + 5", [149, 0x87, 0x05]),
            ("a0 = a1 - 5", [149, 0x87, 0xFB]),
            ("i32 a0 = a1 - 5", [131, 0x87, 0xFB]),
            ("a0 = 5 - a1", [154, 0x87, 0x05]),
            ("a0 = -a1", [154, 0x87]),
            ("a0 = a1 >u 5", [142, 0x87, 0x05]),
            ("a0 = 5 <u a1", [142, 0x87, 0x05]),
            ("a0 = a1 >u a2", [216, 0x89, 0x07]),
            ("a0 = 3 << a1", [155, 0x87, 0x03]),
            ("i32 a0 = a1 >>r 3", [160, 0x87, 0x03]),
            ("a0 = a1 <<r a2", [220, 0x98, 0x07]),
            ("a0 = a1 & ~a2", [224, 0x98, 0x07]),
            ("a0 = a1 | ~a2", [225, 0x98, 0x07]),
            ("a0 = ~(a1 ^ a2)", [226, 0x98, 0x07]),
            ("a0 = maxu(a1, a2)", [228, 0x98, 0x07]),
            ("a0 = a1 mulhsu a2", [215, 0x98, 0x07]),
            ("a0 = a1 %s a2", [206, 0x98, 0x07]),
            ("i32 a0 = a1 /u a2", [193, 0x98, 0x07]),
            ("i32 a0 = clz a1", [105, 0x87]),
            ("a0 = cpop a1", [102, 0x87]),
            ("a0 = sext16 a1", [109, 0x87]),
            ("r7 = r8 ^ 0x10", [133, 0x87, 0x10]),
            ("a0 = a1 ^ -1", [133, 0x87, 0xFF]),
            ("tmp = a0, a0 = 1234, jump [tmp + 4]", [180, 0x77, 0x02, 0xD2, 0x04, 0x04]),
            ("ra = 2, jump [a0]", [180, 0x70, 0x01, 0x02]),
        ]
        for (source, expected) in cases {
            #expect(try bytes(source) == expected, "\(source)")
        }
    }

    @Test func instructionSetNumberingAndWidth() throws {
        // JamV1 renumbers the bit operations and `unlikely`.
        #expect(try bytes("a0 = cpop a1\nunlikely", isa: .jamV1) == [101, 0x87, 2])
        #expect(try bytes("%isa = jam_v1\na0 = cpop a1") == [101, 0x87])
        // In latest32 the `_32` forms need `i32`; u32-range immediates are plain 32-bit values.
        #expect(try bytes("i32 a0 = a1 + a2", isa: .latest32) == [190, 0x98, 0x07])
        #expect(try bytes("a0 = 0xffffffff", isa: .latest32) == [51, 0x07, 0xFF])
        #expect(try bytes("a0 = a1 & 0xffffffff", isa: .latest32) == [132, 0x87, 0xFF])
        #expect(try Assembler.assemble("%isa = latest32\ntrap").isa == .latest32)
        #expect(try Assembler.assemble("trap", isa: .reviveV1).isa == .reviveV1)
    }

    // MARK: Labels

    @Test func forwardJumpInsertsFallthroughBeforeLabel() throws {
        let source = """
            jump @label
            a0 = 1
            @label:
            a0 = 2
            """
        // jump +6; a0 = 1; fallthrough (inserted); a0 = 2
        #expect(try bytes(source) == [40, 6, 51, 7, 1, 1, 51, 7, 2])
    }

    @Test func noFallthroughSuppressesTheInsertion() throws {
        let blob = try Assembler.assemble("""
            pub @main:
                a0 = 1
            pub @expected_exit: %no_fallthrough
                trap
            """)
        #expect(blob.code.code == [51, 7, 1, 0])
        #expect(blob.exports == [
            ProgramExport(pc: 3, symbol: ProgramSymbol("expected_exit")),
            ProgramExport(pc: 0, symbol: ProgramSymbol("main")),
        ])
    }

    @Test func noFallthroughLabelNamesItsBlockStart() throws {
        // Upstream maps a label to the basic block it is in; without a fallthrough that block began earlier.
        let code = try bytes("""
            trap
            a0 = 1
            @mid: %no_fallthrough
            a1 = 2
            jump @mid
            """)
        // trap(0) a0=1 (1..3) a1=2 (4..6) jump(7) -> block start 1, offset 1 - 7 = -6
        #expect(code == [0, 51, 7, 1, 51, 8, 2, 40, 0xFA])
    }

    @Test func backwardBranchAndComparisons() throws {
        let source = """
            @loop:
                a0 = a0 + 1
                jump @loop if a0 <u 10
                trap
            """
        #expect(try bytes(source) == [149, 0x77, 0x01, 83, 0x17, 0x0A, 0xFD, 0])

        let conditions: [(String, [UInt8])] = [
            ("a0 == a1", [170, 0x87]), ("a0 != a1", [171, 0x87]), ("a0 <u a1", [172, 0x87]), ("a0 <s a1", [173, 0x87]),
            ("a0 >=u a1", [174, 0x87]), ("a0 >=s a1", [175, 0x87]),
            ("a0 <=u a1", [174, 0x78]), ("a0 <=s a1", [175, 0x78]), ("a0 >u a1", [172, 0x78]), ("a0 >s a1", [173, 0x78]),
            ("a0 == 5", [81, 0x17, 5]), ("a0 != 5", [82, 0x17, 5]), ("a0 <u 5", [83, 0x17, 5]), ("a0 <=u 5", [84, 0x17, 5]),
            ("a0 >=u 5", [85, 0x17, 5]), ("a0 >u 5", [86, 0x17, 5]), ("a0 <s 5", [87, 0x17, 5]), ("a0 <=s 5", [88, 0x17, 5]),
            ("a0 >=s 5", [89, 0x17, 5]), ("a0 >s 5", [90, 0x17, 5]),
            ("5 <u a0", [86, 0x17, 5]), ("5 >=s a0", [88, 0x17, 5]), ("a0 == 0", [81, 0x07]),
            ("a0 <u -10", [83, 0x17, 0xF6]), ("a0 == 0xffffffff", [81, 0x17, 0xFF]),
        ]
        for (condition, prefix) in conditions {
            // `@t` is the trap at offset 0; the branch sits at offset 1, so the offset is -1.
            let code = try bytes("@t:\ntrap\njump @t if \(condition)\ntrap")
            #expect(Array(code.dropFirst()) == prefix + [0xFF, 0], "\(condition)")
        }
    }

    @Test func loadImmAndJumpAndLabelAddresses() throws {
        let blob = try Assembler.assemble("""
            pub @main:
                ra = 2, jump @f
            @ret:
                a1 = @f
                a2 = @ret
                trap
            @f:
                ret
            """)
        // main: load_imm_and_jump ra, 2, @f (pc 0, 4 bytes) | a1 = 2 | a2 = 4 | trap | ret
        #expect(blob.code.code == [80, 0x10, 2, 11, 51, 8, 2, 51, 9, 4, 0, 50, 0])
        #expect(blob.code.jumpTable == [11, 4])
        #expect(blob.exports == [ProgramExport(pc: 0, symbol: ProgramSymbol("main"))])
        #expect(blob.code.isJumpTargetValid(4) && blob.code.isJumpTargetValid(11))
    }

    @Test func labelAtTheEndNamesTheEndOfTheCode() throws {
        // Upstream's writer has no instruction to point at here; this implementation uses the code length.
        let blob = try Assembler.assemble("jump @end\na0 = 1\npub @end:")
        #expect(blob.code.code == [40, 6, 51, 7, 1, 1])
        #expect(blob.exports == [ProgramExport(pc: 6, symbol: ProgramSymbol("end"))])
    }

    @Test func directives() throws {
        let blob = try Assembler.assemble("""
            %ro_data_size = 4
            %ro_data = 01 02 0a ff
            %rw_data_size = 0x10
            %rw_data = 8182
            %stack_size = 4096
            // a comment
            trap // trailing comment
            """)
        #expect(blob.roDataSize == 4 && blob.roData == [1, 2, 0x0A, 0xFF])
        #expect(blob.rwDataSize == 16 && blob.rwData == [0x81, 0x82])
        #expect(blob.stackSize == 4096)
        #expect(blob.code.code == [0])
        #expect(blob.code.bitmask == [1])
    }

    // MARK: Errors

    @Test func errorsCarryTheLine() {
        let cases: [(String, InstructionSetKind, Int, String)] = [
            ("trap\nfrobnicate a0\n", .latest64, 2, "unknown instruction"),
            ("trap\n\na0 = a9 + a1", .latest64, 3, "unknown register 'a9'"),
            ("a0 = a1 + a2\nu8 [x0] = a1", .latest64, 2, "unknown register 'x0'"),
            ("jump @nowhere\ntrap", .latest64, 1, "undefined label '@nowhere'"),
            ("trap\na1 = @nowhere", .latest64, 2, "undefined label"),
            ("trap\n\n\na0 = a1 + a2", .latest32, 4, "'add_64' is not available in the 'latest32'"),
            ("a0 = sbrk a1", .jamV1, 1, "'sbrk' is not available"),
            ("%isa = latest32\ntrap\na0 = u64 [a1]", .latest64, 3, "not available"),
            ("i32 a0 = a1 & a2", .latest64, 1, "'i32'"),
            ("a0 = a1 /u 5", .latest64, 1, "not supported"),
            ("a0 = a1 + 0x100000000", .latest64, 1, "does not fit"),
            ("a0 = a1 + 0xffffffff", .latest64, 1, "does not fit"),
            ("jump @x if 1 == 2", .latest64, 1, "both sides"),
            ("@a:\ntrap\n@a:\ntrap", .latest64, 3, "duplicate label"),
            ("%isa = risc_v", .latest64, 1, "unknown instruction set"),
            ("%foo = 1", .latest64, 1, "unknown directive"),
            ("%rw_data = 01 02", .latest64, 1, "%rw_data_size"),
            ("a0 = 1, jump [a0]", .latest64, 1, "tmp"),
            ("a0 = a1 if a2 == 1", .latest64, 1, "compares with 0"),
            ("ecalli -1", .latest64, 1, "host call"),
            ("trap\ninvalid", .latest64, 2, "invalid"),
            ("a0 = 12 #", .latest64, 1, "unexpected character"),
        ]
        for (source, isa, line, fragment) in cases {
            guard let error = assemblerError(source, isa: isa) else {
                Issue.record("expected an error for \(source)")
                continue
            }
            #expect(error.line == line, "\(source): \(error)")
            #expect(error.message.contains(fragment), "\(source): \(error)")
            #expect(error.column >= 1)
            #expect(error.description.hasPrefix("line \(line), column "))
        }
        // Column points at the offending token.
        #expect(assemblerError("a0 = a9 + a1")?.column == 6)
        #expect(assemblerError("  jump @nowhere")?.column == 8)
    }

    // MARK: Round trips

    @Test(arguments: InstructionSetKind.allCases)
    func everyOpcodeRoundTripsThroughText(isa: InstructionSetKind) throws {
        let blob = try everyOpcodeProgram(isa)
        let text = try roundTrip(blob)
        #expect(text.contains("pub @main:") && text.contains("pub @tail:"))
        // Every opcode of the set appears in the decoded program.
        let opcodes = Set(Disassembler.instructions(of: blob.code).map(\.instruction.opcode))
        #expect(opcodes == Set(Opcode.allCases.filter { $0 != .invalid && isa.contains($0) }))
    }

    @Test(arguments: [
        OperandKind.argless, .imm, .offset, .regImm, .regImm64, .regImmImm, .regImmOffset, .regRegImm, .regRegOffset,
        .regRegReg, .regReg, .immImm, .regRegImmImm,
    ])
    func operandClassRoundTrips(kind: OperandKind) throws {
        for isa in InstructionSetKind.allCases where kind != .regImm64 || isa.is64Bit {
            try roundTrip(try everyOpcodeProgram(isa, kinds: [kind]))
        }
    }

    @Test func handWrittenProgramRoundTrips() throws {
        let source = """
            %rw_data_size = 8
            %stack_size = 0x100
            pub @main:
                sp = sp - 16
                u64 [sp + 8] = ra
                u32 [sp] = 0
                a0 = 0x20000
                a1 = u8 [a0 + 3]
                i32 a1 = a1 << 2
                a2 = @callee
                ra = 4, jump @callee
            @after:
                jump @done if a0 >=u 100
                a0 = a0 * a1
                a3 = a0 if a1 != 0
                a4 = -7 if a1 == 0
                [a0..a0 + a2] = u8 a1
                a0 = sbrk a1
                ecalli 7
                unlikely
            @done:
                ra = u64 [sp + 8]
                sp = sp + 16
                ret
            pub @callee:
                tmp = ra, ra = 0, jump [tmp]
            """
        let blob = try Assembler.assemble(source)
        #expect(blob.code.jumpTable.count == 1)
        let text = try roundTrip(blob)
        #expect(text.contains("i32 a1 = a1 << 0x2"))
        #expect(text.contains("a0 = a0 * a1"))
        // Every jump target and export is a valid basic-block start.
        for export in blob.exports { #expect(blob.code.isJumpTargetValid(Int(export.pc))) }
        for pc in blob.code.jumpTable { #expect(blob.code.isJumpTargetValid(Int(pc))) }
    }

    // MARK: Disassembler

    @Test func listingFormat() throws {
        let blob = try Assembler.assemble("""
            %ro_data_size = 2
            %ro_data = 01 02
            pub @main:
                a0 = a1 + 0x10
                jump @end if a0 == a1
                a1 = @end
                ecalli 3
            @end:
                ret
            """)
        let listing = Disassembler(blob: blob, gasCost: { $0 == 0 ? 4 : nil }).disassemble()
        let expected = """
            // RO data = 2/2 bytes
            // RW data = 0/0 bytes
            // Stack size = 0 bytes

            // Instructions = 6
            // Code size = 14 bytes

                  : @0 [export #0: 'main'] (gas: 4)
                 0: a0 = a1 + 0x10
                 3: jump @2 if a0 == a1
                  : @1
                 6: a1 = 0x2
                 9: ecalli 3 // INVALID
                11: fallthrough
                  : @2 [@dyn 1]
                12: ret

            """
        #expect(listing == expected)

        // Without `ret` at the end, the walk shows the implicit trap at the end of the code.
        let open = try Assembler.assemble("a0 = 1")
        #expect(Disassembler(blob: open, options: .init(emitHeader: false)).disassemble() == "      : @0\n     0: a0 = 0x1\n     3: invalid\n")
    }

    @Test func listingWithRawBytesAndNoOffsets() throws {
        let blob = try Assembler.assemble("a0 = 1\ntrap")
        let listing = Disassembler(blob: blob, options: .init(showRawBytes: true, showOffsets: false, emitHeader: false)).disassemble()
        let pad = { (s: String) in s + String(repeating: " ", count: 25 - s.count) }
        #expect(listing == String(repeating: " ", count: 25) + "@0\n" + pad("33 07 01") + "a0 = 0x1\n" + pad("00") + "trap\n")
    }

    @Test func instructionTextMatchesUpstreamSpelling() {
        func text(_ inst: Instruction, _ isa: InstructionSetKind = .latest64, unaliased: Bool = false) -> String {
            Disassembler.text(for: inst, isa: isa, options: .init(preferUnaliased: unaliased)) { "@\($0)" }
        }
        #expect(text(Instruction(.addImm64, regA: 7, regB: 8, imm1: Instruction.immediate(-16))) == "a0 = a1 - 16")
        #expect(text(Instruction(.addImm64, regA: 7, regB: 8, imm1: Instruction.immediate(-16)), unaliased: true) == "a0 = a1 + 0xfffffffffffffff0")
        #expect(text(Instruction(.addImm32, regA: 7, regB: 8, imm1: Instruction.immediate(-16)), .latest32, unaliased: true) == "i32 a0 = a1 + 0xfffffff0")
        #expect(text(Instruction(.loadImm, regA: 7, imm1: Instruction.immediate(-1))) == "a0 = 0xffffffffffffffff")
        #expect(text(Instruction(.loadImm, regA: 7, imm1: Instruction.immediate(-1)), .latest32) == "a0 = 0xffffffff")
        #expect(text(Instruction(.loadImm64, regA: 7, imm1: 0x1_0000_0000)) == "a0 = 0x100000000")
        #expect(text(Instruction(.loadImm64, regA: 7, imm1: 5)) == "a0 = i64 0x5")
        #expect(text(Instruction(.jumpIndirect, regA: 0)) == "ret")
        #expect(text(Instruction(.jumpIndirect, regA: 7, imm1: 4)) == "jump [a0 + 0x4]")
        #expect(text(Instruction(.storeImmIndirectU32, regA: 1, imm1: Instruction.immediate(-4), imm2: 9)) == "u32 [sp + -4] = 0x9")
        #expect(text(Instruction(.loadIndirectU16, regA: 7, regB: 8)) == "a0 = u16 [a1 ]")
        #expect(text(Instruction(.branchLessUnsignedImm, regA: 7, imm1: Instruction.immediate(-2), target: 12)) == "jump @12 if a0 <u -2")
        #expect(text(Instruction(.loadImmAndJump, regA: 0, imm1: 2, target: 9)) == "ra = 2, jump @9")
        #expect(text(Instruction(.loadImmAndJumpIndirect, regA: 7, regB: 7, imm1: 1, imm2: 0)) == "tmp = a0, a0 = 1, jump [tmp]")
        #expect(text(Instruction(.negateAndAddImm64, regA: 7, regB: 8)) == "a0 = -a1")
        #expect(text(Instruction(.cmovIfNotZero, regA: 8, regB: 9, regD: 7)) == "a0 = a1 if a2 != 0")
        #expect(text(Instruction(.shiftLogicalRightImmAlt32, regA: 7, regB: 8, imm1: 3)) == "i32 a0 = 0x3 >> a1")
        #expect(text(Instruction(.rotateRightImm32, regA: 7, regB: 8, imm1: 3), .latest32) == "i32 a0 = a1 >>r 0x3")
        #expect(text(Instruction(.memset)) == "[a0..a0 + a2] = u8 a1")
        #expect(text(Instruction(.moveReg, regA: 7, regB: 8), .latest64) == "a0 = a1")
        #expect(Disassembler.text(for: Instruction(.add64, regA: 7, regB: 8, regD: 9), isa: .latest64, options: .init(preferNonABIRegisterNames: true)) == "r9 = r7 + r8")
    }

    @Test func disassemblesInvalidAndNonCanonicalCode() {
        // 0xFF is undefined; a `load_imm` with a 4-byte encoding of 1; `unlikely` followed by a gap of 30
        // argument bytes (so an implicit `invalid` 25 bytes on); `fallthrough` at the very end.
        var code: [UInt8] = [0xFF, 51, 0x07, 1, 0, 0, 0, 3]
        var starts = [0, 1, 7]
        code += [UInt8](repeating: 0, count: 30)
        code.append(1) // fallthrough at 38
        starts.append(38)
        let program = ProgramCode(uncheckedCode: code, bitmask: ProgramCode.bitmask(codeLength: code.count, starts: starts), jumpTable: [], isa: .latest64)
        let entries = Disassembler.instructions(of: program)
        #expect(entries.map(\.pc) == [0, 1, 7, 32, 38, 39])
        #expect(entries.map(\.instruction.opcode) == [.invalid, .loadImm, .unlikely, .invalid, .fallthrough, .invalid])
        let listing = Disassembler(blob: ProgramBlob(isa: .latest64, code: program), options: .init(emitHeader: false)).disassemble()
        #expect(listing.contains("     0: invalid\n"))
        #expect(listing.contains("     1: a0 = 0x1\n"))
        #expect(listing.contains("    39: invalid\n"))
    }

    // MARK: Robustness

    @Test func garbageSourceNeverCrashes() {
        let pieces = [
            "a0", "a5", "r12", "r13", "ra", "tmp", "=", "+", "-", "*", "&", "|", "^", "~", "<<", ">>a", "<<r", "<u", ">=s",
            "==", "!=", "[", "]", "(", ")", ",", ":", "..", "@x", "@", "@y", "pub", "jump", "if", "ret", "trap", "i32",
            "i64", "u8", "u64", "i16", "0", "5", "-1", "0x", "0xffffffffffffffff", "0x1ffffffffffffffff", "99999999999999999999",
            "0b102", "ecalli", "sbrk", "cpop", "maxs", "%isa", "%ro_data", "%no_fallthrough", "%u", "//", "latest32", "\t", "é",
        ]
        var rng = SplitMix64(seed: 1)
        for _ in 0..<3000 {
            var lines: [String] = []
            for _ in 0..<Int(rng.next() % 4 + 1) {
                let count = Int(rng.next() % 9)
                lines.append((0..<count).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined(separator: rng.next() % 4 == 0 ? "" : " "))
            }
            lines.append("@x:")
            lines.append("trap")
            _ = assemblerError(lines.joined(separator: "\n"), isa: InstructionSetKind.allCases[Int(rng.next() % 4)])
        }
    }

    @Test func randomCodeDisassemblesAndReassemblesWithoutCrashing() {
        var rng = SplitMix64(seed: 7)
        for round in 0..<400 {
            let isa = InstructionSetKind.allCases[round % 4]
            let count = Int(rng.next() % 80)
            let code = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let starts = (0..<count).filter { _ in rng.next() % 3 == 0 }
            let program = ProgramCode(
                uncheckedCode: code, bitmask: ProgramCode.bitmask(codeLength: count, starts: starts),
                jumpTable: [UInt32(rng.next() % 100)], isa: isa)
            let blob = ProgramBlob(isa: isa, exports: [ProgramExport(pc: UInt32(rng.next() % 90), symbol: ProgramSymbol(bytes: [0xFF, 0x41]))], code: program)
            _ = Disassembler(blob: blob, options: .init(showRawBytes: true)).disassemble()
            let source = Disassembler(blob: blob, options: .init(style: .source)).disassemble()
            _ = assemblerError(source, isa: isa)
        }
    }
}

