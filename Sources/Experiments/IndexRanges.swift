/// Slurm's `--array=` index syntax: sorted indices with runs collapsed, `3,7-9`.
///
///     IndexRanges.format([9, 3, 7, 8])  // "3,7-9"
///     try IndexRanges.parse("3,7-9")    // [3, 7, 8, 9]
public enum IndexRanges {
    public static func format(_ indices: [Int]) -> String {
        let sorted = Array(Set(indices)).sorted()
        var parts: [String] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count, sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(j == i ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    public static func parse(_ text: String) throws -> [Int] {
        var out: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).compactMap { Int($0) }
            let pieces = part.split(separator: "-", omittingEmptySubsequences: false).count
            if bounds.count == 1, pieces == 1 {
                out.append(bounds[0])
            } else if bounds.count == 2, pieces == 2, bounds[0] <= bounds[1], bounds[1] - bounds[0] <= 1_000_000 {
                out.append(contentsOf: bounds[0]...bounds[1])
            } else {
                throw ExperimentError("index list: expected indices and ranges like 3,7-9, got \"\(text)\"")
            }
        }
        return out
    }
}
