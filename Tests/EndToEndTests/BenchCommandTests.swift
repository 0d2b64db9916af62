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
        // Issue 20's 100M rows and their reference passes (group optim_100m); Lion is not a
        // torch.optim optimizer and has no 100M row.
        for name in ["optim_adam_100m", "optim_adafactor_100m", "optim_asgd_100m", "copy_100m", "triad_100m"] {
            #expect(names.contains(name), "\(name) not listed")
        }
        #expect(!names.contains("optim_lion_100m"))
        // Result lines use the same column (timing a benchmark here would take half a minute in
        // a debug build).
    }
}
