import ArgumentParser
import PolkaVM

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print a program blob's sections, sizes and instruction counts."
    )

    @Argument(help: "The .polkavm program blob.")
    var blob: String

    func run() throws {
        let bytes = try readFile(blob)
        let parsed: ProgramBlob
        do { parsed = try ProgramBlob(parsing: bytes) } catch { throw CommandFailure("\(blob): \(error)") }
        let code = parsed.code
        let walk = code.linearWalk()
        var histogram: [Opcode: Int] = [:]
        for inst in walk { histogram[inst.instruction.opcode, default: 0] += 1 }
        print("blob: \(bytes.count) bytes, instruction set \(parsed.isa) (version \(parsed.isa.rawValue))")
        print("memory: ro_data_size \(parsed.roDataSize), rw_data_size \(parsed.rwDataSize), stack_size \(parsed.stackSize)")
        print("ro data: \(parsed.roData.count) bytes; rw data: \(parsed.rwData.count) bytes")
        print("imports: \(parsed.imports.count)" + (parsed.imports.isEmpty ? "" : " (" + parsed.imports.map(\.description).joined(separator: ", ") + ")"))
        print("exports: \(parsed.exports.count)" + (parsed.exports.isEmpty ? "" : " (" + parsed.exports.map { "\($0.symbol)@\($0.pc)" }.joined(separator: ", ") + ")"))
        let entrySize = code.jumpTable.map { $0 == 0 ? 0 : (32 - $0.leadingZeroBitCount + 7) / 8 }.max() ?? 0
        print("code: \(code.count) bytes, bitmask \(code.bitmask.count) bytes, jump table \(code.jumpTable.count) entries (\(code.jumpTable.count * entrySize) bytes)")
        print("instructions: \(walk.count), basic blocks: \(code.basicBlockStartsAlongWalk().count)")
        for c in parsed.customSections { print("custom section \(c.id): \(c.payload.count) bytes") }
        print("opcode histogram:")
        for (op, n) in histogram.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key.name < $1.key.name) }) {
            print("  \(op.name): \(n)")
        }
    }
}
