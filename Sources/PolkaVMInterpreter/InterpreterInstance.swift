import PolkaVMProgram

/// The heap grown by `sbrk` in upstream's standard memory layout.
public struct HeapState: Sendable, Hashable {
    /// Where the heap starts (just after the RW data payload; not page aligned).
    public var base: UInt32
    /// How far the heap may grow in bytes.
    public var maximumSize: UInt32
    /// The current heap size in bytes.
    public var size: UInt32
    /// The end of the pages already mapped for RW data and heap.
    public var mappedEnd: UInt64

    /// Creates a heap description.
    public init(base: UInt32, maximumSize: UInt32, size: UInt32 = 0, mappedEnd: UInt64) {
        self.base = base
        self.maximumSize = maximumSize
        self.size = size
        self.mappedEnd = mappedEnd
    }
}

/// Why the handlers returned to ``InterpreterInstance/run()``; `index` in the instance names the op.
enum LoopExit: UInt64 {
    /// Trampoline only: one op ran, continue with the next.
    case proceed = 0
    case halt, trap, ecalli, outOfGas, memory, memset, sbrk, step
}

/// One interpreter instance: registers, gas, guest memory and the resumable position in a
/// ``CompiledProgram``. Belongs to one thread at a time.
public final class InterpreterInstance {
    /// The program being run.
    public let program: CompiledProgram
    /// Guest memory.
    public let memory: GuestMemory
    /// Whether memory faults are resumable page faults (dynamic paging) rather than traps.
    public var dynamicPaging: Bool
    /// The sbrk heap, if the memory layout has one.
    public var heap: HeapState?
    /// Remaining gas (meaningful when the program meters gas).
    public var gas: Int64 {
        get { state.pointee.gas }
        set { state.pointee.gas = newValue }
    }
    /// The pc of the instruction behind the last interrupt (0 after `finished`/`trap` when the semantics
    /// report pc 0 on exit; nil before the first interrupt and after an asynchronous out-of-gas).
    public private(set) var programCounter: UInt32? {
        get { state.pointee.programCounter }
        set { state.pointee.programCounter = newValue }
    }
    /// The host-call number of the last `ecalli`.
    public private(set) var lastHostCall: UInt32 {
        get { state.pointee.lastHostCall }
        set { state.pointee.lastHostCall = newValue }
    }

    let registers: UnsafeMutablePointer<UInt64>
    /// The mutable run state, behind a pointer: stored properties of a class pay a dynamic exclusivity
    /// check on every access, which showed up as a third of a host call's cost.
    private let state: UnsafeMutablePointer<RunState>
    /// The op at which execution continues.
    var index: Int {
        get { state.pointee.index }
        set { state.pointee.index = newValue }
    }
    /// Whether the next run starts with a host-initiated jump to `entryPC` (charging its whole block).
    var pendingEntry: UInt32? {
        get { state.pointee.pendingEntry }
        set { state.pointee.pendingEntry = newValue }
    }
    var stepArmed: Bool {
        get { state.pointee.stepArmed }
        set { state.pointee.stepArmed = newValue }
    }
    var finishedOrTrapped: Bool {
        get { state.pointee.finishedOrTrapped }
        set { state.pointee.finishedOrTrapped = newValue }
    }

    /// The fields behind the properties above.
    private struct RunState {
        var gas: Int64 = 0
        var index = 0
        var programCounter: UInt32?
        var lastHostCall: UInt32 = 0
        var pendingEntry: UInt32?
        var stepArmed = false
        var finishedOrTrapped = true
    }

    /// Creates an instance with zeroed registers; call ``setNextProgramCounter(_:)`` before running.
    /// `memory` must be fresh for this instance: its registers live in the memory's run block, so one
    /// ``GuestMemory`` cannot serve two instances (a precondition).
    public init(program: CompiledProgram, memory: GuestMemory, dynamicPaging: Bool, heap: HeapState? = nil) {
        self.program = program
        self.memory = memory
        self.dynamicPaging = dynamicPaging
        self.heap = heap
        // The run context (reached by handlers from the register pointer), then the registers, in the run
        // block in front of the memory's page tables (`pageTables(_:)`).
        precondition(MemoryLayout<RunContext>.stride <= runContextSlots * 8 && MemoryLayout<RunContext>.alignment <= 8)
        let block = memory.claimRunBlock()
        registers = (block + runContextSlots * 8).bindMemory(to: UInt64.self, capacity: registerSlots)
        state = UnsafeMutablePointer<RunState>.allocate(capacity: 1)
        state.initialize(to: RunState())
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    private var is64: Bool { program.code.isa.is64Bit }

    /// Reads a register as the guest sees it (32-bit values in ``InstructionSetKind/latest32``).
    public func register(_ index: Int) -> UInt64 {
        let v = registers[index]
        return is64 ? v : v & 0xFFFF_FFFF
    }

    /// Writes a register (truncated to 32 bits in ``InstructionSetKind/latest32``).
    public func setRegister(_ index: Int, _ value: UInt64) {
        registers[index] = is64 ? value : UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: value)))
    }

    /// Where ``run()`` continues: the pending host entry, or the next instruction's pc; nil when the
    /// last run finished or trapped.
    public var nextProgramCounter: UInt32? {
        if let pendingEntry { return pendingEntry }
        if finishedOrTrapped || index >= program.opCount { return nil }
        return program.ops[index].pc
    }

    /// Makes the next ``run()`` start at `pc`, charging the whole basic block that contains it.
    public func setNextProgramCounter(_ pc: UInt32) {
        pendingEntry = pc
        finishedOrTrapped = false
        stepArmed = false
    }

    /// Runs ops until one leaves: threaded (one call that chains through every handler) or trampolined
    /// (one call per op, with step tracing checked between ops).
    private func execute() -> LoopExit {
        let base = program.ops
        // Without metering every block costs 0 and gas is left untouched (a negative value must not stop a run).
        let metering = program.options.gasMetering
        let regs = registers
        let c = context(regs)
        c.initialize(to: RunContext(ip: UnsafePointer(base + index), gas: metering ? gas : 0,
                                    dynamic: UnsafePointer(program.dynamicTargets), dynamicCount: program.dispatchableSlotCount))
        let stepping = program.options.stepTracing
        let reason: LoopExit
        if program.options.dispatch == .threaded {
            let ip = c.pointee.ip
            // The handler may take the results of the two ops before it as its carried values (see `Handler`):
            // they are in the register file.
            let at = ip - UnsafePointer(base)
            func carried(_ back: Int) -> UInt64 {
                guard at >= back else { return 0 }
                let op = base[at - back]
                return op.kind.producesValue ? regs[Int(op.d)] : 0
            }
            reason = LoopExit(rawValue: ip.pointee.handler(ip, regs, c.pointee.gas, carried(1), carried(2))) ?? .trap
        } else {
            var armed = stepArmed
            defer { stepArmed = armed }
            reason = {
                while true {
                    let ip = c.pointee.ip
                    if stepping {
                        if armed { armed = false } else { armed = true; return .step }
                    }
                    let code = trampolineHandlers[Int(ip.pointee.kind.rawValue)](ip, regs, c.pointee.gas, 0, 0)
                    if code != 0 {
                        let why = LoopExit(rawValue: code) ?? .trap
                        if why == .outOfGas { armed = false }
                        return why
                    }
                    if stepping && ip.pointee.kind == .chargeGas { armed = true }
                }
            }()
        }
        index = c.pointee.ip - UnsafePointer(base)
        if metering { gas = c.pointee.gas }
        return reason
    }

    private func exit(_ interrupt: Interrupt, at opIndex: Int) -> Interrupt {
        let pc = program.ops[opIndex].pc
        switch interrupt {
        case .finished, .trap:
            finishedOrTrapped = true
            programCounter = program.options.semantics.reportsZeroPCOnExit ? 0 : pc
        default:
            programCounter = pc
        }
        return interrupt
    }

    /// Runs until the next interrupt.
    public func run() -> Interrupt {
        let metering = program.options.gasMetering
        if let entry = pendingEntry {
            if program.options.semantics.validatesWholeProgram && !program.isWholeProgramValid {
                pendingEntry = nil
                finishedOrTrapped = true
                programCounter = entry
                return .trap
            }
            guard let start = program.code.blockStart(containing: Int(entry)),
                  let blockIndex = program.blockOpIndex(startingAt: UInt32(start)) else {
                pendingEntry = nil
                finishedOrTrapped = true
                programCounter = entry
                return .trap
            }
            if program.options.semantics.gasGranularity == .instruction {
                // Per-instruction gas: start at the instruction's own charge, which runs as it is reached.
                guard let charge = program.blockOpIndex(startingAt: entry) else {
                    pendingEntry = nil
                    finishedOrTrapped = true
                    programCounter = entry
                    return .trap
                }
                pendingEntry = nil
                index = charge
            } else {
                if metering {
                    let cost = Int64(program.blockCost(at: blockIndex))
                    if gas < cost {
                        if program.options.asynchronousGas {
                            gas -= cost
                            pendingEntry = nil
                            finishedOrTrapped = true
                            programCounter = nil
                            return .outOfGas
                        }
                        programCounter = entry
                        return .outOfGas
                    }
                    gas -= cost
                }
                pendingEntry = nil
                index = program.opIndex(forEntry: entry, inBlockAt: blockIndex)
            }
        }
        if finishedOrTrapped { return metering && gas < 0 ? .outOfGas : .trap }
        if metering && gas < 0 {
            programCounter = program.ops[index].pc
            return .outOfGas
        }
        while true {
            let why = execute()
            let i = index
            switch why {
            case .halt: return exit(.finished, at: i)
            case .trap: return exit(.trap, at: i)
            case .outOfGas:
                // Handlers leave at the charge that failed (a `chargeGas` op) with its cost already deducted.
                if program.options.asynchronousGas {
                    // Async: the failed charge stays deducted and the run cannot be resumed.
                    finishedOrTrapped = true
                    programCounter = nil
                    return .outOfGas
                }
                gas += Int64(program.blockCost(at: i))
                return exit(.outOfGas, at: i)
            case .step: return exit(.step, at: i)
            case .proceed: continue
            case .ecalli:
                lastHostCall = UInt32(truncatingIfNeeded: program.ops[i].imm)
                index = i + 1
                programCounter = program.ops[i].pc
                return .ecalli(lastHostCall)
            case .memory:
                if let interrupt = slowMemoryAccess(i) { return interrupt }
            case .memset:
                if let interrupt = runMemset(i) { return interrupt }
            case .sbrk:
                if let interrupt = runSbrk(i) { return interrupt }
            }
        }
    }

    // MARK: - Slow paths

    /// The address, size and direction of a memory op.
    private func access(of op: Op) -> (address: UInt32, size: UInt32, write: Bool) {
        let r = registers
        switch op.kind {
        case .loadU8, .loadI8: return (UInt32(truncatingIfNeeded: op.imm), 1, false)
        case .loadU16, .loadI16: return (UInt32(truncatingIfNeeded: op.imm), 2, false)
        case .loadU32, .loadI32: return (UInt32(truncatingIfNeeded: op.imm), 4, false)
        case .loadU64: return (UInt32(truncatingIfNeeded: op.imm), 8, false)
        case .loadIndirectU8, .loadIndirectI8: return (UInt32(truncatingIfNeeded: r[Int(op.a)] &+ op.imm), 1, false)
        case .loadIndirectU16, .loadIndirectI16: return (UInt32(truncatingIfNeeded: r[Int(op.a)] &+ op.imm), 2, false)
        case .loadIndirectU32, .loadIndirectI32: return (UInt32(truncatingIfNeeded: r[Int(op.a)] &+ op.imm), 4, false)
        case .loadIndirectU64: return (UInt32(truncatingIfNeeded: r[Int(op.a)] &+ op.imm), 8, false)
        case .storeU8, .storeImmU8: return (UInt32(truncatingIfNeeded: op.imm), 1, true)
        case .storeU16, .storeImmU16: return (UInt32(truncatingIfNeeded: op.imm), 2, true)
        case .storeU32, .storeImmU32: return (UInt32(truncatingIfNeeded: op.imm), 4, true)
        case .storeU64, .storeImmU64: return (UInt32(truncatingIfNeeded: op.imm), 8, true)
        case .storeIndirectU8, .storeImmIndirectU8: return (UInt32(truncatingIfNeeded: r[Int(op.b)] &+ op.imm), 1, true)
        case .storeIndirectU16, .storeImmIndirectU16: return (UInt32(truncatingIfNeeded: r[Int(op.b)] &+ op.imm), 2, true)
        case .storeIndirectU32, .storeImmIndirectU32: return (UInt32(truncatingIfNeeded: r[Int(op.b)] &+ op.imm), 4, true)
        case .storeIndirectU64, .storeImmIndirectU64: return (UInt32(truncatingIfNeeded: r[Int(op.b)] &+ op.imm), 8, true)
        default: return (0, 0, false)
        }
    }

    /// With per-instruction gas, an instruction that stops mid-way (fault, out of gas inside `memset`) is
    /// charged again when it is retried: execution resumes at its own charge op.
    private func retryWithCharge(_ i: Int) {
        if program.options.semantics.gasGranularity == .instruction, i > 0,
           program.ops[i - 1].kind == .chargeGas, program.ops[i - 1].pc == program.ops[i].pc {
            index = i - 1
        }
    }

    private func fault(_ f: GuestFault, at i: Int) -> Interrupt {
        let semantics = program.options.semantics
        if semantics.gasGranularity == .instruction && !semantics.chargesFaultingInstruction && program.options.gasMetering {
            gas += 1  // the faulting instruction's unit is given back (GP 0.7.2)
        }
        retryWithCharge(i)
        switch f {
        case .trap: return exit(.trap, at: i)
        case .pageFault(let page): return exit(.pageFault(address: page), at: i)
        }
    }

    /// Handles an access the fast path declined: completes it byte by byte when allowed (it straddles
    /// two accessible pages) and returns nil, or returns the fault.
    private func slowMemoryAccess(_ i: Int) -> Interrupt? {
        let op = program.ops[i]
        let (address, size, write) = access(of: op)
        if let f = memory.checkGuestAccess(address: address, size: size, write: write, semantics: program.options.semantics, dynamicPaging: dynamicPaging) {
            return fault(f, at: i)
        }
        let r = registers
        if write {
            let value: UInt64
            switch op.kind {
            case .storeU8, .storeU16, .storeU32, .storeU64, .storeIndirectU8, .storeIndirectU16, .storeIndirectU32, .storeIndirectU64:
                value = r[Int(op.a)]
            default:
                value = op.aux
            }
            memory.slowStore(address: address, size: size, value: value)
        } else {
            let raw = memory.slowLoad(address: address, size: size)
            let value: UInt64
            switch op.kind {
            case .loadI8, .loadIndirectI8: value = UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: raw)))
            case .loadI16, .loadIndirectI16: value = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: raw)))
            case .loadI32, .loadIndirectI32: value = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: raw)))
            default: value = raw
            }
            r[Int(op.d)] = value
        }
        index = i + 1
        return nil
    }

    /// `memset`: fills `a2` bytes at `a0` with the low byte of `a1`, one gas unit per byte.
    private func runMemset(_ i: Int) -> Interrupt? {
        let r = registers
        let a0 = r[7]
        var dst = UInt32(truncatingIfNeeded: a0)
        let value = UInt8(truncatingIfNeeded: r[8])
        var count = UInt32(truncatingIfNeeded: r[9])
        let metering = program.options.gasMetering
        var result: Interrupt?
        while count > 0 {
            // Fill as much of the current page as possible at once.
            let inPage = 4096 - (dst & 0xFFF)
            var chunk = Swift.min(count, inPage)
            if metering { chunk = UInt32(Swift.min(Int64(chunk), Swift.max(gas, 0))) }
            let host = writeAddress(memory.table.base, dst, 1)
            if chunk > 0, host != 0, let p = UnsafeMutableRawPointer(bitPattern: host) {
                p.initializeMemory(as: UInt8.self, repeating: value, count: Int(chunk))
                if metering { gas -= Int64(chunk) }
                dst &+= chunk
                count -= chunk
                continue
            }
            if metering && gas <= 0 {
                result = exit(.outOfGas, at: i)
                retryWithCharge(i)
                break
            }
            if let f = memory.checkGuestAccess(address: dst, size: 1, write: true, semantics: program.options.semantics, dynamicPaging: dynamicPaging) {
                result = fault(f, at: i)
                break
            }
            memory.slowStore(address: dst, size: 1, value: UInt64(value))
            if metering { gas -= 1 }
            dst &+= 1
            count -= 1
        }
        let advanced = UInt64(dst &- UInt32(truncatingIfNeeded: a0))
        if is64 {
            r[7] = a0 &+ advanced
            r[9] = UInt64(count)
        } else {
            r[7] = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: a0 &+ advanced)))
            r[9] = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: count)))
        }
        if result == nil { index = i + 1 }
        return result
    }

    /// `sbrk`: grows the heap by the source register's value and returns the new heap top (0 on failure).
    private func runSbrk(_ i: Int) -> Interrupt? {
        let op = program.ops[i]
        guard heap != nil else { return exit(.trap, at: i) }
        let requested = registers[Int(op.a)]
        // In 64-bit sets a request above 2^32 - 1 behaves like sbrk(0) (upstream quirk).
        let size = is64 ? (requested <= 0xFFFF_FFFF ? UInt32(requested) : 0) : UInt32(truncatingIfNeeded: requested)
        // The top is written sign-extended from 32 bits (upstream quirk), as every 32-bit result.
        registers[Int(op.d)] = sbrk(size).map { UInt64(bitPattern: Int64(Int32(bitPattern: $0))) } ?? 0
        index = i + 1
        return nil
    }

    /// Grows the heap as the `sbrk` instruction would; returns the new heap top, or nil on failure.
    public func sbrk(_ size: UInt32) -> UInt32? {
        guard var h = heap else { return nil }
        let newSize = UInt64(h.size) + UInt64(size)
        guard newSize <= UInt64(h.maximumSize) else { return nil }
        h.size = UInt32(newSize)
        let top = UInt64(h.base) + newSize
        let ps = UInt64(memory.pageSize)
        let end = (top + ps - 1) / ps * ps
        if end > h.mappedEnd {
            memory.map(address: UInt32(h.mappedEnd), length: end - h.mappedEnd, writable: true)
            h.mappedEnd = end
        }
        heap = h
        return UInt32(top)
    }
}
