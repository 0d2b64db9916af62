import Foundation
import Testing

/// The dataset protocol of `data.loader`, transforms, text and synthetic data through the real
/// binary: same seed → same batches, a loader resumed from its state continues exactly, text
/// encodes and decodes back, modular arithmetic has the right counts.
@Suite struct DataProtocolTests {
    func output(_ source: String, _ extra: [String] = []) throws -> String {
        let r = try Descent.runScript(source, extra)
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func failure(_ source: String) throws -> String {
        let r = try Descent.runScript(source)
        #expect(r.status == 1, "expected a script error: \(r.stdout)")
        return r.stderr
    }

    @Test func anyObjectWithLengthAndGetIsADataset() throws {
        let out = try output("""
            -- A class with __len and get(i), samples {x, y}.
            local Squares = {}
            Squares.__index = Squares
            Squares.__len = function() return 5 end
            function Squares:get(i) return { tensor.full({2}, i), i * i } end
            local ds = setmetatable({}, Squares)
            local seen = {}
            for xb, yb in data.loader(ds, {batch_size = 2}):iter() do
              seen[#seen + 1] = table.concat(xb:shape(), "x") .. ":" .. table.concat(yb:totable(), ",")
            end
            print(table.concat(seen, " "))
            -- A plain array of tensors: one tensor per batch.
            local list = {tensor.ones(3), tensor.zeros(3), tensor.ones(3) * 2}
            for xb in data.loader(list, nil, {batch_size = 3}):iter() do print(xb:sum():item(), xb:size(1)) end
            -- Named fields come back as one table.
            local named = {}
            for i = 1, 3 do named[i] = {image = tensor.full({1, 2}, i), label = i} end
            for b in data.loader(named, {batch_size = 3}):iter() do print(table.concat(b.image:shape(), "x"), b.label:sum():item()) end
            -- train.fit takes a dataset loader.
            local x, y = tensor.randn(32, 2), tensor.randint(1, 3, {32})
            local model = nn.Linear(2, 2)
            local h = train.fit(model, {loader = data.loader(data.dataset(x, y), {batch_size = 8}), epochs = 2,
              optimizer = optim.SGD(model:parameters(), {lr = 0.1})})
            print(#h.loss)
            """)
        let lines = out.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("{") }
        #expect(lines == ["2x2:1,4 2x2:9,16 1x2:25", "9\t3", "3x1x2\t6", "2"], "\(out)")
    }

    /// The same seed gives the same shuffles and the same random crops and flips; a loader
    /// restored from `state()` mid-epoch produces exactly the batches an uninterrupted one does.
    @Test func transformsAreDeterministicAndResumable() throws {
        let out = try output("""
            local T = data.transforms
            local images = tensor.arange(1, 1 + 6 * 16):view(6, 1, 4, 4)
            local function make(seed)
              local tf = T.compose{ T.random_crop(4, {padding = 1}), T.horizontal_flip(), T.random_shift(1),
                                    T.normalize({0.5}, {2}) }
              return data.loader(data.dataset(images, tensor.arange(1, 7)),
                {batch_size = 2, shuffle = true, seed = seed, transform = tf})
            end
            local function sums(loader, epochs)
              local out = {}
              for _ = 1, epochs do
                for xb, yb in loader:iter() do out[#out + 1] = string.format("%g/%s", xb:sum():item(), table.concat(yb:totable(), ",")) end
              end
              return table.concat(out, " ")
            end
            local a, b, c = sums(make(7), 2), sums(make(7), 2), sums(make(8), 2)
            print(a == b, a ~= c)
            -- Resume: stop after the second batch of epoch 2, restore a new loader there.
            local full = {}
            for w in a:gmatch("%S+") do full[#full + 1] = w end
            local l1 = make(7)
            for _ in l1:iter() do end
            local it = l1:iter()
            it()
            it()
            local saved = l1:state()
            local l2 = make(7)
            l2:set_state(saved)
            local rest = {}
            for xb, yb in l2:iter() do rest[#rest + 1] = string.format("%g/%s", xb:sum():item(), table.concat(yb:totable(), ",")) end
            print(saved.epoch, saved.position, table.concat(rest, " ") == table.concat(full, " ", 6, 6))
            -- Each transform on its own.
            local img = tensor.arange(1, 10):view(1, 3, 3)
            local rng = setmetatable({}, {__index = {uniform = function() return 0 end, integer = function(_, lo) return lo end}})
            print(table.concat(T.horizontal_flip(1)(img, rng):view(-1):totable(), ","))
            print(table.concat(T.random_crop(2, {padding = 1})(img, rng):view(-1):totable(), ","))
            print(table.concat(T.random_shift(1)(img, rng):view(-1):totable(), ","))
            print(table.concat(T.normalize(1, 2)(img, rng):view(-1):totable(), ","))
            print(table.concat(T.normalize({1, 2}, {1, 1})(tensor.ones(2, 1, 1), rng):view(-1):totable(), ","))
            """)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 7, "\(out)")
        #expect(lines.first == "true\ttrue", "\(out)")
        #expect(lines[1] == "2\t2\ttrue", "\(out)")
        #expect(lines[2] == "3,2,1,6,5,4,9,8,7", "\(out)")
        #expect(lines[3] == "0,0,0,1", "\(out)")
        #expect(lines[4] == "0,0,0,0,1,2,0,4,5", "\(out)")
        #expect(lines[5] == "0,0.5,1,1.5,2,2.5,3,3.5,4", "\(out)")
        #expect(lines[6] == "0,-1", "\(out)")
    }

    @Test func textEncodeDecodeRoundTripAndWindows() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write("abcabcab\n", to: "corpus.txt", in: dir)
        let out = try output("""
            local t = data.text("hello, world", {val_fraction = 0.25})
            print(t.vocab_size, t.chars[1], t.train:numel(), t.val:numel())
            print(t.decode(t.encode("world, hello")), t:decode(t:encode("low")), t.decode(t.ids) == "hello, world")
            print(table.concat(t.encode("eh"):totable(), ","))
            local f = data.text(...)
            print(f.vocab_size, f.decode(f.train))
            local s = data.tinyshakespeare()
            print(s.vocab_size, s.train:numel() + s.val:numel(), s.decode(s.train:narrow(1, 1, 14)))
            local function windows(seed)
              local l = data.text_loader(s.train, {block_size = 8, batch_size = 4, seed = seed})
              local x, y = l:next()
              local x2 = l:next()
              return x, y, x2, l
            end
            local x, y, x2, l = windows(3)
            local xa, _, x2a = windows(3)
            print(table.concat(x:shape(), "x"), (x - xa):abs():sum():item(), (x2 - x2a):abs():sum():item())
            print((x:narrow(2, 2, 7) - y:narrow(2, 1, 7)):abs():sum():item(), l:state().step, #l > 1)
            local b2 = l:batch(2)
            print((b2 - x2):abs():sum():item())
            l:set_state({step = 1})
            print((l:next() - x2):abs():sum():item())
            local n = 0
            for _ in data.text_loader(s.val, {block_size = 4, batch_size = 2}):iter(3) do n = n + 1 end
            print(n)
            """, ["--", dir.appendingPathComponent("corpus.txt").path])
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 10, "\(out)")
        #expect(lines[0] == "9\t \t9\t3", "\(out)")
        #expect(lines[1] == "world, hello\tlow\ttrue", "\(out)")
        #expect(lines[2] == "4,5", "\(out)")
        #expect(lines[3] == "4\tabcabcab", "\(out)")   // 9 characters, 10 % validation: 8 train
        #expect(lines[4] == "65\t1115394\tFirst Citizen:", "\(out)")
        #expect(lines[5] == "4x8\t0\t0", "\(out)")
        #expect(lines[6] == "0\t2\ttrue", "y is x shifted by one: \(out)")
        #expect(lines[7] == "0" && lines[8] == "0", "\(out)")
        #expect(lines[9] == "3", "\(out)")
    }

    /// A string naming a file is read; under --sandbox a file outside the allowed folders is an
    /// error (not silently taken as the text), and a string that names no file is the text.
    @Test func textFromFilesUnderTheSandbox() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write("abc\n", to: "c.txt", in: dir)
        let script = try Descent.write("""
            print(data.text("c.txt").vocab_size, data.text("no such file").vocab_size)
            print(pcall(data.text, "/etc/hostname"))
            """, to: "s.lua", in: dir)
        let r = try Descent.run(["run", script.path, "--sandbox"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "4\t11", "\(r.stdout)")
        #expect(lines.last?.contains("false") == true && lines.last?.contains("is not allowed") == true, "\(r.stdout)")
    }

    @Test func modularArithmeticCounts() throws {
        let out = try output("""
            local m = data.modular_arithmetic{p = 97, seed = 1}
            print(m.train.x:size(1), m.val.x:size(1), m.train.x:size(2), m.vocab_size)
            local x, y = m.train.x, m.train.y
            local a, b = x:select(2, 1) - 1, x:select(2, 2) - 1
            local c = a + b - (a + b):ge(97) * 97
            print((c + 1 - y):abs():sum():item(), x:min():item(), x:max():item())
            local again = data.modular_arithmetic{p = 97, seed = 1}
            print((again.train.x - x):abs():sum():item())
            local d = data.modular_arithmetic{p = 7, op = "/", train_fraction = 0.5, seed = 2}
            print(d.train.x:size(1) + d.val.x:size(1))
            local dx, dy = tensor.cat({d.train.x, d.val.x}, 1), tensor.cat({d.train.y, d.val.y}, 1)
            local ok = true
            for i = 1, dx:size(1) do
              local av, bv, cv = dx:get(i, 1) - 1, dx:get(i, 2) - 1, dy[i] - 1
              if (cv * bv) % 7 ~= av then ok = false end
            end
            print(ok)
            for _, op in ipairs{"-", "*"} do
              local e = data.modular_arithmetic{p = 5, op = op, train_fraction = 0.5}
              print(op, e.train.x:size(1) + e.val.x:size(1))
            end
            """)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines == ["2823\t6586\t2\t97", "0\t1\t97", "0", "42", "true", "-\t25", "*\t25"], "\(out)")
    }

    @Test func errorsNameTheCallAndWhatWasExpected() throws {
        let cases: [(String, String)] = [
            ("data.loader(42)", "script.lua:1: data.loader: argument 1 expected a tensor or a dataset"),
            ("data.loader({1, 2}, {batchsize = 2})", "unknown option 'batchsize' (valid: batch_size, drop_last, seed, shuffle, transform)"),
            ("data.loader({1, 2}, {batch_size = 0})", "batch_size must be at least 1, got 0"),
            ("for _ in data.loader({{1, 2}, {3}}, {batch_size = 2}):iter() do end", "sample 2 has no field"),
            ("data.transforms.random_crop(0)", "random_crop: expected size as a positive integer or {height, width}, got 0"),
            ("data.transforms.random_crop(5)(tensor.ones(1, 3, 3), nil)", "crop 5x5 is larger than the padded image 3x3"),
            ("data.transforms.horizontal_flip(2)", "horizontal_flip: expected p in [0, 1], got 2"),
            ("data.transforms.normalize({1, 2}, {1})", "mean has 2 entries but std has 1"),
            ("data.transforms.normalize(0, 0)", "std entry 1 expected a positive number, got 0"),
            ("data.transforms.compose{1}", "entry 1 expected a transform (a function), got number"),
            ("data.text(1)", "data.text: argument 1 expected a string"),
            ("data.text('ab', {val_fraction = 1})", "option 'val_fraction' expected a number in [0, 1), got 1"),
            ("data.text('ab').encode('abc')", "character 'c' at position 3 is not in the vocabulary of 2 characters"),
            ("data.text('ab').decode(tensor.from{3})", "decode: expected ids in 1..2, got 3.0 at position 1"),
            ("data.text_loader(tensor.ones(4), {block_size = 4})", "4 tokens are too few for block_size 4 (need at least 5)"),
            ("data.text_loader(tensor.ones(2, 2))", "argument 1 expected a 1-d tensor of token ids, got shape [2, 2]"),
            ("data.modular_arithmetic{op = '^'}", "option 'op' expected one of"),
            ("data.modular_arithmetic{p = 8, op = '/'}", "op \"/\" needs a prime p, got 8"),
            ("data.modular_arithmetic{train_fraction = 1}", "strictly between 0 and 1, got 1"),
            ("data.fashion_mnist('/nonexistent/fm')", "/nonexistent/fm: Fashion-MNIST not found"),
        ]
        for (source, expected) in cases {
            let err = try failure(source)
            #expect(err.contains(expected), "\(source): \(err)")
            #expect(err.contains("script.lua:1:"), "\(source) is located at the script line: \(err)")
        }
    }
}
