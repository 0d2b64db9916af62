import Foundation
import LuaHost

/// `descent run --sandbox`: no processes, no C code, file access only under the script's folder
/// and the run directory — for Lua's own `io`/`os`/`require` and for descent's loaders alike.
///
/// The policy lives in Swift (`FileAccessPolicy`) and is consulted by Lua wrappers installed
/// over `io.open` and friends, and directly by the data and checkpoint bindings.
public struct FileAccessPolicy {
    /// Real paths of the folders a sandboxed script may touch; nil when not sandboxed.
    public let roots: [String]?

    public static let unrestricted = FileAccessPolicy(roots: nil)

    public init(roots: [String]?) {
        self.roots = roots?.map { FileAccessPolicy.resolve($0) ?? $0 }
    }

    /// Throws unless `path` lies under one of the roots (after resolving `..` and symlinks).
    public func check(_ path: String, write: Bool) throws {
        guard let roots else { return }
        guard let real = FileAccessPolicy.resolve(path) else {
            throw LuaError("--sandbox: cannot resolve path '\(path)'")
        }
        for root in roots where real == root || real.hasPrefix(root.hasSuffix("/") ? root : root + "/") { return }
        throw LuaError("--sandbox: access to '\(path)' is not allowed (only under \(roots.joined(separator: " and ")))")
    }

    /// The real path of `path`, or of its parent folder plus its last component when the file
    /// does not exist yet (a file about to be written).
    static func resolve(_ path: String) -> String? {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        if let p = realpath(absolute, nil) { defer { free(p) }; return String(cString: p) }
        let url = URL(fileURLWithPath: absolute)
        let parent = url.deletingLastPathComponent().path
        guard let p = realpath(parent, nil) else { return nil }
        defer { free(p) }
        return String(cString: p) + "/" + url.lastPathComponent
    }
}

extension Runtime {
    /// Checks a path that descent itself is about to read or write for the script.
    func checkFileAccess(_ path: String, write: Bool) throws {
        try context.fileAccess.check(path, write: write)
    }

    /// Replaces the unsafe parts of the standard library. Runs after every module is installed.
    func installSandbox(scriptDirectory: String) throws {
        try host.load(chunk: EmbeddedLua.sandbox)
        host.pushFunction("sandbox") { [unowned self] L in
            let path = try L.string(1, "path")
            do {
                try self.context.fileAccess.check(path, write: L.type(2) == LUA_TYPE_BOOLEAN && (try L.boolean(2, "write")))
                return 0
            } catch {
                L.push("\(error)")  // the Lua wrapper raises it at the script's line
                return 1
            }
        }
        host.state.push(scriptDirectory)
        try host.call(nargs: 2, nresults: 0)
    }
}

