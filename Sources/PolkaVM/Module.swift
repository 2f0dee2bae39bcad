import PolkaVMInterpreter

/// A loaded, validated and pre-compiled program. Modules are immutable, cheap to instantiate many
/// times, and can be shared across threads.
public final class Module: Sendable {
    /// The engine the module belongs to.
    public let engine: Engine
    /// The settings it was created with.
    public let configuration: ModuleConfiguration
    /// The container the module came from (RO/RW data, imports, exports, debug sections), if any.
    public let blob: ProgramBlob?
    /// The standard memory layout, for modules created from a container.
    public let memoryMap: MemoryMap?
    /// The JAM standard program (data, heap pages, stack size) for modules created from one.
    public let standardProgram: StandardProgram?
    let compiled: CompiledProgram

    /// Loads a `.polkavm` blob.
    public convenience init(engine: Engine, bytes: [UInt8], configuration: ModuleConfiguration = ModuleConfiguration()) throws(ModuleError) {
        let blob: ProgramBlob
        do { blob = try ProgramBlob(parsing: bytes) } catch { throw .invalidProgram(error) }
        try self.init(engine: engine, blob: blob, configuration: configuration)
    }

    /// Loads a parsed container. JamV1 programs are validated as a whole (upstream's rule); with
    /// `strict`, jump-table entries and exports must lie inside the code.
    public init(engine: Engine, blob: ProgramBlob, configuration: ModuleConfiguration = ModuleConfiguration()) throws(ModuleError) {
        try Module.check(configuration)
        do throws(ProgramError) {
            if blob.isa == .jamV1 { try blob.code.validateWholeProgram() }
            if configuration.strict {
                try blob.code.validateJumpTable()
                for export in blob.exports where Int(export.pc) >= blob.code.count {
                    throw ProgramError(.invalidExport(name: export.symbol.description, pc: export.pc), section: .exports)
                }
            }
            memoryMap = try MemoryMap(blob: blob, pageSize: configuration.pageSize, auxDataSize: configuration.auxDataSize)
        } catch {
            throw .invalidProgram(error)
        }
        self.standardProgram = nil
        self.engine = engine
        self.configuration = configuration
        self.blob = blob
        self.compiled = CompiledProgram(code: blob.code, options: Module.interpreterOptions(configuration))
    }

    /// Loads bare code (for example a Gray Paper program blob, as in conformance vectors). Such a
    /// module has no memory layout: memory starts empty and the host maps pages (dynamic paging).
    public convenience init(engine: Engine, code: ProgramCode, configuration: ModuleConfiguration = ModuleConfiguration(dynamicPaging: true)) throws(ModuleError) {
        try self.init(engine: engine, code: code, standardProgram: nil, configuration: configuration)
    }

    /// Loads a JAM standard program (Gray Paper "standard program initialization": RO/RW data, heap
    /// pages, stack size and a raw program blob), optionally preceded by its encoded metadata. Memory
    /// faults are page faults as in the Gray Paper; use ``Instance/prepareStandardInvocation(argument:entryPC:)``.
    public convenience init(
        engine: Engine, jamProgram bytes: [UInt8], hasMetadata: Bool = false,
        configuration: ModuleConfiguration = ModuleConfiguration(gasMetering: .sync, costModel: .grayPaper080, semantics: .grayPaper080, dynamicPaging: true)
    ) throws(ModuleError) {
        let program: StandardProgram
        do {
            program = hasMetadata ? try StandardProgram(parsingWithMetadata: bytes) : try StandardProgram(parsing: bytes)
            try program.validateLayout()
        } catch {
            throw .invalidProgram(error)
        }
        try self.init(engine: engine, code: program.code, standardProgram: program, configuration: configuration)
    }

    private init(engine: Engine, code: ProgramCode, standardProgram: StandardProgram?, configuration: ModuleConfiguration) throws(ModuleError) {
        try Module.check(configuration)
        self.standardProgram = standardProgram
        var configuration = configuration
        configuration.dynamicPaging = true
        self.engine = engine
        self.configuration = configuration
        self.blob = nil
        self.memoryMap = nil
        self.compiled = CompiledProgram(code: code, options: Module.interpreterOptions(configuration))
    }

    /// Loads a Gray Paper raw program blob (jump table, code and bitmask) for the given instruction set.
    public convenience init(engine: Engine, rawProgram bytes: [UInt8], isa: InstructionSetKind, configuration: ModuleConfiguration = ModuleConfiguration(dynamicPaging: true)) throws(ModuleError) {
        let code: ProgramCode
        do { code = try ProgramCode(rawProgram: bytes, isa: isa) } catch { throw .invalidProgram(error) }
        try self.init(engine: engine, code: code, configuration: configuration)
    }

    private static func check(_ configuration: ModuleConfiguration) throws(ModuleError) {
        let ps = configuration.pageSize
        guard ps >= 0x1000, ps <= 0x1_0000, ps & (ps - 1) == 0 else {
            throw .invalidConfiguration("page size \(ps) is not a power of two in 4096...65536")
        }
    }

    private static func interpreterOptions(_ c: ModuleConfiguration) -> InterpreterOptions {
        InterpreterOptions(gasMetering: c.gasMetering != .none, costModel: c.costModel, semantics: c.semantics,
                           stepTracing: c.stepTracing, dispatch: c.interpreterDispatch,
                           asynchronousGas: c.gasMetering == .async)
    }

    /// The program's code.
    public var code: ProgramCode { compiled.code }
    /// The instruction set.
    public var isa: InstructionSetKind { code.isa }
    /// Imported host functions, indexed by `ecalli` number.
    public var imports: [ProgramSymbol] { blob?.imports ?? [] }
    /// Exported entry points.
    public var exports: [ProgramExport] { blob?.exports ?? [] }

    /// The export with the given name.
    public func export(named name: String) -> ProgramExport? {
        exports.first { $0.symbol.description == name }
    }

    /// The gas cost of every basic block along the code (as conformance vectors list them).
    public func blockGasCosts() -> [(pc: Int, cost: UInt32)] {
        code.blockGasCosts(model: configuration.costModel)
    }

    /// Bytes of host memory held by the compiled code.
    public var compiledByteCount: Int { compiled.compiledByteCount }

    /// Creates a fresh instance: registers zero, gas zero, memory initialised from the module.
    public func instantiate() -> Instance { Instance(module: self) }
}
