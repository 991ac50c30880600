// List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LRANGE LLEN LINDEX LSET
// LREM LTRIM LINSERT LPOS LMOVE RPOPLPUSH LMPOP and the blocking BLPOP BRPOP
// BLMOVE BRPOPLPUSH BLMPOP (Redis 7.0 t_list.c).
#include <climits>

#include "node/commands/families.h"
#include "node/commands/keys_family_shared.h"
#include "node/server/blocking.h"
#include "node/server/node_server.h"

namespace vigil::node {
namespace {

using namespace data;
using store::List;

enum class End { kHead, kTail };

std::string_view end_name(End e) { return e == End::kHead ? "LEFT" : "RIGHT"; }

bool parse_end(CommandContext& ctx, const std::string& arg, End* out) {
  if (iequals(arg, "left")) {
    *out = End::kHead;
  } else if (iequals(arg, "right")) {
    *out = End::kTail;
  } else {
    ctx.reply.error(kErrSyntax);
    return false;
  }
  return true;
}

std::string pop_end(List& l, End where) {
  std::string v;
  if (where == End::kHead) {
    v = std::move(l.items.front());
    l.items.pop_front();
  } else {
    v = std::move(l.items.back());
    l.items.pop_back();
  }
  return v;
}

void push_end(List& l, End where, std::string v) {
  if (where == End::kHead) {
    l.items.push_front(std::move(v));
  } else {
    l.items.push_back(std::move(v));
  }
}

// Deletes the key when its list became empty (Redis never keeps empty lists).
void drop_if_empty(CommandContext& ctx, Entry* e) {
  if (e->list().empty()) ctx.db().remove(e);
}

void push_generic(CommandContext& ctx, End where, bool only_existing) {
  bool wrong;
  const std::string& key = ctx.argv[1];
  Entry* e = lookup_write(ctx, key, ValueType::kList, &wrong);
  if (wrong) return;
  if (!e) {
    if (only_existing) {
      ctx.reply.integer(0);
      ctx.no_propagate();
      return;
    }
    e = ctx.db().add_list(key);
  }
  List& l = e->list();
  for (size_t i = 2; i < ctx.argv.size(); ++i) push_end(l, where, ctx.argv[i]);
  ctx.touch(key);
  ctx.signal_ready(key);
  ctx.reply.integer(static_cast<long long>(l.size()));
}

void pop_generic(CommandContext& ctx, End where) {
  if (ctx.argv.size() > 3) {
    ctx.reply.error(std::string("ERR wrong number of arguments for '") +
                    (where == End::kHead ? "lpop" : "rpop") + "' command");
    return;
  }
  bool has_count = ctx.argv.size() == 3;
  long long count = 0;
  if (has_count && !parse_int_min(ctx, ctx.argv[2], 0, &count, kErrMustBePositive)) return;
  bool wrong;
  const std::string& key = ctx.argv[1];
  Entry* e = lookup_write(ctx, key, ValueType::kList, &wrong);
  if (wrong) return;
  if (!e) {
    if (has_count) ctx.reply.null_array(); else ctx.reply.null_bulk();
    ctx.no_propagate();
    return;
  }
  List& l = e->list();
  if (has_count && count == 0) {
    ctx.reply.array(0);
    ctx.no_propagate();
    return;
  }
  if (!has_count) {
    ctx.reply.bulk(pop_end(l, where));
  } else {
    size_t n = std::min(static_cast<size_t>(count), l.size());
    ctx.reply.array(n);
    for (size_t i = 0; i < n; ++i) ctx.reply.bulk(pop_end(l, where));
  }
  drop_if_empty(ctx, e);
  ctx.touch(key);
}

void cmd_lrange(CommandContext& ctx) {
  long long start, end;
  if (!parse_int(ctx, ctx.argv[2], &start) || !parse_int(ctx, ctx.argv[3], &end)) return;
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kList, &wrong);
  if (wrong) return;
  if (!e) {
    ctx.reply.array(0);
    return;
  }
  const auto& items = e->list().items;
  long long len = static_cast<long long>(items.size());
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) {
    ctx.reply.array(0);
    return;
  }
  if (end >= len) end = len - 1;
  ctx.reply.array(static_cast<size_t>(end - start + 1));
  auto it = items.begin() + start;
  for (long long i = start; i <= end; ++i, ++it) ctx.reply.bulk(*it);
}

void cmd_llen(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kList, &wrong);
  if (wrong) return;
  ctx.reply.integer(e ? static_cast<long long>(e->list().size()) : 0);
}

// Resolves a possibly negative index; false when out of range.
bool resolve_index(long long index, size_t size, size_t* out) {
  long long len = static_cast<long long>(size);
  if (index < 0) index += len;
  if (index < 0 || index >= len) return false;
  *out = static_cast<size_t>(index);
  return true;
}

void cmd_lindex(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kList, &wrong);
  if (wrong) return;
  if (!e) {
    ctx.reply.null_bulk();
    return;
  }
  long long index;
  if (!parse_int(ctx, ctx.argv[2], &index)) return;
  size_t i;
  if (resolve_index(index, e->list().size(), &i)) {
    ctx.reply.bulk(e->list().items[i]);
  } else {
    ctx.reply.null_bulk();
  }
}

void cmd_lset(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_write(ctx, ctx.argv[1], ValueType::kList, &wrong);
  if (wrong) return;
  if (!e) {
    ctx.reply.error(kErrNoSuchKey);
    return;
  }
  long long index;
  if (!parse_int(ctx, ctx.argv[2], &index)) return;
  size_t i;
  if (!resolve_index(index, e->list().size(), &i)) {
    ctx.reply.error(kErrOutOfRange);
    return;
  }
  e->list().items[i] = ctx.argv[3];
  ctx.touch(ctx.argv[1]);
  ctx.reply.ok();
}

void cmd_lrem(CommandContext& ctx) {
  long long count;
  if (!parse_int(ctx, ctx.argv[2], &count)) return;
  bool wrong;
  const std::string& key = ctx.argv[1];
  Entry* e = lookup_write(ctx, key, ValueType::kList, &wrong);
  if (wrong) return;
  long long removed = 0;
  if (e) {
    auto& items = e->list().items;
    const std::string& value = ctx.argv[3];
    if (count >= 0) {
      for (auto it = items.begin(); it != items.end();) {
        if (*it == value) {
          it = items.erase(it);
          if (++removed == count) break;
        } else {
          ++it;
        }
      }
    } else {
      for (size_t i = items.size(); i-- > 0;) {
        if (items[i] == value) {
          items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
          if (++removed == -count) break;
        }
      }
    }
    if (removed) drop_if_empty(ctx, e);
  }
  if (removed) ctx.touch(key); else ctx.no_propagate();
  ctx.reply.integer(removed);
}

void cmd_ltrim(CommandContext& ctx) {
  long long start, end;
  if (!parse_int(ctx, ctx.argv[2], &start) || !parse_int(ctx, ctx.argv[3], &end)) return;
  bool wrong;
  const std::string& key = ctx.argv[1];
  Entry* e = lookup_write(ctx, key, ValueType::kList, &wrong);
  if (wrong) return;
  if (!e) {
    ctx.reply.ok();
    ctx.no_propagate();
    return;
  }
  auto& items = e->list().items;
  long long len = static_cast<long long>(items.size());
  long long ltrim, rtrim;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) {
    ltrim = len;
    rtrim = 0;
  } else {
    if (end >= len) end = len - 1;
    ltrim = start;
    rtrim = len - end - 1;
  }
  items.erase(items.end() - rtrim, items.end());
  items.erase(items.begin(), items.begin() + ltrim);
  if (ltrim + rtrim) {
    drop_if_empty(ctx, e);
    ctx.touch(key);
  } else {
    ctx.no_propagate();
  }
  ctx.reply.ok();
}

void cmd_linsert(CommandContext& ctx) {
  bool after;
  if (iequals(ctx.argv[2], "after")) {
    after = true;
  } else if (iequals(ctx.argv[2], "before")) {
    after = false;
  } else {
    ctx.reply.error(kErrSyntax);
    return;
  }
  bool wrong;
  const std::string& key = ctx.argv[1];
  Entry* e = lookup_write(ctx, key, ValueType::kList, &wrong);
  if (wrong) return;
  if (!e) {
    ctx.reply.integer(0);
    ctx.no_propagate();
    return;
  }
  auto& items = e->list().items;
  for (auto it = items.begin(); it != items.end(); ++it) {
    if (*it == ctx.argv[3]) {
      items.insert(after ? it + 1 : it, ctx.argv[4]);
      ctx.touch(key);
      ctx.reply.integer(static_cast<long long>(items.size()));
      return;
    }
  }
  ctx.no_propagate();
  ctx.reply.integer(-1);
}

void cmd_lpos(CommandContext& ctx) {
  long long rank = 1, count = -1, maxlen = 0;
  for (size_t j = 3; j < ctx.argv.size(); ++j) {
    const std::string& opt = ctx.argv[j];
    bool more = j + 1 < ctx.argv.size();
    if (iequals(opt, "rank") && more) {
      if (!parse_int(ctx, ctx.argv[++j], &rank)) return;
      if (rank == 0) {
        ctx.reply.error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
            "negative to start from the end of the list");
        return;
      }
    } else if (iequals(opt, "count") && more) {
      if (!parse_int_min(ctx, ctx.argv[++j], 0, &count, "ERR COUNT can't be negative")) return;
    } else if (iequals(opt, "maxlen") && more) {
      if (!parse_int_min(ctx, ctx.argv[++j], 0, &maxlen, "ERR MAXLEN can't be negative")) return;
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  bool from_tail = rank < 0;
  // Redis negates a negative rank; LLONG_MIN stays negative there and matches
  // the first element found, i.e. it behaves as -1.
  unsigned long long want = rank == LLONG_MIN ? 1 : static_cast<unsigned long long>(rank < 0 ? -rank : rank);
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kList, &wrong);
  if (wrong) return;
  if (!e) {
    if (count != -1) ctx.reply.array(0); else ctx.reply.null_bulk();
    return;
  }
  const auto& items = e->list().items;
  const std::string& value = ctx.argv[2];
  std::vector<long long> found;
  unsigned long long matches = 0;
  size_t n = items.size();
  for (size_t k = 0; k < n && (maxlen == 0 || static_cast<long long>(k) < maxlen); ++k) {
    size_t idx = from_tail ? n - 1 - k : k;
    if (items[idx] != value) continue;
    if (++matches >= want) {
      found.push_back(static_cast<long long>(idx));
      if (count != 0 && static_cast<long long>(found.size()) >= (count == -1 ? 1 : count)) break;
    }
  }
  if (count != -1) {
    ctx.reply.array(found.size());
    for (long long i : found) ctx.reply.integer(i);
  } else if (found.empty()) {
    ctx.reply.null_bulk();
  } else {
    ctx.reply.integer(found[0]);
  }
}

// The move itself (lmoveGenericCommand), once the source is known to be a
// non-empty list. Returns false after a WRONGTYPE on the destination.
bool do_lmove(CommandContext& ctx, Entry* src, End from, End to, bool reply_wrongtype) {
  const std::string& src_key = ctx.argv[1];
  const std::string& dst_key = ctx.argv[2];
  store::Database& db = ctx.db();
  Entry* dst = db.find(dst_key, ctx.now_ms);
  if (dst && dst->type() != ValueType::kList) {
    if (reply_wrongtype) ctx.reply.error(kErrWrongType);
    return false;
  }
  std::string value = pop_end(src->list(), from);
  if (!dst) dst = db.add_list(dst_key);  // src != dst here: src is non-empty and exists
  push_end(dst->list(), to, value);
  ctx.signal_ready(dst_key);
  ctx.touch(dst_key);
  ctx.reply.bulk(value);
  if (src->list().empty()) db.remove(src);
  ctx.touch(src_key);
  return true;
}

void cmd_lmove(CommandContext& ctx, bool rpoplpush) {
  End from = End::kTail, to = End::kHead;
  if (!rpoplpush && (!parse_end(ctx, ctx.argv[3], &from) || !parse_end(ctx, ctx.argv[4], &to))) return;
  bool wrong;
  Entry* src = lookup_write(ctx, ctx.argv[1], ValueType::kList, &wrong);
  if (wrong) return;
  if (!src) {
    ctx.reply.null_bulk();
    ctx.no_propagate();
    return;
  }
  do_lmove(ctx, src, from, to, true);
}

// ---- blocking variants ------------------------------------------------------

// BLPOP/BRPOP serve attempt over argv[1..n-2]. On the first attempt a
// WRONGTYPE key is an error; when retrying for a blocked client such keys are
// skipped (the client keeps waiting), as Redis serves only list keys.
bool serve_bpop(CommandContext& ctx, End where, bool first_attempt) {
  store::Database& db = ctx.db();
  for (size_t i = 1; i + 1 < ctx.argv.size(); ++i) {
    const std::string& key = ctx.argv[i];
    Entry* e = db.find(key, ctx.now_ms);
    if (!e) continue;
    if (e->type() != ValueType::kList) {
      if (first_attempt) {
        ctx.reply.error(kErrWrongType);
        return true;
      }
      continue;
    }
    if (e->list().empty()) continue;
    ctx.reply.array(2);
    ctx.reply.bulk(key);
    ctx.reply.bulk(pop_end(e->list(), where));
    drop_if_empty(ctx, e);
    ctx.touch(key);
    ctx.propagate({where == End::kHead ? "LPOP" : "RPOP", key});
    return true;
  }
  return false;
}

void cmd_bpop(CommandContext& ctx, End where) {
  int64_t timeout_ms;
  if (!parse_block_timeout(ctx, ctx.argv.back(), &timeout_ms)) return;
  if (serve_bpop(ctx, where, true)) return;
  std::vector<std::string> keys(ctx.argv.begin() + 1, ctx.argv.end() - 1);
  block_on_keys(ctx, std::move(keys), timeout_ms,
                [where](CommandContext& c) { return serve_bpop(c, where, false); });
}

// BLMOVE src dst from to timeout / BRPOPLPUSH src dst timeout.
bool serve_blmove(CommandContext& ctx, End from, End to, bool first_attempt) {
  Entry* src = ctx.db().find(ctx.argv[1], ctx.now_ms);
  if (!src) return false;
  if (src->type() != ValueType::kList) {
    if (first_attempt) ctx.reply.error(kErrWrongType);
    return first_attempt;
  }
  if (src->list().empty()) return false;
  // A blocked client whose destination turned into another type keeps waiting.
  if (!do_lmove(ctx, src, from, to, first_attempt)) return first_attempt;
  if (ctx.argv.size() == 6) {
    ctx.propagate({"LMOVE", ctx.argv[1], ctx.argv[2], std::string(end_name(from)), std::string(end_name(to))});
  } else {
    ctx.propagate({"RPOPLPUSH", ctx.argv[1], ctx.argv[2]});
  }
  return true;
}

void cmd_blmove(CommandContext& ctx, bool brpoplpush) {
  End from = End::kTail, to = End::kHead;
  if (!brpoplpush && (!parse_end(ctx, ctx.argv[3], &from) || !parse_end(ctx, ctx.argv[4], &to))) return;
  int64_t timeout_ms;
  if (!parse_block_timeout(ctx, ctx.argv.back(), &timeout_ms)) return;
  if (serve_blmove(ctx, from, to, true)) return;
  if (ctx.client.in_exec) {  // never blocks inside MULTI: Redis answers a null bulk here
    ctx.reply.null_bulk();
    ctx.no_propagate();
    return;
  }
  block_on_keys(ctx, {ctx.argv[1]}, timeout_ms,
                [from, to](CommandContext& c) { return serve_blmove(c, from, to, false); });
}

// ---- LMPOP / BLMPOP -----------------------------------------------------------

struct MpopArgs {
  std::vector<std::string> keys;
  End where = End::kHead;
  long long count = 1;
};

// Parses "numkeys key... LEFT|RIGHT [COUNT n]" starting at argv[first].
bool parse_mpop(CommandContext& ctx, size_t first, MpopArgs* out) {
  return parse_mpop_args(ctx, first, &out->keys, &out->count,
                         [&](const std::string& where) { return parse_end(ctx, where, &out->where); });
}

bool serve_mpop(CommandContext& ctx, const MpopArgs& a, bool first_attempt) {
  store::Database& db = ctx.db();
  for (const std::string& key : a.keys) {
    Entry* e = db.find(key, ctx.now_ms);
    if (!e) continue;
    if (e->type() != ValueType::kList) {
      if (first_attempt) {
        ctx.reply.error(kErrWrongType);
        return true;
      }
      continue;
    }
    List& l = e->list();
    size_t n = std::min(static_cast<size_t>(a.count), l.size());
    ctx.reply.array(2);
    ctx.reply.bulk(key);
    ctx.reply.array(n);
    for (size_t i = 0; i < n; ++i) ctx.reply.bulk(pop_end(l, a.where));
    drop_if_empty(ctx, e);
    ctx.touch(key);
    char buf[24];
    ctx.propagate({a.where == End::kHead ? "LPOP" : "RPOP", key, std::string(format_int(static_cast<long long>(n), buf))});
    return true;
  }
  return false;
}

void cmd_lmpop(CommandContext& ctx) { mpop_command<MpopArgs>(ctx, false, parse_mpop, serve_mpop); }

void cmd_blmpop(CommandContext& ctx) { mpop_command<MpopArgs>(ctx, true, parse_mpop, serve_mpop); }

}  // namespace

void register_list_family(NodeCommandTable& t) {
  add_command(t, "lpush", -3, "write,denyoom,fast", 1, 1, 1, "@write @list @fast",
              [](CommandContext& c) { push_generic(c, End::kHead, false); });
  add_command(t, "rpush", -3, "write,denyoom,fast", 1, 1, 1, "@write @list @fast",
              [](CommandContext& c) { push_generic(c, End::kTail, false); });
  add_command(t, "lpushx", -3, "write,denyoom,fast", 1, 1, 1, "@write @list @fast",
              [](CommandContext& c) { push_generic(c, End::kHead, true); });
  add_command(t, "rpushx", -3, "write,denyoom,fast", 1, 1, 1, "@write @list @fast",
              [](CommandContext& c) { push_generic(c, End::kTail, true); });
  add_command(t, "lpop", -2, "write,fast", 1, 1, 1, "@write @list @fast",
              [](CommandContext& c) { pop_generic(c, End::kHead); });
  add_command(t, "rpop", -2, "write,fast", 1, 1, 1, "@write @list @fast",
              [](CommandContext& c) { pop_generic(c, End::kTail); });
  add_command(t, "lrange", 4, "readonly", 1, 1, 1, "@read @list @slow", cmd_lrange);
  add_command(t, "llen", 2, "readonly,fast", 1, 1, 1, "@read @list @fast", cmd_llen);
  add_command(t, "lindex", 3, "readonly", 1, 1, 1, "@read @list @slow", cmd_lindex);
  add_command(t, "lset", 4, "write,denyoom", 1, 1, 1, "@write @list @slow", cmd_lset);
  add_command(t, "lrem", 4, "write", 1, 1, 1, "@write @list @slow", cmd_lrem);
  add_command(t, "ltrim", 4, "write", 1, 1, 1, "@write @list @slow", cmd_ltrim);
  add_command(t, "linsert", 5, "write,denyoom", 1, 1, 1, "@write @list @slow", cmd_linsert);
  add_command(t, "lpos", -3, "readonly", 1, 1, 1, "@read @list @slow", cmd_lpos);
  add_command(t, "lmove", 5, "write,denyoom", 1, 2, 1, "@write @list @slow",
              [](CommandContext& c) { cmd_lmove(c, false); });
  add_command(t, "rpoplpush", 3, "write,denyoom", 1, 2, 1, "@write @list @slow",
              [](CommandContext& c) { cmd_lmove(c, true); });
  add_command(t, "lmpop", -4, "write,movablekeys", 0, 0, 0, "@write @list @slow", cmd_lmpop);
  add_command(t, "blpop", -3, "write,noscript,blocking", 1, -2, 1, "@write @list @slow @blocking",
              [](CommandContext& c) { cmd_bpop(c, End::kHead); });
  add_command(t, "brpop", -3, "write,noscript,blocking", 1, -2, 1, "@write @list @slow @blocking",
              [](CommandContext& c) { cmd_bpop(c, End::kTail); });
  add_command(t, "blmove", 6, "write,denyoom,noscript,blocking", 1, 2, 1, "@write @list @slow @blocking",
              [](CommandContext& c) { cmd_blmove(c, false); });
  add_command(t, "brpoplpush", 4, "write,denyoom,noscript,blocking", 1, 2, 1,
              "@write @list @slow @blocking", [](CommandContext& c) { cmd_blmove(c, true); });
  add_command(t, "blmpop", -5, "write,blocking,movablekeys", 0, 0, 0, "@write @list @slow @blocking",
              cmd_blmpop);
}

}  // namespace vigil::node
