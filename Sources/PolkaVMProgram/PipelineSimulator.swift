/// The per-block cost of the "full" gas model (Gray Paper 0.8.0, upstream's pipeline model): a small
/// out-of-order CPU is simulated over one basic block and the cycles it takes become the block's gas.
///
/// The machine decodes up to 4 slots' worth of instructions per cycle into a 32-entry reorder buffer
/// (ROB), starts at most 5 ready entries per cycle on the free execution units (4 ALU, 4 load, 4 store,
/// 1 multiply, 1 divide), and retires finished entries in order. `move_reg` only renames registers and
/// takes no ROB entry. Idle cycles may be skipped in one step (``PipelineCostOptions/fastForward``).
/// The block costs `max(cycles − 3, 1)`. See docs/SPEC.md §7.5 for the rules and the cost table.
///
/// Everything lives inline in the struct (no heap allocation besides the retained program bytes), so
/// computing the cost of every block of a module is cheap.
struct PipelineSimulator {
    private static let robSize = 32
    private static let startsPerCycle = 5
    private static let decodeSlotsPerCycle = 4

    // Execution units, one 4-bit lane per kind, so that "does it fit" and "take/free" are single
    // integer operations: ALU, load, store, multiply, divide.
    private static let alu: UInt32 = 1
    private static let load: UInt32 = 1 << 4
    private static let store: UInt32 = 1 << 8
    private static let mul: UInt32 = 1 << 12
    private static let div: UInt32 = 1 << 16
    private static let allUnits: UInt32 = 4 * alu + 4 * load + 4 * store + 1 * mul + 1 * div
    /// The top bit of every lane; lanes never exceed 4, so `(free | guard) - need` keeps the guard bit
    /// of a lane exactly when that lane has enough units.
    private static let laneGuards: UInt32 = 0x8_8888

    private let code: [UInt8]
    private let is64Bit: Bool
    private let loadLatency: Int32
    private let cmovDestinationIsSource: Bool
    private let fastForward: Bool
    private let trapByte: UInt8
    private let unlikelyByte: UInt8

    private var cycles = 0
    private var finished = false
    private var inFlight = 0
    private var decodeSlotsLeft = PipelineSimulator.decodeSlotsPerCycle
    private var freeUnits = PipelineSimulator.allUnits
    private var head = 0
    private var tail = 0
    // Entry states as masks over ROB slots; an empty slot is in none of them.
    private var decodedMask: UInt32 = 0
    private var waitingMask: UInt32 = 0
    private var executingMask: UInt32 = 0
    private var executedMask: UInt32 = 0
    /// The slots whose ``dependencies`` are not all satisfied yet.
    private var blockedMask: UInt32 = 0
    /// Cycles left for each executing entry (0: result available, -1: finished).
    private var remaining = InlineSlots<Int32>(repeating: 0)
    /// For each entry, the slots whose results it still waits for.
    private var dependencies = InlineSlots<UInt32>(repeating: 0)
    /// For each entry, the registers it is the pending producer of.
    private var writes = InlineSlots<UInt16>(repeating: 0)
    /// For each entry, the units it occupies (lanes as in ``allUnits``).
    private var units = InlineSlots<UInt32>(repeating: 0)
    /// For each register, the slot that will produce its value, or -1 when the value is ready.
    private var producer = InlineSlots<Int8>(repeating: -1)

    /// Prepares a simulator for blocks of `code` under `options`.
    init(code: ProgramCode, options: PipelineCostOptions) {
        self.code = code.code
        self.is64Bit = code.isa.is64Bit
        // A latency below 1 would never complete (and hang the simulation), so it counts as 1.
        self.loadLatency = Int32(clamping: Swift.max(1, options.loadLatency))
        self.cmovDestinationIsSource = options.cmovDestinationIsSource
        self.fastForward = options.fastForward
        // An instruction set without `unlikely` makes byte 255 play its part in the branch rule.
        self.trapByte = code.isa.byte(for: .trap) ?? 255
        self.unlikelyByte = code.isa.byte(for: .unlikely) ?? 255
    }

    /// The gas cost of the basic block `block` (as ``ProgramCode/basicBlock(startingAt:)`` returns it,
    /// ending with a terminator or an implicit `invalid`). A block without one is treated as if an
    /// `invalid` followed it. The simulator may be reused for further blocks.
    mutating func cost(of block: [DecodedInstruction]) -> UInt32 {
        reset()
        for instruction in block {
            simulate(instruction)
            if finished { break }
        }
        if !finished {
            finish(sources: 0, latency: 2, units: 0)
        }
        return UInt32(Swift.max(cycles - 3, 1))
    }

    // MARK: - Machine state

    private mutating func reset() {
        cycles = 0
        finished = false
        inFlight = 0
        decodeSlotsLeft = Self.decodeSlotsPerCycle
        freeUnits = Self.allUnits
        head = 0
        tail = 0
        decodedMask = 0
        waitingMask = 0
        executingMask = 0
        executedMask = 0
        blockedMask = 0
        writes = InlineSlots(repeating: 0)
        units = InlineSlots(repeating: 0)
        producer = InlineSlots(repeating: -1)
    }

    @inline(__always)
    private static func rotateRight(_ x: UInt32, by k: Int) -> UInt32 {
        k == 0 ? x : (x >> UInt32(k)) | (x << UInt32(32 - k))
    }

    @inline(__always)
    private static func rotateLeft(_ x: UInt32, by k: Int) -> UInt32 {
        k == 0 ? x : (x << UInt32(k)) | (x >> UInt32(32 - k))
    }

    /// One clock step (or several idle ones when fast-forwarding): retire, start, execute, and move
    /// freshly decoded entries to the waiting state.
    private mutating func tick(finishing: Bool, decodedPending: Bool) {
        // 1. Retire finished entries at the head, in order.
        let retired = (~Self.rotateRight(executedMask, by: head)).trailingZeroBitCount
        if retired > 0 {
            let low: UInt32 = retired == 32 ? ~0 : (1 << UInt32(retired)) - 1
            executedMask &= ~Self.rotateLeft(low, by: head)
            inFlight -= retired
            head = (head + retired) & (Self.robSize - 1)
        }

        // 2. Start up to 5 ready waiting entries, oldest first.
        var candidates = Self.rotateRight(waitingMask & ~blockedMask, by: head)
        var started = 0
        while candidates != 0 {
            let age = candidates.trailingZeroBitCount
            candidates &= candidates &- 1
            let slot = (head + age) & (Self.robSize - 1)
            let need = units[slot]
            guard ((freeUnits | Self.laneGuards) &- need) & Self.laneGuards == Self.laneGuards else { continue }
            freeUnits -= need
            let bit: UInt32 = 1 << UInt32(slot)
            waitingMask &= ~bit
            executingMask |= bit
            started += 1
            if started == Self.startsPerCycle { break }
        }

        // 3. Advance execution, skipping cycles in which nothing can change when allowed.
        var step: Int32 = 1
        if !decodedPending && fastForward && (finishing || retired == 0) && executingMask != 0 {
            var least = Int32.max
            var mask = executingMask
            while mask != 0 {
                let slot = mask.trailingZeroBitCount
                mask &= mask &- 1
                least = Swift.min(least, remaining[slot])
            }
            if least > 0 { step = least }
        }
        var doneMask: UInt32 = 0
        var doneRegisters: UInt16 = 0
        var mask = executingMask
        while mask != 0 {
            let slot = mask.trailingZeroBitCount
            mask &= mask &- 1
            let left = remaining[slot] - step
            remaining[slot] = left
            if left == 0 {
                // The result is available: wake dependants, release the units.
                doneMask |= 1 << UInt32(slot)
                doneRegisters |= writes[slot]
                writes[slot] = 0
                freeUnits += units[slot]
                units[slot] = 0
            } else if left == -1 {
                let bit: UInt32 = 1 << UInt32(slot)
                executingMask &= ~bit
                executedMask |= bit
            }
        }
        if doneMask != 0 {
            var pending = blockedMask
            while pending != 0 {
                let slot = pending.trailingZeroBitCount
                pending &= pending &- 1
                let left = dependencies[slot] & ~doneMask
                dependencies[slot] = left
                if left == 0 { blockedMask &= ~(1 << UInt32(slot)) }
            }
            while doneRegisters != 0 {
                let register = doneRegisters.trailingZeroBitCount
                doneRegisters &= doneRegisters &- 1
                producer[register] = -1
            }
        }

        // 4. Decoded entries become waiting; a new cycle brings fresh decode slots.
        if decodedPending {
            waitingMask |= decodedMask
            decodedMask = 0
            decodeSlotsLeft = Self.decodeSlotsPerCycle
        }
        cycles += Int(step)
    }

    /// Ticks once, then until the ROB has a free entry (or, when finishing, until it is empty).
    private mutating func tickUntilDrained(finishing: Bool) {
        tick(finishing: finishing, decodedPending: true)
        let target = finishing ? 0 : Self.robSize - 1
        while inFlight > target {
            tick(finishing: finishing, decodedPending: false)
        }
    }

    private mutating func makeRoom(forSlots slots: Int) {
        if decodeSlotsLeft < slots || inFlight == Self.robSize {
            tickUntilDrained(finishing: false)
        }
    }

    /// Decodes an instruction into a new ROB entry. `destination` is a register index or -1; `sources`
    /// is a mask of registers read.
    private mutating func dispatch(destination: Int, sources: UInt16, latency: Int32, slots: Int, units need: UInt32) {
        makeRoom(forSlots: slots)
        let slot = tail
        tail = (tail + 1) & (Self.robSize - 1)
        remaining[slot] = latency
        units[slot] = need
        var deps: UInt32 = 0
        var reads = sources
        while reads != 0 {
            let register = reads.trailingZeroBitCount
            reads &= reads &- 1
            let p = producer[register]
            if p >= 0 { deps |= 1 << UInt32(p) }
        }
        dependencies[slot] = deps
        if deps != 0 { blockedMask |= 1 << UInt32(slot) }
        if destination >= 0 {
            let bit: UInt16 = 1 << UInt16(destination)
            let previous = producer[destination]
            if previous >= 0 { writes[Int(previous)] &= ~bit }
            writes[slot] = bit
            producer[destination] = Int8(slot)
        }
        decodedMask |= 1 << UInt32(slot)
        inFlight += 1
        decodeSlotsLeft -= slots
    }

    /// `move_reg`: no ROB entry; the destination is renamed to whatever will produce the source.
    private mutating func rename(destination: Int, source: Int) {
        makeRoom(forSlots: 1)
        let bit: UInt16 = 1 << UInt16(destination)
        let old = producer[destination]
        if old >= 0 { writes[Int(old)] &= ~bit }
        let new = producer[source]
        if new >= 0 { writes[Int(new)] |= bit }
        producer[destination] = new
        decodeSlotsLeft -= 1
    }

    /// Dispatches the block's terminator and runs the machine until the ROB is empty.
    private mutating func finish(sources: UInt16, latency: Int32, units need: UInt32) {
        dispatch(destination: -1, sources: sources, latency: latency, slots: 1, units: need)
        finished = true
        tickUntilDrained(finishing: true)
    }

    /// 1 when the fall-through or the target byte is `trap` or `unlikely` (or lies past the end), else 20.
    private func branchLatency(nextPC: UInt32, target: UInt32) -> Int32 {
        @inline(__always) func cheap(_ offset: UInt32) -> Bool {
            let offset = Int(offset)
            if offset >= code.count { return true }
            let byte = code[offset]
            return byte == trapByte || byte == unlikelyByte
        }
        return cheap(nextPC) || cheap(target) ? 1 : 20
    }

    // MARK: - The cost table

    @inline(__always)
    private static func bit(_ register: UInt8) -> UInt16 { 1 << UInt16(register) }

    /// Feeds one instruction to the machine with its registers, latency, decode slots and units.
    private mutating func simulate(_ decoded: DecodedInstruction) {
        let inst = decoded.instruction
        let a = Int(inst.regA), b = Int(inst.regB), d = Int(inst.regD)
        let srcA = Self.bit(inst.regA), srcB = Self.bit(inst.regB)
        let wide: Int32 = is64Bit ? 1 : 0
        let aluOnly = Self.alu
        switch inst.opcode {
        // Control.
        case .trap, .fallthrough, .invalid:
            finish(sources: 0, latency: 2, units: 0)
        case .jump, .loadImmAndJump:
            finish(sources: 0, latency: 15, units: 0)
        case .jumpIndirect:
            finish(sources: srcA, latency: 22, units: 0)
        case .loadImmAndJumpIndirect:
            finish(sources: srcB, latency: 22, units: 0)
        case .branchEq, .branchNotEq, .branchLessUnsigned, .branchLessSigned,
             .branchGreaterOrEqualUnsigned, .branchGreaterOrEqualSigned:
            finish(sources: srcA | srcB, latency: branchLatency(nextPC: decoded.nextPC, target: inst.target), units: aluOnly)
        case .branchEqImm, .branchNotEqImm, .branchLessUnsignedImm, .branchLessOrEqualUnsignedImm,
             .branchGreaterOrEqualUnsignedImm, .branchGreaterUnsignedImm, .branchLessSignedImm,
             .branchLessOrEqualSignedImm, .branchGreaterOrEqualSignedImm, .branchGreaterSignedImm:
            finish(sources: srcA, latency: branchLatency(nextPC: decoded.nextPC, target: inst.target), units: aluOnly)
        case .unlikely:
            dispatch(destination: -1, sources: 0, latency: 40, slots: 1, units: 0)
        case .ecalli, .memset:
            dispatch(destination: -1, sources: 0, latency: 100, slots: 4, units: aluOnly)
        case .sbrk:
            dispatch(destination: a, sources: srcB, latency: 100, slots: 4, units: aluOnly)
        case .moveReg:
            rename(destination: a, source: b)

        // Immediate loads and memory.
        case .loadImm:
            dispatch(destination: a, sources: 0, latency: 1, slots: 1, units: 0)
        case .loadImm64:
            dispatch(destination: a, sources: 0, latency: 1, slots: 2, units: 0)
        case .loadU8, .loadI8, .loadU16, .loadI16, .loadU32, .loadI32, .loadU64:
            dispatch(destination: a, sources: 0, latency: loadLatency, slots: 1, units: Self.alu + Self.load)
        case .loadIndirectU8, .loadIndirectI8, .loadIndirectU16, .loadIndirectI16, .loadIndirectU32,
             .loadIndirectI32, .loadIndirectU64:
            dispatch(destination: a, sources: srcB, latency: loadLatency, slots: 1, units: Self.alu + Self.load)
        case .storeImmU8, .storeImmU16, .storeImmU32, .storeImmU64:
            dispatch(destination: -1, sources: 0, latency: 25, slots: 1, units: Self.alu + Self.store)
        case .storeU8, .storeU16, .storeU32, .storeU64,
             .storeImmIndirectU8, .storeImmIndirectU16, .storeImmIndirectU32, .storeImmIndirectU64:
            dispatch(destination: -1, sources: srcA, latency: 25, slots: 1, units: Self.alu + Self.store)
        case .storeIndirectU8, .storeIndirectU16, .storeIndirectU32, .storeIndirectU64:
            dispatch(destination: -1, sources: srcA | srcB, latency: 25, slots: 1, units: Self.alu + Self.store)

        // Three registers: regD = regA op regB. `apart` is 1 when the destination is neither source.
        case .and, .or, .xor, .add64, .sub64:
            threeRegister(d, srcA | srcB, latency: 1, slots: 1 + apart(d, a, b))
        case .add32, .sub32:
            threeRegister(d, srcA | srcB, latency: 1 + wide, slots: 1 + apart(d, a, b) + Int(wide))
        case .shiftLogicalLeft64, .shiftLogicalRight64, .shiftArithmeticRight64, .rotateLeft64, .rotateRight64:
            threeRegister(d, srcA | srcB, latency: 1, slots: 2 + apart(d, a))
        case .shiftLogicalLeft32, .shiftLogicalRight32, .shiftArithmeticRight32, .rotateLeft32, .rotateRight32:
            threeRegister(d, srcA | srcB, latency: 1 + wide, slots: 2 + apart(d, a) + Int(wide))
        case .setLessThanUnsigned, .setLessThanSigned:
            threeRegister(d, srcA | srcB, latency: 3, slots: 3)
        case .cmovIfZero, .cmovIfNotZero:
            let reads = srcA | srcB | (cmovDestinationIsSource ? Self.bit(inst.regD) : 0)
            threeRegister(d, reads, latency: 2, slots: 2)
        case .maximum, .maximumUnsigned, .minimum, .minimumUnsigned:
            threeRegister(d, srcA | srcB, latency: 3, slots: 2 + apart(d, a, b))
        case .divUnsigned32, .divSigned32, .remUnsigned32, .remSigned32,
             .divUnsigned64, .divSigned64, .remUnsigned64, .remSigned64:
            threeRegister(d, srcA | srcB, latency: 60, slots: 4, units: Self.alu + Self.div)
        case .andInverted, .orInverted:
            threeRegister(d, srcA | srcB, latency: 2, slots: 3)
        case .xnor:
            threeRegister(d, srcA | srcB, latency: 2, slots: 2 + apart(d, a, b))
        case .mul32:
            threeRegister(d, srcA | srcB, latency: 4, slots: 2 + apart(d, a, b), units: Self.alu + Self.mul)
        case .mul64:
            threeRegister(d, srcA | srcB, latency: 3, slots: 1 + apart(d, a, b), units: Self.alu + Self.mul)
        case .mulUpperSignedUnsigned:
            threeRegister(d, srcA | srcB, latency: 6, slots: 4, units: Self.alu + Self.mul)
        case .mulUpperSignedSigned, .mulUpperUnsignedUnsigned:
            threeRegister(d, srcA | srcB, latency: 4, slots: 4, units: Self.alu + Self.mul)

        // Two registers (with or without an immediate): regA = f(regB).
        case .andImm, .orImm, .xorImm, .addImm64, .shiftLogicalLeftImm64, .shiftLogicalRightImm64,
             .shiftArithmeticRightImm64, .rotateRightImm64, .reverseByte:
            threeRegister(a, srcB, latency: 1, slots: 1 + apart(a, b))
        case .addImm32, .shiftLogicalLeftImm32, .shiftLogicalRightImm32, .shiftArithmeticRightImm32,
             .rotateRightImm32:
            threeRegister(a, srcB, latency: 1 + wide, slots: 1 + apart(a, b) + Int(wide))
        case .countSetBits64, .countSetBits32, .countLeadingZeroBits64, .countLeadingZeroBits32,
             .signExtend8, .signExtend16, .zeroExtend16:
            threeRegister(a, srcB, latency: 1, slots: 1)
        case .countTrailingZeroBits64, .countTrailingZeroBits32:
            threeRegister(a, srcB, latency: 2, slots: 1, units: 2 * Self.alu)
        case .shiftLogicalLeftImmAlt64, .shiftLogicalRightImmAlt64, .shiftArithmeticRightImmAlt64,
             .rotateRightImmAlt64:
            threeRegister(a, srcB, latency: 1, slots: 3)
        case .shiftLogicalLeftImmAlt32, .shiftLogicalRightImmAlt32, .shiftArithmeticRightImmAlt32,
             .rotateRightImmAlt32:
            threeRegister(a, srcB, latency: 2, slots: 4)
        case .setLessThanUnsignedImm, .setLessThanSignedImm, .setGreaterThanUnsignedImm,
             .setGreaterThanSignedImm:
            threeRegister(a, srcB, latency: 3, slots: 3)
        case .cmovIfZeroImm, .cmovIfNotZeroImm:
            threeRegister(a, srcB | (cmovDestinationIsSource ? srcA : 0), latency: 2, slots: 3)
        case .negateAndAddImm64:
            threeRegister(a, srcB, latency: 2, slots: 3)
        case .negateAndAddImm32:
            threeRegister(a, srcB, latency: 3, slots: 4)
        case .mulImm32:
            threeRegister(a, srcB, latency: 4, slots: 2 + apart(a, b), units: Self.alu + Self.mul)
        case .mulImm64:
            threeRegister(a, srcB, latency: 3, slots: 1 + apart(a, b), units: Self.alu + Self.mul)
        }
    }

    /// 1 when `destination` differs from `source`, else 0.
    @inline(__always)
    private func apart(_ destination: Int, _ source: Int) -> Int {
        destination == source ? 0 : 1
    }

    /// 1 when `destination` differs from both sources, else 0.
    @inline(__always)
    private func apart(_ destination: Int, _ first: Int, _ second: Int) -> Int {
        destination == first || destination == second ? 0 : 1
    }

    /// An ALU-class instruction writing `destination` (one ALU unit unless `units` says otherwise).
    @inline(__always)
    private mutating func threeRegister(_ destination: Int, _ sources: UInt16, latency: Int32, slots: Int,
                                        units need: UInt32 = PipelineSimulator.alu) {
        dispatch(destination: destination, sources: sources, latency: latency, slots: slots, units: need)
    }
}

/// 32 values stored inline (a fixed-size array without heap storage).
fileprivate struct InlineSlots<Element: BitwiseCopyable> {
    private var storage: (
        Element, Element, Element, Element, Element, Element, Element, Element,
        Element, Element, Element, Element, Element, Element, Element, Element,
        Element, Element, Element, Element, Element, Element, Element, Element,
        Element, Element, Element, Element, Element, Element, Element, Element
    )

    /// Fills all 32 elements with `value`.
    init(repeating value: Element) {
        let v = value
        storage = (v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v,
                   v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v)
    }

    /// The element at `index` (0..<32; not checked in release builds). The getter is `mutating` so
    /// that it reads in place instead of copying the whole tuple first.
    @inline(__always)
    subscript(index: Int) -> Element {
        mutating get {
            assert(index >= 0 && index < 32)
            return withUnsafeMutableBytes(of: &storage) {
                $0.load(fromByteOffset: index &* MemoryLayout<Element>.stride, as: Element.self)
            }
        }
        set {
            assert(index >= 0 && index < 32)
            withUnsafeMutableBytes(of: &storage) {
                $0.storeBytes(of: newValue, toByteOffset: index &* MemoryLayout<Element>.stride, as: Element.self)
            }
        }
    }
}
