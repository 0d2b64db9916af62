import Foundation
import Testing

/// Every function the Lua modules register appears in its module's reference page, so the docs
/// cannot silently fall behind the code.
@Suite struct DocsTests {
    static let registry = """
        local names = {}
        local function add(prefix, t)
          for k, v in pairs(t) do
            local callable = type(v) == "function" or (type(v) == "table" and getmetatable(v) and getmetatable(v).__call)
            if type(k) == "string" and k:sub(1, 1) ~= "_" and callable then names[#names + 1] = prefix .. k end
          end
        end
        for _, m in ipairs({"tensor", "autograd", "nn", "optim", "data", "train", "experiment", "problems"}) do add(m .. ".", _G[m]) end
        add("nn.functional.", nn.functional); add("nn.init.", nn.init); add("nn.utils.", nn.utils); add("optim.lr.", optim.lr)
        -- Methods of values, documented on their module's page.
        local methods = getmetatable(tensor.ones(1)).__index
        if type(methods) == "table" then add("tensor.", methods) end
        local w = tensor.ones(1):requires_grad(true)
        for k, v in pairs(getmetatable(optim.SGD({w}, {lr = 0.1})).methods or {}) do
          if k:sub(1, 1) ~= "_" then names[#names + 1] = "optim." .. k end
        end
        local loader = data.loader(tensor.ones(2, 1), {batch_size = 1})
        for k in pairs(getmetatable(loader).methods or {}) do names[#names + 1] = "data." .. k end
        table.sort(names)
        for _, n in ipairs(names) do print(n) end
        """

    @Test func everyRegisteredFunctionIsInTheReference() throws {
        let r = try Descent.runScript(Self.registry)
        #expect(r.status == 0, "\(r.stderr)")
        let names = r.stdout.split(separator: "\n").map(String.init)
        #expect(names.count > 200, "only \(names.count) names found")
        var missing: [String] = []
        var pages: [String: String] = [:]
        for name in names {
            let module = String(name.prefix { $0 != "." })
            let short = String(name.split(separator: ".").last ?? "")
            let page = try pages[module] ?? String(contentsOf: projectRoot.appendingPathComponent("docs/lua-api/\(module).md"), encoding: .utf8)
            pages[module] = page
            let pattern = "(?<![A-Za-z0-9_])" + NSRegularExpression.escapedPattern(for: short) + "(?![A-Za-z0-9_])"
            if page.range(of: pattern, options: .regularExpression) == nil { missing.append(name) }
        }
        #expect(missing.isEmpty, "not in docs/lua-api: \(missing.joined(separator: ", "))")
    }
}
