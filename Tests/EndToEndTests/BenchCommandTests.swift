import Foundation
import Testing

/// `descent bench`: the listing names every benchmark in full.
@Suite struct BenchCommandTests {
    /// Before: the name column was cut at 22 characters, so optim_schedule_free_adamw and
    /// optim_schedule_free_adamw_1m both printed as "optim_schedule_free_ad".
    @Test func namesAreNeverCut() throws {
        let list = try Descent.run(["bench", "--list"])
        #expect(list.status == 0, "\(list.stderr)")
        let names = list.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(names.contains("optim_schedule_free_adamw") && names.contains("optim_schedule_free_adamw_1m"), "\(list.stdout)")
        #expect(Set(names).count == names.count, "a name is listed twice: \(names)")
        // Result lines use the same column (timing a benchmark here would take half a minute in
        // a debug build).
    }
}
