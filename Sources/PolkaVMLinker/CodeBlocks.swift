/// One decoded RISC-V instruction in a code section.
struct SourceInstruction {
    var offset: Int
    var length: Int
    /// `nil` for an encoding the decoder does not know (an error if the block is live).
    var instruction: RISCVInstruction?
    var raw: UInt32
}

/// A basic block of RISC-V code: `[start, end)` in one code section.
struct SourceBlock {
    var id: Int
    var section: Int
    var start: Int
    var end: Int
    var instructions: [SourceInstruction]
}

/// Decodes every code section and splits it into basic blocks at every possible jump target.
struct CodeBlocks {
    var blocks: [SourceBlock] = []
    /// Block id by (section, start offset).
    var blockAt: [Location: Int] = [:]
    /// Instruction boundaries by section (to report references into the middle of an instruction).
    var boundaries: [Int: Set<Int>] = [:]

    init(_ program: InputProgram) {
        let decoder = RISCVDecoder(is64Bit: program.is64Bit)
        let pointerSize = program.is64Bit ? 8 : 4
        // Every relocation target inside code (from loaded sections) may be jumped to.
        var referenced: [Int: Set<Int>] = [:]
        for s in program.sections {
            for r in s.relocations {
                if case .location(let loc) = r.target, program.sections[loc.section].kind == .code {
                    referenced[loc.section, default: []].insert(Int(loc.offset))
                }
            }
        }
        for sym in program.symbols where program.sections[sym.location.section].kind == .code {
            referenced[sym.location.section, default: []].insert(Int(sym.location.offset))
        }
        for s in program.sections where s.kind == .code {
            var insts: [SourceInstruction] = []
            var starts: Set<Int> = [0, s.size]
            starts.formUnion(referenced[s.id] ?? [])
            var bounds: Set<Int> = [s.size]
            var offset = 0
            while offset < s.size {
                bounds.insert(offset)
                switch decoder.decode(s.data, at: offset) {
                case .unsupported(let raw, let length):
                    let len = length == 0 ? s.size - offset : length
                    insts.append(SourceInstruction(offset: offset, length: len, instruction: nil, raw: raw))
                    offset += len
                case .instruction(let inst, var length):
                    if inst == .polkavmImport { length += pointerSize }
                    let hasReloc = !(s.relocsAt[offset] ?? []).isEmpty
                    switch inst {
                    case .jal(_, let imm), .branch(_, _, _, let imm):
                        if !hasReloc { starts.insert(offset + Int(imm)) }
                        starts.insert(offset + length)
                    case .jalr, .unimp, .ebreak:
                        starts.insert(offset + length)
                    default: break
                    }
                    insts.append(SourceInstruction(offset: offset, length: length, instruction: inst, raw: 0))
                    offset += length
                }
            }
            boundaries[s.id] = bounds
            let sortedStarts = starts.filter { bounds.contains($0) }.sorted()
            var index = 0
            for (k, start) in sortedStarts.enumerated() {
                let end = k + 1 < sortedStarts.count ? sortedStarts[k + 1] : s.size
                var list: [SourceInstruction] = []
                while index < insts.count && insts[index].offset < end {
                    if insts[index].offset >= start { list.append(insts[index]) }
                    index += 1
                }
                let id = blocks.count
                blockAt[Location(section: s.id, offset: Int64(start))] = id
                blocks.append(SourceBlock(id: id, section: s.id, start: start, end: end, instructions: list))
            }
        }
    }
}
