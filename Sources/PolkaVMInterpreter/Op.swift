import PolkaVMProgram

/// The operation of a pre-decoded instruction. Most kinds share the raw value of the ``Opcode`` they
/// execute; the extra kinds (4...9, 240...) are interpreter-only: block gas charges, no-ops and the
/// 32-bit-register variants of width-generic instructions.
enum OpKind: UInt8 {
    case trap = 0
    case `fallthrough` = 1
    case memset = 2
    case unlikely = 3
    case ecalli = 10
    case loadImm64 = 20
    case storeImmU8 = 30
    case storeImmU16 = 31
    case storeImmU32 = 32
    case storeImmU64 = 33
    case jump = 40
    case jumpIndirect = 50
    case loadImm = 51
    case loadU8 = 52
    case loadI8 = 53
    case loadU16 = 54
    case loadI16 = 55
    case loadU32 = 56
    case loadI32 = 57
    case loadU64 = 58
    case storeU8 = 59
    case storeU16 = 60
    case storeU32 = 61
    case storeU64 = 62
    case storeImmIndirectU8 = 70
    case storeImmIndirectU16 = 71
    case storeImmIndirectU32 = 72
    case storeImmIndirectU64 = 73
    case loadImmAndJump = 80
    case branchEqImm = 81
    case branchNotEqImm = 82
    case branchLessUnsignedImm = 83
    case branchLessOrEqualUnsignedImm = 84
    case branchGreaterOrEqualUnsignedImm = 85
    case branchGreaterUnsignedImm = 86
    case branchLessSignedImm = 87
    case branchLessOrEqualSignedImm = 88
    case branchGreaterOrEqualSignedImm = 89
    case branchGreaterSignedImm = 90
    case moveReg = 100
    case sbrk = 101
    case countSetBits64 = 102
    case countSetBits32 = 103
    case countLeadingZeroBits64 = 104
    case countLeadingZeroBits32 = 105
    case countTrailingZeroBits64 = 106
    case countTrailingZeroBits32 = 107
    case signExtend8 = 108
    case signExtend16 = 109
    case zeroExtend16 = 110
    case reverseByte = 111
    case storeIndirectU8 = 120
    case storeIndirectU16 = 121
    case storeIndirectU32 = 122
    case storeIndirectU64 = 123
    case loadIndirectU8 = 124
    case loadIndirectI8 = 125
    case loadIndirectU16 = 126
    case loadIndirectI16 = 127
    case loadIndirectU32 = 128
    case loadIndirectI32 = 129
    case loadIndirectU64 = 130
    case addImm32 = 131
    case andImm = 132
    case xorImm = 133
    case orImm = 134
    case mulImm32 = 135
    case setLessThanUnsignedImm = 136
    case setLessThanSignedImm = 137
    case shiftLogicalLeftImm32 = 138
    case shiftLogicalRightImm32 = 139
    case shiftArithmeticRightImm32 = 140
    case negateAndAddImm32 = 141
    case setGreaterThanUnsignedImm = 142
    case setGreaterThanSignedImm = 143
    case shiftLogicalLeftImmAlt32 = 144
    case shiftLogicalRightImmAlt32 = 145
    case shiftArithmeticRightImmAlt32 = 146
    case cmovIfZeroImm = 147
    case cmovIfNotZeroImm = 148
    case addImm64 = 149
    case mulImm64 = 150
    case shiftLogicalLeftImm64 = 151
    case shiftLogicalRightImm64 = 152
    case shiftArithmeticRightImm64 = 153
    case negateAndAddImm64 = 154
    case shiftLogicalLeftImmAlt64 = 155
    case shiftLogicalRightImmAlt64 = 156
    case shiftArithmeticRightImmAlt64 = 157
    case rotateRightImm64 = 158
    case rotateRightImmAlt64 = 159
    case rotateRightImm32 = 160
    case rotateRightImmAlt32 = 161
    case branchEq = 170
    case branchNotEq = 171
    case branchLessUnsigned = 172
    case branchLessSigned = 173
    case branchGreaterOrEqualUnsigned = 174
    case branchGreaterOrEqualSigned = 175
    case loadImmAndJumpIndirect = 180
    case add32 = 190
    case sub32 = 191
    case mul32 = 192
    case divUnsigned32 = 193
    case divSigned32 = 194
    case remUnsigned32 = 195
    case remSigned32 = 196
    case shiftLogicalLeft32 = 197
    case shiftLogicalRight32 = 198
    case shiftArithmeticRight32 = 199
    case add64 = 200
    case sub64 = 201
    case mul64 = 202
    case divUnsigned64 = 203
    case divSigned64 = 204
    case remUnsigned64 = 205
    case remSigned64 = 206
    case shiftLogicalLeft64 = 207
    case shiftLogicalRight64 = 208
    case shiftArithmeticRight64 = 209
    case and = 210
    case xor = 211
    case or = 212
    case mulUpperSignedSigned = 213
    case mulUpperUnsignedUnsigned = 214
    case mulUpperSignedUnsigned = 215
    case setLessThanUnsigned = 216
    case setLessThanSigned = 217
    case cmovIfZero = 218
    case cmovIfNotZero = 219
    case rotateLeft64 = 220
    case rotateLeft32 = 221
    case rotateRight64 = 222
    case rotateRight32 = 223
    case andInverted = 224
    case orInverted = 225
    case xnor = 226
    case maximum = 227
    case maximumUnsigned = 228
    case minimum = 229
    case minimumUnsigned = 230
    /// Charge the block's gas (`target` holds the cost).
    case chargeGas = 4
    /// No effect (kept so that host entry and stepping see the instruction).
    case nop = 5
    /// `mul_upper_signed_signed` with 32-bit registers.
    case mulUpperSignedSigned32 = 240
    /// `mul_upper_unsigned_unsigned` with 32-bit registers.
    case mulUpperUnsignedUnsigned32 = 241
    /// `mul_upper_signed_unsigned` with 32-bit registers.
    case mulUpperSignedUnsigned32 = 242
    /// `reverse_byte` with 32-bit registers.
    case reverseByte32 = 243
    // Fused pairs (threaded dispatch only): an immediate add followed by the branch in the next op,
    // executed by one handler. The branch op itself stays in place for host entry and the trampoline.
    case addImm32ThenBranchEq = 244
    case addImm32ThenBranchNotEq = 245
    case addImm32ThenBranchLessUnsigned = 246
    case addImm32ThenBranchLessSigned = 247
    case addImm32ThenBranchGreaterOrEqualUnsigned = 248
    case addImm32ThenBranchGreaterOrEqualSigned = 249
    case addImm32ThenBranchEqImm = 250
    case addImm32ThenBranchNotEqImm = 251
    case addImm32ThenBranchLessUnsignedImm = 252
    case addImm32ThenBranchLessOrEqualUnsignedImm = 253
    case addImm32ThenBranchGreaterOrEqualUnsignedImm = 254
    case addImm32ThenBranchGreaterUnsignedImm = 255
    case addImm32ThenBranchLessSignedImm = 231
    case addImm32ThenBranchLessOrEqualSignedImm = 232
    case addImm32ThenBranchGreaterOrEqualSignedImm = 233
    case addImm32ThenBranchGreaterSignedImm = 234
    case addImm64ThenBranchEq = 235
    case addImm64ThenBranchNotEq = 236
    case addImm64ThenBranchLessUnsigned = 237
    case addImm64ThenBranchLessSigned = 238
    case addImm64ThenBranchGreaterOrEqualUnsigned = 239
    case addImm64ThenBranchGreaterOrEqualSigned = 181
    case addImm64ThenBranchEqImm = 182
    case addImm64ThenBranchNotEqImm = 183
    case addImm64ThenBranchLessUnsignedImm = 184
    case addImm64ThenBranchLessOrEqualUnsignedImm = 185
    case addImm64ThenBranchGreaterOrEqualUnsignedImm = 186
    case addImm64ThenBranchGreaterUnsignedImm = 187
    case addImm64ThenBranchLessSignedImm = 188
    case addImm64ThenBranchLessOrEqualSignedImm = 189
    case addImm64ThenBranchGreaterOrEqualSignedImm = 176
    case addImm64ThenBranchGreaterSignedImm = 177
}

/// The root of the guest page table (1024 leaf pointers).
typealias PageTableRoot = UnsafeMutablePointer<UnsafeMutablePointer<UInt>?>

/// An instruction handler: executes the op at `ip` and either continues (tail-calling the next op's
/// handler, or returning ``LoopExit/proceed`` to a trampoline) or leaves with another ``LoopExit``.
/// Arguments: the op, the register file, the page-table root, the gas counter and the run context.
typealias Handler = @convention(thin) (UnsafePointer<Op>, UnsafeMutablePointer<UInt64>, PageTableRoot, Int64, UnsafeMutablePointer<RunContext>) -> UInt64

/// Per-run state that handlers reach through a pointer: where execution stands when a handler leaves,
/// and the dynamic jump table.
struct RunContext {
    /// The current op (written when a handler leaves).
    var ip: UnsafePointer<Op>
    /// The gas counter (written when a handler leaves).
    var gas: Int64
    /// Indexed by `dynamic address / 2`: the op of a jump-table entry's block, or nil.
    let dynamic: UnsafePointer<UnsafePointer<Op>?>
    /// The number of slots in `dynamic`.
    let dynamicCount: UInt32
}

/// One pre-decoded instruction: 32 bytes with its handler, operands and resolved branch target.
///
/// Field use: `d` destination register, `a`/`b` source registers (for stores `a` is the value and `b`
/// the base), `imm` the (sign-extended) immediate, `aux` a second value: the target op's address for
/// jumps and branches, the stored value of `store_imm*`, the offset of `load_imm_and_jump_indirect`, or
/// the block cost of `chargeGas`; `pc` the guest code offset reported on interrupts.
struct Op {
    var handler: Handler
    var aux: UInt64
    var imm: UInt64
    var pc: UInt32
    var kind: OpKind
    var d: UInt8
    var a: UInt8
    var b: UInt8
}

/// An op before its handler and target address are known (the compiler's working form).
struct ProtoOp {
    var kind: OpKind
    var d: UInt8
    var a: UInt8
    var b: UInt8
    var pc: UInt32
    /// Target op index (jumps, branches) or block cost (chargeGas).
    var target: UInt32
    var imm: UInt64
    var imm2: UInt64

    init(_ kind: OpKind, pc: UInt32, d: UInt8 = 0, a: UInt8 = 0, b: UInt8 = 0, imm: UInt64 = 0, imm2: UInt64 = 0, target: UInt32 = 0) {
        self.kind = kind
        self.d = d
        self.a = a
        self.b = b
        self.pc = pc
        self.target = target
        self.imm = imm
        self.imm2 = imm2
    }

    /// The fused kind for this op (an immediate add) followed by `branch`, if there is one.
    func fused(with branch: OpKind) -> OpKind? { kind.fused(with: branch) }

    /// Whether `target` is an op index to resolve to an address.
    var hasStaticTarget: Bool {
        switch kind {
        case .jump, .loadImmAndJump, .branchEq, .branchNotEq, .branchLessUnsigned, .branchLessSigned,
             .branchGreaterOrEqualUnsigned, .branchGreaterOrEqualSigned, .branchEqImm, .branchNotEqImm,
             .branchLessUnsignedImm, .branchLessOrEqualUnsignedImm, .branchGreaterOrEqualUnsignedImm,
             .branchGreaterUnsignedImm, .branchLessSignedImm, .branchLessOrEqualSignedImm,
             .branchGreaterOrEqualSignedImm, .branchGreaterSignedImm:
            return true
        default:
            return false
        }
    }
}
