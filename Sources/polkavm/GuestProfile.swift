import Foundation
import PolkaVM
import PolkaVMProgram

/// Execution counts per instruction of one run (`polkavm run --profile`): a deterministic
/// instruction-level profile, summarised per instruction and per source function.
struct GuestProfile {
    private var counts: [UInt64]
    private(set) var total: UInt64 = 0

    init(codeLength: Int) { counts = [UInt64](repeating: 0, count: codeLength + 1) }

    /// Counts one execution of the instruction at `pc`.
    mutating func record(_ pc: UInt32) {
        let i = Int(pc)
        if i < counts.count { counts[i] += 1 }
        total += 1
    }

    /// `(pc, count)` of every executed instruction, in code order.
    var executed: [(pc: UInt32, count: UInt64)] {
        counts.indices.compactMap { counts[$0] == 0 ? nil : (UInt32($0), counts[$0]) }
    }

    /// The report: totals, the hottest instructions and the hottest functions (innermost source
    /// function from debug information; without it, the block's export or `?`).
    func report(code: ProgramCode, locations: SourceLocations, top: Int) -> [String] {
        func percent(_ n: UInt64) -> String { String(format: "%6.2f%%", total == 0 ? 0 : Double(n) * 100 / Double(total)) }
        let hits = executed
        var lines = ["profile: \(total) instructions executed, \(hits.count) distinct"]
        lines.append("hottest instructions:")
        for (pc, n) in hits.sorted(by: { $0.count > $1.count }).prefix(top) {
            let text = Disassembler.text(for: code.decode(at: Int(pc)).instruction, isa: code.isa, jumpTarget: { "@\($0)" })
            let note = locations.note(at: pc).map { "  // " + $0 } ?? ""
            lines.append(String(format: "  %@ %12llu %8u: ", percent(n), n, pc) + text + note)
        }
        var byFunction: [String: UInt64] = [:]
        for (pc, n) in hits {
            let name = locations.frames(at: pc).last?.fullName ?? "?"
            byFunction[name, default: 0] += n
        }
        if byFunction.count > 1 || byFunction["?"] == nil {
            lines.append("hottest functions (innermost inlined function):")
            for (name, n) in byFunction.sorted(by: { $0.value > $1.value }).prefix(top) {
                lines.append(String(format: "  %@ %12llu  ", percent(n), n) + name)
            }
        }
        return lines
    }

    /// Writes `pc count opcode nextPC` lines (code order) for other tools.
    func write(to path: String, code: ProgramCode) throws {
        var text = ""
        for (pc, n) in executed {
            let decoded = code.decode(at: Int(pc))
            text += "\(pc) \(n) \(decoded.instruction.opcode) \(decoded.nextPC)\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
