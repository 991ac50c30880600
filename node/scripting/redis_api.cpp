#include "node/scripting/redis_api.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "node/scripting/conversions.h"
#include "node/scripting/scripting_engine.h"
#include "node/scripting/sha1.h"

namespace vigil::node::scripting {

namespace {

constexpr const char* kEngineKey = "__vigil_engine";
constexpr int kPropagateAof = 1, kPropagateReplica = 2;

ScriptingEngine* engine_of(lua_State* L) { return engine_from_registry(L); }

void push_error(lua_State* L, const char* text) { push_error_table(L, text, std::strlen(text)); }

// luaArgsToRedisArgv: strings as they are, numbers as "%.17g". Returns false
// (with the error table pushed) when an argument is of another type.
bool args_to_argv(lua_State* L, std::vector<std::string>* argv) {
  int argc = lua_gettop(L);
  if (argc == 0) {
    push_error(L, "Please specify at least one argument for this redis lib call");
    return false;
  }
  bool ok = true;
  for (int i = 1; i <= argc && ok; i++) {
    if (lua_type(L, i) == LUA_TNUMBER) {
      char buf[64];
      int n = std::snprintf(buf, sizeof(buf), "%.17g", static_cast<double>(lua_tonumber(L, i)));
      argv->emplace_back(buf, static_cast<size_t>(n));
    } else if (lua_type(L, i) == LUA_TSTRING) {
      size_t len = 0;
      const char* s = lua_tolstring(L, i, &len);
      argv->emplace_back(s, len);
    } else {
      ok = false;
    }
  }
  lua_pop(L, argc);
  if (!ok) push_error(L, "Lua redis lib command arguments must be strings or integers");
  return ok;
}

// Body of redis.call / redis.pcall. Leaves the result (or error table) on the
// stack; returns true when the caller must raise it. No lua_error here: the
// C++ locals must be destroyed first.
bool run_redis_command(lua_State* L, bool raise) {
  ScriptingEngine* engine = engine_of(L);
  if (engine == nullptr || engine->running() == nullptr) {
    push_error(L, "redis.call/pcall can only be called inside a script invocation");
    return true;
  }
  std::vector<std::string> argv;
  if (!args_to_argv(L, &argv)) return raise;
  std::string reply;
  std::string rejection = engine->call_command(argv, &reply);
  if (!rejection.empty()) {
    push_error_table(L, rejection.data(), rejection.size());
    return raise;
  }
  push_reply_as_lua(L, reply);
  return raise && !reply.empty() && reply[0] == '-';
}

int redis_call(lua_State* L) {
  if (run_redis_command(L, true)) return lua_error(L);
  return 1;
}

int redis_pcall(lua_State* L) {
  run_redis_command(L, false);
  return 1;
}

int redis_error_reply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    push_error(L, "wrong number or type of arguments");
    return 1;
  }
  size_t len = 0;
  const char* err = lua_tolstring(L, -1, &len);
  if (len > 0 && err[0] == '-') {
    push_error_table(L, err, len);
  } else {
    lua_pushstring(L, "-");
    lua_pushvalue(L, -2);
    lua_concat(L, 2);
    const char* dashed = lua_tolstring(L, -1, &len);
    push_error_table(L, dashed, len);
  }
  return 1;
}

int redis_status_reply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    push_error(L, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(L);
  lua_pushstring(L, "ok");
  lua_pushvalue(L, -3);
  lua_settable(L, -3);
  return 1;
}

bool sha1hex_body(lua_State* L) {
  if (lua_gettop(L) != 1) {
    push_error(L, "wrong number of arguments");
    return false;
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  std::string hex = sha1_hex(std::string_view(s ? s : "", s ? len : 0));
  lua_pushlstring(L, hex.data(), hex.size());
  return true;
}

int redis_sha1hex(lua_State* L) {
  if (!sha1hex_body(L)) return lua_error(L);
  return 1;
}

// redis.log(level, ...): Redis's log levels map onto spdlog's.
bool log_body(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) {
    push_error(L, "redis.log() requires two arguments or more.");
    return false;
  }
  if (!lua_isnumber(L, -argc)) {
    push_error(L, "First argument must be a number (log level).");
    return false;
  }
  int level = static_cast<int>(lua_tonumber(L, -argc));
  if (level < 0 || level > 3) {
    push_error(L, "Invalid debug level.");
    return false;
  }
  std::string line;
  for (int j = 1; j < argc; j++) {
    size_t len = 0;
    const char* s = lua_tolstring(L, -argc + j, &len);
    if (s == nullptr) continue;
    if (j != 1) line += ' ';
    line.append(s, len);
  }
  static constexpr spdlog::level::level_enum kLevels[] = {spdlog::level::debug, spdlog::level::debug,
                                                         spdlog::level::info, spdlog::level::warn};
  spdlog::log(kLevels[level], "{}", line);
  return true;
}

int redis_log(lua_State* L) {
  if (!log_body(L)) return lua_error(L);
  return 0;
}

int redis_setresp(lua_State* L) {
  ScriptingEngine* engine = engine_of(L);
  if (engine == nullptr || engine->running() == nullptr) {
    push_error(L, "redis.setresp can only be called inside a script invocation");
    return lua_error(L);
  }
  int argc = lua_gettop(L);
  if (argc != 1) {
    push_error(L, "redis.setresp() requires one argument.");
    return lua_error(L);
  }
  int resp = static_cast<int>(lua_tonumber(L, -argc));
  if (resp != 2 && resp != 3) {
    push_error(L, "RESP version must be 2 or 3.");
    return lua_error(L);
  }
  engine->set_resp(resp);
  return 0;
}

int redis_set_repl(lua_State* L) {
  ScriptingEngine* engine = engine_of(L);
  if (engine == nullptr || engine->running() == nullptr) {
    push_error(L, "redis.set_repl can only be called inside a script invocation");
    return lua_error(L);
  }
  if (lua_gettop(L) != 1) {
    push_error(L, "redis.set_repl() requires two arguments.");
    return lua_error(L);
  }
  int flags = static_cast<int>(lua_tonumber(L, -1));
  if ((flags & ~(kPropagateAof | kPropagateReplica)) != 0) {
    push_error(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    return lua_error(L);
  }
  // vigil's propagators (AOF and replicas) share one stream: any target keeps
  // propagating, REPL_NONE stops.
  engine->running()->propagate = flags != 0;
  return 0;
}

// Always true since Redis 7.0 (scripts replicate by effects).
int redis_replicate_commands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

// Outside the Lua debugger: breakpoint answers false, debug does nothing.
int redis_breakpoint(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}

int redis_debug(lua_State*) { return 0; }

// 0: allowed, 1: unknown command (error table pushed), 2: argument error pushed.
int acl_check_body(lua_State* L) {
  ScriptingEngine* engine = engine_of(L);
  if (engine == nullptr || engine->running() == nullptr) {
    push_error(L, "redis.acl_check_cmd can only be called inside a script invocation");
    return 2;
  }
  std::vector<std::string> argv;
  if (!args_to_argv(L, &argv)) return 2;
  if (!engine->command_exists(argv)) {
    push_error(L, "Invalid command passed to redis.acl_check_cmd()");
    return 1;
  }
  return 0;
}

int redis_acl_check_cmd(lua_State* L) {
  if (acl_check_body(L) != 0) return lua_error(L);
  lua_pushboolean(L, 1);  // no ACL users: the caller may run every command
  return 1;
}

void set_number(lua_State* L, const char* name, lua_Number v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, name);
}

}  // namespace

ScriptingEngine* engine_from_registry(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kEngineKey);
  auto* engine = static_cast<ScriptingEngine*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return engine;
}

void push_error_table(lua_State* L, const char* text, size_t len) {
  std::string_view t(text, len);
  std::string code = "ERR", msg;
  if (!t.empty() && t[0] == '-') {
    size_t space = t.find(' ');
    if (space == std::string_view::npos) {
      msg = std::string(t.substr(1));
    } else {
      code = std::string(t.substr(1, space - 1));
      msg = std::string(t.substr(space + 1));
    }
  } else {
    msg = std::string(t);
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.pop_back();
  while (!msg.empty() && (msg.front() == '\r' || msg.front() == '\n')) msg.erase(0, 1);
  std::string final_msg = code + " " + msg;
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, final_msg.data(), final_msg.size());
  lua_settable(L, -3);
}

void register_redis_api(lua_State* L, ScriptingEngine* engine) {
  lua_pushlightuserdata(L, engine);
  lua_setfield(L, LUA_REGISTRYINDEX, kEngineKey);
  lua_newtable(L);
  const luaL_Reg functions[] = {
      {"call", redis_call},
      {"pcall", redis_pcall},
      {"log", redis_log},
      {"setresp", redis_setresp},
      {"sha1hex", redis_sha1hex},
      {"error_reply", redis_error_reply},
      {"status_reply", redis_status_reply},
      {"set_repl", redis_set_repl},
      {"replicate_commands", redis_replicate_commands},
      {"acl_check_cmd", redis_acl_check_cmd},
      {"breakpoint", redis_breakpoint},
      {"debug", redis_debug},
  };
  for (const luaL_Reg& f : functions) {
    lua_pushcfunction(L, f.func);
    lua_setfield(L, -2, f.name);
  }
  set_number(L, "LOG_DEBUG", 0);
  set_number(L, "LOG_VERBOSE", 1);
  set_number(L, "LOG_NOTICE", 2);
  set_number(L, "LOG_WARNING", 3);
  set_number(L, "REPL_NONE", 0);
  set_number(L, "REPL_AOF", kPropagateAof);
  set_number(L, "REPL_SLAVE", kPropagateReplica);
  set_number(L, "REPL_REPLICA", kPropagateReplica);
  set_number(L, "REPL_ALL", kPropagateAof | kPropagateReplica);
  lua_pushstring(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
  set_number(L, "REDIS_VERSION_NUM", 0x07000f);
  lua_setglobal(L, "redis");
}

}  // namespace vigil::node::scripting
