import PolkaVMProgram

/// Turns RISC-V ELF files into PolkaVM program blobs (docs/LINKER.md).
public enum Linker {
    /// Links `inputs` — either one shared object (`ld.lld -shared --emit-relocs`) or one or more
    /// relocatable objects (`clang -c`) — into a program blob.
    public static func link(_ inputs: [[UInt8]], configuration: LinkerConfiguration = LinkerConfiguration()) throws(LinkerError) -> ProgramBlob {
        var warnings: [String] = []
        return try link(inputs, configuration: configuration, warnings: &warnings)
    }

    /// Like ``link(_:configuration:)``, and appends to `warnings` what was left out of the blob because
    /// optional input data could not be used (malformed DWARF line tables: that file gets no line information).
    public static func link(_ inputs: [[UInt8]], configuration: LinkerConfiguration, warnings: inout [String]) throws(LinkerError) -> ProgramBlob {
        var session = try LinkSession(inputs: inputs, configuration: configuration)
        let blob = try session.run()
        warnings += session.warnings
        return blob
    }
}

/// The state of one link.
struct LinkSession {
    let config: LinkerConfiguration
    let program: InputProgram
    let code: CodeBlocks
    let isa: InstructionSetKind
    var translated: [Int: IRBlock] = [:]
    var liveData: Set<Int> = []
    var exports: [(block: Int, metadata: ExternMetadata)] = []
    /// The input files (for their DWARF).
    let inputs: [[UInt8]]
    var warnings: [String] = []

    init(inputs: [[UInt8]], configuration: LinkerConfiguration) throws(LinkerError) {
        config = configuration
        self.inputs = inputs
        program = try InputProgram(inputs)
        let isa = configuration.isa ?? (program.is64Bit ? .latest64 : .latest32)
        guard isa.is64Bit == program.is64Bit else {
            throw LinkerError(.unsupportedInput, "the '\(isa)' instruction set needs a \(isa.is64Bit ? "64" : "32")-bit ELF file")
        }
        guard (0...2).contains(configuration.optimizationLevel) else {
            throw LinkerError(.unsupportedInput, "unsupported optimization level \(configuration.optimizationLevel) (0, 1 or 2)")
        }
        self.isa = isa
        code = CodeBlocks(program)
    }

    func blockID(_ loc: Location, what: String) throws(LinkerError) -> Int {
        guard let b = code.blockAt[loc] else {
            // (A crafted symbol or addend can point before the section.)
            guard loc.offset >= 0 else {
                throw LinkerError(.unsupportedInput, "\(what) points \(loc.offset.magnitude) bytes before its section",
                                  section: program.sections[loc.section].name)
            }
            throw LinkerError(.unsupportedInput, "\(what) points into the middle of an instruction or past the code",
                              section: program.sections[loc.section].name, offset: UInt64(loc.offset))
        }
        return b
    }

    // MARK: Reachability

    mutating func markLive() throws(LinkerError) {
        var translator = Translator(program: program, code: code, isa: isa)
        var blockQueue: [Int] = []
        var dataQueue: [Int] = []
        var queuedBlocks: Set<Int> = []
        func enqueueBlock(_ b: Int) { if queuedBlocks.insert(b).inserted { blockQueue.append(b) } }
        func enqueueData(_ s: Int) { if liveData.insert(s).inserted { dataQueue.append(s) } }
        func enqueueRef(_ ref: AddressRef) {
            switch ref {
            case .code(let b): enqueueBlock(b)
            case .data(let loc): enqueueData(loc.section)
            case .got(let inner): enqueueRef(inner)
            case .absolute: break
            }
        }
        for e in exports { enqueueBlock(e.block) }
        if config.optimizationLevel == 0 {
            for b in code.blocks { enqueueBlock(b.id) }
            for s in program.sections where s.kind == .roData || s.kind == .rwData || s.kind == .bss { enqueueData(s.id) }
        }
        while !blockQueue.isEmpty || !dataQueue.isEmpty {
            while let b = blockQueue.popLast() {
                let ir = try translator.translate(code.blocks[b])
                translated[b] = ir
                for s in ir.successors { enqueueBlock(s) }
                for r in ir.references { if case .address(let ref, _) = r { enqueueRef(ref) } }
            }
            while let s = dataQueue.popLast() {
                for r in program.sections[s].relocations {
                    guard case .location(let loc) = r.target else { continue }
                    switch program.sections[loc.section].kind {
                    case .code: enqueueBlock(try blockID(loc, what: "a data reference to '\(r.symbolName)'"))
                    case .roData, .rwData, .bss: enqueueData(loc.section)
                    default: break
                    }
                }
            }
        }
    }

    // MARK: Linking

    mutating func run() throws(LinkerError) -> ProgramBlob {
        for record in try program.exportRecords() {
            exports.append((try blockID(record.function, what: "export '\(String(decoding: record.metadata.symbol, as: UTF8.self))'"), record.metadata))
        }
        for name in config.exportedSymbols {
            let block = try blockID(try program.functionToExport(named: name), what: "export '\(name)'")
            if let existing = exports.first(where: { $0.metadata.symbol == Array(name.utf8) }) {
                guard existing.block == block else {
                    throw LinkerError(.invalidMetadata, "'\(name)' is exported twice, as two different functions", symbol: name)
                }
                continue
            }
            // The blob's export records carry a name and an address only; the register counts are not stored.
            exports.append((block, ExternMetadata(symbol: Array(name.utf8), inputRegisters: 0, outputRegisters: 0, index: nil)))
        }
        try markLive()
        if config.optimizationLevel >= 1 { inlineHostCallStubs() }
        let liveBlocks = translated.keys.sorted()

        // GOT entries, spill area, imports.
        var got: [AddressRef] = []
        var gotSeen: Set<AddressRef> = []
        var regspill = false
        var importSites: [Location: ExternMetadata] = [:]
        for b in liveBlocks {
            let ir = translated[b]!
            regspill = regspill || ir.usesRegspill
            for r in ir.references {
                switch r {
                case .address(.got(let inner), _): if gotSeen.insert(inner).inserted { got.append(inner) }
                case .importIndex(let loc): if importSites[loc] == nil { importSites[loc] = try program.externMetadata(at: loc) }
                default: break
                }
            }
        }
        let layout = try DataLayout(program: program, liveData: liveData, got: got, regspill: regspill)
        let (importSymbols, importIndex) = try numberImports(importSites)

        // Blocks whose address is taken get jump-table entries, in emission order.
        var dynamic: Set<Int> = []
        func noteDynamic(_ ref: AddressRef) {
            switch ref {
            case .code(let b): dynamic.insert(b)
            case .got(let inner): noteDynamic(inner)
            default: break
            }
        }
        var staticTargets: [Int: Int] = [:]
        for b in liveBlocks {
            for r in translated[b]!.references { if case .address(let ref, _) = r { noteDynamic(ref) } }
            for op in translated[b]!.ops { if let t = op.target { staticTargets[t, default: 0] += 1 } }
        }
        for s in liveData.sorted() {
            for r in program.sections[s].relocations {
                if case .location(let loc) = r.target, program.sections[loc.section].kind == .code, let b = code.blockAt[loc] { dynamic.insert(b) }
            }
        }
        for e in exports { staticTargets[e.block, default: 0] += 1 }
        let dynamicOrder = liveBlocks.filter { dynamic.contains($0) }
        var jumpTableIndex: [Int: Int] = [:]
        for (i, b) in dynamicOrder.enumerated() { jumpTableIndex[b] = i }

        // Symbolic values.
        func value(_ ref: AddressRef) throws(LinkerError) -> UInt64 {
            switch ref {
            case .absolute(let v): return v
            case .code(let b):
                guard let i = jumpTableIndex[b] else { throw LinkerError(.layout, "internal error: code address of a block without a jump-table entry") }
                return UInt64(2 * (i + 1))
            case .data(let loc):
                guard let base = layout.sectionAddress[loc.section] else {
                    throw LinkerError(.layout, "reference to data that was not laid out", section: program.sections[loc.section].name)
                }
                return UInt64(bitPattern: Int64(base) &+ loc.offset)
            case .got: return UInt64(layout.gotAddress[ref.gotInner!]!)
            }
        }
        func resolve(_ v: SymbolicValue) throws(LinkerError) -> UInt64 {
            let raw: UInt32
            switch v {
            case .heapBase: raw = layout.heapBase
            case .regspill(let k): raw = layout.rwAddress + UInt32(8 * k)
            case .importIndex(let loc): raw = importIndex[loc]!
            case .address(let ref, let part):
                let full = UInt32(truncatingIfNeeded: try value(ref))
                switch part {
                case .full: raw = full
                case .hi20: raw = (full &+ 0x800) & 0xFFFF_F000
                case .lo12: raw = UInt32(bitPattern: Int32(bitPattern: (full & 0xFFF) << 20) >> 20)
                }
            }
            return UInt64(bitPattern: Int64(Int32(bitPattern: raw)))
        }

        // Emission.
        let optimize = config.optimizationLevel >= 1
        var instructions: [Instruction] = []
        var targets: [LayoutTarget?] = []
        var pending: [(index: Int, block: Int)] = []
        var firstInstruction: [Int: Int] = [:]
        // The input location each emitted instruction comes from (linker-made ones: the block's last op, or its start).
        var sources: [Location?] = []
        let exported = Set(exports.map(\.block))
        var resolved: [Int: ResolvedBlock] = [:]
        for b in liveBlocks {
            let ir = translated[b]!
            var ops: [ResolvedOp] = []
            for op in ir.ops {
                var inst = op.instruction
                if let s = op.imm1 { inst.imm1 = try resolve(s) }
                if let s = op.imm2 { inst.imm2 = try resolve(s) }
                ops.append(ResolvedOp(instruction: inst, target: op.target, source: op.source))
            }
            resolved[b] = ResolvedBlock(ops: ops, hasTerminator: ir.hasTerminator, successors: ir.successors)
        }
        if optimize {
            var optimizer = Optimizer(isa: isa, order: liveBlocks, blocks: resolved, externalEntries: dynamic.union(exported))
            optimizer.run()
            resolved = optimizer.blocks
        }
        for (k, b) in liveBlocks.enumerated() {
            firstInstruction[b] = instructions.count
            let ir = resolved[b]!
            let block = code.blocks[b]
            var lastSource = Location(section: block.section, offset: Int64(block.start))
            for op in ir.ops {
                if let s = op.source { lastSource = Location(section: block.section, offset: Int64(s)) }
                sources.append(lastSource)
                if let t = op.target { pending.append((instructions.count, t)) }
                instructions.append(op.instruction)
                targets.append(nil)
            }
            let next = k + 1 < liveBlocks.count ? liveBlocks[k + 1] : nil
            let fallsInto: Int? = ir.hasTerminator ? nil : ir.successors.last
            if ir.hasTerminator {
                if optimize, let last = ir.ops.last, last.instruction.opcode == .jump, let t = last.target, t == next {
                    instructions[instructions.count - 1] = Instruction(.fallthrough)
                    pending.removeLast()
                }
            } else if let f = fallsInto {
                guard f == next else { throw LinkerError(.layout, "internal error: fall-through block is not emitted next") }
                let mergeable = optimize && !dynamic.contains(f) && staticTargets[f, default: 0] == 0 && !exported.contains(f)
                if !mergeable {
                    instructions.append(Instruction(.fallthrough))
                    targets.append(nil)
                    sources.append(lastSource)
                }
            } else {
                instructions.append(Instruction(.trap))
                targets.append(nil)
                sources.append(lastSource)
            }
        }
        for p in pending { targets[p.index] = .instruction(firstInstruction[p.block]!) }
        let laid: InstructionLayout
        do { laid = try InstructionEncoder.layout(instructions, targets: targets, isa: isa) } catch {
            throw LinkerError(.layout, error.description)
        }
        func pc(_ b: Int) -> UInt32 { laid.pc(of: .instruction(firstInstruction[b]!)) }
        let jumpTable = dynamicOrder.map { pc($0) }

        // Data.
        var contents: [Int: [UInt8]] = [:]
        for s in liveData.sorted() where program.sections[s].kind != .bss {
            contents[s] = try applyDataRelocations(program.sections[s], value: value)
        }
        var gotBytes: [UInt8] = []
        let ptr = program.is64Bit ? 8 : 4
        for ref in layout.gotEntries {
            let v = try value(ref)
            for i in 0..<ptr { gotBytes.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i))) }
        }
        let (ro, rw) = layout.images(program: program, contents: contents, gotBytes: gotBytes)
        var stack = max(config.minimumStackSize, program.declaredMinimumStackSize())
        stack = UInt32(min((UInt64(stack) + 0xFFF) & ~0xFFF, 0xFFFF_F000))

        var customSections: [CustomSection] = []
        if !config.strip {
            let lines = SourceLines(program: program, inputs: inputs)
            warnings += lines.warnings
            customSections = DebugSections.sections(program: program, lines: lines, sources: sources, offsets: laid.offsets,
                                                    codeLength: UInt32(laid.bytes.count))
        }
        return ProgramBlob(
            isa: isa, roDataSize: layout.roSize, rwDataSize: layout.rwSize, stackSize: stack,
            roData: ro, rwData: rw, imports: importSymbols.map { ProgramSymbol(bytes: $0) },
            exports: exports.map { ProgramExport(pc: pc($0.block), symbol: ProgramSymbol(bytes: $0.metadata.symbol)) },
            code: laid.programCode(jumpTable: jumpTable), customSections: customSections)
    }
}

extension AddressRef {
    var gotInner: AddressRef? {
        if case .got(let inner) = self { return inner }
        return nil
    }
}
