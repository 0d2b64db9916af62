import Foundation
import Testing

/// One function a running `descent` exposes to scripts, with the reference page that documents it.
///
/// Module functions are dotted (`tensor.zeros`, `nn.functional.linear`, `optim.lr.StepLR`);
/// methods of values are `Class:method` with the class named as in the editor stubs
/// (`Tensor:sum`, `nn.Module:parameters`, `Optimizer:step`).
struct RegisteredFunction: Hashable {
    /// The page under docs/lua-api/ (without `.md`) and the stub under editor/luals/library/.
    var page: String
    var name: String

    /// The last component: `sum` for `Tensor:sum`, `linear` for `nn.functional.linear`.
    var shortName: String {
        String(name.split(whereSeparator: { $0 == "." || $0 == ":" }).last ?? "")
    }
    /// `Tensor.sum` for `Tensor:sum`: methods and fields share one namespace in the stubs.
    var dotted: String { name.replacingOccurrences(of: ":", with: ".") }
}

/// What the Lua modules register, read from the `descent` binary by walking the globals. The
/// reference pages (DocsTests) and the editor stubs (StubsTests) are both checked against it.
enum LuaRegistry {
    /// The global modules. Adding a module is this one edit: the tests then require its page
    /// docs/lua-api/<module>.md and its stub editor/luals/library/<module>.lua.
    static let modules = ["tensor", "autograd", "linalg", "nn", "optim", "data", "train", "experiment", "problems"]

    /// Prints `page<TAB>name` per function: every callable field of each module and of the plain
    /// tables inside it (nn.functional, optim.lr, ...), and the methods of each kind of value.
    static let script = """
        local modules = {\(modules.map { "\"\($0)\"" }.joined(separator: ", "))}
        local lines = {}
        local function emit(page, name) lines[#lines + 1] = page .. "\\t" .. name end
        local function public(k) return type(k) == "string" and k:sub(1, 1) ~= "_" end
        local function callable(v)
          local mt = type(v) == "table" and getmetatable(v)
          return type(v) == "function" or (mt and mt.__call ~= nil) or false
        end
        local function walk(page, prefix, t)
          for k, v in pairs(t) do
            if public(k) and callable(v) then emit(page, prefix .. k)
            elseif public(k) and type(v) == "table" and getmetatable(v) == nil then walk(page, prefix .. k .. ".", v) end
          end
        end
        for _, m in ipairs(modules) do walk(m, m .. ".", _G[m]) end

        -- Methods of values: {page, class name as in the stubs, methods table}.
        local w = tensor.ones(1):requires_grad(true)
        local opt = optim.SGD({w}, {lr = 0.1})
        local Module = getmetatable(nn.Linear).__index
        local classes = {
          {"tensor", "Tensor", getmetatable(w).methods},
          {"optim", "Optimizer", getmetatable(opt).methods},
          {"optim", "Scheduler", getmetatable(optim.lr.StepLR(opt, {step_size = 1})).methods},
          {"data", "DataLoader", getmetatable(data.loader(tensor.ones(2, 1), {batch_size = 1})).methods},
          {"experiment", "experiment.Progress", experiment.progress(0)},
          {"nn", "nn.Module", Module},
        }
        -- Each built-in layer is a class whose own fields (forward, extra_repr, ...) are methods.
        for k, v in pairs(nn) do
          local mt = type(v) == "table" and getmetatable(v)
          if mt and mt.__index == Module then classes[#classes + 1] = {"nn", "nn." .. k, v} end
        end
        for _, c in ipairs(classes) do
          for k, v in pairs(c[3]) do
            if public(k) and type(v) == "function" then emit(c[1], c[2] .. ":" .. k) end
          end
        end
        table.sort(lines)
        print(table.concat(lines, "\\n"))
        """

    /// Runs `script` and parses its output; fails the calling test when the script fails.
    static func functions() throws -> [RegisteredFunction] {
        let r = try Descent.runScript(script)
        #expect(r.status == 0, "registry script failed: \(r.stderr)")
        return r.stdout.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t").map(String.init)
            return parts.count == 2 ? RegisteredFunction(page: parts[0], name: parts[1]) : nil
        }
    }
}
