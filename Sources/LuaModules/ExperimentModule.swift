import Experiments
import Foundation
import LuaHost
import Tensors
import FileIO

/// The `experiment` module: config overrides, seed, metrics logging, run directory, clock.
extension Runtime {
    func installExperimentModule() {
        host.register(module: "experiment", [
            ("config", { [unowned self] L in try self.experimentConfig(L) }),
            ("seed", { [unowned self] L in L.push(self.context.seed); return 1 }),
            ("clock", { L in L.push(LuaHost.monotonicSeconds()); return 1 }),
            ("dir", { [unowned self] L in
                if let dir = self.context.recorder?.directory.path { L.push(dir) } else { L.pushNil() }
                return 1
            }),
            ("log", { [unowned self] L in
                try L.checkTable(1, "argument 1 (record)")
                let record = try self.jsonObject(L, 1, "record")
                if let recorder = self.context.recorder {
                    try recorder.log(record)
                } else if !self.context.quiet {
                    print(JSONValue.object(record).compactJSON)
                }
                if self.context.stopOnDiverge, let bad = record.first(where: { $0.1.containsNonFinite }) {
                    let reason = "stopped at the first non-finite value (--stop-on-diverge): \(bad.0) = \(bad.1.compactJSON)"
                    if let end = self.context.endDivergedRun { end(reason) }
                    FileHandle.standardError.write(Data(("descent: " + reason + "\n").utf8))
                    exit(0)
                }
                return 0
            }),
            ("stop_on_diverge", { [unowned self] L in
                // experiment.stop_on_diverge([on]): sets the switch (default true), returns it.
                if !L.isNoneOrNil(1) { self.context.stopOnDiverge = try L.boolean(1, "argument 1 (on)") }
                else if L.top == 0 { self.context.stopOnDiverge = true }
                L.push(self.context.stopOnDiverge)
                return 1
            }),
            ("summary", { [unowned self] L in
                try L.checkTable(1, "argument 1 (summary)")
                let values = try self.jsonObject(L, 1, "summary")
                if let recorder = self.context.recorder {
                    try recorder.summary(values)
                } else if !self.context.quiet {
                    print("summary " + JSONValue.object(values).compactJSON)
                }
                return 0
            }),
            ("diverged", { [unowned self] L in
                L.push(self.context.recorder?.diverged ?? false)
                return 1
            }),
        ])
    }

    /// `experiment.config(defaults)`: `defaults` with `--set` overrides parsed to each default's type.
    func experimentConfig(_ L: LuaState) throws -> Int32 {
        try L.checkTable(1, "argument 1 (defaults)")
        var keys = try L.stringKeys(1, "config").sorted()
        if let probe = context.configProbePath {
            // The sweep only needs the defaults: write them and end the probe process here,
            // before the script does any work.
            var defaults: [(String, JSONValue)] = []
            for key in keys {
                L.rawGet(1, key)
                defaults.append((key, try json(L, -1, key, depth: 0)))
                L.pop()
            }
            try AtomicFile.write(JSONValue.object(defaults).compactJSON + "\n", to: URL(fileURLWithPath: probe))
            exit(0)
        }
        for (key, text) in context.overrides {
            guard L.rawGet(1, key) != LUA_TYPE_NIL else {
                L.pop()
                throw LuaError("--set \(key)=\(text): unknown key '\(key)' (valid keys: \(keys.joined(separator: ", ")))")
            }
            let value = try parseOverride(L, key: key, text: text)
            L.pop()
            value(L)
            L.rawSet(1, key)
            context.consumedOverrides.insert(key)
        }
        context.configCalled = true
        if let recorder = context.recorder {
            keys = try L.stringKeys(1, "config").sorted()
            var resolved: [(String, JSONValue)] = []
            for key in keys {
                L.rawGet(1, key)
                resolved.append((key, try json(L, -1, key, depth: 0)))
                L.pop()
            }
            try recorder.updateConfig { $0.config = resolved }
        }
        L.setTop(1)
        return 1
    }

    /// Parses `text` to the type of the default at the top of the stack; returns a pusher.
    func parseOverride(_ L: LuaState, key: String, text: String) throws -> (LuaState) -> Void {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch L.type(-1) {
        case LUA_TYPE_NUMBER:
            guard let v = Double(trimmed) else {
                throw LuaError("--set \(key)=\(text): expected a number (the default is \(L.display(-1))), got \"\(text)\"")
            }
            if let i = Int(trimmed) { return { $0.push(i) } }
            return { $0.push(v) }
        case LUA_TYPE_BOOLEAN:
            switch trimmed.lowercased() {
            case "true", "1", "yes", "on": return { $0.push(true) }
            case "false", "0", "no", "off": return { $0.push(false) }
            default: throw LuaError("--set \(key)=\(text): expected true or false, got \"\(text)\"")
            }
        case LUA_TYPE_STRING:
            return { $0.push(text) }
        case LUA_TYPE_TABLE:
            // A list default such as betas = {0.9, 0.999}: comma-separated numbers.
            let parts = trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let numbers = parts.compactMap(Double.init)
            guard numbers.count == parts.count else {
                throw LuaError("--set \(key)=\(text): expected comma-separated numbers, got \"\(text)\"")
            }
            return { L in
                L.newTable(array: Int32(numbers.count))
                for (k, v) in numbers.enumerated() { L.push(v); L.rawSet(-2, k + 1) }
            }
        default:
            throw LuaError("--set \(key)=\(text): the default of '\(key)' is a \(L.typeName(-1)), which cannot be set from the command line")
        }
    }

    /// A Lua table of metrics as an ordered JSON object: `step`, `epoch` first, then by name.
    func jsonObject(_ L: LuaState, _ i: Int32, _ what: String) throws -> [(String, JSONValue)] {
        for k in try L.stringKeys(i, what) where String(decoding: Array(k.utf8), as: UTF8.self).contains("\u{FFFD}") {
            throw LuaError("\(what): key \(k.debugDescription) is not valid UTF-8 text")
        }
        let keys = try L.stringKeys(i, what).sorted { a, b in
            let rank = { (k: String) in k == "step" ? 0 : k == "epoch" ? 1 : 2 }
            return rank(a) != rank(b) ? rank(a) < rank(b) : a < b
        }
        var out: [(String, JSONValue)] = []
        out.reserveCapacity(keys.count)
        for key in keys {
            L.rawGet(i, key)
            defer { L.pop() }
            out.append((key, try json(L, -1, key, depth: 0)))
        }
        return out
    }

    /// One Lua value as JSON: numbers, booleans, strings, one-element tensors, nested tables.
    func json(_ L: LuaState, _ i: Int32, _ key: String, depth: Int) throws -> JSONValue {
        guard depth < 32 else { throw LuaError("value of '\(key)' is nested too deeply (a cycle?)") }
        try L.reserve(4)  // each level keeps its table on the stack while the next is read
        switch L.type(i) {
        case LUA_TYPE_NIL: return .null
        case LUA_TYPE_BOOLEAN: return .bool(try L.boolean(i, key))
        case LUA_TYPE_NUMBER:
            // JSON numbers are doubles: an integer beyond 2^53 would be logged as another one.
            if let v = try? L.integer(i, key), v > 1 << 53 || v < -(1 << 53) {  // abs(Int.min) traps
                throw LuaError("value of '\(key)' is the integer \(v), which JSON cannot hold exactly (beyond 2^53); log it as a string")
            }
            return .number(L.number(at: i) ?? 0)
        case LUA_TYPE_STRING:
            guard let s = L.validUTF8(i) else { throw LuaError("value of '\(key)' is not valid UTF-8 text") }
            return .string(s)
        case LUA_TYPE_TABLE:
            let i = L.absIndex(i)
            let n = L.rawLength(i)
            if n > 0 {
                // An array must be exactly 1...n: {1, 2, x = 3} or {1, nil, 3} would lose entries.
                let keys = try L.keyCount(i)
                guard keys == n else {
                    throw LuaError("value of '\(key)' mixes a list of \(n) with other keys or holes (\(keys) keys); log a list 1..n or a table of named fields")
                }
                var items: [JSONValue] = []
                for k in 1...n {
                    L.rawGet(i, k)
                    defer { L.pop() }
                    items.append(try json(L, -1, "\(key)[\(k)]", depth: depth + 1))
                }
                return .array(items)
            }
            var pairs: [(String, JSONValue)] = []
            for k in try L.stringKeys(i, key).sorted() {
                L.rawGet(i, k)
                defer { L.pop() }
                pairs.append((k, try json(L, -1, "\(key).\(k)", depth: depth + 1)))
            }
            return .object(pairs)
        default:
            if let t = tensors.to(L, i) {
                guard t.count == 1 else {
                    throw LuaError("value of '\(key)' is a tensor of shape \(describe(shape: t.shape)); expected a number or a one-element tensor")
                }
                return .number(Double(try t.item()))
            }
            throw LuaError("value of '\(key)' expected a number, string, boolean or table, got \(L.typeName(i))")
        }
    }
}

extension Runtime {
    /// Runs a Lua file that returns a table (a `descent tune` search space written in Lua) and
    /// converts the table to JSON.
    ///
    ///     let space = try Runtime(context: RunContext()).evaluateTable(path: "space.lua")
    public func evaluateTable(path: String) throws -> JSONValue {
        try host.load(file: path)
        try host.call(nargs: 0, nresults: 1)
        defer { host.state.pop() }
        guard host.state.type(-1) == LUA_TYPE_TABLE else {
            throw LuaError("\(path): expected the file to return a table, got \(host.state.typeName(-1))")
        }
        return try json(host.state, host.state.top, "space", depth: 0)
    }
}
