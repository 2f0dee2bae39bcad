import Testing
@testable import PolkaVMInterpreter
import PolkaVMProgram

/// Every fused pair (superinstruction) of the threaded interpreter must behave exactly like its two
/// instructions run one by one: same registers, memory, gas, interrupt and program counter, including
/// when the first or the second access faults and when a branch is taken or not.
@Suite struct FusedPairTests {
    typealias Rng = DispatchEquivalenceTests.Rng

    /// All (first, second) opcode pairs that the compiler fuses on `isa`.
    static func pairs(_ isa: InstructionSetKind) -> [(Opcode, Opcode)] {
        var result: [(Opcode, Opcode)] = []
        for first in Opcode.allCases where isa.contains(first) {
            guard let k1 = OpKind(rawValue: first.rawValue) else { continue }
            for second in Opcode.allCases where isa.contains(second) {
                guard let k2 = OpKind(rawValue: second.rawValue), k1.fusedHandler(with: k2) != nil else { continue }
                result.append((first, second))
            }
        }
        return result
    }

    /// Whether the op runs a fused pair's handler rather than its own.
    static func isFused(_ op: Op) -> Bool {
        unsafeBitCast(op.handler, to: UInt.self) != unsafeBitCast(op.kind.threadedHandler, to: UInt.self)
    }

    static func instruction(_ op: Opcode, _ rng: inout Rng, target: UInt32) -> Instruction {
        let imm: UInt64
        switch rng.below(4) {
        case 0: imm = Instruction.immediate(Int32(rng.below(64)))
        case 1: imm = Instruction.immediate(0x20000 + Int32(rng.below(0x1000)))
        case 2: imm = Instruction.immediate(Int32(rng.below(64)) - 32)
        default: imm = Instruction.immediate(Int32(truncatingIfNeeded: rng.next()))
        }
        return Instruction(op, regA: UInt8(rng.below(13)), regB: UInt8(rng.below(13)), regD: UInt8(rng.below(13)),
                           imm1: imm, target: target)
    }

    /// `first; second; jump_indirect ra` (finishes), with a `trap` block as the branch target.
    static func program(_ first: Opcode, _ second: Opcode, isa: InstructionSetKind, _ rng: inout Rng) -> (ProgramCode, [Instruction]) {
        let insts = [instruction(first, &rng, target: 0), instruction(second, &rng, target: 0),
                     Instruction(.jumpIndirect, regA: 0), Instruction(.trap)]
        var targets: [LayoutTarget?] = [nil, nil, nil, nil]
        if second.operandKind == .regRegOffset || second.operandKind == .regImmOffset { targets[1] = .instruction(3) }
        let layout = try! InstructionEncoder.layout(insts, targets: targets, isa: isa)
        return (layout.programCode(), insts)
    }

    static func registers(_ rng: inout Rng) -> [UInt64] {
        (0..<13).map { _ in
            switch rng.below(5) {
            case 0: return UInt64(rng.below(0x400))
            case 1: return 0x20000 + UInt64(rng.below(0x1000))  // in the mapped page
            case 2: return 0x20FFC                               // an access may cross into the unmapped page
            case 3: return 0x50000                               // unmapped
            default: return rng.next()
            }
        }
    }

    @Test(arguments: [InstructionSetKind.latest64, .latest32])
    func everyFusedPairMatchesItsTwoInstructions(isa: InstructionSetKind) {
        let pairs = Self.pairs(isa)
        #expect(pairs.count >= (isa.is64Bit ? 80 : 50))
        var rng = Rng(state: 0xF05E_D9A1_25EE_D001)
        var faultsInFirst = 0, faultsInSecond = 0, taken = 0
        for (first, second) in pairs {
            for _ in 0..<60 {
                let (code, insts) = Self.program(first, second, isa: isa, &rng)
                let regs = Self.registers(&rng)
                let a = DispatchEquivalenceTests.run(code, dispatch: .threaded, model: .simple, gas: 100, registers: regs)
                let b = DispatchEquivalenceTests.run(code, dispatch: .trampoline, model: .simple, gas: 100, registers: regs)
                #expect(Self.isFused(a.5.ops[1]), "\(first) + \(second) was not fused")
                let single = b.5.ops[1]
                #expect(unsafeBitCast(single.handler, to: UInt.self) == unsafeBitCast(single.kind.trampolineHandler, to: UInt.self),
                        "the trampoline runs single ops")
                let same = a.0 == b.0 && a.1 == b.1 && a.2 == b.2 && a.3 == b.3 && a.4 == b.4
                #expect(same, "\(first) + \(second): \(insts[0]) / \(insts[1]) with \(regs): threaded \(a.0) pc \(String(describing: a.3)) vs trampoline \(b.0) pc \(String(describing: b.3))")
                if case .pageFault = b.0 { if b.3 == 0 { faultsInFirst += 1 } else { faultsInSecond += 1 } }
                if b.0 == .trap { taken += 1 }
            }
        }
        // The random operands reach both fault positions and taken branches.
        #expect(faultsInFirst > 50)
        #expect(faultsInSecond > 50)
        #expect(taken > 50)
    }
}
