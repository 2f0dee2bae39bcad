// The Gray Paper's raw PVM program blob (graypaper-pvm.md §2):
//
//     E(|j|) ‖ E_1(z) ‖ E(|c|) ‖ E_z(j_0) ‖ … ‖ E_z(j_{|j|-1}) ‖ c ‖ bitmask
//
// This is byte for byte the payload of the container's code-and-jump-table section, and the `program`
// field of the conformance vectors. Both readers share `ProgramCode.parsePayload`.

extension ProgramCode {
    /// Parses a raw Gray Paper program blob: jump-table count, entry width `z`, code length, the
    /// table, the code and the bitmask, which must take up exactly the rest of `bytes`.
    ///
    /// Counts and lengths are read as Gray Paper naturals `E(x)` (for values below 2^32 the same bytes
    /// as the container's varint); any value beyond the format's limits — including the 9-byte
    /// `0xFF`-prefixed form of a large number — is rejected. The checks and error kinds are those of
    /// the container's code section (upstream-format.md §1.4.5), with errors attributed to
    /// ``ProgramSection/code`` and offsets relative to `bytes`.
    public init(rawProgram bytes: [UInt8], isa: InstructionSetKind) throws(ProgramError) {
        var cursor = ByteCursor(bytes, section: .code)
        self = try ProgramCode.parsePayload(&cursor, isa: isa, numbers: .grayPaperNatural)
    }

    /// The jump-table entry width a writer uses: the minimal number of bytes holding the largest entry,
    /// 0 for an empty table and at least 1 otherwise (a width of 0 would read back as an empty table).
    public var jumpTableEntrySize: Int {
        guard let largest = jumpTable.max() else { return 0 }
        return Swift.max(1, (32 - largest.leadingZeroBitCount + 7) / 8)
    }

    /// Serialises the code as a raw Gray Paper program blob (the container's code section payload).
    /// `ProgramCode(rawProgram: rawProgram(), isa: isa)` gives back an equal value.
    public func rawProgram() -> [UInt8] {
        let width = jumpTableEntrySize
        var out: [UInt8] = []
        out.reserveCapacity(8 + jumpTable.count * width + code.count + bitmask.count)
        Varint.write(UInt32(truncatingIfNeeded: jumpTable.count), to: &out)
        out.append(UInt8(width))
        Varint.write(UInt32(truncatingIfNeeded: code.count), to: &out)
        for entry in jumpTable { appendLittleEndian(UInt64(entry), width: width, to: &out) }
        out.append(contentsOf: code)
        out.append(contentsOf: bitmask)
        return out
    }
}
