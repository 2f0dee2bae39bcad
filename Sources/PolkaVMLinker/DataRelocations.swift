extension LinkSession {
    /// The section contents with every relocation re-applied for the new layout: absolute addresses
    /// (`R_RISCV_32/64`, code addresses become jump-table addresses), `SET*`/`ADD*`/`SUB*` groups
    /// (differences of data addresses, or code − data jump-table entries) and ULEB128 differences.
    func applyDataRelocations(_ s: InputSection, value: (AddressRef) throws(LinkerError) -> UInt64) throws(LinkerError) -> [UInt8] {
        var bytes = s.data
        func fail(_ offset: Int, _ message: String) -> LinkerError {
            LinkerError(.unsupportedRelocation, message, section: s.name, offset: UInt64(offset))
        }
        func ref(_ r: InputReloc) throws(LinkerError) -> AddressRef {
            switch r.target {
            case .absolute(let v): return .absolute(v)
            case .unloaded: throw fail(r.offset, "\(RelocType.name(r.type)) against '\(r.symbolName)', which is in a section that is not loaded")
            case .location(let loc):
                switch program.sections[loc.section].kind {
                case .code:
                    guard let b = code.blockAt[loc] else { throw fail(r.offset, "reference into the middle of an instruction ('\(r.symbolName)')") }
                    return .code(b)
                case .roData, .rwData, .bss: return .data(loc)
                default: throw fail(r.offset, "reference to the metadata section '\(program.sections[loc.section].name)'")
                }
            }
        }
        var i = 0
        let relocs = s.relocations
        while i < relocs.count {
            var j = i
            while j < relocs.count && relocs[j].offset == relocs[i].offset { j += 1 }
            let group = Array(relocs[i..<j])
            let o = relocs[i].offset
            i = j
            if group.count == 1 && (group[0].type == RelocType.abs32 || group[0].type == RelocType.abs64) {
                let v = try value(try ref(group[0]))
                let size = group[0].type == RelocType.abs32 ? 4 : 8
                guard o + size <= bytes.count else { throw fail(o, "relocation past the end of the section") }
                if size == 4 && v > 0xFFFF_FFFF && Int64(bitPattern: v) < Int64(Int32.min) {
                    throw fail(o, "R_RISCV_32 value 0x\(String(v, radix: 16)) does not fit in 32 bits")
                }
                bytes.writeLE(v, at: o, size)
                continue
            }
            // Arithmetic groups.
            var acc: Int64 = 0
            var width = 0
            var codeTerms = 0, dataTerms = 0
            var uleb = false
            for r in group {
                let target = try ref(r)
                if case .code = target { codeTerms += 1 } else if case .data = target { dataTerms += 1 }
                let v = Int64(bitPattern: try value(target))
                switch r.type {
                case RelocType.set6: width = 6; acc = v
                case RelocType.sub6: width = 6; acc -= v
                case RelocType.set8: width = 8; acc = v
                case RelocType.set16: width = 16; acc = v
                case RelocType.set32: width = 32; acc = v
                case RelocType.add8: width = 8; acc += v
                case RelocType.add16: width = 16; acc += v
                case RelocType.add32: width = 32; acc += v
                case RelocType.add64: width = 64; acc += v
                case RelocType.sub8: width = 8; acc -= v
                case RelocType.sub16: width = 16; acc -= v
                case RelocType.sub32: width = 32; acc -= v
                case RelocType.sub64: width = 64; acc -= v
                case RelocType.setUleb128: uleb = true; acc = v
                case RelocType.subUleb128: uleb = true; acc -= v
                default: throw fail(o, "unsupported relocation \(RelocType.name(r.type)) in a data section")
                }
                if case .code = target, r.type != RelocType.add32 && r.type != RelocType.add64 && r.type != RelocType.set32 && !(r.type == RelocType.abs32 || r.type == RelocType.abs64) {
                    throw fail(o, "\(RelocType.name(r.type)) of a code address ('\(r.symbolName)') cannot be translated")
                }
            }
            if codeTerms > 1 { throw fail(o, "a difference of two code addresses cannot be translated") }
            _ = dataTerms
            if uleb {
                // Rewrite in place, keeping the original encoded length.
                var n = 0
                while o + n < bytes.count && bytes[o + n] & 0x80 != 0 { n += 1 }
                n += 1
                guard o + n <= bytes.count else { throw fail(o, "truncated ULEB128") }
                var v = UInt64(bitPattern: acc)
                for k in 0..<n {
                    var b = UInt8(v & 0x7F)
                    v >>= 7
                    if k < n - 1 { b |= 0x80 }
                    bytes[o + k] = b
                }
                guard v == 0 else { throw fail(o, "ULEB128 value does not fit in its original length") }
                continue
            }
            guard o + max(1, width / 8) <= bytes.count else { throw fail(o, "relocation past the end of the section") }
            if width == 6 {
                bytes[o] = (bytes[o] & 0xC0) | UInt8(truncatingIfNeeded: acc & 0x3F)
            } else {
                bytes.writeLE(UInt64(bitPattern: acc), at: o, width / 8)
            }
        }
        return bytes
    }
}
