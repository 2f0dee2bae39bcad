import PolkaVMProgram

/// Compile-time switch for step tracing, so the normal loop carries no per-instruction check.
@usableFromInline protocol StepMode { static var isStepping: Bool { get } }
@usableFromInline enum Stepping: StepMode { @inlinable static var isStepping: Bool { true } }
@usableFromInline enum NotStepping: StepMode { @inlinable static var isStepping: Bool { false } }

@inline(__always) private func sx32(_ v: UInt64) -> UInt64 {
    UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v)))
}
@inline(__always) private func sx32(_ v: UInt32) -> UInt64 {
    UInt64(bitPattern: Int64(Int32(bitPattern: v)))
}
@inline(__always) private func lo32(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v) }
@inline(__always) private func signed(_ v: UInt64) -> Int64 { Int64(bitPattern: v) }
@inline(__always) private func bool(_ b: Bool) -> UInt64 { b ? 1 : 0 }

@inline(__always) private func divU32(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let x = lo32(a), y = lo32(b)
    return y == 0 ? UInt64.max : sx32(x / y)
}
@inline(__always) private func divS32(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let x = Int32(truncatingIfNeeded: a), y = Int32(truncatingIfNeeded: b)
    if y == 0 { return UInt64.max }
    if x == Int32.min && y == -1 { return sx32(UInt32(bitPattern: x)) }
    return sx32(UInt32(bitPattern: x / y))
}
@inline(__always) private func remU32(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let x = lo32(a), y = lo32(b)
    return y == 0 ? sx32(x) : sx32(x % y)
}
@inline(__always) private func remS32(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let x = Int32(truncatingIfNeeded: a), y = Int32(truncatingIfNeeded: b)
    if y == 0 { return sx32(UInt32(bitPattern: x)) }
    if x == Int32.min && y == -1 { return 0 }
    return sx32(UInt32(bitPattern: x % y))
}
@inline(__always) private func divS64(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let x = signed(a), y = signed(b)
    if y == 0 { return UInt64.max }
    if x == Int64.min && y == -1 { return a }
    return UInt64(bitPattern: x / y)
}
@inline(__always) private func remS64(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let x = signed(a), y = signed(b)
    if y == 0 { return a }
    if x == Int64.min && y == -1 { return 0 }
    return UInt64(bitPattern: x % y)
}
@inline(__always) private func rotr32(_ v: UInt32, _ n: UInt32) -> UInt32 { (v &>> n) | (v &<< (32 &- n)) }
@inline(__always) private func rotr64(_ v: UInt64, _ n: UInt64) -> UInt64 { (v &>> n) | (v &<< (64 &- n)) }
@inline(__always) private func mulUpperSU64(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let high = a.multipliedFullWidth(by: b).high
    return signed(a) < 0 ? high &- b : high
}

extension InterpreterInstance {
    /// The execution loop: one `switch` over pre-decoded ops with registers, memory and gas behind
    /// unsafe pointers and locals. It returns only for interrupts and rare slow paths; `index` then names
    /// the op concerned.
    @inline(never)
    func execute<Mode: StepMode>(_: Mode.Type) -> LoopExit {
        let ops = UnsafePointer(program.ops)
        let regs = registers
        let mem = memory.table
        let dyn = UnsafePointer(program.dynamicTargets)
        let dynCount = UInt32(program.dynamicTargetCount)
        var i = index
        var g = gas
        var armed = stepArmed
        defer {
            index = i
            gas = g
            stepArmed = armed
        }
        while true {
            let op = ops[i]
            if Mode.isStepping {
                if armed { armed = false } else { armed = true; return .step }
            }
            switch op.kind {
            // MARK: control
            case .chargeGas:
                let cost = Int64(op.target)
                if _slowPath(g < cost) { armed = false; return .outOfGas }
                g &-= cost
                if Mode.isStepping { armed = true }
                i &+= 1
            case .trap:
                return .trap
            case .nop, .fallthrough, .unlikely:
                i &+= 1
            case .ecalli:
                return .ecalli
            case .jump:
                i = Int(op.target)
            case .jumpIndirect:
                let address = lo32(regs[Int(op.a)] &+ op.imm)
                if address == ProgramCode.returnToHostAddress { return .halt }
                let slot = address &>> 1
                guard address & 1 == 0, slot < dynCount else { return .trap }
                let t = dyn[Int(slot)]
                guard t >= 0 else { return .trap }
                i = Int(t)
            case .loadImmAndJump:
                regs[Int(op.d)] = op.imm
                i = Int(op.target)
            case .loadImmAndJumpIndirect:
                let address = lo32(regs[Int(op.a)] &+ op.imm2)
                regs[Int(op.d)] = op.imm
                if address == ProgramCode.returnToHostAddress { return .halt }
                let slot = address &>> 1
                guard address & 1 == 0, slot < dynCount else { return .trap }
                let t = dyn[Int(slot)]
                guard t >= 0 else { return .trap }
                i = Int(t)
            case .memset:
                return .memset
            case .sbrk:
                return .sbrk

            // MARK: branches
            case .branchEq:
                if regs[Int(op.a)] == regs[Int(op.b)] { i = Int(op.target) } else { i &+= 1 }
            case .branchNotEq:
                if regs[Int(op.a)] != regs[Int(op.b)] { i = Int(op.target) } else { i &+= 1 }
            case .branchLessUnsigned:
                if regs[Int(op.a)] < regs[Int(op.b)] { i = Int(op.target) } else { i &+= 1 }
            case .branchLessSigned:
                if signed(regs[Int(op.a)]) < signed(regs[Int(op.b)]) { i = Int(op.target) } else { i &+= 1 }
            case .branchGreaterOrEqualUnsigned:
                if regs[Int(op.a)] >= regs[Int(op.b)] { i = Int(op.target) } else { i &+= 1 }
            case .branchGreaterOrEqualSigned:
                if signed(regs[Int(op.a)]) >= signed(regs[Int(op.b)]) { i = Int(op.target) } else { i &+= 1 }
            case .branchEqImm:
                if regs[Int(op.a)] == op.imm { i = Int(op.target) } else { i &+= 1 }
            case .branchNotEqImm:
                if regs[Int(op.a)] != op.imm { i = Int(op.target) } else { i &+= 1 }
            case .branchLessUnsignedImm:
                if regs[Int(op.a)] < op.imm { i = Int(op.target) } else { i &+= 1 }
            case .branchLessOrEqualUnsignedImm:
                if regs[Int(op.a)] <= op.imm { i = Int(op.target) } else { i &+= 1 }
            case .branchGreaterOrEqualUnsignedImm:
                if regs[Int(op.a)] >= op.imm { i = Int(op.target) } else { i &+= 1 }
            case .branchGreaterUnsignedImm:
                if regs[Int(op.a)] > op.imm { i = Int(op.target) } else { i &+= 1 }
            case .branchLessSignedImm:
                if signed(regs[Int(op.a)]) < signed(op.imm) { i = Int(op.target) } else { i &+= 1 }
            case .branchLessOrEqualSignedImm:
                if signed(regs[Int(op.a)]) <= signed(op.imm) { i = Int(op.target) } else { i &+= 1 }
            case .branchGreaterOrEqualSignedImm:
                if signed(regs[Int(op.a)]) >= signed(op.imm) { i = Int(op.target) } else { i &+= 1 }
            case .branchGreaterSignedImm:
                if signed(regs[Int(op.a)]) > signed(op.imm) { i = Int(op.target) } else { i &+= 1 }

            // MARK: loads (absolute address)
            case .loadU8:
                guard let p = mem.readPointer(lo32(op.imm), 1) else { return .memory }
                regs[Int(op.d)] = UInt64(p.load(as: UInt8.self)); i &+= 1
            case .loadI8:
                guard let p = mem.readPointer(lo32(op.imm), 1) else { return .memory }
                regs[Int(op.d)] = UInt64(bitPattern: Int64(p.load(as: Int8.self))); i &+= 1
            case .loadU16:
                guard let p = mem.readPointer(lo32(op.imm), 2) else { return .memory }
                regs[Int(op.d)] = UInt64(p.loadUnaligned(as: UInt16.self)); i &+= 1
            case .loadI16:
                guard let p = mem.readPointer(lo32(op.imm), 2) else { return .memory }
                regs[Int(op.d)] = UInt64(bitPattern: Int64(p.loadUnaligned(as: Int16.self))); i &+= 1
            case .loadU32:
                guard let p = mem.readPointer(lo32(op.imm), 4) else { return .memory }
                regs[Int(op.d)] = UInt64(p.loadUnaligned(as: UInt32.self)); i &+= 1
            case .loadI32:
                guard let p = mem.readPointer(lo32(op.imm), 4) else { return .memory }
                regs[Int(op.d)] = UInt64(bitPattern: Int64(p.loadUnaligned(as: Int32.self))); i &+= 1
            case .loadU64:
                guard let p = mem.readPointer(lo32(op.imm), 8) else { return .memory }
                regs[Int(op.d)] = p.loadUnaligned(as: UInt64.self); i &+= 1

            // MARK: loads (base register + offset)
            case .loadIndirectU8:
                guard let p = mem.readPointer(lo32(regs[Int(op.a)] &+ op.imm), 1) else { return .memory }
                regs[Int(op.d)] = UInt64(p.load(as: UInt8.self)); i &+= 1
            case .loadIndirectI8:
                guard let p = mem.readPointer(lo32(regs[Int(op.a)] &+ op.imm), 1) else { return .memory }
                regs[Int(op.d)] = UInt64(bitPattern: Int64(p.load(as: Int8.self))); i &+= 1
            case .loadIndirectU16:
                guard let p = mem.readPointer(lo32(regs[Int(op.a)] &+ op.imm), 2) else { return .memory }
                regs[Int(op.d)] = UInt64(p.loadUnaligned(as: UInt16.self)); i &+= 1
            case .loadIndirectI16:
                guard let p = mem.readPointer(lo32(regs[Int(op.a)] &+ op.imm), 2) else { return .memory }
                regs[Int(op.d)] = UInt64(bitPattern: Int64(p.loadUnaligned(as: Int16.self))); i &+= 1
            case .loadIndirectU32:
                guard let p = mem.readPointer(lo32(regs[Int(op.a)] &+ op.imm), 4) else { return .memory }
                regs[Int(op.d)] = UInt64(p.loadUnaligned(as: UInt32.self)); i &+= 1
            case .loadIndirectI32:
                guard let p = mem.readPointer(lo32(regs[Int(op.a)] &+ op.imm), 4) else { return .memory }
                regs[Int(op.d)] = UInt64(bitPattern: Int64(p.loadUnaligned(as: Int32.self))); i &+= 1
            case .loadIndirectU64:
                guard let p = mem.readPointer(lo32(regs[Int(op.a)] &+ op.imm), 8) else { return .memory }
                regs[Int(op.d)] = p.loadUnaligned(as: UInt64.self); i &+= 1

            // MARK: stores
            case .storeU8:
                guard let p = mem.writePointer(lo32(op.imm), 1) else { return .memory }
                p.storeBytes(of: UInt8(truncatingIfNeeded: regs[Int(op.a)]), as: UInt8.self); i &+= 1
            case .storeU16:
                guard let p = mem.writePointer(lo32(op.imm), 2) else { return .memory }
                p.storeBytes(of: UInt16(truncatingIfNeeded: regs[Int(op.a)]), toByteOffset: 0, as: UInt16.self); i &+= 1
            case .storeU32:
                guard let p = mem.writePointer(lo32(op.imm), 4) else { return .memory }
                p.storeBytes(of: UInt32(truncatingIfNeeded: regs[Int(op.a)]), toByteOffset: 0, as: UInt32.self); i &+= 1
            case .storeU64:
                guard let p = mem.writePointer(lo32(op.imm), 8) else { return .memory }
                p.storeBytes(of: regs[Int(op.a)], toByteOffset: 0, as: UInt64.self); i &+= 1
            case .storeImmU8:
                guard let p = mem.writePointer(lo32(op.imm), 1) else { return .memory }
                p.storeBytes(of: UInt8(truncatingIfNeeded: op.imm2), as: UInt8.self); i &+= 1
            case .storeImmU16:
                guard let p = mem.writePointer(lo32(op.imm), 2) else { return .memory }
                p.storeBytes(of: UInt16(truncatingIfNeeded: op.imm2), toByteOffset: 0, as: UInt16.self); i &+= 1
            case .storeImmU32:
                guard let p = mem.writePointer(lo32(op.imm), 4) else { return .memory }
                p.storeBytes(of: UInt32(truncatingIfNeeded: op.imm2), toByteOffset: 0, as: UInt32.self); i &+= 1
            case .storeImmU64:
                guard let p = mem.writePointer(lo32(op.imm), 8) else { return .memory }
                p.storeBytes(of: op.imm2, toByteOffset: 0, as: UInt64.self); i &+= 1
            case .storeImmIndirectU8:
                guard let p = mem.writePointer(lo32(regs[Int(op.b)] &+ op.imm), 1) else { return .memory }
                p.storeBytes(of: UInt8(truncatingIfNeeded: op.imm2), as: UInt8.self); i &+= 1
            case .storeImmIndirectU16:
                guard let p = mem.writePointer(lo32(regs[Int(op.b)] &+ op.imm), 2) else { return .memory }
                p.storeBytes(of: UInt16(truncatingIfNeeded: op.imm2), toByteOffset: 0, as: UInt16.self); i &+= 1
            case .storeImmIndirectU32:
                guard let p = mem.writePointer(lo32(regs[Int(op.b)] &+ op.imm), 4) else { return .memory }
                p.storeBytes(of: UInt32(truncatingIfNeeded: op.imm2), toByteOffset: 0, as: UInt32.self); i &+= 1
            case .storeImmIndirectU64:
                guard let p = mem.writePointer(lo32(regs[Int(op.b)] &+ op.imm), 8) else { return .memory }
                p.storeBytes(of: op.imm2, toByteOffset: 0, as: UInt64.self); i &+= 1
            case .storeIndirectU8:
                guard let p = mem.writePointer(lo32(regs[Int(op.b)] &+ op.imm), 1) else { return .memory }
                p.storeBytes(of: UInt8(truncatingIfNeeded: regs[Int(op.a)]), as: UInt8.self); i &+= 1
            case .storeIndirectU16:
                guard let p = mem.writePointer(lo32(regs[Int(op.b)] &+ op.imm), 2) else { return .memory }
                p.storeBytes(of: UInt16(truncatingIfNeeded: regs[Int(op.a)]), toByteOffset: 0, as: UInt16.self); i &+= 1
            case .storeIndirectU32:
                guard let p = mem.writePointer(lo32(regs[Int(op.b)] &+ op.imm), 4) else { return .memory }
                p.storeBytes(of: UInt32(truncatingIfNeeded: regs[Int(op.a)]), toByteOffset: 0, as: UInt32.self); i &+= 1
            case .storeIndirectU64:
                guard let p = mem.writePointer(lo32(regs[Int(op.b)] &+ op.imm), 8) else { return .memory }
                p.storeBytes(of: regs[Int(op.a)], toByteOffset: 0, as: UInt64.self); i &+= 1

            // MARK: immediates and moves
            case .loadImm, .loadImm64:
                regs[Int(op.d)] = op.imm; i &+= 1
            case .moveReg:
                regs[Int(op.d)] = regs[Int(op.a)]; i &+= 1

            // MARK: two-register operations
            case .countSetBits64:
                regs[Int(op.d)] = UInt64(regs[Int(op.a)].nonzeroBitCount); i &+= 1
            case .countSetBits32:
                regs[Int(op.d)] = UInt64(lo32(regs[Int(op.a)]).nonzeroBitCount); i &+= 1
            case .countLeadingZeroBits64:
                regs[Int(op.d)] = UInt64(regs[Int(op.a)].leadingZeroBitCount); i &+= 1
            case .countLeadingZeroBits32:
                regs[Int(op.d)] = UInt64(lo32(regs[Int(op.a)]).leadingZeroBitCount); i &+= 1
            case .countTrailingZeroBits64:
                regs[Int(op.d)] = UInt64(regs[Int(op.a)].trailingZeroBitCount); i &+= 1
            case .countTrailingZeroBits32:
                regs[Int(op.d)] = UInt64(lo32(regs[Int(op.a)]).trailingZeroBitCount); i &+= 1
            case .signExtend8:
                regs[Int(op.d)] = UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: regs[Int(op.a)]))); i &+= 1
            case .signExtend16:
                regs[Int(op.d)] = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: regs[Int(op.a)]))); i &+= 1
            case .zeroExtend16:
                regs[Int(op.d)] = regs[Int(op.a)] & 0xFFFF; i &+= 1
            case .reverseByte:
                regs[Int(op.d)] = regs[Int(op.a)].byteSwapped; i &+= 1
            case .reverseByte32:
                regs[Int(op.d)] = sx32(lo32(regs[Int(op.a)]).byteSwapped); i &+= 1

            // MARK: register-immediate operations
            case .addImm32:
                regs[Int(op.d)] = sx32(regs[Int(op.a)] &+ op.imm); i &+= 1
            case .addImm64:
                regs[Int(op.d)] = regs[Int(op.a)] &+ op.imm; i &+= 1
            case .andImm:
                regs[Int(op.d)] = regs[Int(op.a)] & op.imm; i &+= 1
            case .xorImm:
                regs[Int(op.d)] = regs[Int(op.a)] ^ op.imm; i &+= 1
            case .orImm:
                regs[Int(op.d)] = regs[Int(op.a)] | op.imm; i &+= 1
            case .mulImm32:
                regs[Int(op.d)] = sx32(regs[Int(op.a)] &* op.imm); i &+= 1
            case .mulImm64:
                regs[Int(op.d)] = regs[Int(op.a)] &* op.imm; i &+= 1
            case .setLessThanUnsignedImm:
                regs[Int(op.d)] = bool(regs[Int(op.a)] < op.imm); i &+= 1
            case .setLessThanSignedImm:
                regs[Int(op.d)] = bool(signed(regs[Int(op.a)]) < signed(op.imm)); i &+= 1
            case .setGreaterThanUnsignedImm:
                regs[Int(op.d)] = bool(regs[Int(op.a)] > op.imm); i &+= 1
            case .setGreaterThanSignedImm:
                regs[Int(op.d)] = bool(signed(regs[Int(op.a)]) > signed(op.imm)); i &+= 1
            case .shiftLogicalLeftImm32:
                regs[Int(op.d)] = sx32(lo32(regs[Int(op.a)]) &<< lo32(op.imm)); i &+= 1
            case .shiftLogicalRightImm32:
                regs[Int(op.d)] = sx32(lo32(regs[Int(op.a)]) &>> lo32(op.imm)); i &+= 1
            case .shiftArithmeticRightImm32:
                regs[Int(op.d)] = sx32(UInt32(bitPattern: Int32(truncatingIfNeeded: regs[Int(op.a)]) &>> Int32(truncatingIfNeeded: op.imm))); i &+= 1
            case .shiftLogicalLeftImm64:
                regs[Int(op.d)] = regs[Int(op.a)] &<< op.imm; i &+= 1
            case .shiftLogicalRightImm64:
                regs[Int(op.d)] = regs[Int(op.a)] &>> op.imm; i &+= 1
            case .shiftArithmeticRightImm64:
                regs[Int(op.d)] = UInt64(bitPattern: signed(regs[Int(op.a)]) &>> signed(op.imm)); i &+= 1
            case .negateAndAddImm32:
                regs[Int(op.d)] = sx32(op.imm &- regs[Int(op.a)]); i &+= 1
            case .negateAndAddImm64:
                regs[Int(op.d)] = op.imm &- regs[Int(op.a)]; i &+= 1
            case .shiftLogicalLeftImmAlt32:
                regs[Int(op.d)] = sx32(lo32(op.imm) &<< lo32(regs[Int(op.a)])); i &+= 1
            case .shiftLogicalRightImmAlt32:
                regs[Int(op.d)] = sx32(lo32(op.imm) &>> lo32(regs[Int(op.a)])); i &+= 1
            case .shiftArithmeticRightImmAlt32:
                regs[Int(op.d)] = sx32(UInt32(bitPattern: Int32(truncatingIfNeeded: op.imm) &>> Int32(truncatingIfNeeded: regs[Int(op.a)]))); i &+= 1
            case .shiftLogicalLeftImmAlt64:
                regs[Int(op.d)] = op.imm &<< regs[Int(op.a)]; i &+= 1
            case .shiftLogicalRightImmAlt64:
                regs[Int(op.d)] = op.imm &>> regs[Int(op.a)]; i &+= 1
            case .shiftArithmeticRightImmAlt64:
                regs[Int(op.d)] = UInt64(bitPattern: signed(op.imm) &>> signed(regs[Int(op.a)])); i &+= 1
            case .cmovIfZeroImm:
                if regs[Int(op.a)] == 0 { regs[Int(op.d)] = op.imm }; i &+= 1
            case .cmovIfNotZeroImm:
                if regs[Int(op.a)] != 0 { regs[Int(op.d)] = op.imm }; i &+= 1
            case .rotateRightImm64:
                regs[Int(op.d)] = rotr64(regs[Int(op.a)], op.imm); i &+= 1
            case .rotateRightImmAlt64:
                regs[Int(op.d)] = rotr64(op.imm, regs[Int(op.a)]); i &+= 1
            case .rotateRightImm32:
                regs[Int(op.d)] = sx32(rotr32(lo32(regs[Int(op.a)]), lo32(op.imm))); i &+= 1
            case .rotateRightImmAlt32:
                regs[Int(op.d)] = sx32(rotr32(lo32(op.imm), lo32(regs[Int(op.a)]))); i &+= 1

            // MARK: three-register operations
            case .add32:
                regs[Int(op.d)] = sx32(regs[Int(op.a)] &+ regs[Int(op.b)]); i &+= 1
            case .sub32:
                regs[Int(op.d)] = sx32(regs[Int(op.a)] &- regs[Int(op.b)]); i &+= 1
            case .mul32:
                regs[Int(op.d)] = sx32(regs[Int(op.a)] &* regs[Int(op.b)]); i &+= 1
            case .divUnsigned32:
                regs[Int(op.d)] = divU32(regs[Int(op.a)], regs[Int(op.b)]); i &+= 1
            case .divSigned32:
                regs[Int(op.d)] = divS32(regs[Int(op.a)], regs[Int(op.b)]); i &+= 1
            case .remUnsigned32:
                regs[Int(op.d)] = remU32(regs[Int(op.a)], regs[Int(op.b)]); i &+= 1
            case .remSigned32:
                regs[Int(op.d)] = remS32(regs[Int(op.a)], regs[Int(op.b)]); i &+= 1
            case .shiftLogicalLeft32:
                regs[Int(op.d)] = sx32(lo32(regs[Int(op.a)]) &<< lo32(regs[Int(op.b)])); i &+= 1
            case .shiftLogicalRight32:
                regs[Int(op.d)] = sx32(lo32(regs[Int(op.a)]) &>> lo32(regs[Int(op.b)])); i &+= 1
            case .shiftArithmeticRight32:
                regs[Int(op.d)] = sx32(UInt32(bitPattern: Int32(truncatingIfNeeded: regs[Int(op.a)]) &>> Int32(truncatingIfNeeded: regs[Int(op.b)]))); i &+= 1
            case .add64:
                regs[Int(op.d)] = regs[Int(op.a)] &+ regs[Int(op.b)]; i &+= 1
            case .sub64:
                regs[Int(op.d)] = regs[Int(op.a)] &- regs[Int(op.b)]; i &+= 1
            case .mul64:
                regs[Int(op.d)] = regs[Int(op.a)] &* regs[Int(op.b)]; i &+= 1
            case .divUnsigned64:
                let y = regs[Int(op.b)]
                regs[Int(op.d)] = y == 0 ? UInt64.max : regs[Int(op.a)] / y; i &+= 1
            case .divSigned64:
                regs[Int(op.d)] = divS64(regs[Int(op.a)], regs[Int(op.b)]); i &+= 1
            case .remUnsigned64:
                let y = regs[Int(op.b)]
                regs[Int(op.d)] = y == 0 ? regs[Int(op.a)] : regs[Int(op.a)] % y; i &+= 1
            case .remSigned64:
                regs[Int(op.d)] = remS64(regs[Int(op.a)], regs[Int(op.b)]); i &+= 1
            case .shiftLogicalLeft64:
                regs[Int(op.d)] = regs[Int(op.a)] &<< regs[Int(op.b)]; i &+= 1
            case .shiftLogicalRight64:
                regs[Int(op.d)] = regs[Int(op.a)] &>> regs[Int(op.b)]; i &+= 1
            case .shiftArithmeticRight64:
                regs[Int(op.d)] = UInt64(bitPattern: signed(regs[Int(op.a)]) &>> signed(regs[Int(op.b)])); i &+= 1
            case .and:
                regs[Int(op.d)] = regs[Int(op.a)] & regs[Int(op.b)]; i &+= 1
            case .xor:
                regs[Int(op.d)] = regs[Int(op.a)] ^ regs[Int(op.b)]; i &+= 1
            case .or:
                regs[Int(op.d)] = regs[Int(op.a)] | regs[Int(op.b)]; i &+= 1
            case .mulUpperSignedSigned:
                regs[Int(op.d)] = UInt64(bitPattern: signed(regs[Int(op.a)]).multipliedFullWidth(by: signed(regs[Int(op.b)])).high); i &+= 1
            case .mulUpperUnsignedUnsigned:
                regs[Int(op.d)] = regs[Int(op.a)].multipliedFullWidth(by: regs[Int(op.b)]).high; i &+= 1
            case .mulUpperSignedUnsigned:
                regs[Int(op.d)] = mulUpperSU64(regs[Int(op.a)], regs[Int(op.b)]); i &+= 1
            case .mulUpperSignedSigned32:
                let p = Int64(Int32(truncatingIfNeeded: regs[Int(op.a)])) &* Int64(Int32(truncatingIfNeeded: regs[Int(op.b)]))
                regs[Int(op.d)] = sx32(UInt64(bitPattern: p &>> 32)); i &+= 1
            case .mulUpperUnsignedUnsigned32:
                let p = UInt64(lo32(regs[Int(op.a)])) &* UInt64(lo32(regs[Int(op.b)]))
                regs[Int(op.d)] = sx32(p &>> 32); i &+= 1
            case .mulUpperSignedUnsigned32:
                let p = Int64(Int32(truncatingIfNeeded: regs[Int(op.a)])) &* Int64(lo32(regs[Int(op.b)]))
                regs[Int(op.d)] = sx32(UInt64(bitPattern: p &>> 32)); i &+= 1
            case .setLessThanUnsigned:
                regs[Int(op.d)] = bool(regs[Int(op.a)] < regs[Int(op.b)]); i &+= 1
            case .setLessThanSigned:
                regs[Int(op.d)] = bool(signed(regs[Int(op.a)]) < signed(regs[Int(op.b)])); i &+= 1
            case .cmovIfZero:
                if regs[Int(op.b)] == 0 { regs[Int(op.d)] = regs[Int(op.a)] }; i &+= 1
            case .cmovIfNotZero:
                if regs[Int(op.b)] != 0 { regs[Int(op.d)] = regs[Int(op.a)] }; i &+= 1
            case .rotateLeft64:
                regs[Int(op.d)] = rotr64(regs[Int(op.a)], 64 &- (regs[Int(op.b)] & 63)); i &+= 1
            case .rotateLeft32:
                regs[Int(op.d)] = sx32(rotr32(lo32(regs[Int(op.a)]), 32 &- (lo32(regs[Int(op.b)]) & 31))); i &+= 1
            case .rotateRight64:
                regs[Int(op.d)] = rotr64(regs[Int(op.a)], regs[Int(op.b)]); i &+= 1
            case .rotateRight32:
                regs[Int(op.d)] = sx32(rotr32(lo32(regs[Int(op.a)]), lo32(regs[Int(op.b)]))); i &+= 1
            case .andInverted:
                regs[Int(op.d)] = regs[Int(op.a)] & ~regs[Int(op.b)]; i &+= 1
            case .orInverted:
                regs[Int(op.d)] = regs[Int(op.a)] | ~regs[Int(op.b)]; i &+= 1
            case .xnor:
                regs[Int(op.d)] = ~(regs[Int(op.a)] ^ regs[Int(op.b)]); i &+= 1
            case .maximum:
                regs[Int(op.d)] = UInt64(bitPattern: Swift.max(signed(regs[Int(op.a)]), signed(regs[Int(op.b)]))); i &+= 1
            case .maximumUnsigned:
                regs[Int(op.d)] = Swift.max(regs[Int(op.a)], regs[Int(op.b)]); i &+= 1
            case .minimum:
                regs[Int(op.d)] = UInt64(bitPattern: Swift.min(signed(regs[Int(op.a)]), signed(regs[Int(op.b)]))); i &+= 1
            case .minimumUnsigned:
                regs[Int(op.d)] = Swift.min(regs[Int(op.a)], regs[Int(op.b)]); i &+= 1
            }
        }
    }
}
