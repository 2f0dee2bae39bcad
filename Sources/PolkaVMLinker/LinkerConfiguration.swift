import PolkaVMProgram

/// Settings for ``Linker/link(_:configuration:)``.
public struct LinkerConfiguration: Sendable, Hashable {
    /// Drop the optional debug sections (function names) from the blob.
    public var strip: Bool
    /// 0: translate everything, one-to-one, no dead-code elimination; 1: dead code/data elimination,
    /// jump-to-next elision, fallthrough-block merging, host-call stub inlining, constant propagation and
    /// folding, dead register definition elimination (docs/LINKER.md, "Optimizations"); 2: currently the
    /// same as 1.
    public var optimizationLevel: Int
    /// The minimum stack size in bytes (the blob gets the maximum of this and `.polkavm_min_stack_size`,
    /// rounded up to 4 KiB).
    public var minimumStackSize: UInt32
    /// The target instruction set; `nil` picks ``InstructionSetKind/latest32`` for ELF32 and
    /// ``InstructionSetKind/latest64`` for ELF64 input.
    public var isa: InstructionSetKind?

    /// Creates a configuration.
    public init(strip: Bool = false, optimizationLevel: Int = 2, minimumStackSize: UInt32 = 8192, isa: InstructionSetKind? = nil) {
        self.strip = strip
        self.optimizationLevel = optimizationLevel
        self.minimumStackSize = minimumStackSize
        self.isa = isa
    }
}
