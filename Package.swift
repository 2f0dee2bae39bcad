// swift-tools-version:6.0
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
        .target(name: "PolkaVMInterpreter", dependencies: ["PolkaVMProgram"]),
        // The public embedding API: Engine, Module, Instance, host functions.
        .target(name: "PolkaVM", dependencies: ["PolkaVMProgram", "PolkaVMInterpreter"]),
        // ELF (RISC-V) to program blob linker.
        .target(name: "PolkaVMLinker", dependencies: ["PolkaVMProgram"]),
        // The `polkavm` command-line tool.
        .executableTarget(
            name: "polkavm",
            dependencies: ["PolkaVM", "PolkaVMLinker", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "PolkaVMProgramTests", dependencies: ["PolkaVMProgram"]),
        .testTarget(name: "PolkaVMInterpreterTests", dependencies: ["PolkaVMInterpreter", "PolkaVMProgram"]),
        .testTarget(name: "PolkaVMTests", dependencies: ["PolkaVM"]),
        .testTarget(name: "PolkaVMLinkerTests", dependencies: ["PolkaVMLinker", "PolkaVM"]),
        // Example guests and the C toolchain end to end (examples/, guest/, polkavm build/run).
        .testTarget(name: "ExamplesTests", dependencies: ["PolkaVM"]),
    ],
    swiftLanguageModes: [.v6]
)
