import Foundation
import Testing

/// The reference pages (docs/lua-api/*.md) and the registered functions agree both ways, so the
/// docs cannot silently fall behind the code, nor describe functions that do not exist.
@Suite struct DocsTests {
    static let pagesDirectory = projectRoot.appendingPathComponent("docs/lua-api")

    static func page(_ name: String) throws -> String {
        try String(contentsOf: pagesDirectory.appendingPathComponent("\(name).md"), encoding: .utf8)
    }

    /// Each registered function's name (its last component: `sum` for `Tensor:sum`) appears as a
    /// word on its module's page.
    @Test func everyRegisteredFunctionIsInTheReference() throws {
        let functions = try LuaRegistry.functions()
        #expect(functions.count > 300, "only \(functions.count) functions found")
        var missing: [String] = []
        var pages: [String: String] = [:]
        for f in functions {
            let page = try pages[f.page] ?? Self.page(f.page)
            pages[f.page] = page
            if !page.containsWord(f.shortName) { missing.append(f.name) }
        }
        #expect(missing.isEmpty, "not in docs/lua-api: \(missing.joined(separator: ", "))")
    }

    /// The reverse direction. In the code of every page (fenced blocks and `inline` spans):
    /// - each qualified name `module.a.b` (also `F.x`, the pages' short form of
    ///   `nn.functional.x`) is a registered function or a table on the way to one;
    /// - each method call `value:name(...)` names a method that some kind of value has.
    @Test func everyDocumentedFunctionIsRegistered() throws {
        let functions = try LuaRegistry.functions()
        let registered = Set(functions.map(\.name))
        let namespaces = Set(registered.flatMap { name in
            let parts = name.split(separator: ".")
            return (1..<parts.count).map { parts[..<$0].joined(separator: ".") }
        })
        let methods = Set(functions.filter { $0.name.contains(":") }.map(\.shortName))
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.pagesDirectory.path)
            .filter { $0.hasSuffix(".md") }.sorted()
        #expect(pages.count >= LuaRegistry.modules.count)
        var unknown: [String] = []
        for file in pages {
            let code = try String(contentsOf: Self.pagesDirectory.appendingPathComponent(file), encoding: .utf8).codeText()
            for name in try DocumentedCode.qualifiedNames(in: code) where !registered.contains(name) && !namespaces.contains(name) {
                unknown.append("\(file): \(name)")
            }
            for method in try DocumentedCode.methodCalls(in: code) where !methods.contains(method) {
                unknown.append("\(file): :\(method)(")
            }
        }
        #expect(unknown.isEmpty, "documented but not registered: \(unknown.sorted().joined(separator: ", "))")
    }

    /// The extraction rule itself, on a sample page: if it found nothing the test above would
    /// pass vacuously.
    @Test func extractionFindsQualifiedNamesAndMethods() throws {
        let page = try """
            Use `tensor.zeros(2, 3)` or `t:sum(1)`; `local F = nn.functional` then `F.linear(x, w)`.
            Not code: tensor.ones(1). `train.lua:3: add: shapes differ`. `nn.functional` is a table; `io.stderr:write("x")` is no descent method.
            ```lua
            local cfg = experiment.config{ lr = 1 }
            model:train()
            ```
            """.codeText()
        #expect(try DocumentedCode.qualifiedNames(in: page) == ["tensor.zeros", "nn.functional", "nn.functional.linear", "experiment.config"])
        #expect(try DocumentedCode.methodCalls(in: page) == ["sum", "train"])
    }
}

/// How names are read from the code of a reference page.
enum DocumentedCode {
    static let qualified = "(?<![A-Za-z0-9_.:])(" + (LuaRegistry.modules + ["F"]).joined(separator: "|")
        + ")((?:\\.[A-Za-z_][A-Za-z0-9_]*)+)"
    static let method = "(?<![A-Za-z0-9_.:])[A-Za-z_][A-Za-z0-9_]*:([A-Za-z_][A-Za-z0-9_]*)\\s*\\("

    /// `module.a.b` names, with `F.` read as `nn.functional.`; script names in error messages
    /// (`train.lua:14: ...`) are not names.
    static func qualifiedNames(in code: String) throws -> Set<String> {
        Set(try matches(qualified, in: code).map { groups in
            (groups[0] == "F" ? "nn.functional" : groups[0]) + groups[1]
        }.filter { !$0.hasSuffix(".lua") })
    }

    /// Method names called as `value:name(`.
    static func methodCalls(in code: String) throws -> Set<String> {
        Set(try matches(method, in: code).map { $0[0] })
    }

    /// The capture groups of every match of `pattern`.
    static func matches(_ pattern: String, in text: String) throws -> [[String]] {
        let regex = try NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (1..<m.numberOfRanges).map { ns.substring(with: m.range(at: $0)) }
        }
    }
}

extension String {
    /// Whether `word` occurs here not as part of a longer identifier.
    func containsWord(_ word: String) -> Bool {
        let pattern = "(?<![A-Za-z0-9_])" + NSRegularExpression.escapedPattern(for: word) + "(?![A-Za-z0-9_])"
        return range(of: pattern, options: .regularExpression) != nil
    }

    /// The code of a Markdown page: fenced blocks and `inline` spans, one per line.
    func codeText() throws -> String {
        var code: [String] = []
        var prose: [Substring] = []
        var inFence = false
        for line in split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") { inFence.toggle(); continue }
            if inFence { code.append(String(line)) } else { prose.append(line) }
        }
        let text = prose.joined(separator: "\n")
        code += try DocumentedCode.matches("`([^`]+)`", in: text).map { $0[0] }
        return code.joined(separator: "\n")
    }
}
