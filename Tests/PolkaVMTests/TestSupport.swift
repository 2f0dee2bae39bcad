import Testing

import PolkaVM

// Shared helpers for the execution spec tests (docs/SPEC.md). Everything here goes through the public API.

let testEngine = Engine()
let allISAs: [InstructionSetKind] = [.reviveV1, .latest32, .latest64, .jamV1]
let isas64: [InstructionSetKind] = [.reviveV1, .latest64, .jamV1]
/// The return-to-host dynamic address (§4.8).
let haltAddress: UInt64 = 0xFFFF_0000

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

// MARK: Instruction shorthands (register fields as `Reg`, immediates as signed 32-bit values)

func imm(_ v: Int64) -> UInt64 { UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v))) }

func rrr(_ op: Opcode, _ d: Reg, _ a: Reg, _ b: Reg) -> Instruction {
    Instruction(op, regA: a.rawValue, regB: b.rawValue, regD: d.rawValue)
}
func rri(_ op: Opcode, _ a: Reg, _ b: Reg, _ i: Int64) -> Instruction {
    Instruction(op, regA: a.rawValue, regB: b.rawValue, imm1: imm(i))
}
func rr(_ op: Opcode, _ a: Reg, _ b: Reg) -> Instruction { Instruction(op, regA: a.rawValue, regB: b.rawValue) }
func ri(_ op: Opcode, _ a: Reg, _ i: Int64) -> Instruction { Instruction(op, regA: a.rawValue, imm1: imm(i)) }
func rii(_ op: Opcode, _ a: Reg, _ i1: Int64, _ i2: Int64) -> Instruction {
    Instruction(op, regA: a.rawValue, imm1: imm(i1), imm2: imm(i2))
}
func ii(_ op: Opcode, _ i1: Int64, _ i2: Int64) -> Instruction { Instruction(op, imm1: imm(i1), imm2: imm(i2)) }
func loadImm(_ r: Reg, _ v: Int64) -> Instruction { ri(.loadImm, r, v) }
func loadImm64(_ r: Reg, _ v: UInt64) -> Instruction { Instruction(.loadImm64, regA: r.rawValue, imm1: v) }
/// `jump_indirect ra, 0` — returns to the host when ra = 0xFFFF0000.
let ret = Instruction(.jumpIndirect, regA: Reg.ra.rawValue)
let trap = Instruction(.trap)
let fallthroughInst = Instruction(.fallthrough)
func ecalli(_ n: Int64) -> Instruction { Instruction(.ecalli, imm1: imm(n)) }
/// An instruction with a static target; pass the target separately to ``code(_:isa:jumpTable:)`` as `(inst, .instruction(k))`.
func jumpInst() -> Instruction { Instruction(.jump) }

// MARK: Building code

/// Lays out instructions (targets given as `LayoutTarget`s, index-based) into code.
func code(
    _ items: [(Instruction, LayoutTarget?)], isa: InstructionSetKind, jumpTable: [LayoutTarget] = []
) throws -> (code: ProgramCode, offsets: [UInt32]) {
    let layout = try InstructionEncoder.layout(items.map(\.0), targets: items.map(\.1), isa: isa)
    return (layout.programCode(jumpTable: jumpTable.map { layout.pc(of: $0) }), layout.offsets)
}

/// Lays out instructions without targets.
func code(_ insts: [Instruction], isa: InstructionSetKind) throws -> (code: ProgramCode, offsets: [UInt32]) {
    try code(insts.map { ($0, nil) }, isa: isa)
}

/// Raw code with instruction starts given explicitly (for hand-made, non-canonical encodings).
func rawCode(_ bytes: [UInt8], starts: [Int], isa: InstructionSetKind, jumpTable: [UInt32] = []) -> ProgramCode {
    ProgramCode(uncheckedCode: bytes, bitmask: ProgramCode.bitmask(codeLength: bytes.count, starts: starts), jumpTable: jumpTable, isa: isa)
}

/// The ISA's byte for `op` (the test fails when absent).
func byte(_ op: Opcode, _ isa: InstructionSetKind) -> UInt8 {
    guard let b = isa.byte(for: op) else {
        Issue.record("\(isa) lacks \(op)")
        return 0
    }
    return b
}

func config(
    gas: Bool = false, cost: GasCostModel = .simple, semantics: ExecutionSemantics = .polkavm,
    paging: Bool = true, step: Bool = false, pageSize: UInt32 = 0x1000
) -> ModuleConfiguration {
    ModuleConfiguration(
        gasMetering: gas ? .sync : .none, costModel: cost, semantics: semantics, pageSize: pageSize,
        dynamicPaging: paging, stepTracing: step)
}

/// A fresh instance of bare code (paged memory), ra = return-to-host, next pc = `pc`.
func instance(_ code: ProgramCode, _ configuration: ModuleConfiguration = config(), pc: UInt32 = 0, gas: Int64 = 0) throws -> Instance {
    let module = try Module(engine: testEngine, code: code, configuration: configuration)
    let inst = module.instantiate()
    inst.setRegister(.ra, haltAddress)
    inst.gas = gas
    inst.setNextProgramCounter(pc)
    return inst
}

/// A fresh instance of a container blob (static memory by default) prepared like an export call at `pc`.
func instance(blob: ProgramBlob, _ configuration: ModuleConfiguration = config(paging: false), pc: UInt32 = 0, gas: Int64 = 0) throws -> Instance {
    let module = try Module(engine: testEngine, bytes: blob.serialized(), configuration: configuration)
    let inst = module.instantiate()
    try inst.prepareCall(pc: pc, arguments: [])
    inst.gas = gas
    return inst
}

extension Instance {
    subscript(_ r: Reg) -> UInt64 {
        get { register(r) }
        set { setRegister(r, newValue) }
    }

    /// Restarts at `pc` (a host entry) and runs.
    func run(from pc: UInt32) -> Interrupt {
        setNextProgramCounter(pc)
        return run()
    }
}

// MARK: Register-width helpers used by the reference model

struct Width {
    let bits: Int
    init(_ isa: InstructionSetKind) { bits = isa.is64Bit ? 64 : 32 }
    var mask: UInt64 { bits == 64 ? .max : 0xFFFF_FFFF }
    /// `X(v)`: a 32-bit result stored at width W (sign-extended in 64-bit ISAs).
    func x(_ v: UInt64) -> UInt64 { UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v))) & mask }
    /// `s(v)`: the register value as a signed integer.
    func s(_ v: UInt64) -> Int64 { bits == 64 ? Int64(bitPattern: v) : Int64(Int32(truncatingIfNeeded: v)) }
    /// `w(i)`: a signed immediate as a register-width pattern.
    func w(_ i: Int32) -> UInt64 { UInt64(bitPattern: Int64(i)) & mask }
    func reduce(_ v: UInt64) -> UInt64 { v & mask }
}

func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

/// Register operand values that hit the usual boundaries.
let boundaryValues: [UInt64] = [
    0, 1, 2, 3, 7, 31, 32, 33, 63, 64, 65, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
    0x1_0000_0001, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFE,
    0xFFFF_FFFF_8000_0000, 0x1234_5678_9ABC_DEF0, 0xFFFF_FFFF_FFFF_FF80,
]

/// Immediate operand values (signed 32-bit) that hit the usual boundaries.
let boundaryImmediates: [Int32] = [0, 1, -1, 2, 31, 32, 33, 63, 64, 65, 0x7F, 0x80, -0x80, -0x81, 0x7FFF, 0xFFFF, 0x12_3456, Int32.max, Int32.min, -2]

/// The boundary values as the registers of `isa` hold them (deduplicated).
func operands(for isa: InstructionSetKind) -> [UInt64] {
    let w = Width(isa)
    var seen = Set<UInt64>()
    return boundaryValues.map(w.reduce).filter { seen.insert($0).inserted }
}
