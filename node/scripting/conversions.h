// Redis 7.0's conversions between RESP replies and Lua values
// (redisProtocolToLuaType / luaReplyToRedisReply in script_lua.c).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/resp/reply_builder.h"
#include "node/scripting/lua_headers.h"

namespace vigil::node::scripting {

// Pushes the Lua value of the one complete RESP reply in `reply` (as written by
// a command handler): integers are numbers, bulks strings, RESP2 nulls false,
// status {ok=...}, errors {err=...}, arrays tables; RESP3 maps {map=...}, sets
// {set=...}, null nil, booleans, doubles {double=...}, big numbers and verbatim.
void push_reply_as_lua(lua_State* L, std::string_view reply);

// Pops the value on top of the stack and writes it as the script's reply.
// script_resp is the protocol selected by redis.setresp (it decides how
// booleans convert).
void write_lua_value_as_reply(lua_State* L, resp::ReplyBuilder& out, int script_resp);

// C's (long long) cast of a Lua number as x86 does it (out of range: INT64_MIN).
int64_t lua_number_to_integer(double d);

// Redis's error text of a Lua error object: the err field of a table, or
// "ERR " + the string. Empty when neither.
std::string error_message_of(lua_State* L, int index);

}  // namespace vigil::node::scripting
