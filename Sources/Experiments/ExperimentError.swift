/// An error caused by the caller's input or by a run directory's contents, with a message that
/// says what was expected and what was found. The CLI prints it as is.
///
///     throw ExperimentError("--grid lr: expected key=v1,v2, got \"lr\"")
public struct ExperimentError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
