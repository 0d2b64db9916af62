import Foundation
import Testing

/// The Lua half of descent lives in `.lua` files (embedded at build time by EmbedLuaPlugin), and
/// every Lua file passes luacheck: issue "The Lua half lives in .lua files".
@Suite struct LuaSourcesTests {
    /// Lines that only Lua source has: a Swift multi-line string literal holding one of these is
    /// Lua that escaped its `.lua` file.
    static let luaLine = try! NSRegularExpression(
        pattern: #"^\s*(local\s+[A-Za-z_][A-Za-z0-9_, ]*(=|$)|local function |function\s*[A-Za-z_.:]*\(|for .* do$|if .* then$|end\)?,?$|return .*\bend\b)"#)

    static func swiftSources() throws -> [URL] {
        let sources = projectRoot.appendingPathComponent("Sources")
        let walker = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        return (walker?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
    }

    /// The Lua lines inside the multi-line string literals of a Swift file.
    static func luaInStringLiterals(_ text: String) -> [String] {
        var found: [String] = [], inside = false
        for line in text.components(separatedBy: "\n") {
            let delimiters = line.components(separatedBy: "\"\"\"").count - 1
            if inside {
                let range = NSRange(line.startIndex..., in: line)
                if luaLine.firstMatch(in: line, range: range) != nil { found.append(line) }
            }
            if delimiters % 2 == 1 { inside.toggle() }
        }
        return found
    }

    @Test func noLuaSourceInsideASwiftStringLiteral() throws {
        let files = try Self.swiftSources()
        #expect(files.count > 100)
        var offenders: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for line in Self.luaInStringLiterals(text) { offenders.append("\(file.lastPathComponent): \(line)") }
        }
        #expect(offenders.isEmpty, "Lua in Swift string literals (move it to a .lua file): \(offenders)")
    }

    @Test func theCheckRecognisesLuaInALiteral() {
        let swift = "let s = #\"\"\"\nlocal x = 1\nfor i = 1, 3 do\nend\n\"\"\"#\nlet t = \"\"\"\nplain text\n\"\"\""
        #expect(Self.luaInStringLiterals(swift) == ["local x = 1", "for i = 1, 3 do", "end"])
    }

    @Test func everyLibraryHasItsFileAndErrorsNameIt() throws {
        let folder = projectRoot.appendingPathComponent("Sources/LuaModules/lua")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".lua") }
        for library in ["nn.lua", "optim.lua", "train.lua", "checkpoint.lua", "predict.lua", "problems.lua", "sandbox.lua"] {
            #expect(names.contains(library))
        }
        // A traceback through a layer names the file a contributor can open.
        let r = try Descent.runScript("local m = nn.Linear(2, 3)\nm(tensor.zeros(3, 3))\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("script.lua:2: linear: expected input with last dimension 2"))
        #expect(r.stderr.contains("Sources/LuaModules/lua/nn.lua:"))
    }

    /// luacheck (Debian's lua-check, installed by scripts/test) with the committed .luacheckrc:
    /// the tree is clean, and a warning makes it fail (what scripts/test relies on).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/luacheck")))
    func luacheckPassesOnTheTreeAndFailsOnAWarning() throws {
        let luacheck = URL(fileURLWithPath: "/usr/bin/luacheck")
        let clean = try Descent.execute(luacheck, ["--no-color", "--quiet", "."], in: projectRoot)
        #expect(clean.status == 0, "\(clean.stdout)")
        let dir = try Descent.temporaryDirectory()
        let bad = try Descent.write("local unused = tensor.zeros(2)\nprint(undefined_global)\n", to: "bad.lua", in: dir)
        let r = try Descent.execute(luacheck, ["--no-color", "--config", projectRoot.appendingPathComponent(".luacheckrc").path, bad.path])
        #expect(r.status != 0)
        #expect(r.stdout.contains("unused variable 'unused'"))
        #expect(r.stdout.contains("accessing undefined variable 'undefined_global'"))
    }
}
