// swift-tools-version:6.0
// The benchmark runner lives in its own package so that the main library keeps zero dependencies.
import PackageDescription

let package = Package(
    name: "PolkaVMBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // The main package, by path (the product is looked up by the package's manifest name).
        .package(name: "PolkaVM", path: ".."),
        .package(url: "https://github.com/swiftwasm/WasmKit", from: "0.4.2"),
    ],
    targets: [
        .executableTarget(
            name: "polkavm-bench",
            dependencies: [
                .product(name: "PolkaVM", package: "PolkaVM"),
                .product(name: "WasmKit", package: "WasmKit"),
            ]
        ),
    ]
)
