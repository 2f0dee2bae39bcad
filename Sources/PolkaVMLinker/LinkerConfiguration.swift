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
    /// Functions to export by their ELF symbol name, besides the ones `.polkavm_exports` declares (for
    /// C code written without the SDK's `POLKAVM_EXPORT`). Each must name one function in the code; a
    /// global symbol is preferred over local ones of the same name. The export gets the symbol's name.
    public var exportedSymbols: [String]

    /// Creates a configuration.
    public init(strip: Bool = false, optimizationLevel: Int = 2, minimumStackSize: UInt32 = 8192, isa: InstructionSetKind? = nil,
                exportedSymbols: [String] = []) {
        self.strip = strip
        self.optimizationLevel = optimizationLevel
        self.minimumStackSize = minimumStackSize
        self.isa = isa
        self.exportedSymbols = exportedSymbols
    }
}
