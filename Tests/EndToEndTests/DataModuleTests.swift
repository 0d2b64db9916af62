import Foundation
import Testing

/// The Lua `data` module through the real binary: datasets, readers, split, loader, errors.
@Suite struct DataModuleTests {
    /// Runs `source` and returns its trimmed stdout, expecting success.
    func output(_ source: String, _ extra: [String] = []) throws -> String {
        let r = try Descent.runScript(source, extra)
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func digitsShapesAndLabels() throws {
        let out = try output("""
            local x, y, classes = data.digits()
            print(x:size(1), x:size(2), y:dim(), y:size(1), y:min():item(), y:max():item(), x:max():item())
            print(#classes, classes[1], classes[10])
            """)
        #expect(out == "1797\t64\t1\t1797\t1\t10\t16\n10\t0\t9")
    }

    @Test func mnistFromADirectory() throws {
        let dir = projectRoot.appendingPathComponent("data/mnist5k").path
        let out = try output("""
            local m = data.mnist(...)
            print(m.train.x:size(1), m.train.x:size(2), m.train.y:size(1), m.test[1]:size(1), m.test[2]:size(1))
            print(m.train[1] == m.train.x, m.test[2] == m.test.y, #m.classes, m.classes[1])
            print(m.train.y:min():item(), m.train.y:max():item(), m.train.x:min():item(), m.train.x:max():item())
            """, ["--", dir])
        #expect(out == "4000\t784\t4000\t1000\t1000\ntrue\ttrue\t10\t0\n1\t10\t0\t1")
    }

    @Test func csvWithClassNamesAndWithoutLabel() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write("a,b,species\n1,2,setosa\n3,4,virginica\n5,6,setosa\n", to: "iris.csv", in: dir)
        try Descent.write("1,2,0\n3,4,2\n", to: "plain.csv", in: dir)
        try Descent.write("""
            local x, y, classes = data.load_csv("iris.csv", {label = "species"})
            print(x:size(1), x:size(2), x:sum():item(), table.concat(y:totable(), ","), table.concat(classes, ","))
            local x2, y2, c2 = data.load_csv("plain.csv", {header = false, label = false})
            print(x2:size(2), y2, c2)
            local x3, y3, c3 = data.load_csv("plain.csv", {header = false, label = -1})
            print(x3:size(1), x3:size(2), table.concat(y3:totable(), ","), #c3)
            """, to: "main.lua", in: dir)
        let r = try Descent.run(["run", "main.lua"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "3\t2\t21\t1,2,1\tsetosa,virginica\n3\tnil\tnil\n2\t2\t1,3\t3\n")
    }

    @Test func npyRoundTrip() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write("""
            local t = tensor.randn(3, 4, 5):transpose(1, 3)
            data.save_npy("t.npy", t)
            local back = data.load_npy("t.npy")
            print(table.concat(back:shape(), ","), (back - t):abs():max():item())
            """, to: "main.lua", in: dir)
        let r = try Descent.run(["run", "main.lua"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "5,4,3\t0\n")
    }

    @Test func splitSizesAndSeed() throws {
        let out = try output("""
            local x, y = tensor.arange(10):view(10, 1), tensor.arange(10)
            local a, b, c, d = data.split(x, y, 0.8, 1)
            print(a:size(1), b:size(1), c:size(1), d:size(1), (a:view(-1) - b):abs():sum():item())
            print(a:sum():item() + c:sum():item())
            local a2 = data.split(x, y, 0.8, 1)
            local a3 = data.split(x, y, 0.8, 2)
            print((a - a2):abs():sum():item(), (a - a3):abs():sum():item() > 0)
            local p, q, r, s = data.split(x, nil, 0.25)
            print(p:size(1), q, r:size(1), s)
            """)
        #expect(out == "8\t8\t2\t2\t0\n45\n0\ttrue\n3\tnil\t7\tnil")
    }

    @Test func loaderBatchCountsAndDropLast() throws {
        let out = try output("""
            local x, y = tensor.arange(10):view(10, 1), tensor.arange(10)
            local l = data.loader(x, y, {batch_size = 4})
            local sizes = {}
            for xb, yb in l:iter() do sizes[#sizes + 1] = xb:size(1) .. "/" .. yb:size(1) end
            print(#l, l:size(), table.concat(sizes, " "))
            local d = data.loader(x, y, {batch_size = 4, drop_last = true})
            sizes = {}
            for xb in d:iter() do sizes[#sizes + 1] = xb:size(1) end
            print(#d, table.concat(sizes, " "))
            """)
        #expect(out == "3\t10\t4/4 4/4 2/2\n2\t4 4")
    }

    @Test func loaderWithoutYYieldsOnlyX() throws {
        let out = try output("""
            local l = data.loader(tensor.ones(5, 2), nil, {batch_size = 2})
            local l2 = data.loader(tensor.ones(5, 2), {batch_size = 5})
            local n = 0
            for xb, yb in l:iter() do n = n + 1; assert(yb == nil) end
            for xb, yb in l2:iter() do n = n + 1; assert(yb == nil) end
            print(n)
            """)
        #expect(out == "4")
    }

    /// Each epoch's first-batch labels, for a shuffled loader over 0..19.
    func shuffledOrders(seedOption: String, _ extra: [String] = []) throws -> [String] {
        let out = try output("""
            local x, y = tensor.arange(20):view(20, 1), tensor.arange(20)
            local l = data.loader(x, y, {batch_size = 20, shuffle = true\(seedOption)})
            for e = 1, 2 do
              local seen = 0
              for xb, yb in l:iter() do
                assert((xb:view(-1) - yb):abs():sum():item() == 0, "x and y rows must stay paired")
                seen = seen + yb:sum():item()
                io.write(table.concat(yb:totable(), ","), "\\n")
              end
              assert(seen == 190, "every row once per epoch")
            end
            """, extra)
        return out.split(separator: "\n").map(String.init)
    }

    @Test func shuffleIsSeededAndDiffersBetweenEpochs() throws {
        let a = try shuffledOrders(seedOption: ", seed = 3")
        let b = try shuffledOrders(seedOption: ", seed = 3")
        let c = try shuffledOrders(seedOption: ", seed = 4")
        #expect(a.count == 2)
        #expect(a == b)
        #expect(a != c)
        #expect(a.first != a.last)
        // Without a seed option the loader uses the run's seed.
        #expect(try shuffledOrders(seedOption: "", ["--seed", "3"]) == a)
    }

    @Test func stateResumesMidEpoch() throws {
        let out = try output("""
            local x, y = tensor.arange(12):view(12, 1), tensor.arange(12)
            local l = data.loader(x, y, {batch_size = 3, shuffle = true, seed = 9})
            for _ in l:iter() do end
            local it = l:iter()
            it(); it()
            local s = l:state()
            local _, expected = it()
            local r = data.loader(x, y, {batch_size = 3, shuffle = true, seed = 9})
            r:set_state(s)
            local _, got = r:iter()()
            print(s.epoch, s.position, (expected - got):abs():sum():item())
            """)
        #expect(out == "2\t2\t0")
    }

    @Test func missingFileNamesPathAndLine() throws {
        let r = try Descent.runScript("local x = 1\nlocal t = data.load_idx(\"missing-images.idx\")\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("script.lua:2: load_idx: missing-images.idx: no such file"), "\(r.stderr)")
        let m = try Descent.runScript("data.mnist(\"nowhere\")\n")
        #expect(m.status == 1)
        #expect(m.stderr.contains("script.lua:1: mnist: nowhere: no MNIST file found"), "\(m.stderr)")
    }

    @Test func sandboxLimitsDataPaths() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outside = projectRoot.appendingPathComponent("data/mnist5k").path
        try Descent.write("""
            data.save_npy("ok.npy", tensor.ones(2))
            print(data.load_npy("ok.npy"):sum():item())
            data.mnist(...)
            """, to: "main.lua", in: dir)
        let r = try Descent.run(["run", "--sandbox", "main.lua", "--", outside], in: dir)
        #expect(r.status == 1)
        #expect(r.stdout == "2\n")
        #expect(r.stderr.contains("main.lua:3: mnist: --sandbox: access to '\(outside)' is not allowed"), "\(r.stderr)")
    }

    @Test func loaderOptionErrors() throws {
        let unknown = try Descent.runScript("local l = data.loader(tensor.ones(4, 2), tensor.ones(4), {batchsize = 2})\n")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains(
            "script.lua:1: loader: unknown option 'batchsize' (valid: batch_size, shuffle, drop_last, seed)"), "\(unknown.stderr)")
        let zero = try Descent.runScript("local l = data.loader(tensor.ones(4, 2), tensor.ones(4), {batch_size = 0})\n")
        #expect(zero.status == 1)
        #expect(zero.stderr.contains("script.lua:1: loader: batch_size must be at least 1, got 0"), "\(zero.stderr)")
        let out = try output("""
            print(pcall(function() data.loader(tensor.ones(4, 2), tensor.ones(3)) end))
            print(pcall(function() data.loader(tensor.ones(4, 2), "y") end))
            print(pcall(function() data.loader(tensor.ones(4, 2)):set_state{epoch = 0, position = 0} end))
            print(pcall(function() data.split(tensor.ones(4, 2), nil, 1.5) end))
            print(pcall(function() data.loader(tensor.ones(4, 2)):set_state{epoch = 1} end))
            print(pcall(function() data.loader(tensor.ones(4, 2), nil, {shuffle = 1}) end))
            """)
        #expect(out == """
            false\tscript.lua:1: loader: x and y must have the same number of rows, got 4 and 3
            false\tscript.lua:2: loader: argument 2 (y) expected a tensor, nil or an options table, got string
            false\tscript.lua:3: set_state: expected epoch >= 1 and position in 0..1, got epoch 0, position 0
            false\tscript.lua:4: split: fraction must be strictly between 0 and 1, got 1.5
            false\tscript.lua:5: set_state: state: expected the fields epoch and position (a table from loader:state())
            false\tscript.lua:6: loader: option 'shuffle' expected a boolean, got integer
            """)
    }
}
