import Testing

import PolkaVM

/// Malformed containers and raw blobs are rejected at module creation with the right `ProgramErrorKind`
/// (SPEC §3, §4.10); well-formed ones from the appendix run as specified.
@Suite struct MalformedInputTests {
    /// `load_imm a0, 5; add_imm_64 a0, a0, 1; ret` (SPEC appendix B) as a code-section payload.
    static let appendixPayload: [UInt8] = [0x00, 0x00, 0x08, 0x33, 0x07, 0x05, 0x95, 0x77, 0x01, 0x32, 0x00, 0x49]

    /// A container: header with the right length (plus `lengthDelta`), the sections, an end byte.
    static func container(version: UInt8 = 3, _ sections: [(UInt8, [UInt8])], end: Bool = true, lengthDelta: Int = 0, rawTail: [UInt8] = []) -> [UInt8] {
        var body: [UInt8] = []
        for (id, payload) in sections {
            body.append(id)
            body += varint(payload.count)
            body += payload
        }
        body += rawTail
        if end { body.append(0) }
        let total = 13 + body.count
        let length = UInt64(total + lengthDelta)
        return [0x50, 0x56, 0x4D, 0x00, version] + (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + body
    }

    /// The canonical varint (SPEC §3.2).
    static func varint(_ v: Int) -> [UInt8] {
        let v = UInt32(v)
        if v < 0x80 { return [UInt8(v)] }
        if v < 0x4000 { return [0x80 | UInt8(v >> 8), UInt8(v & 0xFF)] }
        if v < 0x20_0000 { return [0xC0 | UInt8(v >> 16), UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        if v < 0x1000_0000 { return [0xE0 | UInt8(v >> 24), UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF)] }
        return [0xF0] + (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
    }

    private func load(_ bytes: [UInt8], strict: Bool = true) -> Result<Module, ModuleError> {
        var c = config(paging: false)
        c.strict = strict
        do { return .success(try Module(engine: testEngine, bytes: bytes, configuration: c)) } catch { return .failure(error) }
    }

    /// The error kind loading `bytes` produces (nil when it loads).
    private func kind(_ bytes: [UInt8], strict: Bool = true) -> ProgramErrorKind? {
        switch load(bytes, strict: strict) {
        case .success: return nil
        case .failure(.invalidProgram(let e)): return e.kind
        case .failure(let other):
            Issue.record("unexpected \(other)")
            return nil
        }
    }

    @Test func theAppendixContainerLoadsAndRuns() throws {
        let bytes = Self.container([(6, Self.appendixPayload)])
        // SPEC appendix B gives the exact 28 bytes.
        #expect(bytes == [0x50, 0x56, 0x4D, 0x00, 0x03, 0x1C, 0, 0, 0, 0, 0, 0, 0, 0x06, 0x0C] + Self.appendixPayload + [0x00])
        for (model, left) in [(GasCostModel.simple, Int64(97)), (.upstreamFull, 78)] {
            let module = try Module(engine: testEngine, bytes: bytes, configuration: config(gas: true, cost: model, paging: false))
            #expect(module.isa == .jamV1)
            let vm = module.instantiate()
            try vm.prepareCall(pc: 0, arguments: [])
            vm.gas = 100
            #expect(vm.run() == .finished)
            #expect(vm.programCounter == 6 && vm[.a0] == 6 && vm.gas == left)
        }
        // The raw GP blob is the same payload.
        let raw = try Module(engine: testEngine, rawProgram: Self.appendixPayload, isa: .jamV1, configuration: config(gas: true))
        let vm = raw.instantiate()
        vm[.ra] = haltAddress
        vm.gas = 100
        vm.setNextProgramCounter(0)
        #expect(vm.run() == .finished)
        #expect(vm[.a0] == 6 && vm.gas == 97)
    }

    @Test func headerErrors() {
        let good = Self.container([(6, Self.appendixPayload)])
        var bad = good
        bad[2] = 0x58
        #expect(kind(bad) == .badMagic)
        #expect(kind(Array(good.prefix(3))) != nil)
        for v: UInt8 in [4, 5, 0xFF] {
            var b = good
            b[4] = v
            #expect(kind(b) == .unsupportedVersion(v))
        }
        #expect(kind(Self.container([(6, Self.appendixPayload)], lengthDelta: 1)) == .lengthMismatch(header: UInt64(good.count + 1), actual: good.count))
        #expect(kind(good + [0]) == .lengthMismatch(header: UInt64(good.count), actual: good.count + 1))
    }

    @Test func sectionErrors() {
        let code = (UInt8(6), Self.appendixPayload)
        // No code section at all, or an empty one.
        #expect(kind(Self.container([])) == .missingCode)
        #expect(kind(Self.container([(6, [])])) == .missingCode)
        #expect(kind(Self.container([(1, [0, 0, 0])])) == .missingCode)
        // Unknown non-optional id, duplicates, wrong order.
        #expect(kind(Self.container([code, (7, [1])])) == .unexpectedSection(7))
        #expect(kind(Self.container([code, code])) == .unexpectedSection(6))
        #expect(kind(Self.container([code, (2, [1])])) == .unexpectedSection(2))
        // Unknown optional sections (bit 7) are skipped.
        #expect(kind(Self.container([code, (0xC5, [1, 2, 3])])) == nil)
        // Missing end byte: truncated.
        if case .truncated? = kind(Self.container([code], end: false)) {} else { Issue.record("expected truncated") }
        // A section longer than the blob.
        if case .truncated? = kind(Self.container([], rawTail: [6, 50, 0, 0])) {} else { Issue.record("expected truncated") }
        // Malformed varint (five leading ones).
        #expect(kind(Self.container([], rawTail: [6, 0xF8, 0, 0, 0, 0])) == .malformedVarint)
        // Memory config that does not consume its length.
        if case .sectionLengthMismatch? = kind(Self.container([(1, [0, 0, 0, 0]), code])) {} else { Issue.record("expected sectionLengthMismatch") }
        // Data larger than declared.
        if case .dataLargerThanDeclared? = kind(Self.container([(1, [2, 0, 0]), (2, [1, 2, 3, 4]), code])) {} else { Issue.record("expected dataLargerThanDeclared") }
        // Too many imports.
        if case .tooManyImports? = kind(Self.container([(4, Self.varint(1025) + [UInt8](repeating: 0, count: 4 * 1025)), code])) {} else {
            Issue.record("expected tooManyImports")
        }
        // A decreasing import symbol range.
        #expect(kind(Self.container([(4, [2, 3, 0, 0, 0, 1, 0, 0, 0] + Array("abc".utf8)), code])) == .invalidImport(index: 0))
    }

    @Test func codeSectionErrors() {
        func codeSection(_ payload: [UInt8]) -> ProgramErrorKind? { kind(Self.container([(6, payload)])) }
        // jt_count > 16 Mi.
        if case .jumpTableTooLong? = codeSection(Self.varint(16 * 1024 * 1024 + 1) + [1, 1, 0, 1]) {} else { Issue.record("jumpTableTooLong") }
        // Code longer than 32 MiB.
        if case .codeTooLong? = codeSection([0, 0] + Self.varint(32 * 1024 * 1024 + 1)) {} else { Issue.record("codeTooLong") }
        // Entry size 5.
        #expect(codeSection([1, 5, 1, 0, 0, 0, 0, 0, 0, 1]) == .invalidJumpTableEntrySize(5))
        // Bitmask length.
        #expect(codeSection([0, 0, 3, 0x33, 0x07, 0x05]) == .bitmaskLengthMismatch(expected: 1, actual: 0))
        #expect(codeSection([0, 0, 3, 0x33, 0x07, 0x05, 0x01, 0x00]) == .bitmaskLengthMismatch(expected: 1, actual: 2))
        // Padding bits set.
        #expect(codeSection([0, 0, 3, 0x00, 0x00, 0x00, 0xFF]) == .bitmaskPaddingNotZero)
        // Jump table running past the section.
        if case .truncated? = codeSection([3, 4, 1, 0, 0, 0, 0]) {} else { Issue.record("truncated jump table") }
        // Entry size 0 quirk: the table is empty whatever the count says.
        #expect(codeSection([5, 0, 1, 0x00, 0x01]) == nil)
    }

    @Test func strictChecks() {
        // Jump-table entry outside the code (entry 9 ≥ 8).
        let badTable: [UInt8] = [1, 1, 0x08, 0x09, 0x33, 0x07, 0x05, 0x95, 0x77, 0x01, 0x32, 0x00, 0x49]
        #expect(kind(Self.container([(6, badTable)])) == .invalidJumpTableEntry(index: 0, pc: 9))
        #expect(kind(Self.container([(6, badTable)]), strict: false) == nil)
        // Export past the code.
        let export: [UInt8] = [1, 8, 4] + Array("main".utf8)
        if case .invalidExport? = kind(Self.container([(5, export), (6, Self.appendixPayload)])) {} else { Issue.record("invalidExport") }
        #expect(kind(Self.container([(5, export), (6, Self.appendixPayload)]), strict: false) == nil)
        // A non-strict module with a bad jump-table entry traps when the entry is used.
        if case .success(let module) = load(Self.container([(6, [1, 1, 0x03, 0x09, 0x32, 0x07, 0x00, 0x05])]), strict: false) {
            let vm = module.instantiate()
            vm[.a0] = 2
            vm.setNextProgramCounter(0)
            #expect(vm.run() == .trap)
            #expect(vm.programCounter == 0)
        } else {
            Issue.record("non-strict module should load")
        }
    }

    @Test func memoryMapTooLarge() {
        let config: [UInt8] = Self.varint(0x8000_0000) + Self.varint(0x8000_0000) + Self.varint(0x1000)
        #expect(kind(Self.container([(1, config), (6, Self.appendixPayload)])) == .memoryMapTooLarge)
        let fits: [UInt8] = Self.varint(0x1000) + Self.varint(0x1000) + Self.varint(0x1000)
        #expect(kind(Self.container([(1, fits), (6, Self.appendixPayload)])) == nil)
    }

    @Test func jamV1BlobsAreValidatedAsAWhole() {
        // [load_imm a0, 5] alone falls off the end: invalid as JamV1 (the implicit invalid at 3), fine as Latest64.
        let fallsOff: [UInt8] = [0, 0, 3, 0x33, 0x07, 0x05, 0x01]
        #expect(kind(Self.container(version: 3, [(6, fallsOff)])).map { if case .invalidInstruction(pc: 3, _) = $0 { true } else { false } } == true)
        #expect(kind(Self.container(version: 2, [(6, fallsOff)])) == nil)
        // An undefined opcode (JamV1 has no byte 3) at pc 3.
        let undefined: [UInt8] = [0, 0, 6, 0x33, 0x07, 0x05, 0x03, 0x32, 0x00, 0x19]
        #expect(kind(Self.container(version: 3, [(6, undefined)])).map { if case .invalidInstruction(pc: 3, _) = $0 { true } else { false } } == true)
        // A final fallthrough: the linear walk visits the implicit invalid at its `next` (4) and fails there (§4.10).
        let finalFallthrough: [UInt8] = [0, 0, 4, 0x33, 0x07, 0x05, 0x01, 0x09]
        let k = kind(Self.container(version: 3, [(6, finalFallthrough)]))
        #expect(k.map { if case .invalidInstruction(pc: 4, _) = $0 { true } else { false } } == true, "\(String(describing: k))")
        // Latest64 loads it and traps at run time instead.
        if case .success(let module) = load(Self.container(version: 2, [(6, finalFallthrough)])) {
            let vm = module.instantiate()
            vm.setNextProgramCounter(0)
            #expect(vm.run() == .trap)
            #expect(vm.programCounter == 3)
            #expect(vm[.a0] == 5)
        } else {
            Issue.record("Latest64 should load")
        }
        // The raw-program path for bare code does not validate (the knob does, at run time).
        #expect(throws: Never.self) { try Module(engine: testEngine, rawProgram: fallsOff, isa: .jamV1) }
    }

    @Test func rawProgramErrors() {
        func rawKind(_ bytes: [UInt8]) -> ProgramErrorKind? {
            do {
                _ = try Module(engine: testEngine, rawProgram: bytes, isa: .jamV1)
                return nil
            } catch {
                if case .invalidProgram(let e) = error { return e.kind }
                return nil
            }
        }
        #expect(rawKind([1, 7, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]) == .invalidJumpTableEntrySize(7))
        #expect(rawKind([0, 0, 3, 0x33, 0x07, 0x05, 0x01, 0x00]) == .bitmaskLengthMismatch(expected: 1, actual: 2))
        if case .truncated? = rawKind([0, 0, 9, 0x33]) {} else { Issue.record("truncated raw program") }
        #expect(rawKind(Self.appendixPayload) == nil)
    }

    @Test func invalidConfiguration() {
        for pageSize: UInt32 in [0, 0x800, 0x3000, 0x2_0000] {
            do {
                _ = try Module(engine: testEngine, bytes: Self.container([(6, Self.appendixPayload)]), configuration: config(paging: false, pageSize: pageSize))
                Issue.record("page size \(pageSize) accepted")
            } catch {
                if case .invalidConfiguration = error {} else { Issue.record("\(error)") }
            }
        }
        #expect(throws: Never.self) {
            try Module(engine: testEngine, bytes: Self.container([(6, Self.appendixPayload)]), configuration: config(paging: false, pageSize: 0x4000))
        }
    }
}
