import ArgumentParser
import Foundation
import PolkaVMLinker
import PolkaVMProgram

/// `polkavm build`: compiles C guests with clang for RV64E/RV32E, links them with the guest SDK's
/// C library (guest/polkavm_libc.c) and writes a .polkavm blob.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Compile C sources with clang and link them into a .polkavm program blob.",
        discussion: """
            Sources include "polkavm.h" (guest/) for imports, exports and the C library. clang is taken from \
            $CLANG, else from the Swift toolchain (next to the resolved `swift` on PATH), else from PATH. \
            Relocatable objects go straight to the linker; with --lld they are first linked by ld.lld \
            ($LD_LLD, or next to clang) into a shared object. The output depends only on the inputs and options.
            """
    )

    @Argument(help: "C source files (.c), or RISC-V relocatable objects (.o) to link in.")
    var sources: [String]

    @Option(name: .shortAndLong, help: "The output .polkavm file.")
    var output: String

    @Option(help: "rv64 (the latest64 instruction set) or rv32 (latest32).")
    var target: String = "rv64"

    @Option(name: .customShort("O", allowingJoined: true), help: ArgumentHelp("Optimization level: 0, 1, 2, 3, s, z (-O2, -Os, ...).", valueName: "level"))
    var optimization: String = "2"

    @Option(name: .customShort("I", allowingJoined: true), help: ArgumentHelp("Add an include directory.", valueName: "dir"))
    var includeDirectories: [String] = []

    @Option(name: .customShort("D", allowingJoined: true), help: ArgumentHelp("Define a preprocessor macro: -D NAME=VALUE, -D NAME or -DNAME (write a value after a space: -DNAME=VALUE is not accepted).", valueName: "macro"))
    var defines: [String] = []

    @Flag(help: "Drop debug information (function names, source lines) from the blob; also compiles without -g.")
    var strip = false

    @Flag(name: .customLong("keep-temps"), help: "Keep the intermediate object files and print where they are.")
    var keepTemps = false

    @Flag(help: "Link the objects with `ld.lld -shared --emit-relocs` first and give the linker the shared object.")
    var lld = false

    @Option(name: .customLong("min-stack-size"), help: "Minimum stack size in bytes (POLKAVM_MIN_STACK_SIZE may ask for more).")
    var minStackSize: UInt32 = 8192

    @Flag(name: .customLong("no-libc"), help: "Do not compile and link guest/polkavm_libc.c (e.g. when a prebuilt polkavm_libc.o is among the inputs).")
    var noLibc = false

    @Option(help: "The guest SDK directory holding polkavm.h and polkavm_libc.c (default: found automatically).")
    var sdk: String?

    @Option(name: .customLong("export"), help: ArgumentHelp("Also export this function by its C name, for code without POLKAVM_EXPORT (repeatable).", valueName: "symbol"))
    var exportedSymbols: [String] = []

    @Option(name: .customLong("cflag"), help: ArgumentHelp("Pass an extra flag to clang (repeatable).", valueName: "flag"))
    var extraFlags: [String] = []

    func run() throws {
        guard let triple = GuestToolchain.Target(rawValue: target) else {
            throw ValidationError("unknown target '\(target)' (rv64, rv32)")
        }
        guard ["0", "1", "2", "3", "s", "z"].contains(optimization) else {
            throw ValidationError("unknown optimization level '-O\(optimization)' (-O0, -O1, -O2, -O3, -Os, -Oz)")
        }
        let sdkDirectory = try sdk ?? GuestToolchain.findSDK()
        let clang = try GuestToolchain.findClang()
        let temps = FileManager.default.temporaryDirectory
            .appendingPathComponent("polkavm-build-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: temps, withIntermediateDirectories: true)
        defer {
            if keepTemps {
                FileHandle.standardError.write(Data("intermediate files kept in \(temps.path)\n".utf8))
            } else {
                try? FileManager.default.removeItem(at: temps)
            }
        }

        let sdk = GuestToolchain.absolute(sdkDirectory)
        var common = triple.clangFlags + ["-O\(optimization)"] + GuestToolchain.commonFlags
        if !strip { common += GuestToolchain.debugFlags(sdk: sdk) }
        common += ["-I", sdk, "-isystem", (sdk as NSString).appendingPathComponent("include")] + includeDirectories.flatMap { ["-I", $0] } + defines.map { "-D\($0)" } + extraFlags

        var objects: [String] = []
        for (i, source) in sources.enumerated() {
            if source.hasSuffix(".o") { objects.append(source); continue }
            let object = temps.appendingPathComponent("\(i)-\((source as NSString).lastPathComponent).o").path
            // The source by its absolute path, and its directory mapped away: line information names
            // `file.c` however the source was named on the command line.
            let path = GuestToolchain.absolute(source)
            let directory = strip ? [] : ["-fdebug-prefix-map=" + (path as NSString).deletingLastPathComponent + "/="]
            try GuestToolchain.execute(clang, common + directory + ["-c", path, "-o", object])
            objects.append(object)
        }
        if !noLibc {
            let libc = temps.appendingPathComponent("polkavm_libc.o").path
            // Without jump tables: the library's only switches are the formatting code's, where a table
            // costs about 200 bytes of RO data in every program that prints.
            try GuestToolchain.execute(clang, common + ["-fno-builtin", "-fno-jump-tables", "-c", (sdk as NSString).appendingPathComponent("polkavm_libc.c"), "-o", libc])
            objects.append(libc)
        }

        var inputs: [[UInt8]]
        if lld {
            let ldLLD = try GuestToolchain.findLLD(clang: clang)
            let shared = temps.appendingPathComponent("program.so").path
            try GuestToolchain.execute(ldLLD, GuestToolchain.lldFlags + objects + ["-o", shared])
            inputs = [try readFile(shared)]
        } else {
            inputs = try objects.map { try readFile($0) }
        }

        let config = LinkerConfiguration(strip: strip, optimizationLevel: 2, minimumStackSize: minStackSize, isa: triple.isa,
                                         exportedSymbols: exportedSymbols)
        try linkAndWrite(inputs, configuration: config, output: output)
    }
}

/// Finding and running the C toolchain for guests.
enum GuestToolchain {
    /// A guest target: the clang triple and flags, and the instruction set it links to.
    enum Target: String {
        case rv64, rv32

        /// Target selection flags: RV64E/RV32E with M, A, C, Zbb and XTheadCondMov, the E ABIs, and
        /// `-mno-strict-align`: PolkaVM loads and stores take any address, so the compiler may merge
        /// byte accesses into wider ones instead of splitting unaligned accesses into bytes (a later
        /// `--cflag=-mstrict-align` turns that off).
        var clangFlags: [String] {
            switch self {
            case .rv64: return ["--target=riscv64-unknown-none-elf", "-march=rv64emac_zbb_xtheadcondmov", "-mabi=lp64e", "-mno-strict-align"]
            case .rv32: return ["--target=riscv32-unknown-none-elf", "-march=rv32emac_zbb_xtheadcondmov", "-mabi=ilp32e", "-mno-strict-align"]
            }
        }

        /// The instruction set of the blob.
        var isa: InstructionSetKind { self == .rv64 ? .latest64 : .latest32 }
    }

    /// Flags for every compilation: freestanding, position-independent, one section per function and
    /// object (for dead-code elimination), no unwind tables, and no contraction of `a * b + c` into one
    /// fused rounding. PolkaVM has no FPU, so at run time the SDK's soft-float rounds the multiply and the
    /// add separately; with contraction on, clang would still fuse the expressions it folds at compile
    /// time, and a program's float results would depend on which of its inputs were constants.
    static let commonFlags = [
        "-ffreestanding", "-nostdlib", "-fPIC", "-fvisibility=hidden", "-fno-common", "-ffunction-sections", "-fdata-sections",
        "-fno-exceptions", "-fno-unwind-tables", "-fno-asynchronous-unwind-tables", "-fno-stack-protector",
        "-fno-ident", "-ffp-contract=off",
    ]

    /// Debug flags unless `--strip`: DWARF line tables (and the function entries inlining needs), with paths
    /// that do not depend on where the build runs: the compilation directory is `.` and the SDK directory
    /// is written as `guest/` (sources map their own directory away, see `run()`).
    static func debugFlags(sdk: String) -> [String] {
        ["-gline-tables-only", "-fdebug-compilation-dir=.", "-fdebug-prefix-map=" + sdk + "/=guest/"]
    }

    /// `path` made absolute (against the current directory) and standardized (no `.`/`..` components).
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Flags for `--lld`: a shared object that keeps its relocations (upstream's linker convention).
    static let lldFlags = [
        "-shared", "--emit-relocs", "--unique", "--apply-dynamic-relocs", "--no-allow-shlib-undefined",
        "-Bsymbolic", "-z", "notext", "--build-id=none",
    ]

    /// Runs a tool, forwarding its output; throws if it fails.
    static func execute(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        do { try process.run() } catch {
            throw CommandFailure("cannot run \(tool): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure("\((tool as NSString).lastPathComponent) failed (exit status \(process.terminationStatus))")
        }
    }

    static func isExecutable(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }

    /// The first executable named `name` on PATH.
    static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = (String(directory) as NSString).appendingPathComponent(name)
            if isExecutable(candidate) { return candidate }
        }
        return nil
    }

    /// The directory of the Swift toolchain's executables (the resolved `swift` on PATH).
    static func swiftToolchainBin() -> String? {
        guard let swift = onPath("swift") else { return nil }
        let resolved = URL(fileURLWithPath: swift).resolvingSymlinksInPath().path
        return (resolved as NSString).deletingLastPathComponent
    }

    /// clang: `$CLANG`, else next to `swift`, else on PATH.
    static func findClang() throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let clang = env["CLANG"], !clang.isEmpty {
            guard isExecutable(clang) else { throw CommandFailure("$CLANG is set to '\(clang)', which is not an executable") }
            return clang
        }
        if let bin = swiftToolchainBin() {
            let candidate = (bin as NSString).appendingPathComponent("clang")
            if isExecutable(candidate) { return candidate }
        }
        if let clang = onPath("clang") { return clang }
        throw CommandFailure("""
            clang not found: it is needed to compile C guests (with RISC-V support, as in the Swift toolchain). \
            Set $CLANG to its path, or put a Swift toolchain's bin directory (which contains clang) on PATH.
            """)
    }

    /// ld.lld: `$LD_LLD`, else next to clang, else next to `swift`, else on PATH.
    static func findLLD(clang: String) throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let lld = env["LD_LLD"], !lld.isEmpty {
            guard isExecutable(lld) else { throw CommandFailure("$LD_LLD is set to '\(lld)', which is not an executable") }
            return lld
        }
        var candidates = [((URL(fileURLWithPath: clang).resolvingSymlinksInPath().path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("ld.lld")]
        if let bin = swiftToolchainBin() { candidates.append((bin as NSString).appendingPathComponent("ld.lld")) }
        if let found = candidates.first(where: isExecutable) ?? onPath("ld.lld") { return found }
        throw CommandFailure("ld.lld not found (needed for --lld): set $LD_LLD, or put a Swift toolchain's bin directory on PATH")
    }

    /// The guest SDK directory: `$POLKAVM_SDK`, else a `guest/` directory with polkavm.h above the
    /// executable, the current directory, or the source tree this tool was built from.
    static func findSDK() throws -> String {
        func holdsSDK(_ dir: String) -> Bool {
            FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("polkavm.h"))
                && FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("polkavm_libc.c"))
        }
        if let dir = ProcessInfo.processInfo.environment["POLKAVM_SDK"], !dir.isEmpty {
            guard holdsSDK(dir) else { throw CommandFailure("$POLKAVM_SDK (\(dir)) holds no polkavm.h and polkavm_libc.c") }
            return dir
        }
        var starts: [URL] = []
        if let exe = Bundle.main.executableURL { starts.append(exe.resolvingSymlinksInPath().deletingLastPathComponent()) }
        starts.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        starts.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        for start in starts {
            var dir = start
            for _ in 0..<8 {
                let guest = dir.appendingPathComponent("guest").path
                if holdsSDK(guest) { return guest }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        throw CommandFailure("the guest SDK (guest/polkavm.h, guest/polkavm_libc.c) was not found: pass --sdk DIR or set $POLKAVM_SDK")
    }
}
