// The `redis` table scripts see: call, pcall, error_reply, status_reply,
// sha1hex, log, setresp, set_repl, replicate_commands, acl_check_cmd,
// breakpoint, debug and the LOG_* / REPL_* / REDIS_VERSION constants, with
// Redis 7.0's argument checks and error texts (script_lua.c).
#pragma once

#include "node/scripting/lua_headers.h"

namespace vigil::node::scripting {

class ScriptingEngine;

// Registers the global `redis` table; its functions reach `engine` through
// the Lua registry.
void register_redis_api(lua_State* L, ScriptingEngine* engine);

// The engine register_redis_api stored in L's registry (nullptr before).
ScriptingEngine* engine_from_registry(lua_State* L);

// Pushes Redis's error table {err="CODE message"} for a rejection text:
// "-CODE msg" keeps its code, anything else gets "ERR " (luaPushErrorBuff).
void push_error_table(lua_State* L, const char* text, size_t len);

}  // namespace vigil::node::scripting
