// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "PolkaVM",
    products: [
        .library(name: "PolkaVM", targets: ["PolkaVM"]),
        .library(name: "PolkaVMProgram", targets: ["PolkaVMProgram"]),
        .library(name: "PolkaVMLinker", targets: ["PolkaVMLinker"]),
        .executable(name: "polkavm", targets: ["polkavm"]),
    ],
    dependencies: [
        // Used by the command-line tool only; the libraries depend on nothing beyond the toolchain.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Container, instruction sets, decoder, validator, gas cost models, assembler, disassembler.
        .target(name: "PolkaVMProgram"),
        // The portable interpreter backend: pre-decoded basic blocks, paged guest memory.
        // Its handlers end in tail calls and need no stack frame: `-momit-leaf-frame-pointer` drops the
        // push/mov/pop of the frame pointer that SwiftPM's `-fno-omit-frame-pointer` puts in each of them
        // (functions that make real calls keep it, so backtraces through the host stay whole). Tools
        // version 6.2 lets a package that depends on this one by version accept the flag.
        .target(
            name: "PolkaVMInterpreter",
            dependencies: ["PolkaVMProgram"],
            swiftSettings: [.unsafeFlags(["-Xcc", "-momit-leaf-frame-pointer"])]
        ),
        // The public embedding API: Engine, Module, Instance, host functions.
        .target(name: "PolkaVM", dependencies: ["PolkaVMProgram", "PolkaVMInterpreter"]),
        // ELF (RISC-V) to program blob linker.
        .target(name: "PolkaVMLinker", dependencies: ["PolkaVMProgram"]),
        // The `polkavm` command-line tool.
        .executableTarget(
            name: "polkavm",
            dependencies: ["PolkaVM", "PolkaVMLinker", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Runs external tools (clang, ld.lld, the `polkavm` executable) for the tests, through files, not pipes.
        .target(name: "ToolRunner", path: "Tests/ToolRunner"),
        .testTarget(name: "PolkaVMProgramTests", dependencies: ["PolkaVMProgram"]),
        .testTarget(name: "PolkaVMInterpreterTests", dependencies: ["PolkaVMInterpreter", "PolkaVMProgram"]),
        .testTarget(name: "PolkaVMTests", dependencies: ["PolkaVM"]),
        .testTarget(name: "PolkaVMLinkerTests", dependencies: ["PolkaVMLinker", "PolkaVM", "ToolRunner"]),
        // Example guests and the C toolchain end to end (examples/, guest/, polkavm build/run).
        .testTarget(name: "ExamplesTests", dependencies: ["PolkaVM", "ToolRunner"]),
    ],
    swiftLanguageModes: [.v6]
)
