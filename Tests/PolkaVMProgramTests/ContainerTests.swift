import Foundation
import Testing

@testable import PolkaVMProgram

// MARK: - Helpers

/// Builds a container from raw sections: header (version, length), `id ‖ varint(len) ‖ payload` for
/// each section, then `trailer` (normally the end byte). The length field is patched unless
/// `declaredLength` overrides it.
private func container(
    version: UInt8 = 2, _ sections: [(UInt8, [UInt8])], trailer: [UInt8] = [0], declaredLength: UInt64? = nil
) -> [UInt8] {
    var out: [UInt8] = [0x50, 0x56, 0x4D, 0x00, version] + [UInt8](repeating: 0, count: 8)
    for (id, payload) in sections {
        out.append(id)
        Varint.write(UInt32(payload.count), to: &out)
        out += payload
    }
    out += trailer
    patchLength(&out, to: declaredLength ?? UInt64(out.count))
    return out
}

private func patchLength(_ bytes: inout [UInt8], to length: UInt64) {
    guard bytes.count >= 13 else { return }
    for k in 0..<8 { bytes[5 + k] = UInt8(truncatingIfNeeded: length >> UInt64(8 * k)) }
}

private func varint(_ v: UInt32) -> [UInt8] {
    var out: [UInt8] = []
    Varint.write(v, to: &out)
    return out
}

/// A code-and-jump-table payload from explicit fields.
private func codePayload(
    count: UInt32, entrySize: UInt8, codeLength: UInt32, table: [UInt8] = [], code: [UInt8], bitmask: [UInt8]
) -> [UInt8] {
    varint(count) + [entrySize] + varint(codeLength) + table + code + bitmask
}

/// A small valid program for `isa`: `ecalli 1; fallthrough; load_imm a0, 42; trap; jump <0>; trap`,
/// with a jump table pointing at two block starts.
private func sampleCode(_ isa: InstructionSetKind) -> ProgramCode {
    func op(_ o: Opcode) -> UInt8 { isa.byte(for: o) ?? 0 }
    let instructions: [[UInt8]] = [
        [op(.ecalli), 0x01],
        [op(.fallthrough)],
        [op(.loadImm), 0x07, 0x2A],
        [op(.trap)],
        [op(.jump), 0xF9],  // pc 7 → target 0
        [op(.loadImm), 0x08, 0x00, 0x01],  // a1 = 256
        [op(.trap)],
    ]
    var code: [UInt8] = []
    var starts: [Int] = []
    for inst in instructions {
        starts.append(code.count)
        code += inst
    }
    let bitmask = ProgramCode.bitmask(codeLength: code.count, starts: starts)
    return ProgramCode(uncheckedCode: code, bitmask: bitmask, jumpTable: [3, 7, 9], isa: isa)
}

/// A blob using every section kind.
private func fullBlob(_ isa: InstructionSetKind) -> ProgramBlob {
    ProgramBlob(
        isa: isa, roDataSize: 0x1234, rwDataSize: 0x20_0000, stackSize: 0x2000,
        roData: Array("read-only bytes".utf8), rwData: [1, 2, 3, 0, 5],
        imports: [ProgramSymbol("host_a"), ProgramSymbol(bytes: []), ProgramSymbol(bytes: [0x03, 0x00, 0x00, 0x00]), ProgramSymbol("b")],
        exports: [ProgramExport(pc: 0, symbol: ProgramSymbol("main")), ProgramExport(pc: 0x1_0000, symbol: ProgramSymbol("far"))],
        code: sampleCode(isa),
        customSections: [
            CustomSection(id: 128, payload: [0, 3, 0x61, 0x62, 0x63]),
            CustomSection(id: 129, payload: [1, 0]),
            CustomSection(id: 130, payload: [UInt8](repeating: 7, count: 12)),
            CustomSection(id: 200, payload: []),
        ]
    )
}

private func parseError(_ bytes: [UInt8]) -> ProgramError? {
    do {
        _ = try ProgramBlob(parsing: bytes)
        return nil
    } catch {
        return error
    }
}

private func rawError(_ bytes: [UInt8]) -> ProgramError? {
    do {
        _ = try ProgramCode(rawProgram: bytes, isa: .jamV1)
        return nil
    } catch {
        return error
    }
}

private let interestingBytes: [UInt8] = [0x00, 0x01, 0x06, 0x7F, 0x80, 0xBF, 0xC0, 0xE0, 0xF0, 0xF1, 0xF7, 0xF8, 0xFF]

/// Applies one to four random edits: bit flips, random or "interesting" bytes (varint prefixes),
/// deletions, insertions, truncation.
private func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
    let mutations = 1 + rng.below(4)
    for _ in 0..<mutations {
        guard !bytes.isEmpty else { return }
        let at = rng.below(bytes.count)
        switch rng.below(7) {
        case 0: bytes[at] ^= UInt8(truncatingIfNeeded: 1 << rng.below(8))
        case 1: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
        case 2: bytes[at] = interestingBytes[rng.below(interestingBytes.count)]
        case 3: bytes.removeSubrange(at..<Swift.min(bytes.count, at + 1 + rng.below(8)))
        case 4: bytes.insert(contentsOf: (0..<(1 + rng.below(6))).map { _ in interestingBytes[rng.below(interestingBytes.count)] }, at: at)
        case 5: bytes = Array(bytes.prefix(at))
        default: bytes[at] = bytes[at] &+ 1
        }
    }
}

private let trapOnly: [UInt8] = codePayload(count: 0, entrySize: 0, codeLength: 1, code: [0], bitmask: [1])

// MARK: - Varints

@Suite struct ContainerTests {
    /// The whole-program check every load runs (which reads opcodes and argument lengths only) agrees
    /// with the rule stated on the decoded walk: no `invalid` anywhere along ``ProgramCode/linearWalk()``;
    /// on random code, bitmasks with gaps, and all instruction sets. The throwing validator agrees too.
    @Test(arguments: InstructionSetKind.allCases)
    func wholeProgramValidityAgreesWithTheValidator(isa: InstructionSetKind) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(isa.hashValue & 0xFFFF)
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        var valid = 0
        for _ in 0..<3000 {
            let length = Int(next() % 40) + 1
            var code = (0..<length).map { _ in UInt8(truncatingIfNeeded: next()) }
            // Mostly defined opcodes, and often a terminator last, so both outcomes occur.
            if next() % 4 != 0, let trap = isa.byte(for: .trap) { code[length - 1] = trap }
            var bitmask = [UInt8](repeating: 0, count: (length + 7) / 8)
            var pc = 0
            while pc < length {
                bitmask[pc >> 3] |= 1 << UInt8(pc & 7)
                pc += 1 + Int(next() % (next() % 8 == 0 ? 30 : 4))
            }
            if next() % 3 != 0 { bitmask[(length - 1) >> 3] |= 1 << UInt8((length - 1) & 7) }
            let program = ProgramCode(uncheckedCode: code, bitmask: bitmask, jumpTable: [], isa: isa)
            let walkValid = !program.linearWalk().contains { $0.instruction.opcode == .invalid }
            #expect(program.isWholeProgramValid == walkValid, "\(code) \(bitmask)")
            #expect(((try? program.validateWholeProgram()) != nil) == walkValid, "\(code) \(bitmask)")
            if walkValid { valid += 1 }
        }
        #expect(valid > 50)
    }

    @Test func codeEqualityComparesBytesBitmaskJumpTableAndInstructionSet() {
        let code = ProgramCode(uncheckedCode: [0, 1, 2], bitmask: [0b101], jumpTable: [0], isa: .latest64)
        let same = ProgramCode(uncheckedCode: [0, 1, 2], bitmask: [0b101], jumpTable: [0], isa: .latest64)
        #expect(code == same && code.hashValue == same.hashValue)
        #expect(code != ProgramCode(uncheckedCode: [0, 1, 3], bitmask: [0b101], jumpTable: [0], isa: .latest64))
        #expect(code != ProgramCode(uncheckedCode: [0, 1, 2], bitmask: [0b111], jumpTable: [0], isa: .latest64))
        #expect(code != ProgramCode(uncheckedCode: [0, 1, 2], bitmask: [0b101], jumpTable: [2], isa: .latest64))
        #expect(code != ProgramCode(uncheckedCode: [0, 1, 2], bitmask: [0b101], jumpTable: [0], isa: .latest32))
    }

    @Test func varintBoundaries() throws {
        let cases: [(UInt32, Int)] = [
            (0, 1), (1, 1), (127, 1), (128, 2), (0x3FFF, 2), (0x4000, 3), (0x1F_FFFF, 3),
            (0x20_0000, 4), (0x0FFF_FFFF, 4), (0x1000_0000, 5), (0x1234_5678, 5), (UInt32.max, 5),
        ]
        for (value, length) in cases {
            let bytes = varint(value)
            #expect(bytes.count == length, "length of \(value)")
            #expect(Varint.length(of: value) == length)
            let decoded = try #require(Varint.read(bytes, at: 0))
            #expect(decoded.value == value)
            #expect(decoded.length == length)
        }
        #expect(varint(0x80) == [0x80, 0x80])
        #expect(varint(0x1234_5678) == [0xF0, 0x78, 0x56, 0x34, 0x12])
    }

    @Test func varintQuirksAndErrors() {
        // n = 4: upstream's wrapping shift ORs the first byte's low three bits into the value.
        #expect(Varint.read([0xF3, 0x00, 0x00, 0x00, 0x10], at: 0)?.value == 0x1000_0003)
        #expect(Varint.read([0xF7, 0xFF, 0xFF, 0xFF, 0xFF], at: 0)?.value == UInt32.max)
        // ... and the fourth bit (0x08) makes five leading ones: malformed.
        #expect(Varint.read([0xF8, 0, 0, 0, 0], at: 0) == nil)
        #expect(Varint.read([0xFF, 0, 0, 0, 0, 0, 0, 0, 0], at: 0) == nil)
        // Truncated.
        #expect(Varint.read([0xC0, 0x01], at: 0) == nil)
        #expect(Varint.read([], at: 0) == nil)
        // Non-canonical encodings are accepted.
        #expect(Varint.read([0x80, 0x05], at: 0)?.value == 5)
        #expect(Varint.read([0xF0, 0x05, 0, 0, 0], at: 0)?.value == 5)

        // Through the container: a malformed section length and a truncated one.
        let malformed = container([(6, trapOnly)]).prefix(13) + [6, 0xF8, 0, 0, 0, 0, 0]
        var bytes = Array(malformed)
        patchLength(&bytes, to: UInt64(bytes.count))
        let e1 = parseError(bytes)
        #expect(e1?.kind == .malformedVarint)
        #expect(e1?.section == .code)
        #expect(e1?.offset == 14)
        var truncated: [UInt8] = Array(container([(6, trapOnly)]).prefix(13)) + [6, 0xE0, 0x01]
        patchLength(&truncated, to: UInt64(truncated.count))
        #expect(parseError(truncated)?.kind == .truncated(needed: 4, available: 2))
    }

    @Test func grayPaperNaturals() throws {
        var out: [UInt8] = []
        for value: UInt64 in [0, 1, 127, 128, 0x3FFF, 0x4000, 0xFFFF_FFFF, 1 << 32, (1 << 56) - 1, 1 << 56, UInt64.max] {
            out.removeAll()
            writeNatural(value, to: &out)
            var cursor = ByteCursor(out, section: nil)
            #expect(try cursor.readNatural() == value)
            #expect(cursor.isAtEnd)
            if value < (1 << 32) {
                #expect(out == varint(UInt32(value)), "E(x) equals the container varint below 2^32")
            }
        }
        out.removeAll()
        writeNatural(UInt64.max, to: &out)
        #expect(out == [0xFF] + [UInt8](repeating: 0xFF, count: 8))
    }

    // MARK: - Round trips

    @Test(arguments: InstructionSetKind.allCases)
    func roundTripEverySection(isa: InstructionSetKind) throws {
        let blob = fullBlob(isa)
        let bytes = blob.serialized()
        #expect(bytes[4] == isa.rawValue)
        #expect(ProgramBlob.blobLength(ofPrefix: Array(bytes.prefix(13))) == UInt64(bytes.count))
        let parsed = try ProgramBlob(parsing: bytes)
        #expect(parsed == blob)
        #expect(parsed.serialized() == bytes)
        #expect(parsed.code.linearWalk().allSatisfy { $0.instruction.opcode != .invalid })

        // Section order in the output: 1, 2, 3, 4, 5, 6, 128, 129, 130, 200, end.
        var ids: [UInt8] = []
        var cursor = ByteCursor(bytes, section: nil, start: 13)
        while true {
            let id = try cursor.readByte()
            ids.append(id)
            if id == 0 { break }
            let length = Int(try cursor.readVarint())
            _ = try cursor.readBytes(length)
        }
        #expect(ids == [1, 2, 3, 4, 5, 6, 128, 129, 130, 200, 0])
        #expect(cursor.isAtEnd)
    }

    @Test(arguments: InstructionSetKind.allCases)
    func minimalBlob(isa: InstructionSetKind) throws {
        let code = try ProgramCode(code: [0], bitmask: [1], jumpTable: [], isa: isa)
        let blob = ProgramBlob(isa: isa, code: code)
        let bytes = blob.serialized()
        #expect(bytes == [0x50, 0x56, 0x4D, 0x00, isa.rawValue, 21, 0, 0, 0, 0, 0, 0, 0, 6, 5, 0, 0, 1, 0, 1, 0])
        #expect(try ProgramBlob(parsing: bytes) == blob)

        // Only the non-zero sizes trigger the memory config section, and empty code still round-trips.
        let sized = ProgramBlob(isa: isa, stackSize: 1, code: ProgramCode(uncheckedCode: [], bitmask: [], jumpTable: [], isa: isa))
        let sizedBytes = sized.serialized()
        #expect(Array(sizedBytes[13..<18]) == [1, 3, 0, 0, 1])
        #expect(try ProgramBlob(parsing: sizedBytes) == sized)
    }

    @Test func jumpTableEntryWidths() throws {
        let cases: [([UInt32], Int)] = [
            ([], 0), ([0], 1), ([0xFF], 1), ([0x100], 2), ([0x1, 0x1_0000], 3), ([0x842E3], 3),
            ([0xFFFF_FFFF], 4), ([0x0100_0000, 5], 4),
        ]
        for (table, width) in cases {
            let code = ProgramCode(uncheckedCode: [0], bitmask: [1], jumpTable: table, isa: .latest64)
            #expect(code.jumpTableEntrySize == width, "\(table)")
            let raw = code.rawProgram()
            #expect(raw[1] == UInt8(width))
            #expect(try ProgramCode(rawProgram: raw, isa: .latest64) == code)
            let blob = ProgramBlob(isa: .latest64, code: code)
            #expect(try ProgramBlob(parsing: blob.serialized()) == blob)
        }
    }

    @Test func exactBytesOfASmallBlob() throws {
        let code = ProgramCode(uncheckedCode: [0, 0], bitmask: [3], jumpTable: [1], isa: .latest32)
        let blob = ProgramBlob(
            isa: .latest32, roDataSize: 4, roData: [9], imports: [ProgramSymbol("ab"), ProgramSymbol("c")],
            exports: [ProgramExport(pc: 1, symbol: ProgramSymbol("x"))], code: code
        )
        let expected: [UInt8] = [0x50, 0x56, 0x4D, 0x00, 1, 51, 0, 0, 0, 0, 0, 0, 0]
            + [1, 3, 4, 0, 0]
            + [2, 1, 9]
            + [4, 12, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0x61, 0x62, 0x63]
            + [5, 4, 1, 1, 1, 0x78]
            + [6, 7, 1, 1, 2, 1, 0, 0, 3]
            + [0]
        #expect(blob.serialized() == expected)
        #expect(try ProgramBlob(parsing: expected) == blob)
    }

    // MARK: - Parse errors (§1.5)

    @Test func headerErrors() {
        let good = container([(6, trapOnly)])
        var bad = good
        bad[1] = 0x55
        #expect(parseError(bad) == ProgramError(.badMagic, section: .header, offset: 0))
        #expect(parseError([]) == ProgramError(.truncated(needed: 4, available: 0), section: .header, offset: 0))
        #expect(parseError([0x50, 0x56])?.kind == .truncated(needed: 4, available: 2))
        #expect(parseError([0x41])?.kind == .badMagic)

        bad = good
        bad[4] = 4
        #expect(parseError(bad) == ProgramError(.unsupportedVersion(4), section: .header, offset: 4))

        bad = good
        patchLength(&bad, to: UInt64(good.count + 1))
        #expect(parseError(bad) == ProgramError(.lengthMismatch(header: UInt64(good.count + 1), actual: good.count), section: .header, offset: 5))
        #expect(parseError(Array(good.prefix(9)))?.kind == .truncated(needed: 8, available: 4))

        // Missing end byte: the next section id is truncated.
        let noEnd = container([(6, trapOnly)], trailer: [])
        #expect(parseError(noEnd) == ProgramError(.truncated(needed: 1, available: 0), section: nil, offset: noEnd.count))

        // Trailing bytes after the end byte are not examined (upstream quirk).
        let trailing = container([(6, trapOnly)], trailer: [0, 0xDE, 0xAD])
        #expect(parseError(trailing) == nil)
    }

    @Test func sectionFramingErrors() {
        // A section whose payload runs past the blob.
        var bytes = container([(6, trapOnly)])
        bytes[14] = 0x20
        #expect(parseError(bytes) == ProgramError(.truncated(needed: 0x20, available: 6), section: .code, offset: 15))

        // Out of order: RO data after RW data.
        let outOfOrder = container([(3, [1]), (2, [1]), (6, trapOnly)])
        #expect(parseError(outOfOrder) == ProgramError(.unexpectedSection(2), section: .roData, offset: 16))
        // Twice the same section.
        #expect(parseError(container([(6, trapOnly), (6, trapOnly)]))?.kind == .unexpectedSection(6))
        // An unknown mandatory id.
        let unknown = container([(7, [])])
        #expect(parseError(unknown) == ProgramError(.unexpectedSection(7), section: nil, offset: 13))
        // A non-optional section after the optional ones.
        #expect(parseError(container([(6, trapOnly), (128, []), (5, [0])]))?.kind == .unexpectedSection(5))
        // The unexpected-section check comes before "no code".
        #expect(parseError(container([(3, []), (2, [])]))?.kind == .unexpectedSection(2))
    }

    @Test func optionalSectionsKeepTheirOrder() throws {
        // Debug sections out of their nominal order are skipped as unknown optional ones upstream; we keep them.
        let bytes = container([(6, trapOnly), (130, [1]), (128, [2]), (255, []), (129, [3, 4])])
        let blob = try ProgramBlob(parsing: bytes)
        #expect(blob.customSections.map(\.id) == [130, 128, 255, 129])
        #expect(blob.customSections.map(\.payload) == [[1], [2], [], [3, 4]])
        #expect(blob.serialized() == bytes)
    }

    @Test func memoryConfigErrors() throws {
        // Declared length 4, but the three varints use 3 bytes.
        let tooLong = container([(1, [1, 2, 3, 0]), (6, trapOnly)])
        #expect(parseError(tooLong) == ProgramError(.sectionLengthMismatch(declared: 4, used: 3), section: .memoryConfig, offset: 13))
        // Declared length 2, the varints run on into the next section's bytes.
        let tooShort = container([(1, [1, 2]), (6, trapOnly)])
        let e = parseError(tooShort)
        #expect(e?.section == .memoryConfig)
        #expect(e?.kind == .sectionLengthMismatch(declared: 2, used: 3))
        // Large sizes with multi-byte varints.
        let ok = container([(1, varint(0x5E98C) + varint(0x104CD3C) + varint(0x2000)), (6, trapOnly)])
        let blob = try ProgramBlob(parsing: ok)
        #expect(blob.roDataSize == 0x5E98C && blob.rwDataSize == 0x104CD3C && blob.stackSize == 0x2000)
    }

    @Test func dataLargerThanDeclared() {
        let ro = container([(1, [2, 0, 0]), (2, [1, 2, 3]), (6, trapOnly)])
        #expect(parseError(ro) == ProgramError(.dataLargerThanDeclared(payload: 3, declared: 2), section: .roData, offset: 18))
        let rw = container([(1, [1, 0, 0]), (2, [1]), (3, [1]), (6, trapOnly)])
        #expect(parseError(rw) == ProgramError(.dataLargerThanDeclared(payload: 1, declared: 0), section: .rwData, offset: 21))
        // RO is checked before RW.
        #expect(parseError(container([(2, [1]), (3, [1]), (6, trapOnly)]))?.section == .roData)
        #expect(parseError(container([(1, [0, 5, 0]), (3, [1, 2, 3, 4, 5]), (6, trapOnly)])) == nil)
    }

    @Test func importErrors() throws {
        // 1025 imports.
        let many = container([(4, varint(1025) + [UInt8](repeating: 0, count: 4 * 1025)), (6, trapOnly)])
        #expect(parseError(many) == ProgramError(.tooManyImports(1025), section: .imports, offset: 16))
        // Exactly 1024 empty symbols are fine.
        let max = container([(4, varint(1024) + [UInt8](repeating: 0, count: 4 * 1024)), (6, trapOnly)])
        #expect(try ProgramBlob(parsing: max).imports.count == 1024)
        // Offsets missing: 3 imports but only 4 bytes left.
        let short = container([(4, [3, 0, 0, 0, 0]), (6, trapOnly)])
        #expect(parseError(short)?.kind == .truncated(needed: 12, available: 4))
        #expect(parseError(short)?.section == .imports)
        // An offset past the symbol area.
        let past = container([(4, [2, 0, 0, 0, 0, 9, 0, 0, 0] + Array("abc".utf8)), (6, trapOnly)])
        #expect(parseError(past) == ProgramError(.invalidImport(index: 0), section: .imports, offset: 16))
        // Decreasing offsets.
        let reversed = container([(4, [2, 2, 0, 0, 0, 1, 0, 0, 0] + Array("abc".utf8)), (6, trapOnly)])
        #expect(parseError(reversed)?.kind == .invalidImport(index: 0))
        let lastPast = container([(4, [2, 0, 0, 0, 0, 4, 0, 0, 0] + Array("abc".utf8)), (6, trapOnly)])
        #expect(parseError(lastPast)?.kind == .invalidImport(index: 0))
        let lastBad = container([(4, [2, 0, 0, 0, 0, 3, 0, 0, 0, 0x61, 0x62]), (6, trapOnly)])
        #expect(parseError(lastBad)?.kind == .invalidImport(index: 0))
        let lastEmpty = container([(4, [2, 0, 0, 0, 0, 1, 0, 0, 0, 0x61]), (6, trapOnly)])
        #expect(try ProgramBlob(parsing: lastEmpty).imports.map(\.bytes) == [[0x61], []])
        let ok = container([(4, [2, 0, 0, 0, 0, 1, 0, 0, 0] + Array("abc".utf8)), (6, trapOnly)])
        #expect(try ProgramBlob(parsing: ok).imports.map(\.description) == ["a", "bc"])
    }

    @Test func exportErrors() throws {
        // Count 2 but one entry.
        let missing = container([(5, [2, 0, 1, 0x61]), (6, trapOnly)])
        #expect(parseError(missing)?.kind == .truncated(needed: 1, available: 0))
        #expect(parseError(missing)?.section == .exports)
        // Symbol length past the section.
        let long = container([(5, [1, 0, 9, 0x61]), (6, trapOnly)])
        #expect(parseError(long) == ProgramError(.truncated(needed: 9, available: 1), section: .exports, offset: 18))
        // A malformed pc varint.
        #expect(parseError(container([(5, [1, 0xFC, 0, 0]), (6, trapOnly)]))?.kind == .malformedVarint)
        // Leftover bytes after the last entry.
        let extra = container([(5, [1, 0, 1, 0x61, 0x99]), (6, trapOnly)])
        #expect(parseError(extra) == ProgramError(.sectionLengthMismatch(declared: 5, used: 4), section: .exports, offset: 19))
        // A huge count with few bytes fails quickly.
        #expect(parseError(container([(5, varint(UInt32.max)), (6, trapOnly)]))?.kind == .truncated(needed: 1, available: 0))
    }

    @Test func codeSectionErrors() throws {
        // No code section at all, and an empty one.
        #expect(parseError(container([(2, [])]))?.kind == .missingCode)
        #expect(parseError(container([(1, [0, 0, 0])]))?.kind == .missingCode)
        #expect(parseError(container([]))?.kind == .missingCode)
        #expect(parseError(container([(6, [])])) == ProgramError(.missingCode, section: .code, offset: 15))

        func codeError(_ payload: [UInt8]) -> ProgramError? { parseError(container([(6, payload)])) }

        // Jump table count over 16 Mi (checked before the entry size).
        let tooMany = codeError(varint(16 * 1024 * 1024 + 1) + [9])
        #expect(tooMany == ProgramError(.jumpTableTooLong(16 * 1024 * 1024 + 1), section: .code, offset: 15))
        // Code length over 32 MiB (checked before the entry size).
        let tooLong = codeError([0, 9] + varint(32 * 1024 * 1024 + 1))
        #expect(tooLong == ProgramError(.codeTooLong(32 * 1024 * 1024 + 1), section: .code, offset: 17))
        // Entry size 5.
        #expect(codeError([0, 5, 1, 0, 1]) == ProgramError(.invalidJumpTableEntrySize(5), section: .code, offset: 16))
        // 16 Mi entries of 4 bytes with 3 bytes of input: fails without materialising the table.
        let huge = codeError(varint(16 * 1024 * 1024) + [4, 1, 0, 1])
        #expect(huge?.kind == .truncated(needed: 64 * 1024 * 1024, available: 2))
        // Code length past the payload.
        #expect(codeError([0, 0, 5, 0, 1])?.kind == .truncated(needed: 5, available: 2))
        // Bitmask too long / too short.
        #expect(codeError([0, 0, 1, 0, 1, 0]) == ProgramError(.bitmaskLengthMismatch(expected: 1, actual: 2), section: .code, offset: 19))
        #expect(codeError([0, 0, 9] + [UInt8](repeating: 0, count: 9) + [1])?.kind == .bitmaskLengthMismatch(expected: 2, actual: 1))
        // Non-zero padding bits.
        #expect(codeError([0, 0, 1, 0, 0b11]) == ProgramError(.bitmaskPaddingNotZero, section: .code, offset: 19))
        #expect(codeError([0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0x80])?.kind == .bitmaskPaddingNotZero)
        #expect(codeError([0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF]) == nil)
        // Entry size 0 means an empty table whatever the count.
        let zeroWidth = try ProgramBlob(parsing: container([(6, [5, 0, 1, 0, 1])]))
        #expect(zeroWidth.code.jumpTable.isEmpty)
        // Truncated jump table.
        #expect(codeError([3, 2, 1, 0, 0, 0, 0])?.kind == .truncated(needed: 6, available: 4))
        // A 3-byte table.
        let three = try ProgramBlob(parsing: container([(6, [2, 3, 1, 0xE3, 0x42, 0x08, 1, 2, 3, 0, 1])]))
        #expect(three.code.jumpTable == [0x842E3, 0x030201])
    }

    // MARK: - Raw Gray Paper program blob

    @Test func rawProgramIsTheCodeSectionPayload() throws {
        for isa in InstructionSetKind.allCases {
            let code = sampleCode(isa)
            let raw = code.rawProgram()
            #expect(try ProgramCode(rawProgram: raw, isa: isa) == code)
            // The same bytes sit in the container's code section.
            let blobBytes = ProgramBlob(isa: isa, code: code).serialized()
            #expect(Array(blobBytes[15..<(15 + raw.count)]) == raw)
            #expect(blobBytes[14] == UInt8(raw.count))
        }
        // A hand-written vector-style program: `E(1) ‖ E_1(1) ‖ E(3) ‖ j ‖ c ‖ k`.
        let bytes: [UInt8] = [1, 1, 3, 2, 0x28, 0x02, 0x00, 0b101]
        let code = try ProgramCode(rawProgram: bytes, isa: .jamV1)
        #expect(code.jumpTable == [2])
        #expect(code.code == [0x28, 0x02, 0x00])
        #expect(code.isInstructionStart(0) && code.isInstructionStart(2))
        #expect(code.rawProgram() == bytes)
    }

    @Test func rawProgramErrors() {
        #expect(rawError([]) == ProgramError(.missingCode, section: .code, offset: 0))
        #expect(rawError([0, 0]) == ProgramError(.truncated(needed: 1, available: 0), section: .code, offset: 2))
        #expect(rawError([0, 7, 0]) == ProgramError(.invalidJumpTableEntrySize(7), section: .code, offset: 1))
        #expect(rawError([0, 0, 1, 0, 1, 9])?.kind == .bitmaskLengthMismatch(expected: 1, actual: 2))
        #expect(rawError([0, 0, 1, 0, 3])?.kind == .bitmaskPaddingNotZero)

        // The 9-byte 0xFF form is read as a full 64-bit natural: small values are accepted ...
        let nineByteCount: [UInt8] = [0xFF, 1, 0, 0, 0, 0, 0, 0, 0]
        #expect(rawError(nineByteCount + [1, 1, 5, 0, 1]) == nil)
        // ... and values past the limits are rejected.
        let bigCount: [UInt8] = [0xFF, 0, 0, 0, 0, 1, 0, 0, 0]
        #expect(rawError(bigCount + [1, 1, 0, 0, 1]) == ProgramError(.jumpTableTooLong(1 << 32), section: .code, offset: 0))
        #expect(rawError([0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])?.kind == .codeTooLong(Int.max))
        #expect(rawError([0, 0, 0xFF, 1])?.kind == .truncated(needed: 9, available: 2))

        // A 0xF1 prefix: the Gray Paper reads 2^32 + 1 (too long); the container's varint quirk reads 1.
        let quirky: [UInt8] = [0, 0, 0xF1, 0x01, 0, 0, 0, 0, 1]
        #expect(rawError(quirky)?.kind == .codeTooLong(Int((UInt64(1) << 32) | 1)))
        let blob = try? ProgramBlob(parsing: container([(6, quirky)]))
        #expect(blob?.code.code == [0])
    }

    // MARK: - JAM standard program

    private func standardBytes(ro: [UInt8], rw: [UInt8], heapPages: UInt16, stack: UInt32, raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        appendLittleEndian(UInt64(ro.count), width: 3, to: &out)
        appendLittleEndian(UInt64(rw.count), width: 3, to: &out)
        appendLittleEndian(UInt64(heapPages), width: 2, to: &out)
        appendLittleEndian(UInt64(stack), width: 3, to: &out)
        out += ro + rw
        appendLittleEndian(UInt64(raw.count), width: 4, to: &out)
        return out + raw
    }

    @Test func standardProgramParsing() throws {
        let raw = sampleCode(.jamV1).rawProgram()
        let bytes = standardBytes(ro: [1, 2, 3], rw: [4, 5], heapPages: 3, stack: 0x1_2345, raw: raw)
        let program = try StandardProgram(parsing: bytes)
        #expect(program.roData == [1, 2, 3])
        #expect(program.rwData == [4, 5])
        #expect(program.heapPages == 3)
        #expect(program.stackSize == 0x1_2345)
        #expect(program.code == sampleCode(.jamV1))
        #expect(program.metadata.isEmpty)
        #expect(try program.serialized() == bytes)

        // With a metadata prefix.
        let metadata = Array("service v1".utf8)
        let withMetadata = [UInt8(metadata.count)] + metadata + bytes
        let parsed = try StandardProgram(parsingWithMetadata: withMetadata)
        #expect(parsed.metadata == metadata)
        #expect(parsed.roData == program.roData && parsed.code == program.code)
        #expect(try parsed.serializedWithMetadata() == withMetadata)
        var long = program
        long.metadata = [UInt8](repeating: 0x5A, count: 300)
        #expect(try StandardProgram(parsingWithMetadata: long.serializedWithMetadata()) == long)

        // The ISA decides the opcode table.
        #expect(try StandardProgram(parsing: bytes, isa: .latest64).code.isa == .latest64)
    }

    @Test func standardProgramErrors() throws {
        let raw = sampleCode(.jamV1).rawProgram()
        let bytes = standardBytes(ro: [1, 2, 3], rw: [4, 5], heapPages: 0, stack: 0, raw: raw)
        func error(_ b: [UInt8]) -> ProgramError? {
            do { _ = try StandardProgram(parsing: b); return nil } catch { return error }
        }
        #expect(error([1, 0, 0])?.kind == .truncated(needed: 3, available: 0))
        #expect(error([1, 0, 0])?.section == .jamHeader)
        // Declared RO data larger than the input.
        let shortRO = standardBytes(ro: [], rw: [], heapPages: 0, stack: 0, raw: []).prefix(11)
        var b = Array(shortRO)
        b[0] = 0xFF
        #expect(error(b) == ProgramError(.truncated(needed: 255, available: 0), section: .roData, offset: 11))
        // Code length past the end, and trailing bytes.
        #expect(error(Array(bytes.dropLast()))?.kind == .truncated(needed: raw.count, available: raw.count - 1))
        #expect(error(bytes + [0])?.kind == .sectionLengthMismatch(declared: raw.count, used: raw.count + 1))
        // Errors inside the code are attributed to the code, at offsets in the whole blob.
        var badCode = bytes
        badCode[11 + 5 + 4 + 1] = 9  // the entry-size byte of the raw program
        #expect(error(badCode) == ProgramError(.invalidJumpTableEntrySize(9), section: .code, offset: 21))
        // Metadata length past the end.
        do {
            _ = try StandardProgram(parsingWithMetadata: [0x80, 0xFF] + bytes)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .truncated(needed: 0xFF, available: bytes.count))
        }
    }

    @Test func standardProgramInitialState() throws {
        let code = sampleCode(.jamV1)
        let program = StandardProgram(roData: [1, 2, 3], rwData: [UInt8](repeating: 9, count: 5000), heapPages: 2, stackSize: 0x1001, code: code)
        let argument: [UInt8] = [0xAA, 0xBB]
        let state = try program.initialState(argument: argument)
        #expect(state.registers.count == 13)
        #expect(state.registers[0] == 0xFFFF_0000)
        #expect(state.registers[1] == 0xFEFE_0000)
        #expect(state.registers[7] == 0xFEFF_0000)
        #expect(state.registers[8] == 2)
        #expect(state.registers.enumerated().allSatisfy { [0, 1, 7, 8].contains($0.offset) || $0.element == 0 })
        let r = state.regions
        #expect(r.map(\.kind) == [.roData, .rwData, .stack, .argument])
        #expect(r[0] == StandardMemoryRegion(kind: .roData, address: 0x1_0000, length: 0x1000, writable: false, initialBytes: [1, 2, 3]))
        #expect(r[1].address == 0x3_0000 && r[1].length == 0x2000 + 2 * 0x1000 && r[1].writable)
        #expect(r[1].initialBytes.count == 5000)
        #expect(r[2] == StandardMemoryRegion(kind: .stack, address: 0xFEFE_0000 - 0x2000, length: 0x2000, writable: true, initialBytes: []))
        #expect(r[3] == StandardMemoryRegion(kind: .argument, address: 0xFEFF_0000, length: 0x1000, writable: false, initialBytes: argument))
        #expect(state.heapStart == 0x3_0000)

        // docs/SPEC.md §3.9 example.
        let spec = StandardProgram(roData: [UInt8](repeating: 1, count: 0x100), rwData: [UInt8](repeating: 2, count: 0x2000), heapPages: 2, stackSize: 0x4000, code: code)
        let specRegions = try spec.initialState(argument: [UInt8](repeating: 3, count: 0x10)).regions
        #expect(specRegions.map(\.address) == [0x1_0000, 0x3_0000, 0xFEFD_C000, 0xFEFF_0000])
        #expect(specRegions.map(\.endAddress) == [0x1_1000, 0x3_4000, 0xFEFE_0000, 0xFEFF_1000])

        // Large RO data moves the RW region by whole zones.
        let big = StandardProgram(roData: [UInt8](repeating: 0, count: 0x1_0001), code: code)
        #expect(try big.initialState(argument: []).regions[1].address == 0x2_0000 + 0x2_0000)
        #expect(try big.initialState(argument: []).regions[3].length == 0)

        // The argument may be at most Z_I bytes.
        let tooBig = [UInt8](repeating: 0, count: (1 << 24) + 1)
        #expect(throws: ProgramError.self) { try program.initialState(argument: tooBig) }

        // The size rule: 5·Z_Z + Z(|o|) + Z(|w| + z·Z_P) + Z(s) + Z_I ≤ 2^32.
        #expect(StandardProgram.layoutFits(roDataLength: 0, rwDataLength: 0, heapPages: 0, stackSize: 0))
        let limit: UInt64 = (1 << 32) - 5 * 0x1_0000 - (1 << 24)
        #expect(StandardProgram.layoutFits(roDataLength: limit, rwDataLength: 0, heapPages: 0, stackSize: 0))
        #expect(!StandardProgram.layoutFits(roDataLength: limit + 1, rwDataLength: 0, heapPages: 0, stackSize: 0))
        #expect(!StandardProgram.layoutFits(roDataLength: limit / 2, rwDataLength: 0, heapPages: 0, stackSize: limit / 2 + 1))
        #expect(!StandardProgram.layoutFits(roDataLength: UInt64.max, rwDataLength: UInt64.max, heapPages: UInt64.max, stackSize: UInt64.max))
    }

    // MARK: - Memory map (§4.2)

    @Test func memoryMapUpstreamExample() throws {
        let map = try MemoryMap(pageSize: 0x4000, roDataSize: 1, rwDataSize: 1, stackSize: 1)
        #expect(map.roDataAddress == 0x1_0000)
        #expect(map.roDataSize == 0x4000)
        #expect(map.rwDataAddress == 0x3_0000)
        #expect(map.rwDataSize == 0x4000)
        #expect(map.heapBase == 0x3_0001)
        #expect(map.stackAddressLow == 0xFFFD_C000)
        #expect(map.stackAddressHigh == 0xFFFE_0000)
        #expect(map.stackSize == 0x4000)
        #expect(map.auxDataAddress == 0xFFFF_0000)
        #expect(map.auxDataSize == 0)
        #expect(map.pageSize == 0x4000)
        // low_end = 0x50000, high_end = 0xFFFD0000, plus the unused tail of the RW granule.
        #expect(map.maxHeapSize == 0xFFFD_0000 - 0x5_0000 + 0xFFFF)
    }

    @Test func memoryMapSpecExample() throws {
        // docs/SPEC.md §6.3 worked example.
        let map = try MemoryMap(pageSize: 0x1000, roDataSize: 0x1234, rwDataSize: 0x4321, stackSize: 0x3000)
        #expect(map.roDataAddress == 0x1_0000 && map.roDataSize == 0x2000)
        #expect(map.rwDataAddress == 0x3_0000 && map.rwDataSize == 0x5000)
        #expect(map.heapBase == 0x3_4321)
        #expect(map.stackAddressLow == 0xFFFD_D000 && map.stackAddressHigh == 0xFFFE_0000 && map.stackSize == 0x3000)
        #expect(map.maxHeapSize == 0xFFF8_BCDF)
    }

    @Test func memoryMapDoom() throws {
        let map = try MemoryMap(pageSize: 0x4000, roDataSize: 387_468, rwDataSize: 17_091_900, stackSize: 8192)
        #expect(map.roDataAddress == 0x1_0000 && map.roDataSize == 0x6_0000)
        #expect(map.rwDataAddress == 0x8_0000 && map.rwDataAddress + map.rwDataSize == 0x10D_0000)
        #expect(map.heapBase == 0x10C_CD3C)
        #expect(map.stackAddressLow == 0xFFFD_C000 && map.stackAddressHigh == 0xFFFE_0000)
        #expect(map.maxHeapSize == 0xFEEF_32C4)

        let small = try MemoryMap(pageSize: 0x1000, roDataSize: 387_468, rwDataSize: 17_091_900, stackSize: 8192)
        #expect(small.roDataAddress + small.roDataSize == 0x6_F000)
        #expect(small.rwDataAddress == 0x8_0000 && small.rwDataAddress + small.rwDataSize == 0x10C_D000)
        #expect(small.stackAddressLow == 0xFFFD_E000 && small.stackAddressHigh == 0xFFFE_0000)
    }

    @Test func memoryMapAuxAndLimits() throws {
        let aux = try MemoryMap(pageSize: 0x1000, roDataSize: 0, rwDataSize: 0, stackSize: 0x1000, auxDataSize: 1)
        #expect(aux.auxDataAddress == 0xFFFE_0000 && aux.auxDataSize == 0x1000)
        #expect(aux.stackAddressHigh == 0xFFFD_0000 && aux.stackAddressLow == 0xFFFC_F000)
        #expect(aux.roDataAddress == 0x1_0000 && aux.rwDataAddress == 0x2_0000 && aux.heapBase == 0x2_0000)

        for bad: UInt32 in [0, 1, 0x800, 0x3000, 0x2_0000, 0x8000_0000] {
            #expect(throws: ProgramError.self) { try MemoryMap(pageSize: bad, roDataSize: 0, rwDataSize: 0, stackSize: 0) }
        }
        for good: UInt32 in [0x1000, 0x2000, 0x4000, 0x8000, 0x1_0000] {
            #expect(throws: Never.self) { try MemoryMap(pageSize: good, roDataSize: 0, rwDataSize: 0, stackSize: 0) }
        }
        func tooLarge(_ ro: UInt32, _ rw: UInt32, _ stack: UInt32, _ aux: UInt32) -> Bool {
            do { _ = try MemoryMap(pageSize: 0x1000, roDataSize: ro, rwDataSize: rw, stackSize: stack, auxDataSize: aux); return false }
            catch { return error.kind == .memoryMapTooLarge }
        }
        #expect(tooLarge(.max, 0, 0, 0))
        #expect(tooLarge(0, .max, 0, 0))
        #expect(tooLarge(0, 0, .max, 0))
        #expect(tooLarge(0, 0, 0, .max))
        #expect(tooLarge(.max, .max, .max, .max))
        // The sum of the four 64 KiB-aligned sizes may be up to 2^32 − 5·64 KiB.
        let budget: UInt32 = 0xFFFF_FFFF - 5 * 0x1_0000 + 1
        #expect(!tooLarge(budget, 0, 0, 0))
        #expect(tooLarge(budget + 1, 0, 0, 0))
        #expect(!tooLarge(budget - 0x1_0000, 0, 0x1_0000, 0))
        #expect(tooLarge(budget - 0x1_0000, 1, 0x1_0000, 0))
        let full = try MemoryMap(pageSize: 0x1000, roDataSize: budget, rwDataSize: 0, stackSize: 0)
        #expect(full.maxHeapSize == 0)

        let blob = fullBlob(.latest64)
        let fromBlob = try MemoryMap(blob: blob, pageSize: 0x4000)
        #expect(fromBlob == (try MemoryMap(pageSize: 0x4000, roDataSize: 0x1234, rwDataSize: 0x20_0000, stackSize: 0x2000)))
    }

    // MARK: - Robustness

    @Test func randomMutationsNeverCrash() throws {
        var rng = SplitMix64(seed: 0x5EED_CAFE_F00D_0001)
        let seeds = InstructionSetKind.allCases.map { fullBlob($0).serialized() }
            + [container([(6, trapOnly)]), container([(4, [1, 0, 0, 0, 0, 0x61]), (6, [1, 4, 2, 1, 0, 0, 0, 0, 0, 3])])]
        var parsed = 0
        var rejected = 0
        for iteration in 0..<4000 {
            var bytes = seeds[iteration % seeds.count]
            mutate(&bytes, &rng)
            // Usually keep the header's length honest so the mutation reaches the sections.
            if rng.below(8) != 0 { patchLength(&bytes, to: UInt64(bytes.count)) }
            // The same bytes as raw and standard programs must not crash either.
            let tail = Array(bytes.dropFirst(13))
            _ = try? ProgramCode(rawProgram: tail, isa: .jamV1)
            _ = try? StandardProgram(parsing: tail)
            _ = try? StandardProgram(parsingWithMetadata: bytes)
            let blob: ProgramBlob
            do {
                blob = try ProgramBlob(parsing: bytes)
                parsed += 1
            } catch {
                rejected += 1
                _ = error.description
                continue
            }
            // Whatever parses must re-serialise to something that parses to the same value.
            do {
                #expect(try ProgramBlob(parsing: blob.serialized()) == blob)
            } catch {
                Issue.record("re-parsing a serialised blob failed: \(error)")
            }
            _ = blob.code.linearWalk()
        }
        #expect(parsed + rejected == 4000)
        #expect(parsed > 100, "the mutations should leave some blobs valid (\(parsed))")
        #expect(rejected > 1000, "and reject many (\(rejected))")
    }

    @Test func randomMutationsOfRawAndStandardPrograms() throws {
        var rng = SplitMix64(seed: 0x0BAD_5EED_0000_0002)
        let raw = sampleCode(.jamV1).rawProgram()
        let standard = try StandardProgram(roData: [1, 2, 3], rwData: [4], heapPages: 1, stackSize: 0x100, code: sampleCode(.jamV1), metadata: [7, 7]).serializedWithMetadata()
        var rawParsed = 0
        var standardParsed = 0
        for _ in 0..<2000 {
            var a = raw
            mutate(&a, &rng)
            if let code = try? ProgramCode(rawProgram: a, isa: .jamV1) {
                rawParsed += 1
                #expect(try ProgramCode(rawProgram: code.rawProgram(), isa: .jamV1) == code)
                _ = code.linearWalk()
            }
            var b = standard
            mutate(&b, &rng)
            if let program = try? StandardProgram(parsingWithMetadata: b) {
                standardParsed += 1
                #expect(try StandardProgram(parsingWithMetadata: program.serializedWithMetadata()) == program)
                _ = try? program.initialState(argument: [1])
            }
        }
        #expect(rawParsed > 50 && standardParsed > 50, "\(rawParsed) \(standardParsed)")
    }

    @Test func everyTruncationIsRejected() {
        let bytes = fullBlob(.latest32).serialized()
        for length in 0..<bytes.count {
            var prefix = Array(bytes.prefix(length))
            patchLength(&prefix, to: UInt64(length))
            #expect(parseError(prefix) != nil, "prefix of \(length) bytes")
        }
    }

    // MARK: - Acceptance: upstream's doom.polkavm (only when POLKAVM_DOOM_BLOB is set)

    @Test func doomBlob() throws {
        guard let path = ProcessInfo.processInfo.environment["POLKAVM_DOOM_BLOB"],
              let data = FileManager.default.contents(atPath: path) else { return }
        let bytes = [UInt8](data)
        let blob = try ProgramBlob(parsing: bytes)
        #expect(blob.isa == .latest32)
        #expect(blob.roDataSize == 387_468 && blob.rwDataSize == 17_091_900 && blob.stackSize == 8192)
        #expect(blob.roData.count == 387_468 && blob.rwData.count == 63_376)
        #expect(blob.imports.map(\.description) == ["ext_output_audio", "ext_output_video", "ext_rom_read", "ext_rom_size", "ext_stdout"])
        #expect(blob.exports.map(\.symbol.description) == ["ext_initialize", "ext_on_keychange", "ext_tick"])
        #expect(blob.exports.map(\.pc) == [1467, 1514, 339_779])
        #expect(blob.code.jumpTable.count == 10_002)
        #expect(Array(blob.code.jumpTable.prefix(4)) == [27, 32, 59, 133])
        #expect(blob.code.jumpTableEntrySize == 3)
        #expect(blob.code.count == 541_450 && blob.code.bitmask.count == 67_682)
        #expect(blob.customSections.isEmpty)
        let walk = blob.code.linearWalk()
        #expect(walk.count == 163_243)
        #expect(walk.allSatisfy { $0.instruction.opcode != .invalid })
        #expect(walk.last?.instruction.opcode == .jumpIndirect && walk.last?.pc == 541_448)
        // Cross-checked against the independent Python decoder (upstream_format_decoder.py --disasm):
        // an FNV-1a-style fold of every instruction PC, the opcode histogram, and the first instructions.
        var fold: UInt64 = 0xCBF2_9CE4_8422_2325
        for inst in walk { fold = (fold ^ UInt64(inst.pc)) &* 0x100_0000_01B3 }
        #expect(fold == 0x8A9B_459E_87EF_6E5F)
        #expect(walk.reduce(0) { $0 + Int($1.pc) } == 43_313_204_574)
        var histogram: [String: Int] = [:]
        for inst in walk { histogram[inst.instruction.opcode.name, default: 0] += 1 }
        #expect(histogram.count == 81)
        #expect(histogram["load_indirect_i32"] == 28_386 && histogram["store_indirect_u32"] == 16_127)
        #expect(histogram["load_imm"] == 15_079 && histogram["move_reg"] == 8_983 && histogram["fallthrough"] == 3_787)
        #expect(histogram["ecalli"] == 7 && histogram["trap"] == 1 && histogram["jump_indirect"] == 1_937)
        #expect(histogram["sbrk"] == nil && histogram["memset"] == nil && histogram["unlikely"] == nil)
        let first = Array(walk.prefix(8))
        #expect(first.map(\.pc) == [0, 3, 5, 10, 15, 18, 21, 27])
        #expect(first[0].instruction == Instruction(.addImm32, regA: 1, regB: 1, imm1: Instruction.immediate(-4)))
        #expect(first[2].instruction == Instruction(.loadI32, regA: 10, imm1: 452_148))
        #expect(first[6].instruction == Instruction(.loadImmAndJump, regA: 0, imm1: 2, target: 277_524))
        #expect(first[7].instruction == Instruction(.loadImmAndJump, regA: 0, imm1: 4, target: 2_120))
        #expect(blob.code.jumpTable.allSatisfy { blob.code.isJumpTargetValid(Int($0)) })
        #expect(blob.exports.allSatisfy { blob.code.isJumpTargetValid(Int($0.pc)) })
        #expect(blob.serialized() == bytes)
        let map = try MemoryMap(blob: blob, pageSize: 0x4000)
        #expect(map.heapBase == 0x10C_CD3C && map.maxHeapSize == 0xFEEF_32C4)
    }
}

/// Bits a bitmask sets past the end of the code (its last byte's padding, or whole extra bytes) start no
/// instruction for any of the bitmask scans.
@Suite struct BitmaskPaddingTests {
    @Test func bitsPastTheEndOfTheCodeAreIgnored() {
        for length in [1, 5, 8, 13, 64, 70, 100] {
            let starts = Array(stride(from: 0, to: length, by: 3))
            var bitmask = ProgramCode.bitmask(codeLength: length, starts: starts)
            bitmask = bitmask.enumerated().map { k, byte in k == bitmask.count - 1 && length % 8 != 0 ? byte | ~UInt8((1 << (length % 8)) - 1) : byte }
            bitmask += [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
            let code = ProgramCode(uncheckedCode: [UInt8](repeating: 0, count: length), bitmask: bitmask, jumpTable: [], isa: .latest64)
            #expect(code.instructionCensus() == (starts.count, starts.count), "length \(length)")
            for pc in 0...(length + 40) {
                let expected = starts.last(where: { $0 < pc && $0 >= pc - 25 })
                #expect(code.previousInstructionStart(before: pc) == expected, "pc \(pc) length \(length)")
                #expect(code.isInstructionStart(pc) == starts.contains(pc))
            }
        }
    }
}

/// The bitmask scans: `skip(at:)` reads a whole word where it can, `previousInstructionStart(before:)` walks back;
/// they must agree with a bit-by-bit reading everywhere, including near both ends of the code.
@Suite struct BitmaskScanTests {
    @Test func wordScansAgreeWithBitByBitScans() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        for round in 0..<300 {
            let length = 1 + Int(next() % UInt64(round % 5 == 0 ? 20 : 300))
            let density = 1 + Int(next() % 40)  // 1 in `density` bytes starts an instruction
            let starts = (0..<length).filter { _ in next() % UInt64(density) == 0 }
            let code = ProgramCode(uncheckedCode: [UInt8](repeating: 0, count: length),
                                   bitmask: ProgramCode.bitmask(codeLength: length, starts: starts), jumpTable: [], isa: .latest64)
            let isStart = Set(starts)
            #expect(code.instructionCensus() == (starts.count, starts.count))  // all-zero code: every instruction a trap
            for pc in 0...(length + 2) {
                var expected: Int? = nil
                var p = pc - 1
                while p >= 0 && p >= pc - 25 {
                    if isStart.contains(p) { expected = p; break }
                    p -= 1
                }
                #expect(code.previousInstructionStart(before: pc) == expected, "pc \(pc) length \(length) starts \(starts)")
                #expect(code.isJumpTargetValid(pc) == (isStart.contains(pc) && (pc == 0 || expected.map { code.opcode(at: $0).isTerminator } == true)))
                if pc < length {
                    var distance = 1
                    while pc + distance < length && !isStart.contains(pc + distance) && distance <= 24 { distance += 1 }
                    #expect(code.skip(at: pc) == Swift.min(distance - 1, 24, length - pc - 1), "pc \(pc) length \(length)")
                }
            }
        }
    }
}
