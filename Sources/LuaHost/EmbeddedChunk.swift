/// A Lua source embedded in the binary at build time by the EmbedLua plugin (Plugins/), from a
/// `.lua` file in a module's `lua/` folder: the file stays the single source, and descent needs
/// no files beside it at run time.
///
/// ```swift
/// try host.load(chunk: EmbeddedLua.nn)   // errors and tracebacks name Sources/LuaModules/lua/nn.lua
/// ```
public struct EmbeddedChunk: Sendable {
    /// The chunk name Lua reports: `=` and the file's path in the repository.
    public let name: String
    public let source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }

    /// The file's path in the repository (the chunk name without its `=`).
    public var path: String { String(name.dropFirst()) }
}

extension LuaHost {
    /// Compiles an embedded chunk and pushes it as a function (see `load(string:name:)`).
    public func load(chunk: EmbeddedChunk) throws {
        try load(string: chunk.source, name: chunk.name)
    }
}
