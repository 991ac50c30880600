#include "node/scripting/lua_sandbox.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>

extern "C" {
#include <lua-bitop.h>
#include <lua-cjson.h>
}

namespace vigil::node::scripting {

namespace {

constexpr const char* kBackingGlobals = "__vigil_globals";  // registry: the real globals table
constexpr const char* kReadonlySet = "__vigil_readonly";    // registry: proxy -> true

// ---- math.random: Redis's rand48, one sequence per process (never reseeded
// between scripts in 7.0), starting from the classic drand48 default state.
uint64_t rand48_state = 0x1234ABCD330EULL;

int32_t redis_lrand48() {
  rand48_state = (0x5DEECE66DULL * rand48_state + 0xB) & ((1ULL << 48) - 1);
  return static_cast<int32_t>(rand48_state >> 17);
}

void redis_srand48(int32_t seed) {
  rand48_state = (static_cast<uint64_t>(static_cast<uint32_t>(seed)) << 16) | 0x330E;
}

int math_random(lua_State* L) {
  constexpr int32_t kMax = INT32_MAX;
  lua_Number r = static_cast<lua_Number>(redis_lrand48() % kMax) / static_cast<lua_Number>(kMax);
  switch (lua_gettop(L)) {
    case 0: lua_pushnumber(L, r); break;
    case 1: {
      int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      int l = luaL_checkint(L, 1);
      int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default: return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int math_randomseed(lua_State* L) {
  redis_srand48(luaL_checkint(L, 1));
  return 0;
}

// ---- read-only tables

bool is_readonly(lua_State* L, int index) {
  if (lua_type(L, index) != LUA_TTABLE) return false;
  lua_pushvalue(L, index);
  lua_getfield(L, LUA_REGISTRYINDEX, kReadonlySet);
  lua_insert(L, -2);
  lua_rawget(L, -2);
  bool ro = lua_toboolean(L, -1);
  lua_pop(L, 2);
  return ro;
}

int readonly_newindex(lua_State* L) { return luaL_error(L, "Attempt to modify a readonly table"); }

int nonexistent_global(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'", name ? name : "?");
}

// Redis raises this one from inside the C function, without a position.
int readonly_error_without_position(lua_State* L) {
  lua_pushstring(L, "Attempt to modify a readonly table");
  return lua_error(L);
}

// setmetatable and rawset refuse read-only tables, then defer to the originals.
int guarded_setmetatable(lua_State* L) {
  if (is_readonly(L, 1)) return readonly_error_without_position(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// Redis 7.0's pcall: a caught error table (from redis.call) becomes its err
// string, so scripts see the same message as older Redis versions gave them.
int redis_pcall_wrapper(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc == 0) {  // nothing to call: a failed call, as Redis's wrapper answers
    lua_pushboolean(L, 0);
    lua_pushstring(L, "attempt to call a nil value");
    return 2;
  }
  lua_pushboolean(L, 1);  // the status, in front of the results
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_replace(L, 1);
    lua_settop(L, 2);
  }
  return lua_gettop(L);
}

// Binary chunks are refused, as Redis's Lua does (they bypass the verifier).
bool is_binary_chunk(const char* s, size_t len) { return len > 0 && s[0] == LUA_SIGNATURE[0]; }

// Compiles source text (never bytecode, which could break out of the sandbox):
// the function, or nil and the error message, as Lua's loadstring returns them.
int load_text_chunk(lua_State* L, const char* s, size_t len, const char* name) {
  if (is_binary_chunk(s, len) || luaL_loadbuffer(L, s, len, name) != 0) {
    if (is_binary_chunk(s, len)) lua_pushstring(L, "attempt to load a binary chunk");
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  return 1;
}

int safe_loadstring(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const char* name = luaL_optstring(L, 2, s);
  return load_text_chunk(L, s, len, name);
}

// load(f [, name]): collects the pieces, then loads them as loadstring does.
int safe_load(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  const char* name = luaL_optstring(L, 2, "=(load)");
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  while (true) {
    lua_pushvalue(L, 1);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "reader function must return a string");
    if (lua_objlen(L, -1) == 0) {
      lua_pop(L, 1);
      break;
    }
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  return load_text_chunk(L, s, len, name);
}

// Table at the top -> an empty proxy reading from it and refusing writes.
// index_fallback: what a missing key does (nil, or the nonexistent-global error).
void push_readonly_proxy(lua_State* L, bool error_on_missing) {
  int real = lua_gettop(L);
  if (error_on_missing) {
    lua_newtable(L);  // metatable of the real table: missing globals raise
    lua_pushcfunction(L, nonexistent_global);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, real);
  }
  lua_newtable(L);  // the proxy
  lua_newtable(L);  // its metatable
  lua_pushvalue(L, real);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, readonly_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, -2);
  lua_getfield(L, LUA_REGISTRYINDEX, kReadonlySet);
  lua_pushvalue(L, -2);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_remove(L, real);
}

void load_lib(lua_State* L, const char* name, lua_CFunction open) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
}

constexpr const char* kErrorHandler =
    "local dbg = debug\n"
    "debug = nil\n"
    "function __redis__err__handler(err)\n"
    "  local i = dbg.getinfo(2,'nSl')\n"
    "  if i and i.what == 'C' then\n"
    "    i = dbg.getinfo(3,'nSl')\n"
    "  end\n"
    "  if type(err) ~= 'table' then\n"
    "    err = {err='ERR ' .. tostring(err)}"
    "  end"
    "  if i then\n"
    "    err['source'] = i.source\n"
    "    err['line'] = i.currentline\n"
    "  end"
    "  return err\n"
    "end\n";

}  // namespace

void open_sandbox_libraries(lua_State* L) {
  load_lib(L, "", luaopen_base);
  load_lib(L, LUA_TABLIBNAME, luaopen_table);
  load_lib(L, LUA_STRLIBNAME, luaopen_string);
  load_lib(L, LUA_MATHLIBNAME, luaopen_math);
  load_lib(L, LUA_DBLIBNAME, luaopen_debug);
  load_lib(L, "bit", luaopen_bit);
  // lua-cjson returns its table; Redis builds it with the global "cjson".
  lua_pushcfunction(L, luaopen_cjson);
  lua_call(L, 0, 1);
  lua_setglobal(L, "cjson");
  // Base functions Redis does not expose.
  for (const char* name : {"loadfile", "dofile", "print", "setfenv", "getfenv", "newproxy", "module",
                           "require", "package"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  lua_pushcfunction(L, safe_loadstring);
  lua_setglobal(L, "loadstring");
  lua_pushcfunction(L, safe_load);
  lua_setglobal(L, "load");
  lua_pushcfunction(L, redis_pcall_wrapper);
  lua_setglobal(L, "pcall");
  lua_getglobal(L, "setmetatable");
  lua_pushcclosure(L, guarded_setmetatable, 1);
  lua_setglobal(L, "setmetatable");
  lua_getglobal(L, "math");
  lua_pushcfunction(L, math_random);
  lua_setfield(L, -2, "random");
  lua_pushcfunction(L, math_randomseed);
  lua_setfield(L, -2, "randomseed");
  lua_pop(L, 1);
  // The error handler keeps the debug library to itself (then debug = nil).
  if (luaL_loadbuffer(L, kErrorHandler, std::strlen(kErrorHandler), "@err_handler") == 0) {
    lua_call(L, 0, 0);
  } else {
    lua_pop(L, 1);
  }
}

void protect_globals(lua_State* L) {
  lua_newtable(L);  // proxy -> true, weak keys
  lua_newtable(L);
  lua_pushstring(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, kReadonlySet);

  // rawset refuses read-only tables as well (the guard needs kReadonlySet).
  lua_getglobal(L, "rawset");
  lua_pushcclosure(L, guarded_setmetatable, 1);  // same guard: check arg 1, then call
  lua_setglobal(L, "rawset");

  // Every library table reachable from the globals becomes a proxy.
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  int globals = lua_gettop(L);
  for (const char* lib : {"string", "table", "math", "coroutine", "bit", "cjson", "redis"}) {
    lua_getfield(L, globals, lib);
    if (lua_type(L, -1) != LUA_TTABLE) {
      lua_pop(L, 1);
      continue;
    }
    push_readonly_proxy(L, false);
    lua_setfield(L, globals, lib);
  }
  lua_pushvalue(L, globals);
  lua_setfield(L, LUA_REGISTRYINDEX, kBackingGlobals);
  lua_pushvalue(L, globals);
  push_readonly_proxy(L, true);  // consumes the globals copy on the top
  lua_pushvalue(L, -1);
  lua_setfield(L, globals, "_G");
  lua_replace(L, LUA_GLOBALSINDEX);
  lua_pop(L, 1);
}

void set_protected_global(lua_State* L, const char* name) {
  lua_getfield(L, LUA_REGISTRYINDEX, kBackingGlobals);
  lua_insert(L, -2);
  lua_setfield(L, -2, name);  // the backing table has only an __index metamethod
  lua_pop(L, 1);
}

}  // namespace vigil::node::scripting
