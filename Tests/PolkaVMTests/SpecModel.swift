import PolkaVM

// An independent statement of the register semantics of docs/SPEC.md §5.2, written in plain Swift
// integer arithmetic. Tests run every instruction through the VM and compare with this model.

func rotr32(_ v: UInt32, _ n: UInt32) -> UInt32 { let n = n & 31; return n == 0 ? v : (v >> n) | (v << (32 - n)) }
func rotr64(_ v: UInt64, _ n: UInt64) -> UInt64 { let n = n & 63; return n == 0 ? v : (v >> n) | (v << (64 - n)) }

/// Truncating signed division with the SPEC's special cases (never traps).
func specDiv32(_ a: UInt64, _ b: UInt64, signed: Bool, rem: Bool) -> UInt64 {
    if signed {
        let x = Int32(truncatingIfNeeded: a), y = Int32(truncatingIfNeeded: b)
        if y == 0 { return rem ? UInt64(UInt32(bitPattern: x)) : 0xFFFF_FFFF }
        if x == Int32.min && y == -1 { return rem ? 0 : UInt64(UInt32(bitPattern: x)) }
        return UInt64(UInt32(bitPattern: rem ? x % y : x / y))
    }
    let x = UInt32(truncatingIfNeeded: a), y = UInt32(truncatingIfNeeded: b)
    if y == 0 { return rem ? UInt64(x) : 0xFFFF_FFFF }
    return UInt64(rem ? x % y : x / y)
}

func specDiv64(_ a: UInt64, _ b: UInt64, signed: Bool, rem: Bool) -> UInt64 {
    if signed {
        let x = Int64(bitPattern: a), y = Int64(bitPattern: b)
        if y == 0 { return rem ? a : .max }
        if x == Int64.min && y == -1 { return rem ? 0 : a }
        return UInt64(bitPattern: rem ? x % y : x / y)
    }
    if b == 0 { return rem ? a : .max }
    return rem ? a % b : a / b
}

/// ⌊x · y / 2^W⌋ for the three signedness combinations (x, y already at width W).
func specMulUpper(_ a: UInt64, _ b: UInt64, _ w: Width, aSigned: Bool, bSigned: Bool) -> UInt64 {
    if w.bits == 32 {
        let x: Int64 = aSigned ? Int64(Int32(truncatingIfNeeded: a)) : Int64(UInt32(truncatingIfNeeded: a))
        let y: Int64 = bSigned ? Int64(Int32(truncatingIfNeeded: b)) : Int64(UInt32(truncatingIfNeeded: b))
        // |x·y| < 2^64 but may exceed Int64 only for unsigned×unsigned; handle that with UInt64.
        if !aSigned && !bSigned { return ((a & 0xFFFF_FFFF) &* (b & 0xFFFF_FFFF)) >> 32 }
        return UInt64(bitPattern: (x * y) >> 32) & 0xFFFF_FFFF
    }
    let (uhi, _) = a.multipliedFullWidth(by: b)
    var hi = uhi
    // Signed interpretation: x = a − 2^64·[a<0]; the correction of the high word is −b (resp. −a).
    if aSigned && Int64(bitPattern: a) < 0 { hi &-= b }
    if bSigned && Int64(bitPattern: b) < 0 { hi &-= a }
    return hi
}

enum SpecModel {
    /// The result of a `reg_reg_reg` instruction: rD ← f(rA, rB). `d` is rD's old value (for cmov).
    static func rrr(_ op: Opcode, _ w: Width, a: UInt64, b: UInt64, d: UInt64) -> UInt64? {
        let a32 = UInt32(truncatingIfNeeded: a), b32 = UInt32(truncatingIfNeeded: b)
        let r: UInt64
        switch op {
        case .add32: r = w.x(a &+ b)
        case .sub32: r = w.x(a &- b)
        case .mul32: r = w.x(a &* b)
        case .divUnsigned32: r = w.x(specDiv32(a, b, signed: false, rem: false))
        case .divSigned32: r = w.x(specDiv32(a, b, signed: true, rem: false))
        case .remUnsigned32: r = w.x(specDiv32(a, b, signed: false, rem: true))
        case .remSigned32: r = w.x(specDiv32(a, b, signed: true, rem: true))
        case .shiftLogicalLeft32: r = w.x(UInt64(a32 << (b32 & 31)))
        case .shiftLogicalRight32: r = w.x(UInt64(a32 >> (b32 & 31)))
        case .shiftArithmeticRight32: r = w.x(UInt64(UInt32(bitPattern: Int32(bitPattern: a32) >> (b32 & 31))))
        case .add64: r = a &+ b
        case .sub64: r = a &- b
        case .mul64: r = a &* b
        case .divUnsigned64: r = specDiv64(a, b, signed: false, rem: false)
        case .divSigned64: r = specDiv64(a, b, signed: true, rem: false)
        case .remUnsigned64: r = specDiv64(a, b, signed: false, rem: true)
        case .remSigned64: r = specDiv64(a, b, signed: true, rem: true)
        case .shiftLogicalLeft64: r = a << (b & 63)
        case .shiftLogicalRight64: r = a >> (b & 63)
        case .shiftArithmeticRight64: r = UInt64(bitPattern: Int64(bitPattern: a) >> (b & 63))
        case .and: r = a & b
        case .xor: r = a ^ b
        case .or: r = a | b
        case .mulUpperSignedSigned: r = specMulUpper(a, b, w, aSigned: true, bSigned: true)
        case .mulUpperUnsignedUnsigned: r = specMulUpper(a, b, w, aSigned: false, bSigned: false)
        case .mulUpperSignedUnsigned: r = specMulUpper(a, b, w, aSigned: true, bSigned: false)
        case .setLessThanUnsigned: r = a < b ? 1 : 0
        case .setLessThanSigned: r = w.s(a) < w.s(b) ? 1 : 0
        case .cmovIfZero: r = b == 0 ? a : d
        case .cmovIfNotZero: r = b != 0 ? a : d
        case .rotateLeft64: r = rotr64(a, (64 - (b & 63)) & 63)
        case .rotateLeft32: r = w.x(UInt64(rotr32(a32, (32 - (b32 & 31)) & 31)))
        case .rotateRight64: r = rotr64(a, b)
        case .rotateRight32: r = w.x(UInt64(rotr32(a32, b32)))
        case .andInverted: r = a & ~b
        case .orInverted: r = a | ~b
        case .xnor: r = ~(a ^ b)
        case .maximum: r = w.s(a) >= w.s(b) ? a : b
        case .maximumUnsigned: r = a >= b ? a : b
        case .minimum: r = w.s(a) <= w.s(b) ? a : b
        case .minimumUnsigned: r = a <= b ? a : b
        default: return nil
        }
        return w.reduce(r)
    }

    /// The result of a `reg_reg_imm` ALU instruction: rA ← f(rB, i1). `d` is rA's old value (for cmov).
    static func rri(_ op: Opcode, _ w: Width, b: UInt64, i: Int32, d: UInt64) -> UInt64? {
        let b32 = UInt32(truncatingIfNeeded: b), i32 = UInt32(bitPattern: i), wi = w.w(i)
        let r: UInt64
        switch op {
        case .addImm32: r = w.x(b &+ wi)
        case .andImm: r = b & wi
        case .xorImm: r = b ^ wi
        case .orImm: r = b | wi
        case .mulImm32: r = w.x(b &* wi)
        case .setLessThanUnsignedImm: r = b < wi ? 1 : 0
        case .setLessThanSignedImm: r = w.s(b) < Int64(i) ? 1 : 0
        case .shiftLogicalLeftImm32: r = w.x(UInt64(b32 << (i32 & 31)))
        case .shiftLogicalRightImm32: r = w.x(UInt64(b32 >> (i32 & 31)))
        case .shiftArithmeticRightImm32: r = w.x(UInt64(UInt32(bitPattern: Int32(bitPattern: b32) >> (i32 & 31))))
        case .negateAndAddImm32: r = w.x(wi &- b)
        case .setGreaterThanUnsignedImm: r = b > wi ? 1 : 0
        case .setGreaterThanSignedImm: r = w.s(b) > Int64(i) ? 1 : 0
        case .shiftLogicalLeftImmAlt32: r = w.x(UInt64(i32 << (b32 & 31)))
        case .shiftLogicalRightImmAlt32: r = w.x(UInt64(i32 >> (b32 & 31)))
        case .shiftArithmeticRightImmAlt32: r = w.x(UInt64(UInt32(bitPattern: i >> (b32 & 31))))
        case .cmovIfZeroImm: r = b == 0 ? wi : d
        case .cmovIfNotZeroImm: r = b != 0 ? wi : d
        case .addImm64: r = b &+ wi
        case .mulImm64: r = b &* wi
        case .shiftLogicalLeftImm64: r = b << (UInt64(i32) & 63)
        case .shiftLogicalRightImm64: r = b >> (UInt64(i32) & 63)
        case .shiftArithmeticRightImm64: r = UInt64(bitPattern: Int64(bitPattern: b) >> (UInt64(i32) & 63))
        case .negateAndAddImm64: r = wi &- b
        case .shiftLogicalLeftImmAlt64: r = wi << (b & 63)
        case .shiftLogicalRightImmAlt64: r = wi >> (b & 63)
        case .shiftArithmeticRightImmAlt64: r = UInt64(bitPattern: Int64(i) >> (b & 63))
        case .rotateRightImm64: r = rotr64(b, UInt64(i32))
        case .rotateRightImmAlt64: r = rotr64(wi, b)
        case .rotateRightImm32: r = w.x(UInt64(rotr32(b32, i32)))
        case .rotateRightImmAlt32: r = w.x(UInt64(rotr32(i32, b32)))
        default: return nil
        }
        return w.reduce(r)
    }

    /// The result of a `reg_reg` instruction other than `sbrk`: rA ← f(rB).
    static func rr(_ op: Opcode, _ w: Width, b: UInt64) -> UInt64? {
        let b32 = UInt32(truncatingIfNeeded: b)
        let r: UInt64
        switch op {
        case .moveReg: r = b
        case .countSetBits64: r = UInt64(b.nonzeroBitCount)
        case .countSetBits32: r = UInt64(b32.nonzeroBitCount)
        case .countLeadingZeroBits64: r = UInt64(b.leadingZeroBitCount)
        case .countLeadingZeroBits32: r = UInt64(b32.leadingZeroBitCount)
        case .countTrailingZeroBits64: r = UInt64(b.trailingZeroBitCount)
        case .countTrailingZeroBits32: r = UInt64(b32.trailingZeroBitCount)
        case .signExtend8: r = UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: b)))
        case .signExtend16: r = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: b)))
        case .zeroExtend16: r = b & 0xFFFF
        case .reverseByte: r = w.bits == 64 ? b.byteSwapped : UInt64(b32.byteSwapped)
        default: return nil
        }
        return w.reduce(r)
    }

    /// Whether a branch is taken: `rhs` is rB, or `w(i1)` for the immediate forms.
    static func branchTaken(_ op: Opcode, _ w: Width, lhs: UInt64, rhs: UInt64) -> Bool? {
        switch op {
        case .branchEq, .branchEqImm: return lhs == rhs
        case .branchNotEq, .branchNotEqImm: return lhs != rhs
        case .branchLessUnsigned, .branchLessUnsignedImm: return lhs < rhs
        case .branchLessOrEqualUnsignedImm: return lhs <= rhs
        case .branchGreaterOrEqualUnsigned, .branchGreaterOrEqualUnsignedImm: return lhs >= rhs
        case .branchGreaterUnsignedImm: return lhs > rhs
        case .branchLessSigned, .branchLessSignedImm: return w.s(lhs) < w.s(rhs)
        case .branchLessOrEqualSignedImm: return w.s(lhs) <= w.s(rhs)
        case .branchGreaterOrEqualSigned, .branchGreaterOrEqualSignedImm: return w.s(lhs) >= w.s(rhs)
        case .branchGreaterSignedImm: return w.s(lhs) > w.s(rhs)
        default: return nil
        }
    }
}
