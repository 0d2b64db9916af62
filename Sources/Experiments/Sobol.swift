/// The Sobol low-discrepancy sequence (Joe and Kuo's direction numbers, new-joe-kuo-6.21201,
/// the table scipy.stats.qmc.Sobol uses), in Gray-code order, up to 21 dimensions, optionally
/// scrambled by a seeded random digital shift (each dimension's 32 bits XORed with a random
/// word), as AlgoPerf's quasi-random search draws its trials.
///
///     var sobol = try Sobol(dimensions: 3, scrambleSeed: 7)
///     let points = (0..<16).map { _ in sobol.next() }   // 16 points in [0, 1)^3
///
/// Unscrambled, the points equal `scipy.stats.qmc.Sobol(d, scramble=False).random(n)`
/// (Tests/ExperimentsTests: fixture from scripts/reference/sobol_fixtures.py).
public struct Sobol {
    /// (degree s, coefficients a, initial m₁…mₛ) for dimensions 2…21.
    static let table: [(Int, UInt32, [UInt32])] = [
        (1, 0, [1]), (2, 1, [1, 3]), (3, 1, [1, 3, 1]), (3, 2, [1, 1, 1]), (4, 1, [1, 1, 3, 3]),
        (4, 4, [1, 3, 5, 13]), (5, 2, [1, 1, 5, 5, 17]), (5, 4, [1, 1, 5, 5, 5]), (5, 7, [1, 1, 7, 11, 19]),
        (5, 11, [1, 1, 5, 1, 1]), (5, 13, [1, 1, 1, 3, 11]), (5, 14, [1, 3, 5, 5, 31]), (6, 1, [1, 3, 3, 9, 7, 49]),
        (6, 13, [1, 1, 1, 15, 21, 21]), (6, 16, [1, 3, 1, 13, 27, 49]), (6, 19, [1, 1, 1, 15, 7, 5]),
        (6, 22, [1, 3, 1, 15, 13, 25]), (6, 25, [1, 1, 5, 5, 19, 61]), (7, 1, [1, 3, 7, 11, 23, 15, 103]),
        (7, 4, [1, 3, 7, 13, 13, 15, 69]),
    ]
    public static let maxDimensions = table.count + 1
    static let bits = 32

    public let dimensions: Int
    /// directions[d][k]: the k-th direction number of dimension d, as a 32-bit fraction.
    let directions: [[UInt32]]
    let shift: [UInt32]
    var state: [UInt32]
    var index: UInt32 = 0

    public init(dimensions: Int, scrambleSeed: UInt64? = nil) throws {
        guard (1...Sobol.maxDimensions).contains(dimensions) else {
            throw ExperimentError("sobol: expected 1 to \(Sobol.maxDimensions) dimensions, got \(dimensions)")
        }
        self.dimensions = dimensions
        var dirs: [[UInt32]] = [(1...Sobol.bits).map { UInt32(1) << UInt32(Sobol.bits - $0) }]
        for d in 1..<dimensions {
            let (s, a, m) = Sobol.table[d - 1]
            var v = [UInt32](repeating: 0, count: Sobol.bits)
            for k in 0..<Sobol.bits {
                if k < s {
                    v[k] = m[k] << UInt32(Sobol.bits - 1 - k)
                } else {
                    var x = v[k - s] ^ (v[k - s] >> UInt32(s))
                    for i in 1..<s where (a >> UInt32(s - 1 - i)) & 1 == 1 { x ^= v[k - i] }
                    v[k] = x
                }
            }
            dirs.append(v)
        }
        directions = dirs
        if let seed = scrambleSeed {
            var rng = SplitMix64(seed: seed)
            shift = (0..<dimensions).map { _ in UInt32(truncatingIfNeeded: rng.next() >> 32) }
        } else {
            shift = [UInt32](repeating: 0, count: dimensions)
        }
        state = [UInt32](repeating: 0, count: dimensions)
    }

    /// The next point (the first is the origin, shifted when scrambled).
    public mutating func next() -> [Double] {
        let point = (0..<dimensions).map { Double(state[$0] ^ shift[$0]) / 4_294_967_296.0 }
        // Gray-code order: flip by the direction of the lowest zero bit of the index.
        let c = (~index).trailingZeroBitCount
        if c < Sobol.bits {
            for d in 0..<dimensions { state[d] ^= directions[d][c] }
        }
        index &+= 1
        return point
    }
}
