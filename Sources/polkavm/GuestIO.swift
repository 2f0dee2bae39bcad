import Foundation
import PolkaVM

/// The deterministic I/O host functions `polkavm run` gives guests (docs/HOSTCALLS.md): write to
/// stdout/stderr, read stdin, read the program's arguments, exit with a status. Nothing else (no clock,
/// no randomness, no files), so a run depends only on the blob, the arguments and stdin.
final class GuestIO {
    /// Thrown by `polkavm_exit` to stop the guest; ``RunCommand`` turns it into the process exit status.
    struct Exit: Error, CustomStringConvertible {
        /// The status the guest passed (truncated to 32 bits, as a signed value).
        var code: Int32
        var description: String { "the guest exited with status \(code)" }
    }

    /// Linux-style error numbers, returned negated in `a0`.
    enum Errno: Int64 {
        case badDescriptor = 9  // EBADF
        case fault = 14  // EFAULT
        case invalid = 22  // EINVAL
    }

    /// The most bytes one `polkavm_write`/`polkavm_read` call transfers (reads return less; writes
    /// longer than this are written in full, in pieces).
    static let chunkSize = 1 << 16

    let arguments: [[UInt8]]
    let standardOutput: (Data) -> Void
    let standardError: (Data) -> Void
    let standardInput: (Int) -> Data

    /// Creates the I/O state: the program arguments and where output goes / input comes from.
    init(arguments: [String],
         standardOutput: @escaping (Data) -> Void = { FileHandle.standardOutput.write($0) },
         standardError: @escaping (Data) -> Void = { FileHandle.standardError.write($0) },
         standardInput: @escaping (Int) -> Data = { (try? FileHandle.standardInput.read(upToCount: $0)) ?? Data() }) {
        self.arguments = arguments.map { Array($0.utf8) }
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.standardInput = standardInput
    }

    /// Splits `run`'s positional arguments into the export's arguments and the program arguments:
    /// the words after the first `--` on the command line (which the argument parser merges into
    /// the positional list).
    static func splitAtTerminator(_ positional: [String], commandLine: [String] = CommandLine.arguments) -> (exportArguments: [String], programArguments: [String]) {
        guard let terminator = commandLine.firstIndex(of: "--") else { return (positional, []) }
        let count = min(commandLine.count - terminator - 1, positional.count)
        return (Array(positional.dropLast(count)), Array(positional.suffix(count)))
    }

    /// The host functions of a `polkavm run` with `arguments` as the program arguments.
    static func hostFunctions(arguments: [String]) -> HostFunctions {
        GuestIO(arguments: arguments).hostFunctions()
    }

    /// The host functions, bound to this state.
    func hostFunctions() -> HostFunctions {
        var host = HostFunctions()
        host.define("polkavm_write") { [self] instance, fd, address, length in
            let sink: (Data) -> Void
            switch fd {
            case 1: sink = standardOutput
            case 2: sink = standardError
            default: return Self.error(.badDescriptor)
            }
            guard let (addr, count) = Self.span(instance, address, length) else { return Self.error(.fault) }
            var offset = 0
            var pieces: [Data] = []
            while offset < count {
                let n = min(Self.chunkSize, count - offset)
                guard let bytes = try? instance.readMemory(at: addr + UInt32(offset), count: n) else { return Self.error(.fault) }
                pieces.append(Data(bytes))
                offset += n
            }
            for p in pieces { sink(p) }
            return UInt64(count)
        }
        host.define("polkavm_read") { [self] instance, fd, address, length in
            guard fd == 0 else { return Self.error(.badDescriptor) }
            guard let (addr, count) = Self.span(instance, address, min(length, UInt64(Self.chunkSize))) else {
                return Self.error(.fault)
            }
            guard instance.isMemoryAccessible(address: addr, length: count, writable: true) else { return Self.error(.fault) }
            let data = count == 0 ? Data() : standardInput(count)
            do { try instance.writeMemory([UInt8](data), at: addr) } catch { return Self.error(.fault) }
            return UInt64(data.count)
        }
        host.define("polkavm_arg_count") { [self] _ in UInt64(arguments.count) }
        host.define("polkavm_arg_len") { [self] instance, index in
            guard let arg = argument(instance, index) else { return Self.error(.invalid) }
            return UInt64(arg.count)
        }
        host.define("polkavm_arg_read") { [self] instance, index, address, length in
            guard let arg = argument(instance, index) else { return Self.error(.invalid) }
            let n = Int(min(UInt64(arg.count), Self.width(instance, length)))
            guard let (addr, _) = Self.span(instance, address, UInt64(n)) else { return Self.error(.fault) }
            do { try instance.writeMemory(Array(arg[0..<n]), at: addr) } catch { return Self.error(.fault) }
            return UInt64(arg.count)
        }
        host.defineRaw("polkavm_exit") { instance in
            throw Exit(code: Int32(truncatingIfNeeded: instance.register(.a0)))
        }
        return host
    }

    /// `-errno` as a register value of the instance's width.
    static func error(_ e: Errno) -> UInt64 { UInt64(bitPattern: -e.rawValue) }

    /// A register value as the guest sees it (the low 32 bits on 32-bit instruction sets).
    static func width(_ instance: Instance, _ value: UInt64) -> UInt64 {
        instance.module.isa.is64Bit ? value : value & 0xFFFF_FFFF
    }

    /// A guest buffer `(address, length)` if it lies inside the 32-bit address space.
    static func span(_ instance: Instance, _ address: UInt64, _ length: UInt64) -> (UInt32, Int)? {
        let a = width(instance, address), n = width(instance, length)
        guard a <= UInt64(UInt32.max), n <= UInt64(UInt32.max), a + n <= (1 << 32) else { return nil }
        return (UInt32(a), Int(n))
    }

    func argument(_ instance: Instance, _ index: UInt64) -> [UInt8]? {
        let i = Self.width(instance, index)
        return i < UInt64(arguments.count) ? arguments[Int(i)] : nil
    }
}
