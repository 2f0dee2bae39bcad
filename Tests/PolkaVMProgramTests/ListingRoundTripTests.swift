import Testing
import PolkaVMProgram

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
        }
    }
}
