// swift-tools-version:6.2
import PackageDescription

// Module map (ARCHITECTURE.md): modules import downward only.
//   CCurl, CEdit            system libraries (pkg-config, apt providers)
//   CCurlShim, CEditShim    typed C wrappers for their variadic functions
//   CByteScan               SSE2 byte scans for the JSON parser and writer
//   MQCore                  values shared by every layer: JSON, instants
//   MosendSim               the API simulator as a library (mq --demo embeds it)
//   mosend-sim              the simulator's command line
let package = Package(
    name: "mq",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mq", targets: ["mq"]),
        .executable(name: "mosend-sim", targets: ["mosend-sim"]),
        .library(name: "MosendSim", targets: ["MosendSim"]),
        .library(name: "MQClient", targets: ["MQClient"]),
    ],
    dependencies: [
        // The simulator's HTTP server: NIO-based, ~1.5 ms a request here (platform-notes.md),
        // and its body writer lets a fault close the connection mid-body without touching raw sockets.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // Already in Hummingbird's graph; named so the simulator can import them directly
        // (a stderr logger, the bound channel's port).
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Command-line parsing for both executables: help, errors and completion for free.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // libcurl's headers only: CCurlShim opens the library at its first use (dlopen),
        // so a statement that sends nothing does not load it and its thirty libraries.
        .systemLibrary(
            name: "CCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        .systemLibrary(
            name: "CEdit", pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]),
        .target(name: "CEditShim", dependencies: ["CEdit"]),

        .target(name: "CByteScan"),
        .target(name: "MQCore", dependencies: ["CByteScan"]),
        .target(name: "MQClient", dependencies: ["MQCore", "CCurlShim"]),
        .target(name: "MQFormat", dependencies: ["MQCore"]),
        .target(name: "MQFiles", dependencies: ["MQCore", "CByteScan"]),
        .target(name: "MQSyntax", dependencies: ["MQCore"]),
        .target(name: "MQConfig"),
        .target(name: "MQPlanner", dependencies: ["MQSyntax", "MQCore"]),
        .target(name: "MQExec", dependencies: ["MQPlanner", "MQSyntax", "MQFiles", "MQFormat", "MQCore"]),
        .target(
            name: "MosendSim",
            dependencies: [
                "MQCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
        .executableTarget(
            name: "mq",
            dependencies: [
                "MQExec", "MQClient", "MQSyntax", "MQCore", "MQConfig", "MosendSim", "CEdit", "CEditShim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["BuildInfo"]),
        // The git commit for `mq --version`, written at each build.
        .plugin(name: "BuildInfo", capability: .buildTool()),
        .executableTarget(
            name: "mosend-sim",
            dependencies: [
                "MosendSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Not a product: scripts/bench-client builds and drives it (release) against mosend-sim.
        .executableTarget(name: "client-bench", dependencies: ["MQClient", "MQCore"], path: "Benchmarks/ClientBench"),
        .executableTarget(name: "file-bench", dependencies: ["MQFiles", "MQCore"], path: "Benchmarks/FileBench"),

        // Helpers shared by the test targets: spawning mosend-sim, a blocking curl client,
        // the independent ground truth.
        .target(name: "MQTestSupport", dependencies: ["MQCore", "CCurlShim"], path: "Tests/Support"),
        .testTarget(name: "MQCoreTests", dependencies: ["MQCore"], exclude: ["fixtures"]),
        .testTarget(name: "MQFormatTests", dependencies: ["MQFormat", "MQCore", "MQSyntax"]),
        .testTarget(name: "MQFilesTests", dependencies: ["MQFiles", "MQCore"], exclude: ["fixtures"]),
        .testTarget(name: "MQSyntaxTests", dependencies: ["MQSyntax", "MQCore"]),
        .testTarget(name: "MQConfigTests", dependencies: ["MQConfig"]),
        .testTarget(name: "MQPlannerTests", dependencies: ["MQPlanner", "MQSyntax", "MQCore"]),
        .testTarget(
            name: "MQExecTests",
            dependencies: ["MQExec", "MQClient", "MQFormat", "MQSyntax", "MQPlanner", "MQCore", "MQTestSupport", "MosendSim"],
            exclude: ["queries", "fixtures", "contract"]),
        .testTarget(name: "SystemLibraryTests", dependencies: ["CCurlShim", "CEditShim"]),
        .testTarget(
            name: "MosendSimTests",
            dependencies: ["MQCore", "MosendSim", "CCurlShim", "MQTestSupport"]),
        .testTarget(
            name: "MQClientTests",
            dependencies: [
                "MQCore", "MQClient", "MosendSim", "CCurlShim", "MQTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
    ]
)

// Fuzz targets (Fuzz/, run by scripts/fuzz): only with MQ_FUZZ=1, built with
// `--sanitize=fuzzer --sanitize=address` in their own scratch path. They define
// LLVMFuzzerTestOneInput and no `main` (libFuzzer supplies it), so an ordinary build,
// which would try to link them as programs, never sees them.
if Context.environment["MQ_FUZZ"] == "1" {
    package.targets += [
        .executableTarget(name: "fuzz-parser", dependencies: ["MQSyntax", "MQPlanner", "MQExec", "MQCore"], path: "Fuzz/Parser"),
        .executableTarget(name: "fuzz-json", dependencies: ["MQCore"], path: "Fuzz/JSON"),
        .executableTarget(name: "fuzz-files", dependencies: ["MQFiles", "MQCore"], path: "Fuzz/Files"),
        .executableTarget(
            name: "fuzz-session", dependencies: ["MQExec", "MQFormat", "MQSyntax", "MQCore"], path: "Fuzz/Session"),
    ]
}
