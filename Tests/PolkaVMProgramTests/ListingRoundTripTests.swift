import Testing
@testable import PolkaVMProgram

/// `polkavm disasm` prints a listing by default; the assembler accepts it back and must reproduce the code.
@Suite struct ListingRoundTripTests {
    static let source = """
    %rw_data_size = 64
    %stack_size = 4096
    pub @main:
        a1 = 0
        a2 = 0x20000
        jump @done if a0 == 0
    @loop:
        i32 a3 = a0 * a0
        u32 [a2 + 4] = a3
        i32 a1 = a1 + a3
        i32 a0 = a0 - 1
        jump @loop if a0 != 0
    @done:
        a0 = a1
        ret
    pub @other:
        a0 = @loop
        ecalli 7
        trap
    """

    @Test(arguments: [InstructionSetKind.latest64, .jamV1, .latest32, .reviveV1])
    func listingReassemblesToTheSameCode(isa: InstructionSetKind) throws {
        let blob = try Assembler.assemble(Self.source, isa: isa)
        for options in [Disassembler.Options(), Disassembler.Options(showOffsets: false), Disassembler.Options(style: .source)] {
            let text = Disassembler(blob: blob, options: options, gasCost: { _ in 1 }).disassemble()
            let again = try Assembler.assemble(text, isa: isa)
            #expect(again.code.code == blob.code.code)
            #expect(again.code.bitmask == blob.code.bitmask)
            #expect(again.exports.map(\.pc) .sorted() == blob.exports.map(\.pc).sorted())
            #expect(again.rwDataSize == blob.rwDataSize)
            #expect(again.stackSize == blob.stackSize)
            if options.style == .listing {
                #expect(again.code.jumpTable == blob.code.jumpTable)  // from the `[@dyn K]` annotations
            }
        }
    }

    /// A listing records each instruction's offset, so code laid out differently from the assembler's
    /// own choice (here a branch whose offset field is padded to 4 bytes, as another tool might emit)
    /// comes back byte for byte.
    @Test func listingKeepsANonMinimalLayout() throws {
        var bytes: [UInt8] = []
        func put(_ i: Instruction, minimumOffsetLength: Int = 0) {
            _ = InstructionEncoder.encode(i, at: UInt32(bytes.count), isa: .latest64, minimumOffsetLength: minimumOffsetLength, into: &bytes)
        }
        var starts: [Int] = []
        starts.append(bytes.count); put(Instruction(.loadImm, regA: 7, imm1: 3))
        starts.append(bytes.count); put(Instruction(.fallthrough))
        let branchAt = bytes.count
        starts.append(branchAt)
        // branch_not_eq_imm a0, 0 back to the branch itself, with a padded 4-byte offset
        put(Instruction(.branchNotEqImm, regA: 7, imm1: 0, target: UInt32(branchAt)), minimumOffsetLength: 4)
        starts.append(bytes.count); put(Instruction(.jumpIndirect, regA: 0))
        let code = ProgramCode(uncheckedCode: bytes, bitmask: ProgramCode.bitmask(codeLength: bytes.count, starts: starts), jumpTable: [], isa: .latest64)
        let blob = ProgramBlob(isa: .latest64, code: code)
        let listing = Disassembler(blob: blob).disassemble()
        let again = try Assembler.assemble(listing, isa: .latest64)
        #expect(again.code.code == blob.code.code)
        #expect(again.code.bitmask == blob.code.bitmask)
    }
}
