import PolkaVMInterpreter

/// Which execution backend runs guest code.
public enum Backend: Sendable, Hashable {
    /// The portable interpreter (available everywhere the Swift toolchain runs).
    case interpreter
}

/// Engine-wide settings.
public struct EngineConfiguration: Sendable, Hashable {
    /// The backend modules are compiled for.
    public var backend: Backend

    /// Creates a configuration; the default backend is the interpreter.
    public init(backend: Backend = .interpreter) {
        self.backend = backend
    }
}

/// Whether and how gas is metered.
public enum GasMetering: Sendable, Hashable {
    /// No gas accounting.
    case none
    /// Exact: execution stops before a basic block whose cost exceeds the remaining gas, leaving gas and
    /// the program counter at the block's start.
    case sync
    /// Asynchronous (upstream's `Async`): the cost of the block that cannot be paid is still deducted, so
    /// gas ends negative, and the run ends for good (no program counter to resume at). It leaves backends
    /// free to detect exhaustion late; the interpreter detects it at the same point as `sync`.
    case async
}

/// Per-module settings.
public struct ModuleConfiguration: Sendable, Hashable {
    /// Gas metering mode.
    public var gasMetering: GasMetering
    /// How block costs are computed.
    public var costModel: GasCostModel
    /// Guest-observable behaviour knobs (see ``ExecutionSemantics``).
    public var semantics: ExecutionSemantics
    /// The page size of the memory layout (a power of two, 4096...65536).
    public var pageSize: UInt32
    /// When true, memory starts empty and accesses to unmapped pages raise resumable page faults for
    /// the host to resolve; when false, the standard layout (RO data, RW data and heap, stack, aux) is
    /// mapped up front and any fault traps.
    public var dynamicPaging: Bool
    /// Size of the auxiliary data region (read-only for the guest, written by the host).
    public var auxDataSize: UInt32
    /// Whether execution stops with ``Interrupt/step`` before every instruction.
    public var stepTracing: Bool
    /// Whether module creation rejects jump-table entries and exports outside the code.
    public var strict: Bool
    /// An upper bound on the heap a guest may grow with `sbrk` (bytes); `nil` allows everything the
    /// memory layout leaves free. A request beyond it fails the way an oversized one does (`sbrk` returns 0).
    public var maximumHeapSize: UInt32?
    /// How the interpreter dispatches between instructions (threaded in optimized builds, trampoline in
    /// debug builds by default). Both give identical results.
    public var interpreterDispatch: InterpreterDispatch

    /// Creates a configuration. Defaults: no gas metering, the simple cost model, upstream PolkaVM's
    /// semantics, 4 KiB pages, standard memory layout.
    public init(
        gasMetering: GasMetering = .none, costModel: GasCostModel = .simple, semantics: ExecutionSemantics = .polkavm,
        pageSize: UInt32 = 0x1000, dynamicPaging: Bool = false, auxDataSize: UInt32 = 0, stepTracing: Bool = false,
        strict: Bool = true, interpreterDispatch: InterpreterDispatch = .automatic, maximumHeapSize: UInt32? = nil
    ) {
        self.maximumHeapSize = maximumHeapSize
        self.interpreterDispatch = interpreterDispatch
        self.gasMetering = gasMetering
        self.costModel = costModel
        self.semantics = semantics
        self.pageSize = pageSize
        self.dynamicPaging = dynamicPaging
        self.auxDataSize = auxDataSize
        self.stepTracing = stepTracing
        self.strict = strict
    }
}
