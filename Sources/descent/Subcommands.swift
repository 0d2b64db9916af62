import ArgumentParser

extension Descent {
    static let allSubcommands: [ParsableCommand.Type] = [
        RunCommand.self, VersionCommand.self,
    ]
}
