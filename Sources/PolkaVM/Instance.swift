import PolkaVMInterpreter

/// A running copy of a module: registers, gas, memory and a resumable program counter. An instance
/// belongs to one thread at a time.
///
/// Low level: set registers and the next program counter, call ``run()`` and handle the returned
/// ``Interrupt``; after any interrupt change state as needed and call ``run()`` again.
/// High level: ``call(_:_:host:)`` runs an export to completion, dispatching `ecalli` to host functions.
public final class Instance {
    /// The module this instance runs.
    public let module: Module
    let vm: InterpreterInstance

    init(module: Module) {
        self.module = module
        let memory = GuestMemory(pageSize: module.configuration.pageSize)
        var heap: HeapState?
        if !module.configuration.dynamicPaging, let map = module.memoryMap, let blob = module.blob {
            Instance.mapStandardLayout(memory, map, blob)
            heap = HeapState(base: map.heapBase, maximumSize: Swift.min(map.maxHeapSize, module.configuration.maximumHeapSize ?? .max),
                             mappedEnd: UInt64(map.rwDataAddress) + UInt64(map.rwDataSize))
        }
        vm = InterpreterInstance(program: module.compiled, memory: memory, dynamicPaging: module.configuration.dynamicPaging, heap: heap)
    }

    private static func mapStandardLayout(_ memory: GuestMemory, _ map: MemoryMap, _ blob: ProgramBlob) {
        if map.roDataSize > 0 {
            memory.map(address: map.roDataAddress, length: UInt64(map.roDataSize), writable: false)
            try? memory.write(blob.roData, at: map.roDataAddress)
        }
        if map.rwDataSize > 0 {
            memory.map(address: map.rwDataAddress, length: UInt64(map.rwDataSize), writable: true)
            try? memory.write(blob.rwData, at: map.rwDataAddress)
        }
        if map.stackSize > 0 {
            memory.map(address: map.stackAddressLow, length: UInt64(map.stackSize), writable: true)
        }
        if map.auxDataSize > 0 {
            memory.map(address: map.auxDataAddress, length: UInt64(map.auxDataSize), writable: false)
        }
    }

    // MARK: Registers, gas, program counter

    /// Reads a register.
    public func register(_ reg: Reg) -> UInt64 { vm.register(Int(reg.rawValue)) }

    /// Writes a register (truncated to 32 bits for 32-bit programs).
    public func setRegister(_ reg: Reg, _ value: UInt64) { vm.setRegister(Int(reg.rawValue), value) }

    /// All 13 registers in index order.
    public var registers: [UInt64] {
        get { (0..<Reg.count).map { vm.register($0) } }
        set { for (i, v) in newValue.prefix(Reg.count).enumerated() { vm.setRegister(i, v) } }
    }

    /// Remaining gas. The host may set it at any time, also to a negative value (the next run then
    /// reports ``Interrupt/outOfGas``).
    public var gas: Int64 {
        get { vm.gas }
        set { vm.gas = newValue }
    }

    /// The pc of the instruction behind the last interrupt.
    public var programCounter: UInt32? { vm.programCounter }

    /// Where ``run()`` continues, if anywhere.
    public var nextProgramCounter: UInt32? { vm.nextProgramCounter }

    /// Makes the next run start at `pc`, charging gas for the whole basic block containing it.
    public func setNextProgramCounter(_ pc: UInt32) { vm.setNextProgramCounter(pc) }

    /// The number of the last `ecalli`.
    public var lastHostCall: UInt32 { vm.lastHostCall }

    /// Runs until the next interrupt.
    public func run() -> Interrupt { vm.run() }

    // MARK: Memory

    /// Reads guest memory.
    public func readMemory(at address: UInt32, count: Int) throws(MemoryAccessError) -> [UInt8] {
        try vm.memory.read(at: address, count: count)
    }

    /// Writes guest memory (the host may write read-only pages).
    public func writeMemory(_ bytes: [UInt8], at address: UInt32) throws(MemoryAccessError) {
        try vm.memory.write(bytes, at: address)
    }

    /// Reads a little-endian integer from guest memory.
    public func read<T: FixedWidthInteger & UnsignedInteger>(_: T.Type, at address: UInt32) throws(MemoryAccessError) -> T {
        let bytes = try readMemory(at: address, count: MemoryLayout<T>.size)
        var v: T = 0
        for (k, b) in bytes.enumerated() { v |= T(b) << (8 * k) }
        return v
    }

    /// Writes a little-endian integer to guest memory.
    public func write<T: FixedWidthInteger & UnsignedInteger>(_ value: T, at address: UInt32) throws(MemoryAccessError) {
        try writeMemory((0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }, at: address)
    }

    /// Maps zero-filled pages over `[address, address + length)` (rounded out to the page size).
    public func mapMemory(address: UInt32, length: UInt64, writable: Bool) {
        vm.memory.map(address: address, length: length, writable: writable)
    }

    /// Changes the access of mapped pages.
    public func protectMemory(address: UInt32, length: UInt64, writable: Bool) {
        vm.memory.protect(address: address, length: length, writable: writable)
    }

    /// Unmaps pages.
    public func unmapMemory(address: UInt32, length: UInt64) {
        vm.memory.unmap(address: address, length: length)
    }

    /// Whether the guest could access the whole range.
    public func isMemoryAccessible(address: UInt32, length: Int, writable: Bool) -> Bool {
        vm.memory.isAccessible(address: address, length: length, writable: writable)
    }

    /// Calls `body` for each mapped 4 KiB page with its bytes.
    public func forEachMappedPage(_ body: (_ address: UInt32, _ bytes: UnsafeRawBufferPointer, _ writable: Bool) throws -> Void) rethrows {
        try vm.memory.forEachMappedPage(body)
    }

    /// The current heap size (bytes grown by `sbrk`), if the layout has a heap.
    public var heapSize: UInt32? { vm.heap?.size }

    /// Grows the heap like the `sbrk` instruction; returns the new heap top, or nil on failure.
    public func sbrk(_ size: UInt32) -> UInt32? { vm.sbrk(size) }

    /// Host bytes allocated for this instance's guest pages.
    public var allocatedMemoryBytes: Int { vm.memory.allocatedBytes }

    // MARK: Calls

    /// Prepares a call: all registers zero, `sp` at the stack top, `ra` = return-to-host, arguments in
    /// `a0...a5, t0...t2`, next pc = `pc`.
    public func prepareCall(pc: UInt32, arguments: [UInt64]) throws(CallError) {
        guard arguments.count <= Reg.argumentRegisters.count else { throw .tooManyArguments(arguments.count) }
        for r in 0..<Reg.count { vm.setRegister(r, 0) }
        setRegister(.sp, UInt64(module.memoryMap?.stackAddressHigh ?? 0))
        setRegister(.ra, UInt64(ProgramCode.returnToHostAddress))
        for (reg, value) in zip(Reg.argumentRegisters, arguments) { setRegister(reg, value) }
        setNextProgramCounter(pc)
    }

    /// Prepares a JAM standard-program invocation (Gray Paper `Y(p, a)`): maps RO data, RW data with
    /// its heap pages, the stack and the argument region, sets the initial registers (`ra` = halt address,
    /// `sp` = stack top, `a0`/`a1` = argument address and length) and the next pc (0 for is-authorized
    /// and refine, 5 for accumulate).
    public func prepareStandardInvocation(argument: [UInt8], entryPC: UInt32) throws(ModuleError) {
        guard let program = module.standardProgram else {
            throw .invalidConfiguration("the module was not created from a JAM standard program")
        }
        let state: StandardInitialState
        do { state = try program.initialState(argument: argument) } catch { throw .invalidProgram(error) }
        for region in state.regions where region.length > 0 {
            vm.memory.map(address: region.address, length: UInt64(region.length), writable: region.writable)
            try? vm.memory.write(region.initialBytes, at: region.address)
        }
        for (i, value) in state.registers.enumerated() where i < Reg.count { vm.setRegister(i, value) }
        setNextProgramCounter(entryPC)
    }

    /// Calls the export `name` with `arguments`, dispatching host calls to `host`, and returns
    /// `(a0, a1)` when the guest returns to the host.
    @discardableResult
    public func call(_ name: String, _ arguments: [UInt64] = [], host: HostFunctions = HostFunctions()) throws(CallError) -> (a0: UInt64, a1: UInt64) {
        guard let export = module.export(named: name) else { throw .unknownExport(name) }
        try prepareCall(pc: export.pc, arguments: arguments)
        return try continueCall(host: host)
    }

    /// Runs until the guest returns to the host, dispatching host calls; used after ``prepareCall(pc:arguments:)``.
    @discardableResult
    public func continueCall(host: HostFunctions = HostFunctions()) throws(CallError) -> (a0: UInt64, a1: UInt64) {
        let imports = module.imports
        // Wrapped in a struct: taking a closure out of an array of bare function values builds a
        // reabstraction thunk (an allocation) on every host call.
        let resolved: [ResolvedHostFunction?] = imports.map { host.functions[$0.description].map(ResolvedHostFunction.init) }
        while true {
            switch run() {
            case .finished:
                return (register(.a0), register(.a1))
            case .trap:
                throw .trap(pc: programCounter)
            case .outOfGas:
                throw .outOfGas(pc: programCounter)
            case .step:
                continue
            case .pageFault(let address):
                if !materializeStandardPage(address) {
                    throw .pageFault(address: address, pc: programCounter)
                }
            case .ecalli(let n):
                guard Int(n) < imports.count else { throw .unknownImport(index: n, pc: programCounter) }
                try invoke(resolved[Int(n)]?.call, import: n)
            }
        }
    }

    /// Handles one `ecalli n` with the host function registered under import `n`'s name; running again
    /// then resumes after the `ecalli`. For callers that drive ``run()`` themselves (e.g. to trace).
    public func dispatchHostCall(_ n: UInt32, host: HostFunctions) throws(CallError) {
        let imports = module.imports
        guard Int(n) < imports.count else { throw .unknownImport(index: n, pc: programCounter) }
        try invoke(host.functions[imports[Int(n)].description], import: n)
    }

    /// A host function bound to an import for one ``continueCall(host:)``.
    private struct ResolvedHostFunction {
        let call: HostFunctions.Function
    }

    private func invoke(_ function: HostFunctions.Function?, import n: UInt32) throws(CallError) {
        // (The import's name is only built for an error: making a String per call was most of its cost.)
        guard let function else { throw .unresolvedImport(module.imports[Int(n)].description) }
        do { try function(self) } catch {
            throw .hostFunctionFailed(name: module.imports[Int(n)].description, error: error)
        }
        if gas < 0 && module.configuration.gasMetering != .none {
            throw .outOfGas(pc: programCounter)
        }
    }

    /// With dynamic paging and a container, maps (and fills) the page of the standard layout that
    /// contains `address`: a ready-made demand-paging policy. Returns false outside those regions.
    private func materializeStandardPage(_ address: UInt32) -> Bool {
        guard let map = module.memoryMap, let blob = module.blob else { return false }
        let ps = map.pageSize
        let page = address / ps * ps
        func inside(_ base: UInt32, _ size: UInt32) -> Bool { page >= base && UInt64(page) < UInt64(base) + UInt64(size) }
        func fill(_ base: UInt32, _ data: [UInt8], writable: Bool) {
            vm.memory.map(address: page, length: UInt64(ps), writable: writable)
            let start = Int(page - base)
            if start < data.count {
                try? vm.memory.write(data[start..<Swift.min(data.count, start + Int(ps))], at: page)
            }
        }
        if vm.memory.isMapped(page) { return false }
        if inside(map.roDataAddress, map.roDataSize) { fill(map.roDataAddress, blob.roData, writable: false); return true }
        if inside(map.rwDataAddress, map.rwDataSize) { fill(map.rwDataAddress, blob.rwData, writable: true); return true }
        if inside(map.stackAddressLow, map.stackSize) { fill(map.stackAddressLow, [], writable: true); return true }
        return false
    }
}
