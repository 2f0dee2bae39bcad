import PolkaVMInterpreter

/// Why a module could not be created.
public enum ModuleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The blob or code is malformed.
    case invalidProgram(ProgramError)
    /// The configuration is not usable (e.g. a page size that is not a power of two in 4096...65536).
    case invalidConfiguration(String)

    /// A human-readable description.
    public var description: String {
        switch self {
        case .invalidProgram(let e): return "invalid program: \(e)"
        case .invalidConfiguration(let why): return "invalid module configuration: \(why)"
        }
    }
}

/// Why a call into the guest did not finish normally.
public enum CallError: Error, CustomStringConvertible {
    /// The guest trapped at `pc`.
    case trap(pc: UInt32?)
    /// Gas ran out.
    case outOfGas(pc: UInt32?)
    /// A page fault no host function resolved (dynamic paging).
    case pageFault(address: UInt32, pc: UInt32?)
    /// No export has this name.
    case unknownExport(String)
    /// The guest called an import index that the module does not declare.
    case unknownImport(index: UInt32, pc: UInt32?)
    /// The guest called an import with no host function registered under its name.
    case unresolvedImport(String)
    /// More arguments than the nine argument registers.
    case tooManyArguments(Int)
    /// A host function threw.
    case hostFunctionFailed(name: String, error: any Error)
    /// Step tracing stopped the call.
    case step(pc: UInt32?)
    /// Guest memory could not be accessed by the host.
    case memory(MemoryAccessError)

    /// A human-readable description.
    public var description: String {
        func at(_ pc: UInt32?) -> String { pc.map { " at pc \($0)" } ?? "" }
        switch self {
        case .trap(let pc): return "guest trapped" + at(pc)
        case .outOfGas(let pc): return "out of gas" + at(pc)
        case .pageFault(let a, let pc): return "unhandled page fault at 0x\(String(a, radix: 16))" + at(pc)
        case .unknownExport(let n): return "no export named '\(n)'"
        case .unknownImport(let i, let pc): return "ecalli \(i) names no import" + at(pc)
        case .unresolvedImport(let n): return "no host function registered for import '\(n)'"
        case .tooManyArguments(let n): return "\(n) arguments given; at most 9 fit in registers"
        case .hostFunctionFailed(let n, let e): return "host function '\(n)' failed: \(e)"
        case .step(let pc): return "stopped by step tracing" + at(pc)
        case .memory(let e): return "memory access failed: \(e)"
        }
    }
}
