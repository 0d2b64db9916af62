import Foundation
import Tensors

/// Row selection and seeded permutations, shared by `Datasets.split` and `DataLoader`.
enum Rows {
    /// The number of rows (first dimension) of `t`, or an error naming `what` for a 0-d tensor.
    static func count(_ t: Tensor, _ what: String) throws -> Int {
        guard let n = t.shape.first else {
            throw TensorError("\(what): expected a tensor with at least 1 dimension (rows first), got a scalar")
        }
        return n
    }

    /// Checks that `y` (if any) has as many rows as `x`; returns that number.
    static func matching(_ x: Tensor, _ y: Tensor?, _ what: String) throws -> Int {
        let n = try count(x, "\(what) x")
        if let y {
            let m = try count(y, "\(what) y")
            guard m == n else {
                throw TensorError("\(what): x and y must have the same number of rows, got \(n) and \(m)")
            }
        }
        return n
    }

    /// A new contiguous tensor holding `rows` of `source` (which must be contiguous), in order,
    /// copied with one memcpy per row. The caller guarantees every index is in range.
    static func gather(_ source: Tensor, _ rows: ArraySlice<Int>) throws -> Tensor {
        var shape = source.shape
        shape[0] = rows.count
        let out = try Tensor(uninitializedShape: shape)
        let width = source.shape.dropFirst().reduce(1, *)
        let bytes = width * MemoryLayout<Float>.stride
        guard width > 0 else { return out }
        let src = source.pointer, dst = out.pointer
        var k = 0
        for r in rows {
            memcpy(dst + k * width, src + r * width, bytes)
            k += 1
        }
        return out
    }

    /// A uniformly random permutation of `0..<n` by Fisher–Yates, driven by `generator`.
    static func permutation(_ n: Int, _ generator: Generator) -> [Int] {
        var p = Array(0..<n)
        var i = n - 1
        while i > 0 {
            let j = generator.nextInt(0, i + 1)
            p.swapAt(i, j)
            i -= 1
        }
        return p
    }

    /// SplitMix64's finaliser: spreads a small integer (an epoch number) over 64 bits so that
    /// `seed ^ mix(e)` gives unrelated streams for consecutive epochs.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
