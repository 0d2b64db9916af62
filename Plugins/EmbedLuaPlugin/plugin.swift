import Foundation
import PackagePlugin

/// Embeds a target's Lua sources (the `.lua` files in its `lua/` folder) into a generated Swift
/// file, `enum EmbeddedLua`, at build time. The `.lua` files are the single source: they are
/// linted by luacheck and edited as Lua; the binary needs no files beside it at run time.
///
/// A target that also needs the lua-language-server stubs (for `help`) gets them as
/// `enum EmbeddedStubs` from editor/luals/library.
@main
struct EmbedLuaPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let tool = try context.tool(named: "EmbedLua").url
        let packageRoot = context.package.directoryURL
        var commands: [Command] = []
        func embed(folder: URL, enumName: String, outputName: String) {
            let files = luaFiles(in: folder)
            guard !files.isEmpty else { return }
            let output = context.pluginWorkDirectoryURL.appending(path: outputName)
            let prefix = relativePath(of: folder, from: packageRoot)
            commands.append(.buildCommand(
                displayName: "Embedding \(files.count) Lua files of \(prefix)",
                executable: tool,
                arguments: [output.path, enumName, prefix] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]))
        }
        embed(folder: packageRoot.appending(path: "Sources/\(target.name)/lua"), enumName: "EmbeddedLua", outputName: "EmbeddedLua.swift")
        if target.name == "LuaModules" {
            embed(folder: packageRoot.appending(path: "editor/luals/library"), enumName: "EmbeddedStubs",
                  outputName: "EmbeddedStubs.swift")
        }
        return commands
    }

    func luaFiles(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".lua") }.sorted().map { folder.appending(path: $0) }
    }

    func relativePath(of url: URL, from root: URL) -> String {
        let path = url.standardizedFileURL.path, base = root.standardizedFileURL.path
        guard path.hasPrefix(base) else { return path }
        return String(path.dropFirst(base.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }
}
