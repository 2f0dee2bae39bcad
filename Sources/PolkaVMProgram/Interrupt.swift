/// Why a backend stopped running guest code and handed control back to the host
/// (docs/SPEC.md, "Interrupts"). After any interrupt the host may change registers, memory, gas or
/// the program counter and run again.
public enum Interrupt: Sendable, Hashable, CustomStringConvertible {
    /// The guest jumped to the return-to-host address `0xFFFF0000`.
    case finished
    /// The guest trapped (panic): `trap`, an undefined opcode, an invalid jump, or a memory fault
    /// that is not resumable.
    case trap
    /// The guest executed `ecalli n`; running again resumes after it.
    case ecalli(UInt32)
    /// An access touched a missing page (or wrote to a read-only one) with dynamic paging; `address` is
    /// the page address. Running again retries the instruction.
    case pageFault(address: UInt32)
    /// Not enough gas to enter the next basic block (or for the next `memset` byte). Running again,
    /// after adding gas, retries.
    case outOfGas
    /// Step tracing is on and the next instruction is about to run.
    case step

    /// A short name: `halt`, `panic`, `ecalli`, `page-fault`, `out-of-gas`, `step` (the vector statuses).
    public var statusName: String {
        switch self {
        case .finished: return "halt"
        case .trap: return "panic"
        case .ecalli: return "ecalli"
        case .pageFault: return "page-fault"
        case .outOfGas: return "out-of-gas"
        case .step: return "step"
        }
    }

    /// A human-readable description.
    public var description: String {
        switch self {
        case .finished: return "finished"
        case .trap: return "trap"
        case .ecalli(let n): return "ecalli \(n)"
        case .pageFault(let a): return "page fault at 0x\(String(a, radix: 16))"
        case .outOfGas: return "out of gas"
        case .step: return "step"
        }
    }
}
