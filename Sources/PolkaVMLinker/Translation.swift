import PolkaVMProgram

/// Translates RISC-V basic blocks into PolkaVM instructions (docs/LINKER.md, "Translation").
struct Translator {
    let program: InputProgram
    let code: CodeBlocks
    let isa: InstructionSetKind
    var rv64: Bool { program.is64Bit }
    var pointerSize: Int { rv64 ? 8 : 4 }

    // Per-instruction state.
    var out = IRBlock()
    var section = 0
    var offset = 0

    init(program: InputProgram, code: CodeBlocks, isa: InstructionSetKind) {
        self.program = program
        self.code = code
        self.isa = isa
    }

    // MARK: Errors and lookups

    func fail(_ kind: LinkerError.Kind, _ message: String) -> LinkerError {
        LinkerError(kind, message, section: program.sections[section].name, offset: UInt64(offset),
                    symbol: program.symbolName(at: Location(section: section, offset: Int64(offset))))
    }

    /// Maps a RISC-V register (not x0) to a PolkaVM register index.
    func reg(_ x: UInt8) throws(LinkerError) -> UInt8 {
        switch x {
        case 1: return 0
        case 2: return 1
        case 5...9: return x - 3
        case 10...15: return x - 3
        default:
            let names: [UInt8: String] = [0: "zero", 3: "gp", 4: "tp", 16: "a6", 17: "a7", 28: "t3", 29: "t4", 30: "t5", 31: "t6"]
            let name = names[x] ?? (x >= 18 && x <= 27 ? "s\(x - 16)" : "x\(x)")
            throw fail(.forbiddenRegister, "register '\(name)' (x\(x)) does not exist in PolkaVM (only ra, sp, t0-t2, s0-s1, a0-a5 may be used)")
        }
    }

    func relocs(at off: Int) -> [InputReloc] { program.sections[section].relocsAt[off] ?? [] }

    /// The block starting at `location` (a jump target).
    func block(at location: Location) throws(LinkerError) -> Int {
        guard program.sections[location.section].kind == .code else {
            throw fail(.unsupportedRelocation, "jump to a non-code section '\(program.sections[location.section].name)'")
        }
        guard let id = code.blockAt[location] else {
            throw fail(.unsupportedInput, "jump into the middle of an instruction at offset 0x\(String(location.offset, radix: 16)) of '\(program.sections[location.section].name)'")
        }
        return id
    }

    /// The address a relocation target stands for.
    func address(_ target: RelocTarget, _ what: String) throws(LinkerError) -> AddressRef {
        switch target {
        case .absolute(let v): return .absolute(v)
        case .unloaded: throw fail(.unsupportedRelocation, "\(what) points into a section that is not loaded (debug info, .eh_frame or similar)")
        case .location(let loc):
            switch program.sections[loc.section].kind {
            case .code: return .code(try block(at: loc))
            case .roData, .rwData, .bss: return .data(loc)
            default: throw fail(.unsupportedRelocation, "\(what) points into the metadata section '\(program.sections[loc.section].name)'")
            }
        }
    }

    /// The target of the `%pcrel_hi`/`%got_pcrel_hi` relocation a `%pcrel_lo` relocation refers to.
    func pcrelHiTarget(_ r: InputReloc) throws(LinkerError) -> AddressRef {
        guard case .location(let loc) = r.target, program.sections[loc.section].kind == .code else {
            throw fail(.unsupportedRelocation, "\(RelocType.name(r.type)) does not point at an auipc")
        }
        for hi in program.sections[loc.section].relocsAt[Int(loc.offset)] ?? [] {
            if hi.type == RelocType.pcrelHi20 { return try address(hi.target, "R_RISCV_PCREL_HI20 '\(hi.symbolName)'") }
            if hi.type == RelocType.gotHi20 { return .got(try address(hi.target, "R_RISCV_GOT_HI20 '\(hi.symbolName)'")) }
        }
        throw fail(.unsupportedRelocation, "\(RelocType.name(r.type)) refers to an auipc without a PCREL_HI20/GOT_HI20 relocation")
    }

    /// The symbolic low 12 bits for an instruction's immediate, if a LO12/PCREL_LO12 relocation applies.
    func lo12(at off: Int) throws(LinkerError) -> SymbolicValue? {
        for r in relocs(at: off) {
            switch r.type {
            case RelocType.lo12I, RelocType.lo12S: return .address(try address(r.target, "relocation '\(r.symbolName)'"), .lo12)
            case RelocType.pcrelLo12I, RelocType.pcrelLo12S: return .address(try pcrelHiTarget(r), .lo12)
            default: throw fail(.unsupportedRelocation, "unsupported relocation \(RelocType.name(r.type)) on this instruction")
            }
        }
        return nil
    }

    /// GNU ld's gp relaxation: for an instruction with an `R_RISCV_GPREL_I/S` relocation (its base is gp
    /// or x0; ``InputProgram`` made the relocation name the whole address), the address it accesses.
    func gprel(at off: Int) throws(LinkerError) -> AddressRef? {
        guard let r = relocs(at: off).first(where: { $0.type == RelocType.gprelI || $0.type == RelocType.gprelS }) else { return nil }
        return try address(r.target, "relocation '\(r.symbolName)'")
    }

    /// The base register, immediate and symbolic `%lo` part of the load or store at `off`. With GNU ld's gp
    /// relaxation (`l*/s* r, %gprel(sym)(gp)`) the access is to the absolute address the relocation names:
    /// base x0, immediate 0, and that address as the symbolic part.
    func memoryOperand(at off: Int, base: UInt8, imm: Int32) throws(LinkerError) -> (base: UInt8, imm: Int32, lo: SymbolicValue?) {
        if let ref = try gprel(at: off) { return (0, 0, .address(ref, .full)) }
        return (base, imm, try lo12(at: off))
    }

    // MARK: Emission helpers

    mutating func emit(_ i: Instruction, target: Int? = nil, imm1: SymbolicValue? = nil, imm2: SymbolicValue? = nil) {
        out.ops.append(IROp(i, target: target, imm1: imm1, imm2: imm2, source: offset))
        if let imm1 { out.references.append(imm1) }
        if let imm2 { out.references.append(imm2) }
        if let target { out.successors.append(target) }
    }

    mutating func terminate(_ i: Instruction, target: Int? = nil, imm1: SymbolicValue? = nil, imm2: SymbolicValue? = nil) {
        emit(i, target: target, imm1: imm1, imm2: imm2)
        out.hasTerminator = true
    }

    mutating func loadConst(_ rd: UInt8, _ value: Int64) {
        let v = rv64 ? value : Int64(Int32(truncatingIfNeeded: value))
        if v >= Int64(Int32.min) && v <= Int64(Int32.max) {
            emit(Instruction(.loadImm, regA: rd, imm1: UInt64(bitPattern: v)))
        } else {
            emit(Instruction(.loadImm64, regA: rd, imm1: UInt64(bitPattern: v)))
        }
    }

    mutating func move(_ rd: UInt8, _ rs: UInt8) {
        if rd != rs { emit(Instruction(.moveReg, regA: rd, regB: rs)) }
    }

    mutating func sextMove(_ rd: UInt8, _ rs: UInt8) {
        if rv64 { emit(Instruction(.addImm32, regA: rd, regB: rs)) } else { move(rd, rs) }
    }

    func natural(_ op64: Opcode, _ op32: Opcode) -> Opcode { rv64 ? op64 : op32 }

    // MARK: Blocks

    /// Translates one block.
    mutating func translate(_ b: SourceBlock) throws(LinkerError) -> IRBlock {
        out = IRBlock()
        section = b.section
        offset = b.start
        let next = b.end > b.start ? code.blockAt[Location(section: b.section, offset: Int64(b.end))] : nil
        var index = 0
        while index < b.instructions.count && !out.hasTerminator {
            let si = b.instructions[index]
            offset = si.offset
            guard let inst = si.instruction else {
                throw fail(.unsupportedInstruction, "unsupported or unknown instruction 0x\(String(si.raw, radix: 16))")
            }
            if case .auipc(let rd, _) = inst, let call = relocs(at: si.offset).first(where: { $0.type == RelocType.call || $0.type == RelocType.callPlt }) {
                // auipc + jalr call pair.
                guard index + 1 < b.instructions.count, case .jalr(let linkReg, let base, _)? = b.instructions[index + 1].instruction, base == rd else {
                    throw fail(.unsupportedInstruction, "R_RISCV_CALL relocation on an auipc not followed by a matching jalr")
                }
                let target = try address(call.target, "call to '\(call.symbolName)'")
                guard case .code(let targetBlock) = target else {
                    throw fail(.unsupportedRelocation, "call to '\(call.symbolName)', which is not code")
                }
                offset = b.instructions[index + 1].offset
                if linkReg == 0 {
                    terminate(Instruction(.jump), target: targetBlock)
                } else {
                    guard let next else { throw fail(.unsupportedInput, "call without a return block") }
                    terminate(Instruction(.loadImmAndJump, regA: try reg(linkReg)), target: targetBlock, imm1: .address(.code(next), .full))
                    out.successors.append(next)
                }
                index += 2
                continue
            }
            try translate(inst, length: si.length, next: next)
            index += 1
        }
        if !out.hasTerminator {
            if let next { out.successors.append(next) }
        }
        return out
    }

    // MARK: Instructions

    mutating func translate(_ inst: RISCVInstruction, length: Int, next: Int?) throws(LinkerError) {
        switch inst {
        case .lui(let rd, let value):
            if let r = relocs(at: offset).first {
                guard r.type == RelocType.hi20 || r.type == RelocType.rvcLui else {
                    throw fail(.unsupportedRelocation, "unsupported relocation \(RelocType.name(r.type)) on lui")
                }
                guard rd != 0 else { return }
                emit(Instruction(.loadImm, regA: try reg(rd)), imm1: .address(try address(r.target, "'\(r.symbolName)'"), .hi20))
            } else if rd != 0 {
                loadConst(try reg(rd), Int64(value))
            }
        case .auipc(let rd, _):
            guard let r = relocs(at: offset).first else {
                throw fail(.unsupportedInstruction, "auipc without a relocation (code addresses change during linking)")
            }
            let value: AddressRef
            switch r.type {
            case RelocType.pcrelHi20: value = try address(r.target, "'\(r.symbolName)'")
            case RelocType.gotHi20: value = .got(try address(r.target, "'\(r.symbolName)'"))
            default: throw fail(.unsupportedRelocation, "unsupported relocation \(RelocType.name(r.type)) on auipc")
            }
            guard rd != 0 else { return }
            emit(Instruction(.loadImm, regA: try reg(rd)), imm1: .address(value, .hi20))
        case .jal(let rd, let imm):
            let targetBlock: Int
            if let r = relocs(at: offset).first {
                guard r.type == RelocType.jal || r.type == RelocType.rvcJump else {
                    throw fail(.unsupportedRelocation, "unsupported relocation \(RelocType.name(r.type)) on jal")
                }
                guard case .code(let t) = try address(r.target, "jump to '\(r.symbolName)'") else {
                    throw fail(.unsupportedRelocation, "jump to '\(r.symbolName)', which is not code")
                }
                targetBlock = t
            } else {
                targetBlock = try block(at: Location(section: section, offset: Int64(offset) + Int64(imm)))
            }
            if rd == 0 {
                terminate(Instruction(.jump), target: targetBlock)
            } else {
                guard let next else { throw fail(.unsupportedInput, "call without a return block") }
                terminate(Instruction(.loadImmAndJump, regA: try reg(rd)), target: targetBlock, imm1: .address(.code(next), .full))
                out.successors.append(next)
            }
        case .jalr(let rd, let rs1, let imm):
            guard rs1 != 0 else { throw fail(.unsupportedInstruction, "jalr to an absolute address (x0 base)") }
            let base = try reg(rs1)
            var offsetValue: SymbolicValue? = nil
            if let lo = try lo12(at: offset) { offsetValue = lo }
            else if imm != 0 { throw fail(.unsupportedInstruction, "jalr with a non-zero offset (\(imm)) and no relocation") }
            if rd == 0 {
                terminate(Instruction(.jumpIndirect, regA: base), imm1: offsetValue)
            } else {
                guard let next else { throw fail(.unsupportedInput, "call without a return block") }
                terminate(Instruction(.loadImmAndJumpIndirect, regA: try reg(rd), regB: base),
                          imm1: .address(.code(next), .full), imm2: offsetValue)
                out.successors.append(next)
            }
        case .branch(let kind, let rs1, let rs2, let imm):
            try translateBranch(kind, rs1, rs2, imm, next: next)
        case .load(let kind, let rd, let rawBase, let rawImm):
            let (base, imm, lo) = try memoryOperand(at: offset, base: rawBase, imm: rawImm)
            if rd == 0 {
                if base == 0 && lo == nil && imm == 0 { terminate(Instruction(.trap)) }
                return
            }
            let d = try reg(rd)
            let immValue = UInt64(bitPattern: Int64(imm))
            if base == 0 {
                let op: Opcode = [.lb: .loadI8, .lbu: .loadU8, .lh: .loadI16, .lhu: .loadU16, .lw: .loadI32, .lwu: .loadU32, .ld: .loadU64][kind]!
                emit(Instruction(op, regA: d, imm1: immValue), imm1: lo)
            } else {
                let op: Opcode = [.lb: .loadIndirectI8, .lbu: .loadIndirectU8, .lh: .loadIndirectI16, .lhu: .loadIndirectU16,
                                  .lw: .loadIndirectI32, .lwu: .loadIndirectU32, .ld: .loadIndirectU64][kind]!
                emit(Instruction(op, regA: d, regB: try reg(base), imm1: immValue), imm1: lo)
            }
        case .store(let kind, let src, let rawBase, let rawImm):
            let (base, imm, lo) = try memoryOperand(at: offset, base: rawBase, imm: rawImm)
            let immValue = UInt64(bitPattern: Int64(imm))
            if base == 0 && src == 0 && lo == nil && imm == 0 { terminate(Instruction(.trap)); return }
            let index = [RISCVStoreKind.sb: 0, .sh: 1, .sw: 2, .sd: 3][kind]!
            if base == 0 {
                if src == 0 {
                    emit(Instruction([Opcode.storeImmU8, .storeImmU16, .storeImmU32, .storeImmU64][index], imm1: immValue, imm2: 0), imm1: lo)
                } else {
                    emit(Instruction([Opcode.storeU8, .storeU16, .storeU32, .storeU64][index], regA: try reg(src), imm1: immValue), imm1: lo)
                }
            } else if src == 0 {
                emit(Instruction([Opcode.storeImmIndirectU8, .storeImmIndirectU16, .storeImmIndirectU32, .storeImmIndirectU64][index],
                                 regA: try reg(base), imm1: immValue, imm2: 0), imm1: lo)
            } else {
                emit(Instruction([Opcode.storeIndirectU8, .storeIndirectU16, .storeIndirectU32, .storeIndirectU64][index],
                                 regA: try reg(src), regB: try reg(base), imm1: immValue), imm1: lo)
            }
        case .aluImm(let op, let rd, let rs1, let imm):
            if let ref = try gprel(at: offset) {
                // `addi rd, gp, %gprel(sym)`: the address itself.
                guard op == .addi || op == .addiw else {
                    throw fail(.unsupportedRelocation, "R_RISCV_GPREL_I on an instruction other than addi")
                }
                if rd != 0 { emit(Instruction(.loadImm, regA: try reg(rd)), imm1: .address(ref, .full)) }
                return
            }
            let lo = try lo12(at: offset)
            if lo != nil && op != .addi && op != .addiw {
                throw fail(.unsupportedRelocation, "a %lo relocation on an instruction other than addi")
            }
            try translateAluImm(op, rd, rs1, imm, symbolic: lo)
        case .alu(let op, let rd, let rs1, let rs2):
            try translateAlu(op, rd, rs1, rs2)
        case .unary(let op, let rd, let rs1):
            try translateUnary(op, rd, rs1)
        case .atomic(let op, let dw, let rd, let rs1, let rs2):
            try translateAtomic(op, doubleword: dw, rd, rs1, rs2)
        case .cmov(let ifZero, let rd, let src, let cond):
            guard rd != 0 else { return }
            let d = try reg(rd)
            if cond == 0 {
                if ifZero { if src == 0 { loadConst(d, 0) } else { move(d, try reg(src)) } }
                return
            }
            let c = try reg(cond)
            if src == 0 {
                emit(Instruction(ifZero ? .cmovIfZeroImm : .cmovIfNotZeroImm, regA: d, regB: c, imm1: 0))
            } else {
                emit(Instruction(ifZero ? .cmovIfZero : .cmovIfNotZero, regA: try reg(src), regB: c, regD: d))
            }
        case .selectCmov(let rd, let srcTrue, let cond, let srcFalse):
            guard rd != 0 else { return }
            guard srcTrue != 0, srcFalse != 0, cond != 0 else { throw fail(.unsupportedInstruction, "ccmov with x0 operands") }
            let d = try reg(rd), t = try reg(srcTrue), c = try reg(cond), f = try reg(srcFalse)
            if d == t { emit(Instruction(.cmovIfZero, regA: f, regB: c, regD: d)) }
            else if d == f { emit(Instruction(.cmovIfNotZero, regA: t, regB: c, regD: d)) }
            else if d != c { move(d, f); emit(Instruction(.cmovIfNotZero, regA: t, regB: c, regD: d)) }
            else { throw fail(.unsupportedInstruction, "ccmov whose destination is its condition") }
        case .fence:
            return
        case .ecall:
            throw fail(.unsupportedInstruction, "ecall is not supported (use an import)")
        case .ebreak, .unimp:
            terminate(Instruction(.trap))
        case .polkavmImport:
            guard let r = relocs(at: offset + 4).first(where: { [RelocType.abs32, RelocType.abs64, RelocType.pcrelHi20].contains($0.type) }),
                  case .location(let loc) = r.target, program.sections[loc.section].kind == .metadata else {
                throw fail(.invalidMetadata, "import call site without a relocation to its .polkavm_metadata entry")
            }
            emit(Instruction(.ecalli), imm1: .importIndex(loc))
        case .polkavmSbrk(let rd, let size):
            guard isa.contains(.sbrk) else { throw fail(.unsupportedInstruction, "sbrk is not available in the '\(isa)' instruction set") }
            guard rd != 0, size != 0 else { throw fail(.unsupportedInstruction, "sbrk with the zero register") }
            emit(Instruction(.sbrk, regA: try reg(rd), regB: try reg(size)))
        case .polkavmMemset:
            guard isa.contains(.memset) else { throw fail(.unsupportedInstruction, "memset is not available in the '\(isa)' instruction set") }
            emit(Instruction(.memset))
        case .polkavmHeapBase(let rd):
            guard rd != 0 else { return }
            emit(Instruction(.loadImm, regA: try reg(rd)), imm1: .heapBase)
        }
    }

    mutating func translateBranch(_ kind: RISCVBranchKind, _ rs1: UInt8, _ rs2: UInt8, _ imm: Int32, next: Int?) throws(LinkerError) {
        let targetBlock: Int
        if let r = relocs(at: offset).first {
            guard r.type == RelocType.branch || r.type == RelocType.rvcBranch else {
                throw fail(.unsupportedRelocation, "unsupported relocation \(RelocType.name(r.type)) on a branch")
            }
            guard case .code(let t) = try address(r.target, "branch to '\(r.symbolName)'") else {
                throw fail(.unsupportedRelocation, "branch to '\(r.symbolName)', which is not code")
            }
            targetBlock = t
        } else {
            targetBlock = try block(at: Location(section: section, offset: Int64(offset) + Int64(imm)))
        }
        enum Form { case always, never, rr(Opcode, UInt8, UInt8), ri(Opcode, UInt8) }
        let form: Form
        switch (rs1, rs2) {
        case (0, 0):
            form = (kind == .eq || kind == .ge || kind == .geu) ? .always : .never
        case (_, 0):
            let a = try reg(rs1)
            switch kind {
            case .eq: form = .ri(.branchEqImm, a)
            case .ne: form = .ri(.branchNotEqImm, a)
            case .lt: form = .ri(.branchLessSignedImm, a)
            case .ge: form = .ri(.branchGreaterOrEqualSignedImm, a)
            case .ltu: form = .never
            case .geu: form = .always
            }
        case (0, _):
            let b = try reg(rs2)
            switch kind {
            case .eq: form = .ri(.branchEqImm, b)
            case .ne: form = .ri(.branchNotEqImm, b)
            case .lt: form = .ri(.branchGreaterSignedImm, b)
            case .ge: form = .ri(.branchLessOrEqualSignedImm, b)
            case .ltu: form = .ri(.branchNotEqImm, b)
            case .geu: form = .ri(.branchEqImm, b)
            }
        default:
            let a = try reg(rs1), b = try reg(rs2)
            let op: Opcode = [.eq: .branchEq, .ne: .branchNotEq, .lt: .branchLessSigned, .ge: .branchGreaterOrEqualSigned,
                              .ltu: .branchLessUnsigned, .geu: .branchGreaterOrEqualUnsigned][kind]!
            form = .rr(op, a, b)
        }
        switch form {
        case .always: terminate(Instruction(.jump), target: targetBlock)
        case .never: return
        case .rr(let op, let a, let b):
            terminate(Instruction(op, regA: a, regB: b), target: targetBlock)
            if let next { out.successors.append(next) }
        case .ri(let op, let a):
            terminate(Instruction(op, regA: a, imm1: 0), target: targetBlock)
            if let next { out.successors.append(next) }
        }
    }
}
