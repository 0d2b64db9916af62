/// An error caused by the caller's input (a shape, an index, an option), with a message that says
/// what was expected and what was given. The Lua bridge turns it into a Lua error located at the
/// script line; nothing in this module traps on input it can be given from a script.
public struct TensorError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Formats a shape the way error messages and `tostring` show it: `[3, 4]`.
@inlinable
public func describe(shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
