import Testing
@testable import PolkaVMInterpreter
import PolkaVMProgram

/// Every fused pair and triple (superinstruction) of the threaded interpreter must behave exactly like
/// its instructions run one by one: same registers, memory, gas, interrupt and program counter, including
/// when any of the accesses faults and when a branch is taken or not.
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

    /// Whether the op runs a fused pair's handler rather than one of its own (`OpKind.threadedHandler(a:b:)`).
    static func isFused(_ op: Op) -> Bool {
        DispatchEquivalenceTests.singleVariant(op) == nil
    }

    /// A random instruction; with `narrow`, its registers come from r0...r2 only, so that an op often reads
    /// the register the op before it wrote (the fused handlers' forwarding variants).
    static func instruction(_ op: Opcode, _ rng: inout Rng, target: UInt32, narrow: Bool = false) -> Instruction {
        let regs = narrow ? 3 : 13
        let imm: UInt64
        switch rng.below(4) {
        case 0: imm = Instruction.immediate(Int32(rng.below(64)))
        case 1: imm = Instruction.immediate(0x20000 + Int32(rng.below(0x1000)))
        case 2: imm = Instruction.immediate(Int32(rng.below(64)) - 32)
        default: imm = Instruction.immediate(Int32(truncatingIfNeeded: rng.next()))
        }
        return Instruction(op, regA: UInt8(rng.below(regs)), regB: UInt8(rng.below(regs)), regD: UInt8(rng.below(regs)),
                           imm1: imm, target: target)
    }

    /// The ops, then `jump_indirect ra` (finishes), with a `trap` block as the last op's branch target.
    static func program(_ ops: [Opcode], isa: InstructionSetKind, _ rng: inout Rng) -> (ProgramCode, [Instruction]) {
        let narrow = rng.below(2) == 0
        let insts = ops.map { instruction($0, &rng, target: 0, narrow: narrow) } + [Instruction(.jumpIndirect, regA: 0), Instruction(.trap)]
        var targets = [LayoutTarget?](repeating: nil, count: insts.count)
        let last = ops[ops.count - 1]
        if last.operandKind == .regRegOffset || last.operandKind == .regImmOffset { targets[ops.count - 1] = .instruction(insts.count - 1) }
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

    /// Runs `ops` (with random operands and registers) threaded, where they are fused, and trampolined,
    /// one by one, and expects the same interrupt, registers, gas, program counter and memory. Returns
    /// which of the ops page-faulted (if one did), whether the run trapped (a taken branch) and the
    /// forwarding variant of each link (`OpKind.forwarding(to:d:a:b:)`: 0 none, 1 into `r[a]`, 2 into `r[b]`).
    static func checkFused(_ ops: [Opcode], isa: InstructionSetKind, _ rng: inout Rng) -> (faultingOp: Int?, trapped: Bool, forwarding: [Int]) {
        let (code, insts) = program(ops, isa: isa, &rng)
        let regs = registers(&rng)
        let a = DispatchEquivalenceTests.run(code, dispatch: .threaded, model: .simple, gas: 100, registers: regs)
        let b = DispatchEquivalenceTests.run(code, dispatch: .trampoline, model: .simple, gas: 100, registers: regs)
        // ops[0] is the block's gas charge; the fused op is the first instruction, the others keep their own handlers.
        #expect(isFused(a.5.ops[1]), "\(ops) was not fused")
        #expect(!(2...ops.count).contains { isFused(a.5.ops[$0]) }, "\(ops): the later ops keep their own handlers")
        let single = b.5.ops[1]
        #expect(unsafeBitCast(single.handler, to: UInt.self) == unsafeBitCast(single.kind.trampolineHandler, to: UInt.self),
                "the trampoline runs single ops")
        let same = a.0 == b.0 && a.1 == b.1 && a.2 == b.2 && a.3 == b.3 && a.4 == b.4
        #expect(same, "\(ops): \(insts.prefix(ops.count)) with \(regs): threaded \(a.0) pc \(String(describing: a.3)) vs trampoline \(b.0) pc \(String(describing: b.3))")
        var pcs: [UInt32] = [0]
        while pcs.count < ops.count { pcs.append(code.decode(at: Int(pcs[pcs.count - 1])).nextPC) }
        var faultingOp: Int?
        if case .pageFault = b.0, let pc = b.3 { faultingOp = pcs.firstIndex(of: pc) }
        let compiled = a.5.ops
        let forwarding = (1..<ops.count).map { k in
            compiled[k].kind.forwarding(to: compiled[k + 1].kind, d: compiled[k].d, a: compiled[k + 1].a, b: compiled[k + 1].b)
        }
        return (faultingOp, b.0 == .trap, forwarding)
    }

    @Test(arguments: [InstructionSetKind.latest64, .latest32])
    func everyFusedPairMatchesItsTwoInstructions(isa: InstructionSetKind) {
        let pairs = Self.pairs(isa)
        #expect(pairs.count >= (isa.is64Bit ? 80 : 50))
        var rng = Rng(state: 0xF05E_D9A1_25EE_D001)
        var faults = [0, 0], taken = 0, forwarded = [0, 0, 0]
        for (first, second) in pairs {
            for _ in 0..<60 {
                let result = Self.checkFused([first, second], isa: isa, &rng)
                if let k = result.faultingOp { faults[k] += 1 }
                if result.trapped { taken += 1 }
                forwarded[result.forwarding[0]] += 1
            }
        }
        // The plain variant and both forwarding variants (into r[a] and r[b]) all run.
        #expect(forwarded.allSatisfy { $0 > 200 }, "\(forwarded)")
        // The random operands reach both fault positions and taken branches.
        #expect(faults[0] > 50)
        #expect(faults[1] > 50)
        #expect(taken > 50)
    }

    @Test(arguments: [InstructionSetKind.latest64, .latest32])
    func everyFusedTripleMatchesItsThreeInstructions(isa: InstructionSetKind) {
        let triples = OpKind.fusedTriples.compactMap { t -> [Opcode]? in
            let ops = [t.0, t.1, t.2].compactMap { Opcode(rawValue: $0.rawValue) }
            return ops.count == 3 && ops.allSatisfy { isa.contains($0) } ? ops : nil
        }
        #expect(triples.count >= (isa.is64Bit ? 9 : 1))
        var rng = Rng(state: 0x7A1B_1E5E_ED00_0003)
        var faults = [0, 0, 0], taken = 0, forwarded = [0, 0, 0], bothLinks = 0
        for ops in triples {
            for _ in 0..<200 {
                let result = Self.checkFused(ops, isa: isa, &rng)
                if let k = result.faultingOp { faults[k] += 1 }
                if result.trapped { taken += 1 }
                for code in result.forwarding { forwarded[code] += 1 }
                if !result.forwarding.contains(0) { bothLinks += 1 }
            }
        }
        if isa.is64Bit {
            #expect(forwarded.allSatisfy { $0 > 50 } && bothLinks > 50, "\(forwarded), \(bothLinks)")
        }
        if isa.is64Bit {
            // Faults in the first, second and third op, and taken branches, all occur.
            #expect(faults[0] > 20 && faults[1] > 20 && faults[2] > 20, "\(faults)")
            #expect(taken > 20)
        }
    }
}
