import Testing

import PolkaVM

/// Instruction decoding as execution observes it (SPEC §4.2–§4.5): undefined opcodes, register clamping,
/// immediate lengths, bytes past the end of the code.
@Suite struct EncodingTests {
    @Test(arguments: allISAs)
    func undefinedOpcodesTrap(isa: InstructionSetKind) throws {
        let definedCount: [InstructionSetKind: Int] = [.reviveV1: 138, .latest32: 106, .latest64: 141, .jamV1: 139]
        var undefined: [UInt8] = []
        for b in 0...255 where isa.opcode(forByte: UInt8(b)) == .invalid { undefined.append(UInt8(b)) }
        #expect(256 - undefined.count == definedCount[isa], "\(isa) defines \(256 - undefined.count) opcodes")
        var failures: [String] = []
        for b in undefined {
            // The undefined opcode with two argument bytes, then `ret`.
            let vm = try instance(rawCode([b, 0x77, 0x01, 0x32, 0x00], starts: [0, 3], isa: isa), config(gas: true), gas: 10)
            vm[.a0] = 42
            let r = vm.run()
            if r != .trap || vm.programCounter != 0 || vm.gas != 9 || vm[.a0] != 42 {
                failures.append("byte \(b): \(r) at \(String(describing: vm.programCounter)) gas \(vm.gas)")
            }
        }
        #expect(failures.count == 0, "\(isa): \(failures.prefix(8))")
    }

    @Test func opcodesMissingFromAnISATrap() throws {
        // Every opcode absent from an ISA, encoded with the byte another ISA uses for it, traps (or means something else).
        for isa in allISAs {
            for op in Opcode.allCases where op != .invalid && !isa.contains(op) {
                for other in allISAs where other.contains(op) {
                    let b = byte(op, other)
                    guard isa.opcode(forByte: b) == .invalid else { continue }
                    let vm = try instance(rawCode([b, 0x00], starts: [0], isa: isa))
                    #expect(vm.run() == .trap, "\(isa) \(op) (byte \(b))")
                    #expect(vm.programCounter == 0)
                }
            }
        }
        // Spot checks from SPEC §5.2.
        let spots: [(InstructionSetKind, UInt8)] = [
            (.latest32, 20), (.latest32, 200), (.latest32, 149), (.latest32, 56), (.latest32, 62), (.latest32, 102),
            (.reviveV1, 2), (.reviveV1, 3), (.reviveV1, 101), (.jamV1, 3), (.jamV1, 111), (.latest64, 4), (.latest64, 231),
        ]
        for (isa, b) in spots {
            #expect(isa.opcode(forByte: b) == .invalid, "\(isa) byte \(b)")
            let vm = try instance(rawCode([b], starts: [0], isa: isa))
            #expect(vm.run() == .trap)
            #expect(vm.programCounter == 0)
        }
    }

    @Test func sameByteDifferentISAs() throws {
        // `65 87`: JamV1 count_set_bits_64 a0, a1; Latest64 sbrk a0, a1 (traps in paged mode); `66 87`: Latest64 count_set_bits_64.
        let jam = try instance(rawCode([0x65, 0x87, 0x32, 0x00], starts: [0, 2], isa: .jamV1))
        jam[.a1] = 0xF0F0
        #expect(jam.run() == .finished)
        #expect(jam[.a0] == 8)
        let l64 = try instance(rawCode([0x65, 0x87, 0x32, 0x00], starts: [0, 2], isa: .latest64))
        #expect(l64.run() == .trap)
        #expect(l64.programCounter == 0)
        let l64b = try instance(rawCode([0x66, 0x87, 0x32, 0x00], starts: [0, 2], isa: .latest64))
        l64b[.a1] = 0xF0F0
        #expect(l64b.run() == .finished)
        #expect(l64b[.a0] == 8)
        // `02`: JamV1 unlikely (no effect), Latest64 memset with a2 = 0 (no effect), ReviveV1 undefined.
        for (isa, result) in [(InstructionSetKind.jamV1, Interrupt.finished), (.latest64, .finished), (.reviveV1, .trap)] {
            let vm = try instance(rawCode([0x02, 0x32, 0x00], starts: [0, 1], isa: isa))
            #expect(vm.run() == result, "\(isa)")
        }
        // `03`: unlikely in Latest*, undefined in JamV1.
        for (isa, result) in [(InstructionSetKind.latest32, Interrupt.finished), (.latest64, .finished), (.jamV1, .trap)] {
            let vm = try instance(rawCode([0x03, 0x32, 0x00], starts: [0, 1], isa: isa))
            #expect(vm.run() == result, "\(isa)")
        }
    }

    @Test func registerNibblesAboveTwelveMeanA5() throws {
        for isa in allISAs {
            let add = byte(isa.is64Bit ? .add64 : .add32, isa)
            // c8 f7 ff: rA = a0, rB = nibble 15 → a5, rD = nibble 15 → a5.
            let vm = try instance(rawCode([add, 0xF7, 0xFF, 0x32, 0x00], starts: [0, 3], isa: isa))
            vm[.a0] = 5; vm[.a5] = 7
            #expect(vm.run() == .finished)
            #expect(vm[.a5] == 12, "\(isa)")
            // rD = lo(0x17) = a0 (the high nibble of b1 is ignored).
            let vm2 = try instance(rawCode([add, 0x87, 0x17, 0x32, 0x00], starts: [0, 3], isa: isa))
            vm2[.a0] = 5; vm2[.a1] = 7
            #expect(vm2.run() == .finished)
            #expect(vm2[.a0] == 12 && vm2[.a5] == 0, "\(isa)")
            // Nibbles 13 and 14 as well: move_reg with b0 = 0xE7 (a0 ← a5) and 0xDD (a5 ← a5).
            let vm3 = try instance(rawCode([100, 0xE7, 100, 0xD8, 0x32, 0x00], starts: [0, 2, 4], isa: isa))
            vm3[.a5] = 99; vm3[.a1] = 3
            #expect(vm3.run() == .finished)
            #expect(vm3[.a0] == 99, "\(isa): a0 ← a5 (nibble 14)")
            #expect(vm3[.a1] == 99, "\(isa): a1 ← a5 (nibble 13)")
            // load_imm with rA nibble 15 and the ignored high nibble set.
            let vm4 = try instance(rawCode([51, 0xFF, 0x05, 0x32, 0x00], starts: [0, 3], isa: isa))
            #expect(vm4.run() == .finished)
            #expect(vm4[.a5] == 5)
        }
    }

    @Test func immediateLengthsAndSignExtension() throws {
        let cases: [([UInt8], Int64)] = [
            ([], 0), ([0x7F], 0x7F), ([0xFF], -1), ([0x80], -0x80), ([0xFF, 0x7F], 0x7FFF), ([0x00, 0x80], -0x8000),
            ([0x34, 0x12, 0x80], -0x7F_EDCC), ([0x56, 0x34, 0x12], 0x12_3456), ([0x00, 0x00, 0x00, 0x80], Int64(Int32.min)),
            ([0xFF, 0xFF, 0xFF, 0x7F], Int64(Int32.max)),
            // Bytes beyond 4 are ignored.
            ([0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF], 1), ([0xFF, 0xFF, 0xFF, 0xFF, 0x00], -1),
        ]
        for isa in allISAs {
            let w = Width(isa)
            for (bytes, value) in cases {
                let code = [51, 0x07] + bytes + [0x32, 0x00]
                let vm = try instance(rawCode(code, starts: [0, 2 + bytes.count], isa: isa))
                #expect(vm.run() == .finished)
                #expect(vm[.a0] == w.w(Int32(value)), "\(isa) imm bytes \(bytes)")
            }
        }
    }

    @Test func twoImmediateFieldLengths() throws {
        for isa in allISAs {
            let storeImmIndirectU32 = byte(.storeImmIndirectU32, isa), storeImmU8 = byte(.storeImmU8, isa)
            // b0 = 0x57 / 0xD7: rA = a0, n1 = min(4, 5) = 4 (bit 7 ignored); i1 = 0x10, i2 = 2 bytes BBAA → sext16.
            for b0: UInt8 in [0x57, 0xD7] {
                let code: [UInt8] = [storeImmIndirectU32, b0, 0x10, 0x00, 0x00, 0x00, 0xAA, 0xBB, 0x32, 0x00]
                let vm = try instance(rawCode(code, starts: [0, 8], isa: isa))
                vm.mapMemory(address: 0x20000, length: 0x1000, writable: true)
                vm[.a0] = 0x20000
                #expect(vm.run() == .finished, "\(isa)")
                #expect(try vm.read(UInt32.self, at: 0x20010) == 0xFFFF_BBAA, "\(isa) b0 \(b0)")
            }
            // imm_imm: b0 = 0xFB → n1 = 3 (bits 3–7 ignored): address 0x020000, value 0x7F.
            let code: [UInt8] = [storeImmU8, 0xFB, 0x00, 0x00, 0x02, 0x7F, 0x32, 0x00]
            let vm = try instance(rawCode(code, starts: [0, 6], isa: isa))
            vm.mapMemory(address: 0x20000, length: 0x1000, writable: true)
            #expect(vm.run() == .finished)
            #expect(try vm.readMemory(at: 0x20000, count: 2) == [0x7F, 0])
        }
    }

    @Test func bytesPastTheEndReadAsZero() throws {
        for isa in isas64 {
            // `c8 87` at the very end: b1 is past the end → rD = ra; then the implicit invalid at N = 2 traps.
            let vm = try instance(rawCode([byte(.add64, isa), 0x87], starts: [0], isa: isa))
            vm[.a0] = 3; vm[.a1] = 4
            #expect(vm.run() == .trap)
            #expect(vm.programCounter == 2)
            #expect(vm[.ra] == 7)
            // load_imm64 reads 8 bytes whatever the skip, overlapping the next instruction and past the end.
            let vm2 = try instance(rawCode([byte(.loadImm64, isa), 0x07, 0x05, 51, 0x08, 0xFF, 0x00], starts: [0, 3, 6], isa: isa))
            #expect(vm2.run() == .trap)
            #expect(vm2.programCounter == 6)
            #expect(vm2[.a0] == 0xFF08_3305)
            #expect(vm2[.a1] == .max)
        }
        // A reg_imm instruction with no argument bytes takes b0 from the next instruction's opcode byte.
        for isa in allISAs {
            let vm = try instance(rawCode([51, 0x00], starts: [0, 1], isa: isa))
            vm[.ra] = 5
            #expect(vm.run() == .trap)
            #expect(vm.programCounter == 1)
            #expect(vm[.ra] == 0, "\(isa): load_imm ra, 0")
        }
    }

    @Test func loadImm64AllBits() throws {
        // SPEC appendix A: `14 08 ef cd ab 89 67 45 23 01` = load_imm64 a1, 0x0123456789ABCDEF.
        for isa in isas64 {
            let vm = try instance(rawCode([0x14, 0x08, 0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01, 0x32, 0x00], starts: [0, 10], isa: isa))
            #expect(vm.run() == .finished)
            #expect(vm[.a1] == 0x0123_4567_89AB_CDEF)
        }
    }
}
