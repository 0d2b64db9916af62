import Foundation
import PackagePlugin

/// Derives a registry from the files that define its entries: for the Optim target, every type
/// in Sources/Optim/Algorithms that declares `BuiltinOptimizer` is listed in a generated Swift
/// array, so adding an optimizer edits its own file only (plus its docs entry and stub), never a
/// central list.
@main
struct RegistryPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let tool = try context.tool(named: "ListConformances").url
        let root = context.package.directoryURL.appending(path: "Sources/\(target.name)")
        var commands: [Command] = []
        for (folder, proto) in [("Algorithms", "BuiltinOptimizer")] {
            let dir = root.appending(path: folder)
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".swift") }
            let files = names.sorted().map { dir.appending(path: $0) }
            let output = context.pluginWorkDirectoryURL.appending(path: "Registered\(proto).swift")
            commands.append(.buildCommand(
                displayName: "Listing \(proto) types in \(target.name)/\(folder)",
                executable: tool,
                arguments: [output.path, proto] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]))
        }
        return commands
    }
}
