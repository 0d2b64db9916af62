import LuaModules

func luaVersionDescription() -> String { Runtime.libraryVersions }
