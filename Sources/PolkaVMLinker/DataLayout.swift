import PolkaVMProgram

/// Where the live data sections, the GOT and the register spill area end up in guest memory.
struct DataLayout {
    static let roBase: UInt32 = 0x1_0000
    static let regspillSlots = 4

    var sectionAddress: [Int: UInt32] = [:]
    var roSize: UInt32 = 0
    var rwAddress: UInt32 = 0
    var rwSize: UInt32 = 0
    /// Where each GOT slot lives.
    var gotAddress: [AddressRef: UInt32] = [:]
    var gotEntries: [AddressRef] = []
    var gotBase: UInt32 = 0
    var hasRegspill = false

    var heapBase: UInt32 { rwAddress &+ rwSize }

    init(program: InputProgram, liveData: Set<Int>, got: [AddressRef], regspill: Bool) throws(LinkerError) {
        func alignUp(_ v: UInt64, _ a: UInt64) -> UInt64 { a <= 1 ? v : (v + a - 1) / a * a }
        let ptr = UInt64(program.is64Bit ? 8 : 4)
        var cursor = UInt64(Self.roBase)
        for s in program.sections where s.kind == .roData && liveData.contains(s.id) {
            cursor = alignUp(cursor, UInt64(s.alignment))
            sectionAddress[s.id] = UInt32(truncatingIfNeeded: cursor)
            cursor += UInt64(s.size)
            guard cursor < 0xF000_0000 else { throw LinkerError(.layout, "read-only data is too large", section: s.name) }
        }
        if !got.isEmpty {
            cursor = alignUp(cursor, ptr)
            gotBase = UInt32(cursor)
            for (i, ref) in got.enumerated() { gotAddress[ref] = UInt32(cursor + UInt64(i) * ptr) }
            gotEntries = got
            cursor += UInt64(got.count) * ptr
        }
        roSize = UInt32(cursor - UInt64(Self.roBase))
        let rw = UInt64(Self.roBase) + alignUp(UInt64(roSize), 0x1_0000) + 0x1_0000
        rwAddress = UInt32(truncatingIfNeeded: rw)
        cursor = rw
        hasRegspill = regspill
        if regspill { cursor += UInt64(Self.regspillSlots * 8) }
        for kind in [SectionKind.rwData, .bss] {
            for s in program.sections where s.kind == kind && liveData.contains(s.id) {
                cursor = alignUp(cursor, UInt64(s.alignment))
                sectionAddress[s.id] = UInt32(truncatingIfNeeded: cursor)
                cursor += UInt64(s.size)
                guard cursor < 0xF000_0000 else { throw LinkerError(.layout, "read-write data is too large", section: s.name) }
            }
        }
        rwSize = UInt32(cursor - rw)
    }

    /// The initial RO and RW images (trailing zeros trimmed), given the relocated section contents.
    func images(program: InputProgram, contents: [Int: [UInt8]], gotBytes: [UInt8]) -> (ro: [UInt8], rw: [UInt8]) {
        var ro = [UInt8](repeating: 0, count: Int(roSize))
        var rw = [UInt8](repeating: 0, count: Int(rwSize))
        for s in program.sections {
            guard let address = sectionAddress[s.id], let bytes = contents[s.id] else { continue }
            if s.kind == .roData {
                let start = Int(address - Self.roBase)
                ro.replaceSubrange(start..<(start + bytes.count), with: bytes)
            } else if s.kind == .rwData {
                let start = Int(address - rwAddress)
                rw.replaceSubrange(start..<(start + bytes.count), with: bytes)
            }
        }
        if !gotBytes.isEmpty {
            let start = Int(gotBase - Self.roBase)
            ro.replaceSubrange(start..<(start + gotBytes.count), with: gotBytes)
        }
        while ro.last == 0 { ro.removeLast() }
        while rw.last == 0 { rw.removeLast() }
        return (ro, rw)
    }
}
