/// The points of guest-observable behaviour on which the published PVM definitions differ
/// (docs/SPEC.md, "Semantic versions and knobs"). Every backend honours the same values.
///
/// Use one of the presets; change a field only to reproduce a specific test-vector set.
public struct ExecutionSemantics: Sendable, Hashable {
    /// What a `fallthrough` that is the last instruction of the code does.
    public enum FallthroughOffEnd: Sendable, Hashable {
        /// Continue to the end of the code, where an implicit `invalid` forms a one-instruction block that
        /// is charged and then traps (w3f v0.4, the draft gas vectors, GP 0.7.2).
        case trapAtCodeEnd
        /// Trap at the `fallthrough` itself (upstream PolkaVM, GP 0.8.0 `sjump`).
        case trapAtFallthrough
    }

    /// What a guest write to a mapped read-only page does.
    public enum ReadOnlyWrite: Sendable, Hashable {
        /// A page fault the host can resolve (GP, upstream since 2025-11-10).
        case pageFault
        /// A trap (the w3f v0.4 and draft vectors).
        case trap
    }

    /// When gas is charged.
    public enum GasGranularity: Sendable, Hashable {
        /// The whole basic block's cost on entry (upstream PolkaVM, every vector set, GP 0.8.0).
        case block
        /// One unit before each instruction (GP 0.7.x as written); block costs are not used.
        case instruction
    }

    /// Which page a faulting access that straddles two pages reports.
    public enum StraddlingFaultRule: Sendable, Hashable {
        /// The lower page if it is missing, else the upper one; for a write to two mapped pages, the
        /// read-only one (lower first); an access that wraps past 2^32 faults on the last page of the
        /// address space, or traps if that page is mapped (upstream PolkaVM).
        case upstream
        /// The page of the lowest inaccessible byte, addresses wrapping modulo 2^32 (the Gray Paper).
        case grayPaper
    }

    /// Whether a conditional branch traps when either its target or its fall-through is not a valid
    /// jump target, whatever the condition (upstream, GP 0.8.0). When false, only a taken branch to an
    /// invalid target traps (GP 0.7.2).
    public var branchChecksBothEdges: Bool
    /// See ``FallthroughOffEnd``.
    public var fallthroughOffEnd: FallthroughOffEnd
    /// See ``ReadOnlyWrite``.
    public var readOnlyWrite: ReadOnlyWrite
    /// See ``StraddlingFaultRule``.
    public var straddlingFaultRule: StraddlingFaultRule
    /// Faults on pages below this address are traps, not page faults (GP: 0x10000; upstream: 0x4000).
    public var trapFaultsBelow: UInt32
    /// Whether the whole program is validated before it runs (GP 0.8.0 `deblob`, upstream JamV1); an
    /// invalid program traps at its first instruction without charging gas.
    public var validatesWholeProgram: Bool
    /// Whether halting and trapping report pc 0, as the Gray Paper's Ψ does (no vector set does this).
    public var reportsZeroPCOnExit: Bool
    /// See ``GasGranularity``.
    public var gasGranularity: GasGranularity
    /// With per-instruction gas: whether an instruction whose memory access faults keeps its charge
    /// (GP after PR #497) or gets it back (the GP 0.7.2 tag).
    public var chargesFaultingInstruction: Bool

    /// Creates a custom combination.
    public init(
        branchChecksBothEdges: Bool, fallthroughOffEnd: FallthroughOffEnd, readOnlyWrite: ReadOnlyWrite,
        straddlingFaultRule: StraddlingFaultRule, trapFaultsBelow: UInt32, validatesWholeProgram: Bool,
        reportsZeroPCOnExit: Bool = false, gasGranularity: GasGranularity = .block, chargesFaultingInstruction: Bool = true
    ) {
        self.gasGranularity = gasGranularity
        self.chargesFaultingInstruction = chargesFaultingInstruction
        self.branchChecksBothEdges = branchChecksBothEdges
        self.fallthroughOffEnd = fallthroughOffEnd
        self.readOnlyWrite = readOnlyWrite
        self.straddlingFaultRule = straddlingFaultRule
        self.trapFaultsBelow = trapFaultsBelow
        self.validatesWholeProgram = validatesWholeProgram
        self.reportsZeroPCOnExit = reportsZeroPCOnExit
    }

    /// Upstream PolkaVM's current interpreter (the default).
    public static let polkavm = ExecutionSemantics(
        branchChecksBothEdges: true, fallthroughOffEnd: .trapAtFallthrough, readOnlyWrite: .pageFault,
        straddlingFaultRule: .upstream, trapFaultsBelow: 0x4000, validatesWholeProgram: false)

    /// The Gray Paper 0.8.0 PVM, as the v0.5 vectors test it (whole-program validation, both edges checked).
    public static let grayPaper080 = ExecutionSemantics(
        branchChecksBothEdges: true, fallthroughOffEnd: .trapAtFallthrough, readOnlyWrite: .pageFault,
        straddlingFaultRule: .upstream, trapFaultsBelow: 0x10000, validatesWholeProgram: true)

    /// The w3f v0.4 test vectors (GP 0.5.4–0.7.2 era; read-only writes trap; `fallthrough` runs off the end).
    public static let w3fV04 = ExecutionSemantics(
        branchChecksBothEdges: true, fallthroughOffEnd: .trapAtCodeEnd, readOnlyWrite: .trap,
        straddlingFaultRule: .upstream, trapFaultsBelow: 0x10000, validatesWholeProgram: false)

    /// The Gray Paper 0.7.2 PVM as written: one gas unit charged before each instruction (a faulting
    /// instruction gets its unit back), pc 0 reported on halt and trap, only a taken branch's target
    /// checked, and faults report the page of the lowest inaccessible byte.
    public static let grayPaper072 = ExecutionSemantics(
        branchChecksBothEdges: false, fallthroughOffEnd: .trapAtCodeEnd, readOnlyWrite: .pageFault,
        straddlingFaultRule: .grayPaper, trapFaultsBelow: 0x10000, validatesWholeProgram: false,
        reportsZeroPCOnExit: true, gasGranularity: .instruction, chargesFaultingInstruction: false)

    /// koute's draft vectors for the new gas cost model (late 2025).
    public static let gasModelDraft = ExecutionSemantics(
        branchChecksBothEdges: true, fallthroughOffEnd: .trapAtCodeEnd, readOnlyWrite: .trap,
        straddlingFaultRule: .upstream, trapFaultsBelow: 0x4000, validatesWholeProgram: false)
}
