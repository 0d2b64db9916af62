import CLua
import CLuaShim

extension LuaReference {
    /// Pushes the value onto `L`'s stack: the state a binding was called with (a coroutine's,
    /// not necessarily the host's main thread; the registry is shared).
    public func push(onto L: LuaState) {
        guard host != nil else { lua_pushnil(L.L); return }
        lua_rawgeti(L.L, descent_registryindex(), lua_Integer(ref))
    }
}
