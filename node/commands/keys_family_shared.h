// Helpers shared by the data command families (keys, strings, hashes, lists,
// sets, zsets): Redis's exact error texts, argument parsing that replies the
// Redis error on failure, typed key lookups, and command registration from
// the COMMAND INFO description of Redis 7.0.
#pragma once

#include <cstdint>
#include <memory>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "node/commands/families.h"
#include "node/server/blocking.h"
#include "node/server/command_context.h"
#include "node/store/database.h"
#include "node/store/zset.h"

namespace vigil::node::data {

using store::Entry;
using store::ValueType;

inline constexpr std::string_view kErrWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kErrNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kErrSyntax = "ERR syntax error";
inline constexpr std::string_view kErrOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kErrNoSuchKey = "ERR no such key";
inline constexpr std::string_view kErrOutOfRange = "ERR index out of range";
inline constexpr std::string_view kErrMustBePositive = "ERR value is out of range, must be positive";
inline constexpr std::string_view kErrStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

// Largest string value (proto-max-bulk-len default, 512 MB).
inline constexpr size_t kMaxStringLength = 512ull * 1024 * 1024;

bool iequals(std::string_view a, std::string_view b);

// Parse helpers: on failure they reply the Redis error and return false.
bool parse_int(CommandContext& ctx, std::string_view s, long long* out,
               std::string_view err = kErrNotInteger);
// An integer >= min; otherwise replies err (the same text for both failures,
// as Redis's getRangeLongFromObjectOrReply with a message does).
bool parse_int_min(CommandContext& ctx, std::string_view s, long long min, long long* out,
                   std::string_view err);
bool parse_double(CommandContext& ctx, std::string_view s, double* out,
                  std::string_view err = kErrNotFloat);
bool parse_long_double(CommandContext& ctx, std::string_view s, long double* out,
                       std::string_view err = kErrNotFloat);

// The live entry for key if it holds type t. Returns nullptr when the key is
// missing, or when it holds another type (then WRONGTYPE is replied and
// *wrong_type set). lookup_read also counts keyspace hits/misses as Redis's
// lookupKeyRead does.
Entry* lookup_read(CommandContext& ctx, std::string_view key, ValueType t, bool* wrong_type);
Entry* lookup_write(CommandContext& ctx, std::string_view key, ValueType t, bool* wrong_type);
// Read lookup of any type, counting keyspace hits/misses (MGET, TYPE, TTL...).
Entry* lookup_read_any(CommandContext& ctx, std::string_view key);

// Registers a command described as COMMAND INFO prints it, e.g.
//   add_command(t, "get", 2, "readonly,fast", 1, 1, 1, "@read @string @fast", handler)
void add_command(NodeCommandTable& t, std::string_view name, int arity, std::string_view flags,
                 int first_key, int last_key, int key_step, std::string_view categories,
                 NodeCommand::Handler handler);

// Formats an integer into buf (>= 21 bytes); returns the text.
std::string_view format_int(long long v, char* buf);

// SREM / HDEL / ZREM: removes the members argv[2..] from the key's value of
// type T (T::kType) with T::remove, deleting the key once it is empty (the
// remaining members are not looked at), and replies how many were removed.
template <class T>
void remove_members(CommandContext& ctx, T& (Entry::*value)() const) {
  bool wrong;
  const std::string& key = ctx.argv[1];
  Entry* e = lookup_write(ctx, key, T::kType, &wrong);
  if (wrong) return;
  long long removed = 0;
  if (e) {
    T& v = (e->*value)();
    for (size_t i = 2; i < ctx.argv.size(); ++i) {
      if (v.remove(ctx.argv[i])) ++removed;
      if (v.empty()) {
        ctx.db().remove(e);
        break;
      }
    }
  }
  if (removed) ctx.touch(key); else ctx.no_propagate();
  ctx.reply.integer(removed);
}

// Parses LMPOP/ZMPOP's "numkeys key... <where> [COUNT n]" from argv[first]:
// the keys, then parse_where(word) for the direction (it replies its own error
// and returns false), then COUNT. Replies the Redis error and returns false on
// failure.
bool parse_mpop_args(CommandContext& ctx, size_t first, std::vector<std::string>* keys, long long* count,
                     const std::function<bool(const std::string&)>& parse_where);

// LMPOP / ZMPOP (blocking = false) and BLMPOP / BZMPOP (timeout first):
// parse(ctx, first, &args) reads the arguments into Args (which has `keys`),
// serve(ctx, args, first_attempt) pops and replies, returning whether it
// served. When nothing is there the plain form replies a null array, the
// blocking form waits on args.keys and serves again when one is ready.
template <class Args>
void mpop_command(CommandContext& ctx, bool blocking, bool (*parse)(CommandContext&, size_t, Args*),
                  bool (*serve)(CommandContext&, const Args&, bool)) {
  int64_t timeout_ms = 0;
  if (blocking && !parse_block_timeout(ctx, ctx.argv[1], &timeout_ms)) return;
  Args a;
  if (!parse(ctx, blocking ? 2 : 1, &a)) return;
  if (serve(ctx, a, true)) return;
  if (!blocking) {
    ctx.reply.null_array();
    ctx.no_propagate();
    return;
  }
  std::vector<std::string> keys = a.keys;
  block_on_keys(ctx, std::move(keys), timeout_ms, [a, serve](CommandContext& c) { return serve(c, a, false); });
}

// The end of a *STORE command that writes a sorted set (ZRANGESTORE,
// ZUNIONSTORE..., GEOSEARCHSTORE): dst gets the result, or is deleted when the
// result is empty (propagated only if it existed); replies the result's size.
void store_zset_result(CommandContext& ctx, const std::string& dst, std::unique_ptr<store::ZSet> result);

}  // namespace vigil::node::data
