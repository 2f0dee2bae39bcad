/// Prints a program in upstream PolkaVM's guest assembly syntax (as `polkatool disassemble` does), or as
/// source that ``Assembler`` turns back into the same code bytes.
///
/// Instruction text follows upstream's disassembler with a few deliberate differences that keep every
/// printed line re-assemblable to the same instruction: `_32` operations carry the `i32` prefix in
/// `latest32` too, `rotate_right_imm*_32` print `>>r`, and a `load_imm64` whose value would also fit
/// `load_imm` prints as `reg = i64 0x...`.
public struct Disassembler {
    /// What the output is for.
    public enum Style: Sendable, Hashable {
        /// Upstream's listing: header comments, `@N [@dyn K] [export #i: 'name'] (gas: G)` block lines and
        /// `offset: text` instruction lines.
        case listing
        /// Assembler input: `%` directives for the memory layout and data, `@N:` block labels, `pub @name:`
        /// exports and indented instruction lines; annotations go in comments.
        case source
    }

    /// Formatting switches.
    public struct Options: Sendable, Hashable {
        /// Listing or re-assemblable source.
        public var style: Style
        /// Print each instruction's bytes.
        public var showRawBytes: Bool
        /// Print each instruction's code offset.
        public var showOffsets: Bool
        /// Print the header (data sizes, stack size, instruction count, code size).
        public var emitHeader: Bool
        /// Show exports on block lines (and, in ``Style/source``, as `pub @name:` labels).
        public var emitExports: Bool
        /// Print jump targets as code offsets instead of `@N` block labels.
        public var preferOffsetJumpTargets: Bool
        /// Print registers as `r0`...`r12` instead of ABI names.
        public var preferNonABIRegisterNames: Bool
        /// Do not use the short forms (`ret`, `jump [a0]`, `a0 = a1 - 4`, `a0 = -a1`, `[a0]`).
        public var preferUnaliased: Bool
        /// Print the source location (`// path:line:column (function)`) from the blob's debug sections as a
        /// comment line wherever it changes; blobs without (readable) debug sections print none.
        public var emitDebugInfo: Bool

        /// Creates options; the defaults match upstream's `polkatool disassemble`.
        public init(
            style: Style = .listing, showRawBytes: Bool = false, showOffsets: Bool = true, emitHeader: Bool = true,
            emitExports: Bool = true, preferOffsetJumpTargets: Bool = false, preferNonABIRegisterNames: Bool = false,
            preferUnaliased: Bool = false, emitDebugInfo: Bool = true
        ) {
            self.style = style
            self.showRawBytes = showRawBytes
            self.showOffsets = showOffsets
            self.emitHeader = emitHeader
            self.emitExports = emitExports
            self.preferOffsetJumpTargets = preferOffsetJumpTargets
            self.preferNonABIRegisterNames = preferNonABIRegisterNames
            self.preferUnaliased = preferUnaliased
            self.emitDebugInfo = emitDebugInfo
        }
    }

    /// The program to print.
    public var blob: ProgramBlob
    /// Formatting switches.
    public var options: Options
    /// The gas cost of the basic block starting at a code offset, shown as `(gas: N)`; `nil` hides it.
    public var gasCost: ((UInt32) -> UInt32?)?

    /// Creates a disassembler.
    public init(blob: ProgramBlob, options: Options = Options(), gasCost: ((UInt32) -> UInt32?)? = nil) {
        self.blob = blob
        self.options = options
        self.gasCost = gasCost
    }

    /// Every instruction as upstream's unbounded iterator yields them: walking from offset 0, skipping over
    /// gaps in the bitmask, with an implicit `invalid` wherever execution could fall into a gap or off the
    /// end of the code (its ``DecodedInstruction/nextPC`` is where the walk resumes).
    public static func instructions(of code: ProgramCode) -> [DecodedInstruction] {
        let n = code.count
        guard n > 0 else { return [] }
        func nextStart(from offset: Int) -> Int {
            var p = offset
            while p < n && !code.isInstructionStart(p) { p += 1 }
            return p
        }
        func implicitInvalid(at pc: Int, next: Int) -> DecodedInstruction {
            DecodedInstruction(instruction: Instruction(.invalid), pc: UInt32(truncatingIfNeeded: pc), nextPC: UInt32(truncatingIfNeeded: next))
        }
        var out: [DecodedInstruction] = []
        var offset = 0
        if !code.isInstructionStart(0) {
            offset = nextStart(from: 0)
            out.append(implicitInvalid(at: 0, next: offset))
        }
        while offset < n {
            let decoded = code.decode(at: offset)
            out.append(decoded)
            let next = Int(decoded.nextPC)
            if code.isInstructionStart(next) {
                offset = next
                continue
            }
            let canFallThrough = decoded.instruction.opcode.canFallThrough
            if next >= n {
                if canFallThrough { out.append(implicitInvalid(at: next, next: next + 1)) }
                break
            }
            let resume = nextStart(from: next)
            if canFallThrough { out.append(implicitInvalid(at: next, next: resume)) }
            offset = resume
        }
        return out
    }

    /// The text of one instruction, e.g. `a0 = a1 + 0x10` or `jump @3 if a0 <u a1`. `jumpTarget` names a
    /// target code offset (default: the number).
    public static func text(
        for instruction: Instruction, isa: InstructionSetKind, options: Options = Options(),
        jumpTarget: ((UInt32) -> String)? = nil
    ) -> String {
        InstructionPrinter(isa: isa, options: options, jumpTarget: jumpTarget ?? { String($0) }).text(instruction)
    }

    /// The whole program as text (one line per entry, each ending in a newline).
    public func disassemble() -> String {
        let code = blob.code
        let entries = Self.instructions(of: code)
        let source = options.style == .source

        // Block numbering: a block starts at the first entry and after every terminator.
        var blockOfPC: [UInt32: Int] = [:]
        var blockStarts: [Bool] = []
        var counter = 0
        var started = true
        for entry in entries {
            blockStarts.append(started)
            if started {
                if blockOfPC[entry.pc] == nil { blockOfPC[entry.pc] = counter }
                started = false
            }
            if entry.instruction.opcode.isTerminator {
                started = true
                counter += 1
            }
        }

        var exportsAt: [UInt32: [(Int, ProgramExport)]] = [:]
        for (i, export) in blob.exports.enumerated() { exportsAt[export.pc, default: []].append((i, export)) }
        var dynamicAt: [UInt32: [Int]] = [:]
        for (i, pc) in code.jumpTable.enumerated() { dynamicAt[pc, default: []].append(i + 1) }

        let printer = InstructionPrinter(isa: blob.isa, options: options) { [options] target in
            if !options.preferOffsetJumpTargets, let block = blockOfPC[target] { return "@\(block)" }
            return String(target)
        }

        var out = ""
        func line(_ s: String) {
            out += s
            out += "\n"
        }

        if options.emitHeader {
            line("// RO data = \(blob.roData.count)/\(blob.roDataSize) bytes")
            line("// RW data = \(blob.rwData.count)/\(blob.rwDataSize) bytes")
            line("// Stack size = \(blob.stackSize) bytes")
            line("")
            line("// Instructions = \(entries.count)")
            line("// Code size = \(code.count) bytes")
            line("")
        }

        // Export names usable as labels in source output (unique, label characters, not a block number).
        var exportLabel: [Int: String] = [:]
        if source {
            line("%isa = \(AssemblerState.isaName(blob.isa))")
            if blob.roDataSize != 0 { line("%ro_data_size = \(blob.roDataSize)") }
            if blob.rwDataSize != 0 { line("%rw_data_size = \(blob.rwDataSize)") }
            if blob.stackSize != 0 { line("%stack_size = \(blob.stackSize)") }
            if !blob.roData.isEmpty { line("%ro_data = " + Self.hex(blob.roData)) }
            if !blob.rwData.isEmpty { line("%rw_data = " + Self.hex(blob.rwData)) }
            line("")
            if options.emitExports {
                var used = Set<String>()
                let starts = Set(entries.filter { $0.instruction.opcode != .invalid || code.isInstructionStart(Int($0.pc)) }.map(\.pc))
                for (i, export) in blob.exports.enumerated() {
                    let name = String(decoding: export.symbol.bytes, as: UTF8.self)
                    let labelChars = name.utf8.allSatisfy { c in
                        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 46 || c == 36
                    }
                    let numeric = name.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
                    if !name.isEmpty, labelChars, !numeric, Array(name.utf8) == export.symbol.bytes,
                       starts.contains(export.pc), !used.contains(name) {
                        used.insert(name)
                        exportLabel[i] = name
                    } else {
                        line("// export #\(i) \(Self.symbolText(export.symbol)) at \(export.pc) cannot be written as a label")
                    }
                }
            }
        }

        func annotations(for pc: UInt32) -> String {
            var s = ""
            for index in dynamicAt[pc] ?? [] { s += " [@dyn \(index)]" }
            if options.emitExports {
                for (i, export) in exportsAt[pc] ?? [] { s += " [export #\(i): \(Self.symbolText(export.symbol))]" }
            }
            if let gasCost, let gas = gasCost(pc) { s += " (gas: \(gas))" }
            return s
        }

        // Source locations: the regions of the debug line programs, in code order.
        let regions = options.emitDebugInfo ? ProgramDebugInfo.regionsIfReadable(in: blob) : []
        var regionIndex = 0
        var lastNote: String?
        /// The comment for the instruction at `pc` if its location differs from the previous one.
        func sourceNote(for pc: UInt32) -> String? {
            while regionIndex < regions.count && regions[regionIndex].range.upperBound <= pc { regionIndex += 1 }
            var note: String?
            if regionIndex < regions.count, regions[regionIndex].range.contains(pc) {
                note = Self.sourceNote(regions[regionIndex].frames)
            }
            defer { lastNote = note }
            return note != lastNote ? note : nil
        }

        var pendingLabel = true
        for (n, entry) in entries.enumerated() {
            let pc = entry.pc
            let isImplicit = entry.instruction.opcode == .invalid && !code.isInstructionStart(Int(pc))
            let end = Swift.min(Int(entry.nextPC), code.count)
            let raw: ArraySlice<UInt8> = Int(pc) < end ? code.code[Int(pc)..<end] : []
            var text = printer.text(entry.instruction)
            if entry.instruction.opcode == .ecalli {
                let index = Int(UInt32(truncatingIfNeeded: entry.instruction.imm1))
                text += index < blob.imports.count ? " // \(Self.symbolText(blob.imports[index]))" : " // INVALID"
            }

            if source {
                if blockStarts[n] {
                    let block = blockOfPC[pc] ?? 0
                    let notes = annotations(for: pc)
                    line(notes.isEmpty ? "@\(block):" : "@\(block): //\(notes)")
                }
                var mid: [String] = []
                for (i, _) in exportsAt[pc] ?? [] {
                    guard let name = exportLabel[i] else { continue }
                    if blockStarts[n] { line("pub @\(name):") } else { mid.append(name) }
                }
                for name in mid { line("pub @\(name): %no_fallthrough") }
                if let note = sourceNote(for: pc) { line("    // " + note) }
                var trailer = ""
                if options.showOffsets { trailer += "\(pc):" }
                if options.showRawBytes { trailer += (trailer.isEmpty ? "" : " ") + Self.hex(raw) }
                if isImplicit {
                    line("    // \(pc): invalid (implicit)")
                } else {
                    line("    " + text + (trailer.isEmpty ? "" : "  // " + trailer))
                }
            } else {
                if pendingLabel {
                    pendingLabel = false
                    var s = ""
                    if options.showOffsets { s += "      : " }
                    if options.showRawBytes { s += String(repeating: " ", count: 25) }
                    s += "@\(blockOfPC[pc] ?? 0)" + annotations(for: pc)
                    line(s)
                }
                if let note = sourceNote(for: pc) {
                    var s = options.showOffsets ? "        " : ""
                    if options.showRawBytes { s += String(repeating: " ", count: 25) }
                    line(s + "// " + note)
                }
                var s = ""
                if options.showOffsets { s += Self.padLeft(String(pc), 6) + ": " }
                if options.showRawBytes { s += Self.padRight(Self.hex(raw), 24) + " " }
                line(s + text)
            }

            if entry.instruction.opcode.isTerminator && n + 1 != entries.count {
                pendingLabel = true
            }
        }
        return out
    }

    /// `path:line:column (function)` from a region's frames: the innermost location and function name.
    public static func sourceNote(_ frames: [DebugFrame]) -> String? {
        let location = frames.last { $0.path != nil }?.location
        let function = frames.last { $0.functionName != nil }?.fullName
        switch (location, function) {
        case (let l?, let f?): return "\(l) (\(f))"
        case (let l?, nil): return l
        case (nil, let f?): return "(\(f))"
        case (nil, nil): return nil
        }
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined(separator: " ")
    }

    static func padLeft(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    static func padRight(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    /// `'name'` for UTF-8 symbols, else `0x` and the bytes in hex (upstream's symbol display).
    static func symbolText(_ symbol: ProgramSymbol) -> String {
        if let s = String(validating: symbol.bytes, as: UTF8.self) { return "'\(s)'" }
        return "0x" + symbol.bytes.map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }
}

/// Formats single instructions.
struct InstructionPrinter {
    let isa: InstructionSetKind
    let options: Disassembler.Options
    let jumpTarget: (UInt32) -> String

    func reg(_ r: UInt8) -> String {
        let index = Swift.min(r, 12)
        if options.preferNonABIRegisterNames { return "r\(index)" }
        return Reg(rawValue: index)!.description
    }

    /// Upstream's immediate format: `0`, or hex of the value sign-extended to 64 bits (32 bits in `latest32`).
    func imm(_ value: UInt64) -> String {
        let v = Int32(truncatingIfNeeded: value)
        if v == 0 { return "0" }
        if isa.is64Bit { return "0x" + String(UInt64(bitPattern: Int64(v)), radix: 16) }
        return "0x" + String(UInt32(bitPattern: v), radix: 16)
    }

    /// A decimal `i32` (used by upstream for branch operands, `load_imm_and_jump` values and store offsets).
    func dec(_ value: UInt64) -> String { String(Int32(truncatingIfNeeded: value)) }

    func text(_ i: Instruction) -> String {
        let unaliased = options.preferUnaliased
        let p32 = "i32 "
        let a = reg(i.regA), b = reg(i.regB), d = reg(i.regD)
        let target = jumpTarget(i.target)
        switch i.opcode {
        case .trap: return "trap"
        case .fallthrough: return "fallthrough"
        case .unlikely: return "unlikely"
        case .memset: return "[a0..a0 + a2] = u8 a1"
        case .invalid: return "invalid"
        case .ecalli: return "ecalli \(UInt32(truncatingIfNeeded: i.imm1))"
        case .loadImm64:
            let value = "0x" + String(i.imm1, radix: 16)
            let fitsLoadImm = Int64(bitPattern: i.imm1) == Int64(Int32(truncatingIfNeeded: i.imm1))
            return fitsLoadImm ? "\(a) = i64 \(value)" : "\(a) = \(value)"

        case .storeImmU8: return "u8 [\(imm(i.imm1))] = \(imm(i.imm2))"
        case .storeImmU16: return "u16 [\(imm(i.imm1))] = \(imm(i.imm2))"
        case .storeImmU32: return "u32 [\(imm(i.imm1))] = \(imm(i.imm2))"
        case .storeImmU64: return "u64 [\(imm(i.imm1))] = \(imm(i.imm2))"

        case .jump: return "jump \(target)"
        case .jumpIndirect:
            if !unaliased && Int32(truncatingIfNeeded: i.imm1) == 0 {
                return Swift.min(i.regA, 12) == Reg.ra.rawValue ? "ret" : "jump [\(a)]"
            }
            return "jump [\(a) + \(imm(i.imm1))]"
        case .loadImm: return "\(a) = \(imm(i.imm1))"
        case .loadU8: return "\(a) = u8 [\(imm(i.imm1))]"
        case .loadI8: return "\(a) = i8 [\(imm(i.imm1))]"
        case .loadU16: return "\(a) = u16 [\(imm(i.imm1))]"
        case .loadI16: return "\(a) = i16 [\(imm(i.imm1))]"
        case .loadU32: return "\(a) = u32 [\(imm(i.imm1))]"
        case .loadI32: return "\(a) = i32 [\(imm(i.imm1))]"
        case .loadU64: return "\(a) = u64 [\(imm(i.imm1))]"
        case .storeU8: return "u8 [\(imm(i.imm1))] = \(a)"
        case .storeU16: return "u16 [\(imm(i.imm1))] = \(a)"
        case .storeU32: return "u32 [\(imm(i.imm1))] = \(a)"
        case .storeU64: return "u64 [\(imm(i.imm1))] = \(a)"

        case .storeImmIndirectU8: return "u8 [\(a) + \(dec(i.imm1))] = \(imm(i.imm2))"
        case .storeImmIndirectU16: return "u16 [\(a) + \(dec(i.imm1))] = \(imm(i.imm2))"
        case .storeImmIndirectU32: return "u32 [\(a) + \(dec(i.imm1))] = \(imm(i.imm2))"
        case .storeImmIndirectU64: return "u64 [\(a) + \(dec(i.imm1))] = \(imm(i.imm2))"

        case .loadImmAndJump: return "\(a) = \(dec(i.imm1)), jump \(target)"
        case .branchEqImm: return "jump \(target) if \(a) == \(dec(i.imm1))"
        case .branchNotEqImm: return "jump \(target) if \(a) != \(dec(i.imm1))"
        case .branchLessUnsignedImm: return "jump \(target) if \(a) <u \(dec(i.imm1))"
        case .branchLessOrEqualUnsignedImm: return "jump \(target) if \(a) <=u \(dec(i.imm1))"
        case .branchGreaterOrEqualUnsignedImm: return "jump \(target) if \(a) >=u \(dec(i.imm1))"
        case .branchGreaterUnsignedImm: return "jump \(target) if \(a) >u \(dec(i.imm1))"
        case .branchLessSignedImm: return "jump \(target) if \(a) <s \(dec(i.imm1))"
        case .branchLessOrEqualSignedImm: return "jump \(target) if \(a) <=s \(dec(i.imm1))"
        case .branchGreaterOrEqualSignedImm: return "jump \(target) if \(a) >=s \(dec(i.imm1))"
        case .branchGreaterSignedImm: return "jump \(target) if \(a) >s \(dec(i.imm1))"

        case .moveReg: return "\(a) = \(b)"
        case .sbrk: return "\(a) = sbrk \(b)"
        case .countSetBits64: return "\(a) = cpop \(b)"
        case .countSetBits32: return "\(p32)\(a) = cpop \(b)"
        case .countLeadingZeroBits64: return "\(a) = clz \(b)"
        case .countLeadingZeroBits32: return "\(p32)\(a) = clz \(b)"
        case .countTrailingZeroBits64: return "\(a) = ctz \(b)"
        case .countTrailingZeroBits32: return "\(p32)\(a) = ctz \(b)"
        case .signExtend8: return "\(a) = sext8 \(b)"
        case .signExtend16: return "\(a) = sext16 \(b)"
        case .zeroExtend16: return "\(a) = zext16 \(b)"
        case .reverseByte: return "\(a) = reverse \(b)"

        case .storeIndirectU8: return store("u8", i)
        case .storeIndirectU16: return store("u16", i)
        case .storeIndirectU32: return store("u32", i)
        case .storeIndirectU64: return store("u64", i)
        case .loadIndirectU8: return load("u8", i)
        case .loadIndirectI8: return load("i8", i)
        case .loadIndirectU16:
            // Upstream prints a stray space in the zero-offset form of this one load.
            if !unaliased && Int32(truncatingIfNeeded: i.imm1) == 0 { return "\(a) = u16 [\(b) ]" }
            return load("u16", i)
        case .loadIndirectI16: return load("i16", i)
        case .loadIndirectU32: return load("u32", i)
        case .loadIndirectI32: return load("i32", i)
        case .loadIndirectU64: return load("u64", i)

        case .addImm32: return addImm(p32, i)
        case .addImm64: return addImm("", i)
        case .andImm: return "\(a) = \(b) & \(imm(i.imm1))"
        case .xorImm: return "\(a) = \(b) ^ \(imm(i.imm1))"
        case .orImm: return "\(a) = \(b) | \(imm(i.imm1))"
        case .mulImm32: return "\(p32)\(a) = \(b) * \(imm(i.imm1))"
        case .mulImm64: return "\(a) = \(b) * \(imm(i.imm1))"
        case .setLessThanUnsignedImm: return "\(a) = \(b) <u \(imm(i.imm1))"
        case .setLessThanSignedImm: return "\(a) = \(b) <s \(imm(i.imm1))"
        case .setGreaterThanUnsignedImm: return "\(a) = \(b) >u \(imm(i.imm1))"
        case .setGreaterThanSignedImm: return "\(a) = \(b) >s \(imm(i.imm1))"
        case .shiftLogicalLeftImm32: return "\(p32)\(a) = \(b) << \(imm(i.imm1))"
        case .shiftLogicalRightImm32: return "\(p32)\(a) = \(b) >> \(imm(i.imm1))"
        case .shiftArithmeticRightImm32: return "\(p32)\(a) = \(b) >>a \(imm(i.imm1))"
        case .shiftLogicalLeftImm64: return "\(a) = \(b) << \(imm(i.imm1))"
        case .shiftLogicalRightImm64: return "\(a) = \(b) >> \(imm(i.imm1))"
        case .shiftArithmeticRightImm64: return "\(a) = \(b) >>a \(imm(i.imm1))"
        case .negateAndAddImm32: return negateAndAdd(p32, i)
        case .negateAndAddImm64: return negateAndAdd("", i)
        case .shiftLogicalLeftImmAlt32: return "\(p32)\(a) = \(imm(i.imm1)) << \(b)"
        case .shiftLogicalRightImmAlt32: return "\(p32)\(a) = \(imm(i.imm1)) >> \(b)"
        case .shiftArithmeticRightImmAlt32: return "\(p32)\(a) = \(imm(i.imm1)) >>a \(b)"
        case .shiftLogicalLeftImmAlt64: return "\(a) = \(imm(i.imm1)) << \(b)"
        case .shiftLogicalRightImmAlt64: return "\(a) = \(imm(i.imm1)) >> \(b)"
        case .shiftArithmeticRightImmAlt64: return "\(a) = \(imm(i.imm1)) >>a \(b)"
        case .cmovIfZeroImm: return "\(a) = \(imm(i.imm1)) if \(b) == 0"
        case .cmovIfNotZeroImm: return "\(a) = \(imm(i.imm1)) if \(b) != 0"
        case .rotateRightImm32: return "\(p32)\(a) = \(b) >>r \(imm(i.imm1))"
        case .rotateRightImmAlt32: return "\(p32)\(a) = \(imm(i.imm1)) >>r \(b)"
        case .rotateRightImm64: return "\(a) = \(b) >>r \(imm(i.imm1))"
        case .rotateRightImmAlt64: return "\(a) = \(imm(i.imm1)) >>r \(b)"

        case .branchEq: return "jump \(target) if \(a) == \(b)"
        case .branchNotEq: return "jump \(target) if \(a) != \(b)"
        case .branchLessUnsigned: return "jump \(target) if \(a) <u \(b)"
        case .branchLessSigned: return "jump \(target) if \(a) <s \(b)"
        case .branchGreaterOrEqualUnsigned: return "jump \(target) if \(a) >=u \(b)"
        case .branchGreaterOrEqualSigned: return "jump \(target) if \(a) >=s \(b)"

        case .loadImmAndJumpIndirect:
            let value = dec(i.imm1)
            let zero = !unaliased && Int32(truncatingIfNeeded: i.imm2) == 0
            if Swift.min(i.regA, 12) != Swift.min(i.regB, 12) {
                return zero ? "\(a) = \(value), jump [\(b)]" : "\(a) = \(value), jump [\(b) + \(imm(i.imm2))]"
            }
            return zero ? "tmp = \(b), \(a) = \(value), jump [tmp]" : "tmp = \(b), \(a) = \(value), jump [tmp + \(imm(i.imm2))]"

        case .add32: return "\(p32)\(d) = \(a) + \(b)"
        case .sub32: return "\(p32)\(d) = \(a) - \(b)"
        case .mul32: return "\(p32)\(d) = \(a) * \(b)"
        case .divUnsigned32: return "\(p32)\(d) = \(a) /u \(b)"
        case .divSigned32: return "\(p32)\(d) = \(a) /s \(b)"
        case .remUnsigned32: return "\(p32)\(d) = \(a) %u \(b)"
        case .remSigned32: return "\(p32)\(d) = \(a) %s \(b)"
        case .shiftLogicalLeft32: return "\(p32)\(d) = \(a) << \(b)"
        case .shiftLogicalRight32: return "\(p32)\(d) = \(a) >> \(b)"
        case .shiftArithmeticRight32: return "\(p32)\(d) = \(a) >>a \(b)"
        case .add64: return "\(d) = \(a) + \(b)"
        case .sub64: return "\(d) = \(a) - \(b)"
        case .mul64: return "\(d) = \(a) * \(b)"
        case .divUnsigned64: return "\(d) = \(a) /u \(b)"
        case .divSigned64: return "\(d) = \(a) /s \(b)"
        case .remUnsigned64: return "\(d) = \(a) %u \(b)"
        case .remSigned64: return "\(d) = \(a) %s \(b)"
        case .shiftLogicalLeft64: return "\(d) = \(a) << \(b)"
        case .shiftLogicalRight64: return "\(d) = \(a) >> \(b)"
        case .shiftArithmeticRight64: return "\(d) = \(a) >>a \(b)"
        case .and: return "\(d) = \(a) & \(b)"
        case .xor: return "\(d) = \(a) ^ \(b)"
        case .or: return "\(d) = \(a) | \(b)"
        case .mulUpperSignedSigned: return "\(d) = \(a) mulh \(b)"
        case .mulUpperUnsignedUnsigned: return "\(d) = \(a) mulhu \(b)"
        case .mulUpperSignedUnsigned: return "\(d) = \(a) mulhsu \(b)"
        case .setLessThanUnsigned: return "\(d) = \(a) <u \(b)"
        case .setLessThanSigned: return "\(d) = \(a) <s \(b)"
        case .cmovIfZero: return "\(d) = \(a) if \(b) == 0"
        case .cmovIfNotZero: return "\(d) = \(a) if \(b) != 0"
        case .rotateLeft64: return "\(d) = \(a) <<r \(b)"
        case .rotateLeft32: return "\(p32)\(d) = \(a) <<r \(b)"
        case .rotateRight64: return "\(d) = \(a) >>r \(b)"
        case .rotateRight32: return "\(p32)\(d) = \(a) >>r \(b)"
        case .andInverted: return "\(d) = \(a) & ~\(b)"
        case .orInverted: return "\(d) = \(a) | ~\(b)"
        case .xnor: return "\(d) = ~(\(a) ^ \(b))"
        case .maximum: return "\(d) = maxs(\(a), \(b))"
        case .maximumUnsigned: return "\(d) = maxu(\(a), \(b))"
        case .minimum: return "\(d) = mins(\(a), \(b))"
        case .minimumUnsigned: return "\(d) = minu(\(a), \(b))"
        }
    }

    func store(_ width: String, _ i: Instruction) -> String {
        if options.preferUnaliased || Int32(truncatingIfNeeded: i.imm1) != 0 {
            return "\(width) [\(reg(i.regB)) + \(imm(i.imm1))] = \(reg(i.regA))"
        }
        return "\(width) [\(reg(i.regB))] = \(reg(i.regA))"
    }

    func load(_ width: String, _ i: Instruction) -> String {
        if options.preferUnaliased || Int32(truncatingIfNeeded: i.imm1) != 0 {
            return "\(reg(i.regA)) = \(width) [\(reg(i.regB)) + \(imm(i.imm1))]"
        }
        return "\(reg(i.regA)) = \(width) [\(reg(i.regB))]"
    }

    func addImm(_ prefix: String, _ i: Instruction) -> String {
        let v = Int32(truncatingIfNeeded: i.imm1)
        if !options.preferUnaliased && v < 0 && v > -4096 {
            return "\(prefix)\(reg(i.regA)) = \(reg(i.regB)) - \(-Int64(v))"
        }
        return "\(prefix)\(reg(i.regA)) = \(reg(i.regB)) + \(imm(i.imm1))"
    }

    func negateAndAdd(_ prefix: String, _ i: Instruction) -> String {
        if !options.preferUnaliased && Int32(truncatingIfNeeded: i.imm1) == 0 {
            return "\(prefix)\(reg(i.regA)) = -\(reg(i.regB))"
        }
        return "\(prefix)\(reg(i.regA)) = \(imm(i.imm1)) - \(reg(i.regB))"
    }
}
