import LuaHost

/// Tab completion for the REPL: the names that complete the word before the cursor, found by
/// lua/complete.lua in the live Lua state — globals and keywords, members after `.`
/// (`optim.Ad` → `Adagrad`, `Adam`, `Adamax`, `AdamW`), methods after `:` (`t:resh` →
/// `reshape` for a tensor `t`).
///
/// ```swift
/// let completion = try ReplCompletion(host: host)
/// completion.complete("optim.Ad").candidates   // ["Adagrad", "Adam", "Adamax", "AdamW", ...]
/// ```
public final class ReplCompletion {
    let host: LuaHost
    private let function: LuaReference

    public init(host: LuaHost) throws {
        self.host = host
        try host.load(chunk: EmbeddedLua.complete)
        try host.call(nargs: 0, nresults: 1)
        function = host.reference(-1)
        host.state.pop()
    }

    /// The candidates (sorted) for the last word of `line`, and that partial word. Nothing when
    /// the lookup fails (it never raises into the editor).
    public func complete(_ line: String) -> (candidates: [String], partial: String) {
        let L = host.state
        let top = L.top
        defer { L.setTop(top) }
        function.push()
        L.push(line)
        guard (try? host.call(nargs: 1, nresults: 2)) != nil else { return ([], "") }
        let partial = L.string(at: -1) ?? ""
        var candidates: [String] = []
        let count = L.rawLength(-2)
        for i in 0..<count {
            _ = L.rawGet(-2, i + 1)
            if let s = L.string(at: -1) { candidates.append(s) }
            L.pop()
        }
        return (candidates, partial)
    }

    /// What Tab inserts: the rest of the only candidate, or the candidates' common prefix past
    /// the partial word; `list` is set when several candidates remain to be shown.
    public func insertion(for line: String) -> (text: String, list: [String]) {
        let (candidates, partial) = complete(line)
        guard let first = candidates.first else { return ("", []) }
        var common = Substring(first)
        for c in candidates.dropFirst() {
            while !c.hasPrefix(common) { common = common.dropLast() }
        }
        let rest = String(common.dropFirst(min(partial.count, common.count)))
        return (rest, candidates.count > 1 && rest.isEmpty ? candidates : [])
    }
}
