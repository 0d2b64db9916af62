// swift-tools-version:6.0
import PackageDescription

/// Kernels are hot loops over indices validated at the API boundary. In release builds they drop
/// the exclusivity and overflow checks that keep LLVM from vectorizing them (debug builds, which
/// the test suite and the fuzz harness use, keep every check).
///
/// `-fno-math-errno` for the C shims Swift's math goes through: with it `Float.squareRoot()` is
/// LLVM's sqrt (a `sqrtps` in vector loops) instead of `sqrtss` plus a `sqrtf` call kept only to
/// set errno, which Swift never reads and which stops loops from vectorizing. Results are the same
/// (square roots are correctly rounded either way).
let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-fno-math-errno"]),
    .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

/// Each module's README.md (see Sources/README.md) is documentation, not a source or resource:
/// excluded so that SwiftPM does not warn about an unhandled file.
let readme = ["README.md"]

let package = Package(
    name: "descent",
    products: [
        .executable(name: "descent", targets: ["descent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries, found through pkg-config (see docs/architecture.md).
        .systemLibrary(name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libedit (BSD licence) for the REPL's line editing; GNU readline is GPL.
        .systemLibrary(name: "CEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // C code of our own: the error trampoline and wrappers for Lua's macros.
        .target(name: "CLuaShim", dependencies: ["CLua"]),
        // Element-wise kernels for a wider CPU level than the binary's (AVX-512), chosen at run
        // time; bit-identical to their Swift versions (Sources/CKernels/README.md).
        .target(name: "CKernels", exclude: readme),

        .target(name: "Tensors", dependencies: ["CBLAS", "CKernels"], exclude: readme, swiftSettings: kernelSettings),
        // Atomic whole-file writes (temp file, fsync, rename), shared by NN and Experiments.
        .target(name: "FileIO", exclude: readme),
        .target(name: "NN", dependencies: ["Tensors", "FileIO"], exclude: readme, swiftSettings: kernelSettings),
        // Optimizers register themselves: RegistryPlugin lists the `BuiltinOptimizer` types of
        // Algorithms/ at build time.
        .target(
            name: "Optim", dependencies: ["Tensors"], exclude: readme, swiftSettings: kernelSettings,
            plugins: ["RegistryPlugin"]),
        .target(
            name: "Data", dependencies: ["Tensors", "CZlib"], exclude: readme, resources: [.copy("Resources")],
            swiftSettings: kernelSettings),
        .target(name: "Experiments", dependencies: ["FileIO"], exclude: readme),
        .target(name: "LuaHost", dependencies: ["CLua", "CLuaShim"], exclude: readme),
        // The Lua modules scripts see. Their Lua half is the .lua files in lua/, embedded at build
        // time by EmbedLuaPlugin (with the editor stubs, which `help` prints).
        .target(
            name: "LuaModules",
            dependencies: ["LuaHost", "Tensors", "NN", "Optim", "Data", "Experiments", "FileIO"],
            exclude: readme + ["lua"], plugins: ["EmbedLuaPlugin"]),
        // The REPL: the read-eval-print loop, result display, history, line sources.
        .target(
            name: "Console", dependencies: ["LuaHost", "CEdit"], exclude: readme + ["lua"],
            plugins: ["EmbedLuaPlugin"]),
        // Build tool: Lua files -> a Swift file of raw string literals (Plugins/EmbedLuaPlugin).
        .executableTarget(name: "EmbedLua"),
        .plugin(name: "EmbedLuaPlugin", capability: .buildTool(), dependencies: ["EmbedLua"]),
        // Build tool: the types that declare a protocol -> a Swift array (Plugins/RegistryPlugin).
        .executableTarget(name: "ListConformances"),
        .plugin(name: "RegistryPlugin", capability: .buildTool(), dependencies: ["ListConformances"]),
        .executableTarget(
            name: "descent",
            dependencies: [
                "LuaModules", "Experiments", "FileIO", "Tensors", "Optim", "Console",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: readme + ["lua"], plugins: ["EmbedLuaPlugin"]),

        .testTarget(name: "TensorsTests", dependencies: ["Tensors"], resources: [.copy("Fixtures")]),
        .testTarget(name: "OptimTests", dependencies: ["Optim", "Tensors"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensors"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DataTests", dependencies: ["Data", "Tensors"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "FileIO"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LuaHostTests", dependencies: ["LuaHost", "LuaModules"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "LuaHost"]),
        .testTarget(name: "EndToEndTests", dependencies: ["descent"], exclude: ["Fuzz", "Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
