import Data
import LuaHost
import Tensors

/// The `data` module: file readers (IDX, CSV, NPY), the bundled datasets, `split` and `loader`
/// (../shared/lua-api.md, "data"; docs/lua-api/data.md).
///
/// ```lua
/// local x, y = data.digits()
/// local xtr, ytr, xte, yte = data.split(x, y, 0.8)
/// local loader = data.loader(xtr, ytr, {batch_size = 64, shuffle = true})
/// for xb, yb in loader:iter() do ... end
/// ```
extension Runtime {
    func installDataModule() {
        let loaders = host.defineClass(DataLoader.self, name: "loader", methods: [])
        // The iterator of one epoch is a callable userdata (`__call`), not a closure registered
        // with `pushFunction`: registered functions live as long as the host, so one per
        // `iter()` would keep every loader and its tensors alive forever. A userdata is
        // collected with the loop that used it.
        let epochs = host.defineClass(DataLoader.Epoch.self, name: "loader_iterator", methods: [])
        host.addMethods(loaders, loaderMethods(loaders, epochs))
        host.addMetamethods(loaders, [
            ("__len", { L in L.push(try loaders.check(L, 1, "self").count); return 1 }),
            ("__tostring", { L in
                let l = try loaders.check(L, 1, "self")
                L.push("loader(rows = \(l.rows), batch_size = \(l.batchSize), batches = \(l.count), "
                    + "shuffle = \(l.shuffle), drop_last = \(l.dropLast))")
                return 1
            }),
        ])
        host.addMetamethods(epochs, [
            ("__call", { [unowned self] L in
                guard let batch = try epochs.check(L, 1, "iterator").next() else { L.pushNil(); return 1 }
                _ = self.push(L, batch.x)
                guard let y = batch.y else { return 1 }
                return self.push(L, y) + 1
            }),
        ])
        host.register(module: "data", [
            ("load_idx", { [unowned self] L in self.push(L, try IDX.load(try self.dataPath(L, 1))) }),
            ("load_npy", { [unowned self] L in self.push(L, try NPY.load(try self.dataPath(L, 1))) }),
            ("save_npy", { [unowned self] L in
                let path = try self.dataPath(L, 1, write: true)
                try NPY.save(path, try self.tensor(L, 2, "argument 2"))
                return 0
            }),
            ("load_csv", { [unowned self] L in
                let path = try self.dataPath(L, 1)
                let opts = try Options(L, 2, "load_csv", allowed: ["header", "label"])
                let (x, y, classes) = try CSV.load(path, header: try opts.bool("header") ?? true,
                                                   label: try self.csvLabel(L, opts))
                _ = self.push(L, x)
                if let y { _ = self.push(L, y) } else { L.pushNil() }
                if let classes { self.pushStrings(L, classes) } else { L.pushNil() }
                return 3
            }),
            ("digits", { [unowned self] L in
                let (x, y, classes) = try Datasets.digits()
                _ = self.push(L, x)
                _ = self.push(L, y)
                self.pushStrings(L, classes)
                return 3
            }),
            ("mnist", { [unowned self] L in
                let m = try Datasets.mnist(try self.dataPath(L, 1, "argument 1 (directory)")) { try self.checkFileAccess($0, write: false) }
                L.newTable(record: 3)
                self.pushPair(L, m.train.x, m.train.y)
                L.rawSet(-2, "train")
                self.pushPair(L, m.test.x, m.test.y)
                L.rawSet(-2, "test")
                self.pushStrings(L, m.classes)
                L.rawSet(-2, "classes")
                return 1
            }),
            ("split", { [unowned self] L in
                let x = try self.tensor(L, 1, "argument 1 (x)")
                let y = L.isNoneOrNil(2) ? nil : try self.tensor(L, 2, "argument 2 (y)")
                let fraction = try L.number(3, "argument 3 (fraction)")
                let seed = try L.optionalInteger(4, "argument 4 (seed)") ?? self.context.seed
                let s = try Datasets.split(x, y, fraction: fraction, seed: UInt64(truncatingIfNeeded: seed))
                for t in [s.trainX, s.trainY, s.testX, s.testY] {
                    if let t { _ = self.push(L, t) } else { L.pushNil() }
                }
                return 4
            }),
            ("loader", { [unowned self] L in
                let x = try self.tensor(L, 1, "argument 1 (x)")
                // `data.loader(x, y, opts)`, `data.loader(x, nil, opts)` or `data.loader(x, opts)`.
                let y = self.tensors.to(L, 2)
                let optionsAt: Int32 = y == nil && L.type(2) == LUA_TYPE_TABLE ? 2 : 3
                if y == nil && !L.isNoneOrNil(2) && optionsAt == 3 {
                    throw LuaError("argument 2 (y) expected a tensor, nil or an options table, got \(L.typeName(2))")
                }
                let opts = try Options(L, optionsAt, "loader", allowed: ["batch_size", "shuffle", "drop_last", "seed"])
                let loader = try DataLoader(
                    x: x, y: y, batchSize: try opts.integer("batch_size") ?? 32,
                    shuffle: try opts.bool("shuffle") ?? false, dropLast: try opts.bool("drop_last") ?? false,
                    seed: UInt64(truncatingIfNeeded: try opts.integer("seed") ?? self.context.seed))
                loaders.push(L, loader)
                self.host.noteExternalAllocation()  // x or y may have been copied to be contiguous
                return 1
            }),
        ])
    }

    /// Methods of loader values. `state` is 1-based in the epoch (the epoch the next batch
    /// belongs to) and counts the batches of that epoch already produced in `position`.
    func loaderMethods(_ loaders: LuaClass<DataLoader>, _ epochs: LuaClass<DataLoader.Epoch>) -> [(String, LuaFunction)] {
        [
            ("iter", { L in
                epochs.push(L, try loaders.check(L, 1, "self").makeEpoch())
                return 1
            }),
            ("size", { L in L.push(try loaders.check(L, 1, "self").rows); return 1 }),
            ("state", { L in
                let s = try loaders.check(L, 1, "self").state
                L.newTable(record: 2)
                L.push(s.epoch + 1)
                L.rawSet(-2, "epoch")
                L.push(s.position)
                L.rawSet(-2, "position")
                return 1
            }),
            ("set_state", { L in
                let loader = try loaders.check(L, 1, "self")
                try L.checkTable(2, "argument 1 (state)")
                let opts = try Options(L, 2, "set_state", allowed: ["epoch", "position"])
                guard let epoch = try opts.integer("epoch"), let position = try opts.integer("position") else {
                    throw LuaError("state: expected the fields epoch and position (a table from loader:state())")
                }
                guard epoch >= 1, epoch <= 1 << 52, position >= 0, position <= loader.count else {
                    throw LuaError("expected epoch >= 1 and position in 0..\(loader.count), got epoch \(epoch), position \(position)")
                }
                try loader.restore(DataLoader.State(epoch: epoch - 1, position: position))
                return 0
            }),
        ]
    }

    /// A path argument, used as given (relative to the current directory), checked against
    /// `--sandbox`'s allowed folders.
    func dataPath(_ L: LuaState, _ i: Int32, _ what: String = "argument 1 (path)", write: Bool = false) throws -> String {
        let path = try L.string(i, what)
        try checkFileAccess(path, write: write)
        return path
    }

    /// The `label` option of load_csv: a column name, a column number (files without a header),
    /// `false` for no label column; absent means "label".
    func csvLabel(_ L: LuaState, _ opts: Options) throws -> String? {
        let type = opts.push("label")
        defer { L.pop() }
        switch type {
        case LUA_TYPE_NIL: return "label"
        case LUA_TYPE_STRING: return L.string(at: -1)
        case LUA_TYPE_NUMBER: return String(try L.integer(-1, "option 'label'"))
        case LUA_TYPE_BOOLEAN where !(try L.boolean(-1, "option 'label'")): return nil
        default: throw LuaError("option 'label' expected a column name, a column number or false, got \(L.display(-1))")
        }
    }

    /// Pushes an array of strings as a Lua list.
    func pushStrings(_ L: LuaState, _ strings: [String]) {
        L.newTable(array: Int32(strings.count))
        for (k, s) in strings.enumerated() {
            L.push(s)
            L.rawSet(-2, k + 1)
        }
    }

    /// Pushes `{x, y, x = x, y = y}`.
    func pushPair(_ L: LuaState, _ x: Tensor, _ y: Tensor) {
        L.newTable(array: 2, record: 2)
        for (k, (name, t)) in [("x", x), ("y", y)].enumerated() {
            _ = push(L, t)
            L.pushValue(-1)
            L.rawSet(-3, k + 1)
            L.rawSet(-2, name)
        }
    }
}
