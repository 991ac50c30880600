// The Lua environment scripts run in, as Redis 7.0 sets it up: base, table,
// string, math, coroutine, bit and cjson libraries; no file or module access;
// Redis's deterministic math.random and pcall; the __redis__err__handler
// global (scripts see it; the engine reports error locations itself, since
// scripts run in a coroutine); read-only globals and library tables ("Attempt to modify a
// readonly table", "Script attempted to access nonexistent global variable").
//
// Redis patches its Lua with read-only tables; Debian's stock Lua 5.1 has no
// such patch, so globals and libraries are exposed through empty proxy tables
// whose metatables read from the real tables and refuse writes.
#pragma once

#include "node/scripting/lua_headers.h"

namespace vigil::node::scripting {

// Loads the libraries and replaces the unsafe parts. The redis table is
// registered (by redis_api) between this and protect_globals.
void open_sandbox_libraries(lua_State* L);

// Makes the globals and every library table read-only. Call last.
void protect_globals(lua_State* L);

// Sets KEYS or ARGV (bypassing the protection) before a script runs.
void set_protected_global(lua_State* L, const char* name);

}  // namespace vigil::node::scripting
