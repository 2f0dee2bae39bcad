import Testing
@testable import PolkaVMInterpreter
import PolkaVMProgram

/// Dynamic jumps (`jump_ind`, `load_imm_jump_ind`, and fused groups ending in one) against every class
/// of address: jump-table entries, 0, odd addresses, just past the table, above 2^31, and the halt
/// address and its neighbours. The handlers find the slot with one bounds check on the address rotated
/// right by a bit, so odd addresses and the halt address must still come out right in both dispatch modes.
@Suite struct DynamicJumpTests {
    /// The jump's forms: the address in r7 (plus an immediate where the form has one).
    enum Form: CaseIterable {
        case jumpIndirect, jumpIndirectWithOffset, loadImmAndJumpIndirect, fusedAfterAddImm, fusedAfterAdd
    }

    static let entries = 3

    /// Block 0 jumps through r7; entry k (address 2k) sets r8 = k and returns to the host through ra.
    /// Returns the code and the jump's code offset.
    static func program(_ form: Form) -> (ProgramCode, UInt32) {
        var insts: [Instruction] = []
        switch form {
        case .jumpIndirect:
            insts.append(Instruction(.jumpIndirect, regA: 7, imm1: 0))
        case .jumpIndirectWithOffset:
            // r7 holds the address + 0x10: the immediate takes it back (wrapping in 32 bits).
            insts.append(Instruction(.jumpIndirect, regA: 7, imm1: Instruction.immediate(-0x10)))
        case .loadImmAndJumpIndirect:
            insts.append(Instruction(.loadImmAndJumpIndirect, regA: 9, regB: 7, imm1: 0x55, imm2: 0))
        case .fusedAfterAddImm:
            insts.append(Instruction(.addImm64, regA: 7, regB: 7, imm1: 0))
            insts.append(Instruction(.jumpIndirect, regA: 7, imm1: 0))
        case .fusedAfterAdd:
            insts.append(Instruction(.add64, regA: 7, regB: 10, regD: 7))  // r10 = 0
            insts.append(Instruction(.jumpIndirect, regA: 7, imm1: 0))
        }
        let jumpIndex = insts.count - 1
        var starts: [Int] = []
        for k in 1...entries {
            starts.append(insts.count)
            insts.append(Instruction(.loadImm, regA: 8, imm1: Instruction.immediate(Int32(k))))
            insts.append(Instruction(.jumpIndirect, regA: 0, imm1: 0))
        }
        let layout = try! InstructionEncoder.layout(insts, isa: .latest64)
        return (layout.programCode(jumpTable: starts.map { layout.offsets[$0] }), layout.offsets[jumpIndex])
    }

    /// What the spec says a dynamic jump to `address` does here: r8 set by the entry, or a halt, or a trap.
    static func expected(_ address: UInt32) -> (Interrupt, UInt64) {
        if address == 0xFFFF_0000 { return (.finished, 0) }
        if address != 0, address % 2 == 0, address / 2 <= UInt32(entries) { return (.finished, UInt64(address / 2)) }
        return (.trap, 0)
    }

    static let addresses: [UInt32] = [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x100, 0x101,
        0x7FFF_FFFE, 0x7FFF_FFFF, 0x8000_0000, 0x8000_0001, 0x8000_0002, 0x8000_0004,
        0xFFFE_FFFE, 0xFFFE_FFFF, 0xFFFF_0000, 0xFFFF_0001, 0xFFFF_0002, 0xFFFF_FFFE, 0xFFFF_FFFF,
    ]

    @Test(arguments: Form.allCases)
    func everyAddressClass(form: Form) {
        let (code, jumpPC) = Self.program(form)
        for dispatch in [InterpreterDispatch.threaded, .trampoline] {
            let program = CompiledProgram(code: code, options: InterpreterOptions(gasMetering: true, costModel: .simple, semantics: .polkavm, dispatch: dispatch))
            for address in Self.addresses {
                // Upper register bits must not matter: the address is the low 32 bits of the sum.
                let value = UInt64(address &+ (form == .jumpIndirectWithOffset ? 0x10 : 0)) | 0xABCD_0000_0000_0000
                let vm = InterpreterInstance(program: program, memory: GuestMemory(), dynamicPaging: true)
                vm.setRegister(0, 0xFFFF_0000)
                vm.setRegister(7, value)
                vm.gas = 100
                vm.setNextProgramCounter(0)
                let interrupt = vm.run()
                let (want, r8) = Self.expected(address)
                #expect(interrupt == want, "\(form) \(dispatch) address 0x\(String(address, radix: 16))")
                #expect(vm.register(8) == r8, "\(form) \(dispatch) address 0x\(String(address, radix: 16))")
                if form == .loadImmAndJumpIndirect {
                    #expect(vm.register(9) == 0x55)
                }
                if want == .trap {
                    #expect(vm.programCounter == jumpPC, "a trap is reported at the jump, not at its target")
                }
            }
        }
    }
}
