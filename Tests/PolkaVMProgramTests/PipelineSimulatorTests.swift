import Testing
@testable import PolkaVMProgram

/// Hand-written blocks for the "full" (pipeline) gas model. Every expected cost was computed with the
/// project's independent Python oracle (`pvm.Program.from_gp_blob(...).block_cost(pc, config)`) on the
/// very bytes these builders produce.
@Suite struct PipelineSimulatorTests {
    /// A tiny hand assembler: emits instruction bytes with the given instruction set's numbering.
    struct Asm {
        let isa: InstructionSetKind
        var code: [UInt8] = []
        var starts: [Int] = []
        var labels: [String: Int] = [:]
        var fixups: [(at: Int, pc: Int, label: String)] = []

        init(_ isa: InstructionSetKind = .latest64) { self.isa = isa }

        mutating func raw(_ op: Opcode, _ args: [UInt8]) {
            starts.append(code.count)
            code.append(isa.byte(for: op)!)
            code += args
        }
        /// Raw byte instruction (for undefined opcodes).
        mutating func byte(_ b: UInt8) {
            starts.append(code.count)
            code.append(b)
        }
        mutating func op(_ op: Opcode) { raw(op, []) }
        /// regRegReg: d = a op b.
        mutating func rrr(_ op: Opcode, _ d: UInt8, _ a: UInt8, _ b: UInt8) { raw(op, [a | b << 4, d]) }
        /// regReg and regRegImm: a = f(b[, imm]).
        mutating func rr(_ op: Opcode, _ a: UInt8, _ b: UInt8) { raw(op, [a | b << 4]) }
        mutating func rri(_ op: Opcode, _ a: UInt8, _ b: UInt8, _ imm: UInt8 = 1) { raw(op, [a | b << 4, imm]) }
        mutating func ri(_ op: Opcode, _ r: UInt8, _ imm: UInt8 = 1) { raw(op, [r, imm]) }
        mutating func imm(_ op: Opcode, _ imm: UInt8) { raw(op, [imm]) }
        mutating func label(_ name: String) { labels[name] = code.count }
        private mutating func offset(to label: String, from pc: Int) {
            fixups.append((code.count, pc, label))
            code += [0, 0, 0, 0]
        }
        /// Two-register branch to `label`.
        mutating func branch(_ op: Opcode, _ a: UInt8, _ b: UInt8, to label: String) {
            let pc = code.count
            raw(op, [a | b << 4])
            offset(to: label, from: pc)
        }
        /// Register-immediate branch to `label` (one immediate byte).
        mutating func branchImm(_ op: Opcode, _ a: UInt8, _ imm: UInt8, to label: String) {
            let pc = code.count
            raw(op, [a | 1 << 4, imm])
            offset(to: label, from: pc)
        }
        mutating func jump(to label: String) {
            let pc = code.count
            raw(.jump, [])
            offset(to: label, from: pc)
        }

        func program() -> ProgramCode {
            var bytes = code
            for f in fixups {
                let delta = UInt32(truncatingIfNeeded: labels[f.label]! - f.pc)
                for k in 0..<4 { bytes[f.at + k] = UInt8(truncatingIfNeeded: delta >> UInt32(8 * k)) }
            }
            return ProgramCode(
                uncheckedCode: bytes, bitmask: ProgramCode.bitmask(codeLength: bytes.count, starts: starts),
                jumpTable: [], isa: isa)
        }
    }

    static let draft = PipelineCostOptions(loadLatency: 25, cmovDestinationIsSource: false)
    static let gp080 = PipelineCostOptions(loadLatency: 25, cmovDestinationIsSource: true)

    func cost(_ asm: Asm, _ options: PipelineCostOptions = draft, at start: Int = 0) -> Int {
        let program = asm.program()
        return Int(program.gasCost(ofBlockStartingAt: start, model: .full(options)))
    }

    func hex(_ asm: Asm) -> Comment {
        let p = asm.program()
        return Comment(rawValue: "\(asm.isa) code=\(p.code) mask=\(p.bitmask)")
    }

    @Test func terminatorsAlone() {
        var trap = Asm()
        trap.op(.trap)
        #expect(cost(trap) == 2, hex(trap))
        var fall = Asm()
        fall.op(.fallthrough)
        fall.op(.trap)
        #expect(cost(fall) == 2, hex(fall))
    }

    @Test func independentAluInstructions() {
        var a = Asm()
        a.rrr(.add64, 1, 2, 3)
        a.rrr(.add64, 4, 5, 6)
        a.rrr(.add64, 7, 8, 9)
        a.rrr(.add64, 10, 11, 12)
        a.op(.trap)
        #expect(cost(a) == 4, hex(a))
    }

    @Test func dependentAluChain() {
        var chain = Asm()
        for _ in 0..<12 { chain.rrr(.add64, 1, 1, 2) }
        chain.op(.trap)
        #expect(cost(chain) == 12, hex(chain))
        // The same count without dependencies, but each needing 2 decode slots (destination apart).
        var apart = Asm()
        for i in 0..<12 { apart.rrr(.add64, UInt8(3 + i % 9), 1, 2) }
        apart.op(.trap)
        #expect(cost(apart) == 8, hex(apart))
    }

    @Test func longLatencyChainVersusIndependent() {
        var chain = Asm()
        for _ in 0..<6 { chain.rrr(.setLessThanUnsigned, 1, 1, 2) }
        chain.op(.trap)
        #expect(cost(chain) == 18, hex(chain))
        var independent = Asm()
        for i in 0..<6 { independent.rrr(.setLessThanUnsigned, UInt8(3 + i), 1, 2) }
        independent.op(.trap)
        #expect(cost(independent) == 8, hex(independent))
    }

    @Test func moveRegRenaming() {
        // The copy inherits the load's pending result: add waits for the load.
        var through = Asm()
        through.ri(.loadU64, 1, 8)
        through.rr(.moveReg, 2, 1)
        through.rrr(.add64, 3, 2, 2)
        through.rrr(.add64, 4, 3, 3)
        through.op(.trap)
        #expect(cost(through) == 27, hex(through))
        // Overwriting the loaded register with a ready one breaks the dependency.
        var broken = Asm()
        broken.ri(.loadU64, 1, 8)
        broken.rr(.moveReg, 1, 5)
        broken.rrr(.add64, 3, 1, 1)
        broken.rrr(.add64, 4, 3, 3)
        broken.op(.trap)
        #expect(cost(broken) == 25, hex(broken))
        // Many moves only cost decode slots.
        var moves = Asm()
        for i in 0..<10 { moves.rr(.moveReg, UInt8(1 + i), UInt8(i)) }
        moves.op(.trap)
        #expect(cost(moves) == 4, hex(moves))
    }

    @Test func loadsAndLoadLatency() {
        var independent = Asm()
        for r in 1...4 { independent.ri(.loadU64, UInt8(r), 8) }
        independent.op(.trap)
        #expect(cost(independent) == 25, hex(independent))
        var chase = Asm()
        for _ in 0..<4 { chase.rri(.loadIndirectU64, 1, 1, 0) }
        chase.op(.trap)
        #expect(cost(chase) == 100, hex(chase))
        #expect(cost(chase, PipelineCostOptions(loadLatency: 4, cmovDestinationIsSource: false)) == 16, hex(chase))
        #expect(cost(chase, PipelineCostOptions(loadLatency: 37, cmovDestinationIsSource: false)) == 148, hex(chase))
    }

    @Test func stores() {
        var many = Asm()
        for r in 0..<6 { many.ri(.storeU64, UInt8(r), 16) }
        many.raw(.storeImmU32, [1, 8, 7])
        many.op(.trap)
        #expect(cost(many) == 50, hex(many))
        // A store of a loaded value waits for the load (store latency stays 25 whatever the load latency).
        var dependent = Asm()
        dependent.ri(.loadU32, 1, 8)
        dependent.rri(.storeIndirectU32, 1, 2, 4)
        dependent.rri(.storeImmIndirectU8, 1, 0)
        dependent.op(.trap)
        #expect(cost(dependent) == 50, hex(dependent))
        #expect(cost(dependent, PipelineCostOptions(loadLatency: 4, cmovDestinationIsSource: false)) == 29, hex(dependent))
    }

    @Test func multiplyUnitIsShared() {
        var muls = Asm()
        for i in 0..<4 { muls.rrr(.mul64, UInt8(1 + i), 8, 9) }
        muls.op(.trap)
        #expect(cost(muls) == 12, hex(muls))
        var upper = Asm()
        upper.rrr(.mulUpperSignedUnsigned, 1, 8, 9)
        upper.rrr(.mulUpperUnsignedUnsigned, 2, 8, 9)
        upper.rri(.mulImm32, 3, 3, 7)
        upper.op(.trap)
        #expect(cost(upper) == 14, hex(upper))
    }

    @Test func divideUnitIsShared() {
        var divs = Asm()
        divs.rrr(.divUnsigned64, 1, 8, 9)
        divs.rrr(.remSigned32, 2, 10, 11)
        divs.rrr(.add64, 3, 4, 5)
        divs.op(.trap)
        #expect(cost(divs) == 120, hex(divs))
        var afterLoad = Asm()
        afterLoad.ri(.loadU64, 9, 8)
        afterLoad.rrr(.divSigned64, 1, 8, 9)
        afterLoad.op(.trap)
        #expect(cost(afterLoad) == 85, hex(afterLoad))
    }

    @Test func countTrailingZerosTakesTwoAluUnits() {
        var ctz = Asm()
        for i in 0..<6 { ctz.rr(.countTrailingZeroBits64, UInt8(1 + i), 9) }
        ctz.op(.trap)
        #expect(cost(ctz) == 6, hex(ctz))
        var clz = Asm()
        for i in 0..<6 { clz.rr(.countLeadingZeroBits64, UInt8(1 + i), 9) }
        clz.op(.trap)
        #expect(cost(clz) == 3, hex(clz))
    }

    @Test func branchPredictedByTrapOrUnlikely() {
        // Target is a trap: cheap.
        var toTrap = Asm()
        toTrap.rrr(.add64, 1, 2, 3)
        toTrap.branch(.branchEq, 1, 2, to: "t")
        toTrap.rrr(.add64, 4, 5, 6)
        toTrap.label("t")
        toTrap.op(.trap)
        #expect(cost(toTrap) == 2, hex(toTrap))
        // Fall-through is `unlikely`: cheap.
        var unlikely = Asm()
        unlikely.branchImm(.branchLessUnsignedImm, 1, 5, to: "t")
        unlikely.op(.unlikely)
        unlikely.op(.trap)
        unlikely.label("t")
        unlikely.rrr(.add64, 4, 5, 6)
        unlikely.op(.trap)
        #expect(cost(unlikely) == 1, hex(unlikely))
        #expect(cost(unlikely, at: 7) == 40, hex(unlikely))
        // Target past the end of the code: cheap.
        var offEnd = Asm()
        offEnd.branch(.branchNotEq, 1, 2, to: "end")
        offEnd.rrr(.add64, 4, 5, 6)
        offEnd.op(.trap)
        offEnd.label("end")
        #expect(cost(offEnd) == 1, hex(offEnd))
    }

    @Test func branchMispredicted() {
        var a = Asm()
        a.rrr(.add64, 1, 2, 3)
        a.branch(.branchEq, 1, 2, to: "t")
        a.rrr(.add64, 4, 5, 6)
        a.label("t")
        a.rrr(.add64, 7, 5, 6)
        a.op(.trap)
        #expect(cost(a) == 21, hex(a))
        // The branch waits for its operand.
        var waits = Asm()
        waits.ri(.loadU64, 1, 8)
        waits.branchImm(.branchEqImm, 1, 0, to: "t")
        waits.rrr(.add64, 4, 5, 6)
        waits.label("t")
        waits.op(.fallthrough)
        waits.op(.trap)
        #expect(cost(waits) == 45, hex(waits))
    }

    @Test func unlikelyByteDependsOnInstructionSet() {
        // jamV1 numbers `unlikely` differently; reviveV1 lacks it, so byte 255 plays its part there.
        let expected: [(InstructionSetKind, Int)] = [(.jamV1, 21), (.reviveV1, 2), (.latest64, 21)]
        for (isa, value) in expected {
            var a = Asm(isa)
            a.rrr(.add64, 1, 2, 3)
            a.branch(.branchEq, 1, 2, to: "t")
            a.byte(255)
            a.label("t")
            a.rrr(.add64, 7, 5, 6)
            a.op(.trap)
            #expect(cost(a) == value, hex(a))
        }
        var jam = Asm(.jamV1)
        jam.branch(.branchEq, 1, 2, to: "t")
        jam.op(.unlikely)
        jam.label("t")
        jam.rrr(.add64, 7, 5, 6)
        jam.op(.trap)
        #expect(cost(jam) == 1, hex(jam))
    }

    @Test func jumps() {
        var direct = Asm()
        direct.rrr(.add64, 1, 2, 3)
        direct.jump(to: "t")
        direct.label("t")
        direct.op(.trap)
        #expect(cost(direct) == 15, hex(direct))
        var indirect = Asm()
        indirect.ri(.loadU64, 1, 8)
        indirect.ri(.jumpIndirect, 1, 0)
        #expect(cost(indirect) == 47, hex(indirect))
        var loadImmJumpIndirect = Asm()
        loadImmJumpIndirect.ri(.loadU64, 2, 8)
        loadImmJumpIndirect.raw(.loadImmAndJumpIndirect, [1 | 2 << 4, 1, 4, 0])
        #expect(cost(loadImmJumpIndirect) == 47, hex(loadImmJumpIndirect))
    }

    @Test func hostCallsAndOtherSlowOps() {
        var ecalli = Asm()
        ecalli.imm(.ecalli, 3)
        ecalli.rrr(.add64, 1, 2, 3)
        ecalli.imm(.ecalli, 4)
        ecalli.op(.trap)
        #expect(cost(ecalli) == 102, hex(ecalli))
        var misc = Asm()
        misc.rr(.sbrk, 1, 2)
        misc.rrr(.add64, 3, 1, 1)
        misc.op(.memset)
        misc.op(.unlikely)
        misc.op(.trap)
        #expect(cost(misc) == 102, hex(misc))
    }

    @Test func cmovDestinationSetting() {
        var a = Asm()
        a.ri(.loadU64, 1, 8)
        a.rrr(.cmovIfZero, 1, 2, 3)
        a.rrr(.add64, 4, 1, 1)
        a.op(.trap)
        #expect(cost(a, Self.draft) == 25, hex(a))
        #expect(cost(a, Self.gp080) == 28, hex(a))
        var imm = Asm()
        imm.ri(.loadU64, 1, 8)
        imm.rri(.cmovIfNotZeroImm, 1, 2, 9)
        imm.rrr(.add64, 4, 1, 1)
        imm.op(.trap)
        #expect(cost(imm, Self.draft) == 25, hex(imm))
        #expect(cost(imm, Self.gp080) == 28, hex(imm))
    }

    @Test func thirtyTwoVersusSixtyFourBitRegisters() {
        // 32-bit operations are native (cheaper) when registers are 32 bits wide.
        for (isa, value) in [(InstructionSetKind.latest32, 5), (.latest64, 8)] {
            var a = Asm(isa)
            for _ in 0..<4 { a.rrr(.add32, 1, 1, 2) }
            a.rrr(.shiftLogicalLeft32, 3, 4, 5)
            a.rri(.addImm32, 6, 6, 1)
            a.rri(.shiftArithmeticRightImmAlt32, 7, 8, 3)
            a.op(.trap)
            #expect(cost(a) == value, hex(a))
        }
    }

    @Test func reorderBufferFills() {
        var loads = Asm()
        for i in 0..<40 { loads.ri(.loadU64, UInt8(1 + i % 12), 8) }
        loads.op(.trap)
        #expect(cost(loads) == 250, hex(loads))
        var ecallis = Asm()
        for i in 0..<34 { ecallis.imm(.ecalli, UInt8(i)) }
        ecallis.op(.trap)
        #expect(cost(ecallis) == 901, hex(ecallis))
        var immediates = Asm()
        for i in 0..<40 { immediates.ri(.loadImm, UInt8(i % 13), 1) }
        immediates.raw(.loadImm64, [3, 1, 2, 3, 4, 5, 6, 7, 8])
        immediates.op(.trap)
        #expect(cost(immediates) == 12, hex(immediates))
    }

    @Test func implicitInvalidAtBlockEnd() {
        // Running off the end of the code.
        var offEnd = Asm()
        offEnd.rrr(.add64, 1, 2, 3)
        offEnd.rrr(.add64, 4, 1, 1)
        #expect(cost(offEnd) == 3, hex(offEnd))
        // An undefined opcode ends the block like `invalid`.
        var undefined = Asm()
        undefined.ri(.loadU64, 1, 8)
        undefined.byte(255)
        #expect(cost(undefined) == 25, hex(undefined))
    }

    @Test func blockInTheMiddle() {
        var a = Asm()
        a.rrr(.add64, 1, 2, 3)
        a.op(.fallthrough)
        a.rri(.loadIndirectU32, 1, 1, 0)
        a.rri(.loadIndirectU32, 1, 1, 0)
        a.op(.trap)
        #expect(cost(a, at: 0) == 2, hex(a))
        #expect(cost(a, at: 4) == 50, hex(a))
    }

    @Test func fastForwardSwitchGivesTheSameCosts() {
        var a = Asm()
        for i in 0..<36 { a.ri(.loadU64, UInt8(1 + i % 12), 8) }
        for i in 0..<6 { a.rrr(.divUnsigned64, UInt8(1 + i), UInt8(2 + i), 1) }
        for i in 0..<8 { a.rrr(.setLessThanSigned, UInt8(4 + i), 1, 2) }
        a.op(.trap)
        let stepping = PipelineCostOptions(cmovDestinationIsSource: false, fastForward: false)
        #expect(cost(a, Self.draft) == 585, hex(a))
        #expect(cost(a, stepping) == 585, hex(a))
    }

    @Test func simulatorIsReusable() {
        var a = Asm()
        for _ in 0..<3 { a.rri(.loadIndirectU64, 1, 1, 0) }
        a.op(.trap)
        let program = a.program()
        let block = program.basicBlock(startingAt: 0)
        var simulator = PipelineSimulator(code: program, options: Self.draft)
        let first = simulator.cost(of: block)
        #expect(simulator.cost(of: block) == first)
        #expect(first == program.gasCost(ofBlock: block, model: .full(Self.draft)))
    }
}
