// Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER
// SMOVE SUNION SINTER SDIFF SUNIONSTORE SINTERSTORE SDIFFSTORE SINTERCARD SSCAN
// (Redis 7.0 t_set.c).
#include <algorithm>
#include <climits>
#include <memory>
#include <unordered_set>

#include "common/util/glob.h"
#include "node/commands/families.h"
#include "node/commands/keys_family_scan.h"
#include "node/commands/keys_family_shared.h"
#include "node/store/hashing.h"

namespace vigil::node {
namespace {

using namespace data;
using store::Set;

void cmd_sadd(CommandContext& ctx) {
  bool wrong;
  const std::string& key = ctx.argv[1];
  Entry* e = lookup_write(ctx, key, ValueType::kSet, &wrong);
  if (wrong) return;
  if (!e) e = ctx.db().add_set(key);
  long long added = 0;
  for (size_t i = 2; i < ctx.argv.size(); ++i) added += e->set().add(ctx.argv[i]);
  if (added) ctx.touch(key); else ctx.no_propagate();
  ctx.reply.integer(added);
}

void cmd_srem(CommandContext& ctx) { remove_members(ctx, &Entry::set); }

void reply_members(CommandContext& ctx, const Set& s) {
  ctx.reply.set(s.size());
  s.for_each([&](std::string_view m) { ctx.reply.bulk(m); });
}

void cmd_smembers(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kSet, &wrong);
  if (wrong) return;
  if (!e) {
    ctx.reply.set(0);
    return;
  }
  reply_members(ctx, e->set());
}

void cmd_sismember(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kSet, &wrong);
  if (wrong) return;
  ctx.reply.integer(e && e->set().contains(ctx.argv[2]) ? 1 : 0);
}

void cmd_smismember(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kSet, &wrong);
  if (wrong) return;
  ctx.reply.array(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) ctx.reply.integer(e && e->set().contains(ctx.argv[i]) ? 1 : 0);
}

void cmd_scard(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kSet, &wrong);
  if (wrong) return;
  ctx.reply.integer(e ? static_cast<long long>(e->set().size()) : 0);
}

void cmd_spop(CommandContext& ctx) {
  if (ctx.argv.size() > 3) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  const std::string& key = ctx.argv[1];
  bool wrong;
  if (ctx.argv.size() == 2) {
    Entry* e = lookup_write(ctx, key, ValueType::kSet, &wrong);
    if (wrong) return;
    if (!e) {
      ctx.reply.null_bulk();
      ctx.no_propagate();
      return;
    }
    std::string m = e->set().pop_random();
    ctx.reply.bulk(m);
    if (e->set().empty()) ctx.db().remove(e);
    ctx.touch(key);
    ctx.propagate({"SREM", key, m});
    return;
  }
  long long count;
  if (!parse_int_min(ctx, ctx.argv[2], 0, &count, kErrMustBePositive)) return;
  Entry* e = lookup_write(ctx, key, ValueType::kSet, &wrong);
  if (wrong) return;
  if (!e || count == 0) {
    ctx.reply.set(0);
    ctx.no_propagate();
    return;
  }
  Set& s = e->set();
  if (static_cast<unsigned long long>(count) >= s.size()) {
    reply_members(ctx, s);
    ctx.db().remove(e);
    ctx.touch(key);
    ctx.propagate({"DEL", key});
    return;
  }
  ctx.reply.set(static_cast<size_t>(count));
  for (long long i = 0; i < count; ++i) {
    std::string m = s.pop_random();
    ctx.reply.bulk(m);
    ctx.propagate({"SREM", key, std::move(m)});
  }
  ctx.touch(key);
}

void cmd_srandmember(CommandContext& ctx) {
  if (ctx.argv.size() > 3) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  bool wrong;
  if (ctx.argv.size() == 2) {
    Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kSet, &wrong);
    if (wrong) return;
    if (e) ctx.reply.bulk(e->set().random_member()); else ctx.reply.null_bulk();
    return;
  }
  long long count;
  if (!parse_int(ctx, ctx.argv[2], &count)) return;
  if (count == LLONG_MIN) {
    ctx.reply.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
    return;
  }
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kSet, &wrong);
  if (wrong) return;
  if (!e || count == 0) {
    ctx.reply.array(0);
    return;
  }
  Set& s = e->set();
  size_t n = static_cast<size_t>(count < 0 ? -count : count);
  if (count < 0 || n == 1) {
    ctx.reply.array(n);
    for (size_t i = 0; i < n; ++i) ctx.reply.bulk(s.random_member());
    return;
  }
  if (n >= s.size()) {  // the whole set, as an array (not a RESP3 set) like Redis 7.0
    ctx.reply.array(s.size());
    s.for_each([&](std::string_view m) { ctx.reply.bulk(m); });
    return;
  }
  std::vector<std::string> picked;
  if (n * 3 > s.size()) {
    s.for_each([&](std::string_view m) { picked.emplace_back(m); });
    for (size_t i = 0; i < n; ++i) std::swap(picked[i], picked[i + store::random_u64() % (picked.size() - i)]);
    picked.resize(n);
  } else {
    std::unordered_set<std::string> seen;
    while (picked.size() < n) {
      std::string m = s.random_member();
      if (seen.insert(m).second) picked.push_back(std::move(m));
    }
  }
  ctx.reply.array(n);
  for (auto& m : picked) ctx.reply.bulk(m);
}

void cmd_smove(CommandContext& ctx) {
  const std::string& src_key = ctx.argv[1];
  const std::string& dst_key = ctx.argv[2];
  const std::string& member = ctx.argv[3];
  store::Database& db = ctx.db();
  Entry* src = db.find(src_key, ctx.now_ms);
  Entry* dst = db.find(dst_key, ctx.now_ms);
  auto unchanged = [&](long long v) {
    ctx.reply.integer(v);
    ctx.no_propagate();
  };
  if (!src) return unchanged(0);
  if (src->type() != ValueType::kSet || (dst && dst->type() != ValueType::kSet)) {
    ctx.reply.error(kErrWrongType);
    return;
  }
  if (src == dst) return unchanged(src->set().contains(member) ? 1 : 0);
  if (!src->set().remove(member)) return unchanged(0);
  if (src->set().empty()) db.remove(src);
  if (!dst) dst = db.add_set(dst_key);
  dst->set().add(member);
  ctx.touch(src_key);
  ctx.touch(dst_key);
  ctx.reply.integer(1);
}

// ---- algebra -------------------------------------------------------------------

enum class SetOp { kUnion, kDiff, kInter };

// Looks up every key as a set (nullptr for missing ones). False after WRONGTYPE.
bool lookup_sets(CommandContext& ctx, size_t first, size_t n, std::vector<Set*>* out) {
  for (size_t i = first; i < first + n; ++i) {
    bool wrong;
    Entry* e = lookup_read(ctx, ctx.argv[i], ValueType::kSet, &wrong);
    if (wrong) return false;
    out->push_back(e ? &e->set() : nullptr);
  }
  return true;
}

std::unique_ptr<Set> compute(SetOp op, const std::vector<Set*>& sets, size_t limit = 0) {
  auto result = std::make_unique<Set>();
  switch (op) {
    case SetOp::kUnion:
      for (Set* s : sets)
        if (s) s->for_each([&](std::string_view m) { result->add(m); });
      break;
    case SetOp::kDiff:
      if (!sets[0]) break;
      sets[0]->for_each([&](std::string_view m) {
        for (size_t i = 1; i < sets.size(); ++i)
          if (sets[i] && sets[i]->contains(m)) return;
        result->add(m);
      });
      break;
    case SetOp::kInter: {
      for (Set* s : sets)
        if (!s) return result;
      std::vector<Set*> by_size = sets;
      std::stable_sort(by_size.begin(), by_size.end(), [](Set* a, Set* b) { return a->size() < b->size(); });
      by_size[0]->for_each([&](std::string_view m) {
        if (limit && result->size() >= limit) return;
        for (size_t i = 1; i < by_size.size(); ++i)
          if (by_size[i] != by_size[0] && !by_size[i]->contains(m)) return;
        result->add(m);
      });
      break;
    }
  }
  return result;
}

void set_op_command(CommandContext& ctx, SetOp op, bool store) {
  size_t first = store ? 2 : 1;
  std::vector<Set*> sets;
  if (!lookup_sets(ctx, first, ctx.argv.size() - first, &sets)) return;
  auto result = compute(op, sets);
  if (!store) {
    reply_members(ctx, *result);
    return;
  }
  const std::string& dst = ctx.argv[1];
  long long card = static_cast<long long>(result->size());
  if (card > 0) {
    ctx.db().replace_with_set(dst, std::move(result));
    ctx.touch(dst);
  } else if (ctx.db().remove(dst)) {
    ctx.touch(dst);
  } else {
    ctx.no_propagate();
  }
  ctx.reply.integer(card);
}

void cmd_sintercard(CommandContext& ctx) {
  long long numkeys;
  if (!parse_int_min(ctx, ctx.argv[1], 1, &numkeys, "ERR numkeys should be greater than 0")) return;
  if (numkeys > static_cast<long long>(ctx.argv.size()) - 2) {
    ctx.reply.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  long long limit = 0;
  for (size_t i = 2 + static_cast<size_t>(numkeys); i < ctx.argv.size(); ++i) {
    if (iequals(ctx.argv[i], "limit") && i + 1 < ctx.argv.size()) {
      ++i;
      if (!parse_int_min(ctx, ctx.argv[i], 0, &limit, "ERR LIMIT can't be negative")) return;
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }
  std::vector<Set*> sets;
  if (!lookup_sets(ctx, 2, static_cast<size_t>(numkeys), &sets)) return;
  ctx.reply.integer(static_cast<long long>(compute(SetOp::kInter, sets, static_cast<size_t>(limit))->size()));
}

void cmd_sscan(CommandContext& ctx) {
  uint64_t cursor;
  ScanOptions opt;
  Entry* e = scan_container_begin(ctx, ValueType::kSet, &cursor, &opt);
  if (!e) return;
  std::vector<std::string> items;
  auto collect = [&](std::string_view m) {
    if (scan_matches(opt, m)) items.emplace_back(m);
  };
  cursor = scan_steps(
      cursor, opt, [&](uint64_t c) { return e->set().scan(c, collect); }, [&] { return items.size(); });
  reply_scan_cursor(ctx, cursor);
  ctx.reply.array(items.size());
  for (auto& m : items) ctx.reply.bulk(m);
}

}  // namespace

void register_set_family(NodeCommandTable& t) {
  add_command(t, "sadd", -3, "write,denyoom,fast", 1, 1, 1, "@write @set @fast", cmd_sadd);
  add_command(t, "srem", -3, "write,fast", 1, 1, 1, "@write @set @fast", cmd_srem);
  add_command(t, "smembers", 2, "readonly", 1, 1, 1, "@read @set @slow", cmd_smembers);
  add_command(t, "sismember", 3, "readonly,fast", 1, 1, 1, "@read @set @fast", cmd_sismember);
  add_command(t, "smismember", -3, "readonly,fast", 1, 1, 1, "@read @set @fast", cmd_smismember);
  add_command(t, "scard", 2, "readonly,fast", 1, 1, 1, "@read @set @fast", cmd_scard);
  add_command(t, "spop", -2, "write,fast", 1, 1, 1, "@write @set @fast", cmd_spop);
  add_command(t, "srandmember", -2, "readonly", 1, 1, 1, "@read @set @slow", cmd_srandmember);
  add_command(t, "smove", 4, "write,fast", 1, 2, 1, "@write @set @fast", cmd_smove);
  add_command(t, "sunion", -2, "readonly", 1, -1, 1, "@read @set @slow",
              [](CommandContext& c) { set_op_command(c, SetOp::kUnion, false); });
  add_command(t, "sinter", -2, "readonly", 1, -1, 1, "@read @set @slow",
              [](CommandContext& c) { set_op_command(c, SetOp::kInter, false); });
  add_command(t, "sdiff", -2, "readonly", 1, -1, 1, "@read @set @slow",
              [](CommandContext& c) { set_op_command(c, SetOp::kDiff, false); });
  add_command(t, "sunionstore", -3, "write,denyoom", 1, -1, 1, "@write @set @slow",
              [](CommandContext& c) { set_op_command(c, SetOp::kUnion, true); });
  add_command(t, "sinterstore", -3, "write,denyoom", 1, -1, 1, "@write @set @slow",
              [](CommandContext& c) { set_op_command(c, SetOp::kInter, true); });
  add_command(t, "sdiffstore", -3, "write,denyoom", 1, -1, 1, "@write @set @slow",
              [](CommandContext& c) { set_op_command(c, SetOp::kDiff, true); });
  add_command(t, "sintercard", -3, "readonly,movablekeys", 0, 0, 0, "@read @set @slow", cmd_sintercard);
  add_command(t, "sscan", -3, "readonly", 1, 1, 1, "@read @set @slow", cmd_sscan);
}

}  // namespace vigil::node
