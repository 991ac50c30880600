// HyperLogLog commands: PFADD PFCOUNT PFMERGE PFDEBUG. Replies, errors and
// propagation follow Redis 7.0's hyperloglog.c; the representation itself is
// node/store/hyperloglog. An HLL is an ordinary string key, so every write
// here replaces the string value (keeping its TTL).
#include <string>

#include "node/commands/families.h"
#include "node/commands/keys_family_shared.h"
#include "node/server/node_server.h"
#include "node/store/hyperloglog.h"

namespace vigil::node {
namespace {

using namespace data;
namespace hll = store::hll;

constexpr std::string_view kErrNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
constexpr std::string_view kErrCorrupted = "INVALIDOBJ Corrupted HLL object detected";

size_t sparse_max_bytes(CommandContext& ctx) {
  return static_cast<size_t>(ctx.server.config().hll_sparse_max_bytes);
}

// isHLLObjectOrReply for an entry the lookup already found to be a string.
bool check_hll(CommandContext& ctx, const Entry* e) {
  if (hll::is_hll(e->str())) return true;
  ctx.reply.error(kErrNotHll);
  return false;
}

// Writes the new HLL bytes to key: in place of e's value (TTL kept) or as a new key.
void store_hll(CommandContext& ctx, Entry* e, const std::string& key, const std::string& value) {
  e = e ? ctx.db().update_string(e, value) : ctx.db().set_string(key, value);
  store::Database::mark_raw(e);  // Redis's HLLs are raw string objects
}

// PFADD key [element ...] -> 1 if the key was created or a register grew.
void cmd_pfadd(CommandContext& ctx) {
  const std::string& key = ctx.argv[1];
  bool wrong;
  Entry* e = lookup_write(ctx, key, ValueType::kString, &wrong);
  if (wrong || (e && !check_hll(ctx, e))) return;
  std::string value = e ? std::string(e->str()) : hll::make_empty();
  long long updated = e ? 0 : 1;
  size_t max_bytes = sparse_max_bytes(ctx);
  for (size_t j = 2; j < ctx.argv.size(); ++j) {
    int r = hll::add(value, ctx.argv[j], max_bytes);
    if (r < 0) {
      // Redis edits the value in place: registers raised before the corrupted
      // part stay raised, but the change is neither signalled nor propagated.
      if (updated) store_hll(ctx, e, key, value);
      ctx.reply.error(kErrCorrupted);
      return;
    }
    updated += r;
  }
  if (!updated) {
    ctx.reply.integer(0);
    ctx.no_propagate();
    return;
  }
  hll::invalidate_cache(value.data());
  store_hll(ctx, e, key, value);
  ctx.touch(key);
  ctx.reply.integer(1);
}

// PFCOUNT of several keys: the cardinality of their union, nothing cached.
void pfcount_union(CommandContext& ctx) {
  hll::Registers max{};
  for (size_t j = 1; j < ctx.argv.size(); ++j) {
    bool wrong;
    Entry* e = lookup_read(ctx, ctx.argv[j], ValueType::kString, &wrong);
    if (wrong) return;
    if (!e) continue;  // a missing key is an empty HLL
    if (!check_hll(ctx, e)) return;
    if (!hll::merge_into(max, e->str())) {
      ctx.reply.error(kErrCorrupted);
      return;
    }
  }
  ctx.reply.integer(static_cast<long long>(hll::count_registers(max)));
}

// PFCOUNT key [key ...]. With one key the cached cardinality is used, or
// computed and stored in the value's header; storing it changes the string,
// so (as Redis) the command is then propagated to keep replicas identical.
void cmd_pfcount(CommandContext& ctx) {
  if (ctx.argv.size() > 2) {
    pfcount_union(ctx);
    return;
  }
  const std::string& key = ctx.argv[1];
  bool wrong;
  Entry* e = lookup_read(ctx, key, ValueType::kString, &wrong);
  if (wrong) return;
  if (!e) {
    ctx.reply.integer(0);
    return;
  }
  if (!check_hll(ctx, e)) return;
  uint64_t card;
  if (!hll::cached_cardinality(e->str(), &card)) {
    if (!hll::count(e->str(), &card)) {
      ctx.reply.error(kErrCorrupted);
      return;
    }
    char* v = ctx.db().resize_string(e, e->str().size());  // same size: writable in place
    hll::store_cardinality(v, card);
    ctx.touch(key);
    ctx.propagate(ctx.argv);
  }
  ctx.reply.integer(static_cast<long long>(card));
}

// PFMERGE destkey [sourcekey ...]: destkey gets the union of all the keys
// (itself included); it turns dense if any input is dense.
void cmd_pfmerge(CommandContext& ctx) {
  hll::Registers max{};
  bool use_dense = false;
  for (size_t j = 1; j < ctx.argv.size(); ++j) {
    bool wrong;
    Entry* e = lookup_read(ctx, ctx.argv[j], ValueType::kString, &wrong);
    if (wrong) return;
    if (!e) continue;
    if (!check_hll(ctx, e)) return;
    if (hll::encoding_of(e->str()) == hll::kEncodingDense) use_dense = true;
    if (!hll::merge_into(max, e->str())) {
      ctx.reply.error(kErrCorrupted);
      return;
    }
  }
  const std::string& key = ctx.argv[1];
  bool wrong;
  Entry* e = lookup_write(ctx, key, ValueType::kString, &wrong);  // validated above
  if (wrong) return;
  std::string value = e ? std::string(e->str()) : hll::make_empty();
  if (use_dense && !hll::sparse_to_dense(value)) {
    ctx.reply.error(kErrCorrupted);
    return;
  }
  size_t max_bytes = sparse_max_bytes(ctx);
  for (size_t j = 0; j < hll::kRegisters; ++j) {
    if (max[j]) hll::set_register(value, j, max[j], max_bytes);
  }
  hll::invalidate_cache(value.data());
  store_hll(ctx, e, key, value);
  ctx.touch(key);
  ctx.reply.ok();
}

// PFDEBUG <GETREG|DECODE|ENCODING|TODENSE> key. GETREG and TODENSE convert a
// sparse value to dense, and are then propagated as Redis does.
void cmd_pfdebug(CommandContext& ctx) {
  const std::string& sub = ctx.argv[1];
  const std::string& key = ctx.argv[2];
  bool wrong;
  Entry* e = lookup_write(ctx, key, ValueType::kString, &wrong);
  if (wrong) return;
  if (!e) {
    ctx.reply.error("ERR The specified key does not exist");
    return;
  }
  if (!check_hll(ctx, e)) return;
  bool sparse = hll::encoding_of(e->str()) == hll::kEncodingSparse;

  // Converts the key's value to dense; false (error replied) if corrupted.
  auto to_dense = [&]() {
    std::string value(e->str());
    if (!hll::sparse_to_dense(value)) {
      ctx.reply.error(kErrCorrupted);
      return false;
    }
    e = ctx.db().update_string(e, value);
    store::Database::mark_raw(e);
    ctx.touch(key);
    return true;
  };

  if (iequals(sub, "getreg")) {
    if (sparse && !to_dense()) return;
    if (!sparse) ctx.no_propagate();
    hll::Registers regs;
    hll::dense_registers(e->str(), regs);
    ctx.reply.array(regs.size());
    for (uint8_t r : regs) ctx.reply.integer(r);
  } else if (iequals(sub, "decode")) {
    if (!sparse) {
      ctx.reply.error("ERR HLL encoding is not sparse");
      return;
    }
    ctx.reply.bulk(hll::decode_sparse(e->str()));
    ctx.no_propagate();
  } else if (iequals(sub, "encoding")) {
    ctx.reply.simple(sparse ? "sparse" : "dense");
    ctx.no_propagate();
  } else if (iequals(sub, "todense")) {
    if (sparse && !to_dense()) return;
    if (!sparse) ctx.no_propagate();
    ctx.reply.integer(sparse ? 1 : 0);
  } else {
    ctx.reply.error("ERR Unknown PFDEBUG subcommand '" + sub + "'");
  }
}

}  // namespace

void register_hyperloglog_family(NodeCommandTable& t) {
  add_command(t, "pfadd", -2, "write,denyoom,fast", 1, 1, 1, "@write @hyperloglog @fast", cmd_pfadd);
  add_command(t, "pfcount", -2, "readonly", 1, -1, 1, "@read @hyperloglog @slow", cmd_pfcount);
  add_command(t, "pfmerge", -2, "write,denyoom", 1, -1, 1, "@write @hyperloglog @slow", cmd_pfmerge);
  add_command(t, "pfdebug", 3, "write,denyoom,admin", 2, 2, 1, "@write @hyperloglog @admin @slow @dangerous",
              cmd_pfdebug);
}

}  // namespace vigil::node
