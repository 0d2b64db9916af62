import Experiments
import Foundation
import LuaHost
import Tensors

/// The Swift helpers behind `experiment.checkpoint` / `experiment.restore` (CheckpointLibrary):
/// JSON for the metadata, the RNG state, and the metrics log position to rewind to on resume.
extension Runtime {
    func installCheckpointHelpers() throws {
        host.register(module: "experiment", [
            ("_json_encode", { [unowned self] L in
                L.push(try self.json(L, 1, "value", depth: 0).compactJSON)
                return 1
            }),
            ("_json_decode", { [unowned self] L in
                try self.pushJSON(L, try JSONValue.parse(try L.string(1, "argument 1 (json)")))
                return 1
            }),
            ("_rng_state", { L in
                L.push(String(Generator.shared.seed))
                L.push(String(Generator.shared.offset))
                return 2
            }),
            ("_set_rng_state", { L in
                guard let seed = UInt64(try L.string(1, "seed")), let offset = UInt64(try L.string(2, "offset")) else {
                    throw LuaError("checkpoint: corrupt RNG state")
                }
                Generator.shared.reseed(seed)
                Generator.shared.offset = offset
                return 0
            }),
            ("_checkpoint_path", { [unowned self] L in
                let name = try L.string(1, "argument 1 (name)")
                let url: URL
                if let recorder = self.context.recorder {
                    url = try recorder.checkpointURL(name: name, extension: "safetensors")
                } else {
                    let dir = URL(fileURLWithPath: self.scriptDirectory(self.context.scriptPath)).appendingPathComponent("checkpoints")
                    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                    guard !name.contains("/"), !name.hasPrefix("."), !name.isEmpty else {
                        throw LuaError("checkpoint: expected a plain name, got \"\(name)\"")
                    }
                    url = dir.appendingPathComponent(name + ".safetensors")
                }
                L.push(url.path)
                return 1
            }),
            ("_metrics_size", { [unowned self] L in
                guard let dir = self.context.recorder?.directory else { L.pushNil(); return 1 }
                let path = dir.appendingPathComponent("metrics.jsonl").path
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                L.push(size)
                return 1
            }),
            ("_truncate_metrics", { [unowned self] L in
                let size = try L.integer(1, "size")
                guard let dir = self.context.recorder?.directory, size >= 0 else { return 0 }
                // Records logged after the checkpoint belong to the part of the run being redone
                // (never extend the file: a shorter log is not this checkpoint's run).
                let path = dir.appendingPathComponent("metrics.jsonl").path
                let current = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                guard size <= current else { return 0 }
                guard truncate(path, off_t(size)) == 0 else {
                    throw LuaError("restore: cannot rewind metrics.jsonl to \(size) bytes")
                }
                return 0
            }),
            ("resuming", { [unowned self] L in L.push(self.context.resuming); return 1 }),
            ("_stderr_is_terminal", { L in L.push(isatty(2) == 1); return 1 }),
        ])
        try runLibrary(EmbeddedLua.checkpoint, module: "experiment")
    }

    /// Pushes a JSON value as a Lua value (objects and arrays as tables).
    func pushJSON(_ L: LuaState, _ value: JSONValue) throws {
        try L.reserve(3)  // one table per nesting level stays on the stack
        switch value {
        case .null: L.pushNil()
        case .bool(let b): L.push(b)
        case .number(let x): if x == x.rounded(), abs(x) < 9e15 { L.push(Int(x)) } else { L.push(x) }
        case .string(let s):
            switch s {  // how non-finite numbers are stored
            case "nan": L.push(Double.nan)
            case "inf": L.push(Double.infinity)
            case "-inf": L.push(-Double.infinity)
            default: L.push(s)
            }
        case .array(let items):
            L.newTable(array: Int32(items.count))
            for (k, v) in items.enumerated() { try pushJSON(L, v); L.rawSet(-2, k + 1) }
        case .object(let pairs):
            L.newTable(record: Int32(pairs.count))
            for (k, v) in pairs { try pushJSON(L, v); L.rawSet(-2, k) }
        }
    }
}
