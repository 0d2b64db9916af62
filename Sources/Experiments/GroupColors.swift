/// The line style of one group in a figure: a colour and a dash pattern ("" = solid).
public struct GroupStyle: Equatable {
    public let color: String
    /// An SVG `stroke-dasharray` value, empty for a solid line.
    public let dash: String
}

/// Colours derived from a group's key, so a group keeps its colour in every panel, figure and
/// report of a study whatever its rank.
///
/// Each key hashes (FNV-1a, 64 bit: the same on every machine and run) to a preferred colour of
/// Paul Tol's colour-blind-safe "muted" palette. Keys are placed in the order of their hash
/// (then the key text), never in rank or manifest order; a key whose colour is already taken
/// moves to the next colour of the palette among the least used. With more groups than colours,
/// every colour is used once before any is used twice (n − 9 groups dashed, then further
/// dash patterns), groups sharing a colour told apart by dash patterns (solid first). The assignment
/// depends only on the set of keys: a key keeps its hash colour in any study where no other
/// key took that colour first.
///
///     let styles = GroupColors(keys: ["opt=adam", "opt=sgd"])
///     styles.style(for: "opt=adam").color   // the same in every figure of the study
public struct GroupColors {
    /// Paul Tol's "muted" qualitative scheme (https://personal.sron.nl/~pault/), distinct for
    /// the common forms of colour blindness.
    public static let palette = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933",
                                 "#DDCC77", "#CC6677", "#882255", "#AA4499"]
    /// Dash patterns for groups that share a colour (more groups than colours).
    public static let dashes = ["", "7 3", "2 2", "9 3 2 3", "1 4", "12 3 2 3 2 3", "4 4"]

    private var styles: [String: GroupStyle] = [:]

    public init(keys: [String]) {
        let unique = Array(Set(keys))
        let k = GroupColors.palette.count
        let ordered = unique.map { ($0, GroupColors.hash($0)) }.sorted { a, b in a.1 != b.1 ? a.1 < b.1 : a.0 < b.0 }
        var used = [Int](repeating: 0, count: k)
        for (key, h) in ordered {
            let start = Int(h % UInt64(k))
            // The preferred colour if it is among the least used, else the next one that is:
            // every colour is used once before any is used twice.
            let least = used.min() ?? 0
            var colour = start
            for j in 0..<k where used[(start + j) % k] == least {
                colour = (start + j) % k
                break
            }
            let dash = GroupColors.dashes[used[colour] % GroupColors.dashes.count]
            used[colour] += 1
            styles[key] = GroupStyle(color: GroupColors.palette[colour], dash: dash)
        }
    }

    /// The style of `key`; a key outside the study gets its hash colour, solid.
    public func style(for key: String) -> GroupStyle {
        styles[key] ?? GroupStyle(color: GroupColors.palette[Int(GroupColors.hash(key) % UInt64(GroupColors.palette.count))], dash: "")
    }

    /// The colour a key prefers: its FNV-1a hash modulo the palette size.
    public static func preferredColor(_ key: String) -> String {
        palette[Int(hash(key) % UInt64(palette.count))]
    }

    /// 64-bit FNV-1a of the key's UTF-8 bytes (Swift's Hasher is seeded per process, so unusable).
    static func hash(_ key: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}
