/// An error raised to Lua by a Swift function: the bridge prefixes the script position
/// (`script.lua:14: `) and the function's name, so messages read
/// `train.lua:14: add: shapes [3, 4] and [5] cannot be broadcast`.
public struct LuaError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// An error that already carries its position (it comes back from a Lua callback that Swift
/// called with `pcall`): the bridge raises it unchanged.
public struct LuaRaise: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
