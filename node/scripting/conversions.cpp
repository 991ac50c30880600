#include "node/scripting/conversions.h"

#include <cstdlib>
#include <string>

namespace vigil::node::scripting {

namespace {

// Replies here come from our own command handlers, so they are well formed;
// the parser still never reads past the end.
class ReplyReader {
 public:
  ReplyReader(lua_State* L, std::string_view data) : L_(L), data_(data) {}

  void push_value() {
    if (!lua_checkstack(L_, 8) || pos_ >= data_.size()) {
      lua_pushnil(L_);
      return;
    }
    char type = data_[pos_++];
    std::string_view line = read_line();
    switch (type) {
      case '+': push_field_table("ok", line); break;
      case '-': push_field_table("err", line); break;
      case ':': lua_pushnumber(L_, static_cast<lua_Number>(std::strtoll(std::string(line).c_str(), nullptr, 10))); break;
      case '$': {
        long long len = std::strtoll(std::string(line).c_str(), nullptr, 10);
        if (len < 0) {
          lua_pushboolean(L_, 0);
          break;
        }
        std::string_view s = read_bytes(static_cast<size_t>(len));
        lua_pushlstring(L_, s.data(), s.size());
        break;
      }
      case '*':
      case '>': push_array(std::strtoll(std::string(line).c_str(), nullptr, 10)); break;
      case '%': push_map(std::strtoll(std::string(line).c_str(), nullptr, 10)); break;
      case '~': push_set(std::strtoll(std::string(line).c_str(), nullptr, 10)); break;
      case '_': lua_pushnil(L_); break;
      case '#': lua_pushboolean(L_, line == "t"); break;
      case ',': {
        lua_newtable(L_);
        lua_pushstring(L_, "double");
        lua_pushnumber(L_, std::strtod(std::string(line).c_str(), nullptr));
        lua_settable(L_, -3);
        break;
      }
      case '(': push_field_table("big_number", line); break;
      case '=': {
        long long len = std::strtoll(std::string(line).c_str(), nullptr, 10);
        std::string_view s = read_bytes(len < 0 ? 0 : static_cast<size_t>(len));
        std::string_view format = s.substr(0, 3), text = s.size() >= 4 ? s.substr(4) : std::string_view();
        lua_newtable(L_);
        lua_pushstring(L_, "verbatim_string");
        lua_newtable(L_);
        lua_pushstring(L_, "string");
        lua_pushlstring(L_, text.data(), text.size());
        lua_settable(L_, -3);
        lua_pushstring(L_, "format");
        lua_pushlstring(L_, format.data(), format.size());
        lua_settable(L_, -3);
        lua_settable(L_, -3);
        break;
      }
      case '|': {  // attributes are dropped, the value follows
        long long n = std::strtoll(std::string(line).c_str(), nullptr, 10);
        for (long long i = 0; i < 2 * n; i++) {
          push_value();
          lua_pop(L_, 1);
        }
        push_value();
        break;
      }
      default: lua_pushnil(L_); break;
    }
  }

 private:
  std::string_view read_line() {
    size_t end = data_.find("\r\n", pos_);
    if (end == std::string_view::npos) end = data_.size();
    std::string_view line = data_.substr(pos_, end - pos_);
    pos_ = end + 2 > data_.size() ? data_.size() : end + 2;
    return line;
  }

  std::string_view read_bytes(size_t n) {
    std::string_view s = data_.substr(pos_, n);
    pos_ = pos_ + n + 2 > data_.size() ? data_.size() : pos_ + n + 2;
    return s;
  }

  void push_field_table(const char* field, std::string_view value) {
    lua_newtable(L_);
    lua_pushstring(L_, field);
    lua_pushlstring(L_, value.data(), value.size());
    lua_settable(L_, -3);
  }

  void push_array(long long n) {
    if (n < 0) {
      lua_pushboolean(L_, 0);
      return;
    }
    lua_newtable(L_);
    for (long long i = 1; i <= n; i++) {
      push_value();
      lua_rawseti(L_, -2, static_cast<int>(i));
    }
  }

  void push_map(long long n) {
    lua_newtable(L_);
    lua_pushstring(L_, "map");
    lua_newtable(L_);
    for (long long i = 0; i < n; i++) {
      push_value();
      push_value();
      if (lua_isnil(L_, -2)) {
        lua_pop(L_, 2);
        continue;
      }
      lua_settable(L_, -3);
    }
    lua_settable(L_, -3);
  }

  void push_set(long long n) {
    lua_newtable(L_);
    lua_pushstring(L_, "set");
    lua_newtable(L_);
    for (long long i = 0; i < n; i++) {
      push_value();
      if (lua_isnil(L_, -1)) {
        lua_pop(L_, 1);
        continue;
      }
      lua_pushboolean(L_, 1);
      lua_settable(L_, -3);
    }
    lua_settable(L_, -3);
  }

  lua_State* L_;
  std::string_view data_;
  size_t pos_ = 0;
};

// The string field `name` of the table at the top, or nullptr.
const char* string_field(lua_State* L, const char* name, size_t* len) {
  lua_pushstring(L, name);
  lua_rawget(L, -2);
  const char* s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, len) : nullptr;
  lua_pop(L, 1);  // the string stays alive: the table still references it
  return s;
}

std::string without_newlines(std::string s) {
  for (char& ch : s) {
    if (ch == '\r' || ch == '\n') ch = ' ';
  }
  return s;
}

void write_value(lua_State* L, resp::ReplyBuilder& out, int script_resp);

// The elements 1..n of the table at the top, up to the first nil.
void write_array(lua_State* L, resp::ReplyBuilder& out, int script_resp) {
  size_t n = 0;
  while (true) {
    lua_rawgeti(L, -1, static_cast<int>(n + 1));
    bool nil = lua_isnil(L, -1);
    lua_pop(L, 1);
    if (nil) break;
    n++;
  }
  out.array(n);
  for (size_t i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, static_cast<int>(i));
    write_value(L, out, script_resp);
  }
}

size_t count_pairs(lua_State* L) {
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    n++;
  }
  return n;
}

// Table at the top is the value; returns true when it was a special table.
bool write_special_table(lua_State* L, resp::ReplyBuilder& out, int script_resp) {
  size_t len = 0;
  if (const char* err = string_field(L, "err", &len)) {
    // "-%s" as Redis formats it: the text is not prefixed with a code.
    out.raw("-" + without_newlines(std::string(err, len)) + "\r\n");
    return true;
  }
  if (const char* ok = string_field(L, "ok", &len)) {
    out.simple(without_newlines(std::string(ok, len)));
    return true;
  }
  lua_pushstring(L, "double");
  lua_rawget(L, -2);
  if (lua_type(L, -1) == LUA_TNUMBER) {
    out.dbl(lua_tonumber(L, -1));
    lua_pop(L, 1);
    return true;
  }
  lua_pop(L, 1);
  if (const char* big = string_field(L, "big_number", &len)) {
    std::string text = without_newlines(std::string(big, len));
    if (out.protocol() >= 3) {
      out.raw("(" + text + "\r\n");
    } else {
      out.bulk(text);
    }
    return true;
  }
  lua_pushstring(L, "verbatim_string");
  lua_rawget(L, -2);
  if (lua_type(L, -1) == LUA_TTABLE) {
    size_t flen = 0, slen = 0;
    const char* format = string_field(L, "format", &flen);
    const char* str = string_field(L, "string", &slen);
    if (format && str) {
      std::string_view text(str, slen);
      if (out.protocol() >= 3) {
        std::string fmt(format, flen);
        fmt.resize(3, ' ');
        out.raw("=" + std::to_string(slen + 4) + "\r\n" + fmt + ":");
        out.raw(text);
        out.raw("\r\n");
      } else {
        out.bulk(text);
      }
      lua_pop(L, 1);
      return true;
    }
  }
  lua_pop(L, 1);
  lua_pushstring(L, "map");
  lua_rawget(L, -2);
  if (lua_type(L, -1) == LUA_TTABLE) {
    out.map(count_pairs(L));
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pushvalue(L, -2);
      write_value(L, out, script_resp);  // key
      write_value(L, out, script_resp);  // value
    }
    lua_pop(L, 1);
    return true;
  }
  lua_pop(L, 1);
  lua_pushstring(L, "set");
  lua_rawget(L, -2);
  if (lua_type(L, -1) == LUA_TTABLE) {
    out.set(count_pairs(L));
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pop(L, 1);
      lua_pushvalue(L, -1);
      write_value(L, out, script_resp);
    }
    lua_pop(L, 1);
    return true;
  }
  lua_pop(L, 1);
  return false;
}

void write_value(lua_State* L, resp::ReplyBuilder& out, int script_resp) {
  if (!lua_checkstack(L, 4)) {
    out.error("ERR reached lua stack limit");
    lua_pop(L, 1);
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      out.bulk(std::string_view(s, len));
      break;
    }
    case LUA_TBOOLEAN:
      if (script_resp == 2) {
        if (lua_toboolean(L, -1)) {
          out.integer(1);
        } else {
          out.null_bulk();
        }
      } else if (out.protocol() >= 3) {
        out.raw(lua_toboolean(L, -1) ? "#t\r\n" : "#f\r\n");
      } else {
        out.integer(lua_toboolean(L, -1) ? 1 : 0);
      }
      break;
    case LUA_TNUMBER: out.integer(lua_number_to_integer(lua_tonumber(L, -1))); break;
    case LUA_TTABLE:
      if (!write_special_table(L, out, script_resp)) write_array(L, out, script_resp);
      break;
    default: out.null_bulk(); break;
  }
  lua_pop(L, 1);
}

}  // namespace

void push_reply_as_lua(lua_State* L, std::string_view reply) {
  ReplyReader reader(L, reply);
  reader.push_value();
}

void write_lua_value_as_reply(lua_State* L, resp::ReplyBuilder& out, int script_resp) {
  write_value(L, out, script_resp);
}

int64_t lua_number_to_integer(double d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(d);
}

std::string error_message_of(lua_State* L, int index) {
  if (lua_type(L, index) == LUA_TSTRING) return "ERR " + std::string(lua_tostring(L, index));
  if (lua_type(L, index) != LUA_TTABLE) return {};
  lua_getfield(L, index, "err");
  std::string msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
  lua_pop(L, 1);
  return msg;
}

}  // namespace vigil::node::scripting
