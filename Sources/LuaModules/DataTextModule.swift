import Data
import Foundation
import LuaHost
import Tensors

/// The Swift half of `data.text`, `data.tinyshakespeare` and `data.fashion_mnist`; the Lua half
/// (dataset loaders, transforms, text windows, modular arithmetic) is lua/data.lua.
///
/// The helpers starting with `_` are internal to lua/data.lua: they raise messages that already
/// name the public function (`data.text: ...`), as a script sees them.
///
/// ```lua
/// local ds = data.text("hello world", {val_fraction = 0.2})
/// print(ds.vocab_size, ds.decode(ds.encode("hello")))     -- 8   hello
/// local fm = data.fashion_mnist()                          -- {train = {x, y}, test = ..., classes}
/// ```
extension Runtime {
    func installDataTextFunctions() {
        host.register(module: "data", [
            // _read_text(path) -> the file's text (plain or gzip), checked against --sandbox.
            ("_read_text", { [unowned self] L in
                let path = try L.string(1, "data.text: argument 1 (path)")
                do {
                    try self.checkFileAccess(path, write: false)
                    L.push(try TextFile.read(path))
                } catch {
                    throw LuaError("data.text: \(error)")
                }
                return 1
            }),
            // _is_file(s) -> whether `s` names a regular file (data.text then reads it, subject to
            // --sandbox; any other string is the text itself).
            ("_is_file", { L in
                let s = try L.string(1, "data.text: argument 1")
                var isDirectory: ObjCBool = false
                let exists = s.utf8.count <= 4096 && !s.contains("\n") && !s.contains("\0")
                    && FileManager.default.fileExists(atPath: s, isDirectory: &isDirectory) && !isDirectory.boolValue
                L.push(exists)
                return 1
            }),
            // _bundled_text(name) -> the text of a dataset shipped with descent.
            ("_bundled_text", { L in
                let name = try L.string(1, "argument 1 (name)")
                guard name == "tinyshakespeare" else {
                    throw LuaError("data: no bundled text named '\(name)' (valid: tinyshakespeare)")
                }
                L.push(try Datasets.tinyShakespeare())
                return 1
            }),
            // _vocabulary(text) -> its distinct characters, sorted by code point, as one string.
            ("_vocabulary", { L in
                L.push(CharVocabulary(text: try L.string(1, "data.text: argument 1 (text)")).string)
                return 1
            }),
            // _encode(chars, s) -> 1-based ids of s's characters in the vocabulary `chars`.
            ("_encode", { [unowned self] L in
                let vocab = try Self.vocabulary(L)
                let s = try L.string(2, "encode: argument 1 (text)")
                return self.push(L, try vocab.encode(s))
            }),
            // _decode(chars, ids) -> the text of a tensor (or a list) of 1-based ids.
            ("_decode", { [unowned self] L in
                let vocab = try Self.vocabulary(L)
                if let ids = self.tensors.to(L, 2) {
                    L.push(try vocab.decode(ids))
                    return 1
                }
                guard let id = L.number(at: 2) else {
                    throw LuaError("decode: argument 1 expected a tensor of ids or an id, got \(L.typeName(2))")
                }
                L.push(try vocab.decode(try Tensor.scalar(Float(id))))
                return 1
            }),
            ("fashion_mnist", { [unowned self] L in
                let dir = L.isNoneOrNil(1)
                    ? Datasets.fashionMNISTDirectory : try L.string(1, "argument 1 (directory)")
                try self.checkFileAccess(dir, write: false)
                let m = try Datasets.fashionMNIST(dir)
                L.newTable(record: 3)
                self.pushPair(L, m.train.x, m.train.y)
                L.rawSet(-2, "train")
                self.pushPair(L, m.test.x, m.test.y)
                L.rawSet(-2, "test")
                self.pushStrings(L, m.classes)
                L.rawSet(-2, "classes")
                return 1
            }),
        ])
    }

    static func vocabulary(_ L: LuaState) throws -> CharVocabulary {
        try CharVocabulary(symbols: try L.string(1, "vocabulary"))
    }
}
