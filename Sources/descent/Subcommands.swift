import ArgumentParser

extension Descent {
    static let allSubcommands: [ParsableCommand.Type] = [
        RunCommand.self, ReplCommand.self, SweepCommand.self, TuneCommand.self, BenchmarkCommand.self, ReportCommand.self, PredictCommand.self, StatusCommand.self, BenchCommand.self, VersionCommand.self,
    ]
}
