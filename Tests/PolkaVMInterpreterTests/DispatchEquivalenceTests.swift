import Testing
@testable import PolkaVMInterpreter
import PolkaVMProgram

/// The threaded and trampoline dispatch modes run the same handlers' semantics; these tests run
/// random programs in both and require identical results. Runs are kept short (gas-limited) because
/// debug builds do not turn the threaded mode's tail calls into jumps.
@Suite struct DispatchEquivalenceTests {
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let aluOpcodes: [Opcode] = Opcode.allCases.filter {
        [.regRegReg, .regRegImm, .regReg].contains($0.operandKind) && $0 != .sbrk
            && !($0.rawValue >= 120 && $0.rawValue <= 130)
    }

    /// A random program: straight-line ALU blocks, loads and stores into one mapped page, and branches.
    /// With `narrow`, the ALU ops use r0...r2 only, so most read the register the op before them wrote
    /// (the threaded handlers that take it as the carried value).
    static func randomProgram(_ rng: inout Rng, isa: InstructionSetKind, narrow: Bool = false) -> ProgramCode {
        let regs = narrow ? 3 : 13
        var instructions: [Instruction] = []
        var targets: [LayoutTarget?] = []
        let blocks = 4 + rng.below(4)
        var blockStarts: [Int] = []
        for block in 0..<blocks {
            blockStarts.append(instructions.count)
            for _ in 0..<(1 + rng.below(8)) {
                var op = aluOpcodes[rng.below(aluOpcodes.count)]
                if !isa.contains(op) { op = .add32 }
                var i = Instruction(op, regA: UInt8(rng.below(regs)), regB: UInt8(rng.below(regs)), regD: UInt8(rng.below(regs)),
                                    imm1: Instruction.immediate(Int32(truncatingIfNeeded: rng.next())))
                if rng.below(4) == 0 { i.imm1 = Instruction.immediate(Int32(rng.below(70)) - 3) }
                instructions.append(i)
                targets.append(nil)
                if rng.below(5) == 0 {
                    // A store and a load through a0 pointed into the mapped page.
                    instructions.append(Instruction(.loadImm, regA: 12, imm1: Instruction.immediate(0x20000 + Int32(rng.below(4000)))))
                    targets.append(nil)
                    instructions.append(Instruction(.storeIndirectU32, regA: UInt8(rng.below(13)), regB: 12, imm1: 0))
                    targets.append(nil)
                    instructions.append(Instruction(.loadIndirectI32, regA: UInt8(rng.below(12)), regB: 12, imm1: 0))
                    targets.append(nil)
                }
            }
            if block == blocks - 1 {
                instructions.append(Instruction(.jumpIndirect, regA: 0, imm1: 0))  // ra = 0xFFFF0000 -> finished
                targets.append(nil)
            } else {
                let target = rng.below(blocks)
                instructions.append(Instruction(.branchLessUnsignedImm, regA: UInt8(rng.below(13)), imm1: Instruction.immediate(Int32(rng.below(1000)))))
                targets.append(.instruction(-1 - target))  // resolved below
            }
        }
        // Resolve block-index placeholders to instruction indices.
        let resolved: [LayoutTarget?] = targets.map { t in
            if case .instruction(let i)? = t, i < 0 { return .instruction(blockStarts[-1 - i]) }
            return t
        }
        let layout = try! InstructionEncoder.layout(instructions, targets: resolved, isa: isa)
        return layout.programCode()
    }

    /// Runs `code` from pc 0 with one writable page mapped at 0x20000 (dynamic paging) and `ra` set to the
    /// halt address. Returns the interrupt, registers, gas left, program counter, the page, and the compiled program.
    static func run(_ code: ProgramCode, dispatch: InterpreterDispatch, model: GasCostModel, gas: Int64, registers: [UInt64])
        -> (Interrupt, [UInt64], Int64, UInt32?, [UInt8], CompiledProgram) {
        let program = CompiledProgram(code: code, options: InterpreterOptions(gasMetering: true, costModel: model, semantics: .polkavm, dispatch: dispatch))
        let memory = GuestMemory()
        memory.map(address: 0x20000, length: 0x1000, writable: true)
        let vm = InterpreterInstance(program: program, memory: memory, dynamicPaging: true)
        for (i, v) in registers.enumerated() { vm.setRegister(i, v) }
        vm.setRegister(0, 0xFFFF_0000)
        vm.gas = gas
        vm.setNextProgramCounter(0)
        let interrupt = vm.run()
        return (interrupt, (0..<13).map { vm.register($0) }, vm.gas, vm.programCounter, try! memory.read(at: 0x20000, count: 0x1000), program)
    }

    @Test(arguments: InstructionSetKind.allCases)
    func threadedAndTrampolineAgree(isa: InstructionSetKind) {
        var rng = Rng(state: 0x9E37_79B9_7F4A_7C15 ^ UInt64(isa.rawValue + 1))
        var carried = [0, 0, 0]
        for round in 0..<150 {
            let code = Self.randomProgram(&rng, isa: isa, narrow: round % 2 == 1)
            let regs = (0..<13).map { _ in rng.below(3) == 0 ? UInt64(rng.below(300)) : rng.next() }
            for model in [GasCostModel.simple, .upstreamFull] {
                let a = Self.run(code, dispatch: .threaded, model: model, gas: 600, registers: regs)
                let b = Self.run(code, dispatch: .trampoline, model: model, gas: 600, registers: regs)
                #expect(a.0 == b.0)
                #expect(a.1 == b.1)
                #expect(a.2 == b.2)
                #expect(a.3 == b.3)
                #expect(a.4 == b.4)
                for i in 0..<a.5.opCount {
                    guard let (sa, sb) = Self.singleVariant(a.5.ops[i]) else { continue }
                    carried[max(sa, sb)] += 1
                }
            }
        }
        // Single ops that read the register file, the value carried from the op before, and from two ops before.
        #expect(carried[1] > 300 && carried[2] > 300, "ops by carried value taken: \(carried)")
    }

    /// Which single-op handler the op runs: where it reads `r[a]` and `r[b]` from (`OpKind.threadedHandler(a:b:)`:
    /// 0 the register file, 1 the value carried from the op before, 2 from two ops before); nil for a fused handler.
    static func singleVariant(_ op: Op) -> (Int, Int)? {
        let handler = unsafeBitCast(op.handler, to: UInt.self)
        for a in 0...2 {
            for b in 0...2 where op.kind.threadedHandler(a: a, b: b).map({ unsafeBitCast($0, to: UInt.self) }) == handler {
                return (a, b)
            }
        }
        return nil
    }

    /// A page fault in an op that takes its predecessor's result as the carried value: the run resumes at
    /// that op, and the host entry passes the value from the register file.
    @Test func resumingAtAnOpThatTakesTheCarriedValue() {
        let insts = [
            Instruction(.addImm64, regA: 7, regB: 8, imm1: Instruction.immediate(0x1008)),   // r7 = r8 + 0x1008
            Instruction(.loadIndirectU64, regA: 9, regB: 7, imm1: 0),                      // r9 = [r7], faults
            Instruction(.xor, regA: 9, regB: 10, regD: 11),                                // r11 = r9 ^ r10
            Instruction(.jumpIndirect, regA: 0),
        ]
        let code = try! InstructionEncoder.layout(insts, targets: insts.map { _ in nil }, isa: .latest64).programCode()
        let program = CompiledProgram(code: code, options: InterpreterOptions(gasMetering: true, costModel: .simple, semantics: .polkavm, dispatch: .threaded))
        #expect(program.ops[1].kind.forwarding(to: program.ops[2].kind, d: program.ops[1].d, a: program.ops[2].a, b: program.ops[2].b) == 1)
        #expect(program.ops[2].kind.forwarding(to: program.ops[3].kind, d: program.ops[2].d, a: program.ops[3].a, b: program.ops[3].b) == 1)
        let memory = GuestMemory()
        memory.map(address: 0x20000, length: 0x1000, writable: true)
        let vm = InterpreterInstance(program: program, memory: memory, dynamicPaging: true)
        vm.setRegister(0, 0xFFFF_0000)
        vm.setRegister(8, 0x20000)
        vm.setRegister(10, 0xFF)
        vm.gas = 100
        vm.setNextProgramCounter(0)
        #expect(vm.run() == .pageFault(address: 0x21000))
        vm.setRegister(8, 0x1234)  // r7 was already written: the load must use it, not recompute it
        memory.map(address: 0x21000, length: 0x1000, writable: true)
        try! memory.write([1, 2, 3, 4, 5, 6, 7, 8], at: 0x21008)
        #expect(vm.run() == .finished)
        #expect(vm.register(9) == 0x0807_0605_0403_0201)
        #expect(vm.register(11) == 0x0807_0605_0403_02FE)
    }
}
