// Writing `.polkavm` containers (upstream-format.md §1.6).

extension ProgramBlob {
    /// Serialises the blob as upstream's writer does: the header (with the length patched in at the
    /// end), the memory config section only when one of the three sizes is non-zero, the RO data, RW
    /// data, imports and exports sections only when non-empty, the code section, then every custom
    /// section in order, then the end byte `0`.
    ///
    /// The jump-table entry size is the minimal byte width of the largest entry (at least 1 when the
    /// table is not empty, since a width of 0 would drop the table), so `ProgramBlob(parsing:
    /// serialized())` gives back an equal value. Custom section ids must have bit 7 set and data
    /// payloads must not exceed their declared sizes; otherwise the output is written as given and the
    /// reader will reject it.
    public func serialized() -> [UInt8] {
        var out = programBlobMagic
        out.append(isa.rawValue)
        out.append(contentsOf: [UInt8](repeating: 0, count: 8))

        func section(_ id: UInt8, _ payload: [UInt8]) {
            out.append(id)
            Varint.write(UInt32(truncatingIfNeeded: payload.count), to: &out)
            out.append(contentsOf: payload)
        }

        if roDataSize != 0 || rwDataSize != 0 || stackSize != 0 {
            var payload: [UInt8] = []
            Varint.write(roDataSize, to: &payload)
            Varint.write(rwDataSize, to: &payload)
            Varint.write(stackSize, to: &payload)
            section(SectionID.memoryConfig, payload)
        }
        if !roData.isEmpty { section(SectionID.roData, roData) }
        if !rwData.isEmpty { section(SectionID.rwData, rwData) }
        if !imports.isEmpty {
            var payload: [UInt8] = []
            Varint.write(UInt32(truncatingIfNeeded: imports.count), to: &payload)
            var offset: UInt32 = 0
            for symbol in imports {
                appendLittleEndian(UInt64(offset), width: 4, to: &payload)
                offset &+= UInt32(truncatingIfNeeded: symbol.bytes.count)
            }
            for symbol in imports { payload.append(contentsOf: symbol.bytes) }
            section(SectionID.imports, payload)
        }
        if !exports.isEmpty {
            var payload: [UInt8] = []
            Varint.write(UInt32(truncatingIfNeeded: exports.count), to: &payload)
            for export in exports {
                Varint.write(export.pc, to: &payload)
                Varint.write(UInt32(truncatingIfNeeded: export.symbol.bytes.count), to: &payload)
                payload.append(contentsOf: export.symbol.bytes)
            }
            section(SectionID.exports, payload)
        }
        section(SectionID.code, code.rawProgram())
        for custom in customSections { section(custom.id, custom.payload) }
        out.append(SectionID.endOfFile)

        let length = UInt64(out.count)
        for k in 0..<8 {
            out[Self.blobLengthOffset + k] = UInt8(truncatingIfNeeded: length >> UInt64(8 * k))
        }
        return out
    }
}

/// Appends the low `width` bytes of `value`, little-endian.
func appendLittleEndian(_ value: UInt64, width: Int, to out: inout [UInt8]) {
    for k in 0..<width {
        out.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * k)))
    }
}
