// DUMP and RESTORE, as Redis 7.0's cluster.c: the payload is the value in
// RDB form (node/persistence writes and reads it), then the RDB version as
// 2 little-endian bytes, then the CRC64 of everything before as 8
// little-endian bytes.
#include <cstdint>
#include <string>

#include "node/commands/families.h"
#include "node/commands/keys_family_shared.h"
#include "node/persistence/crc64.h"
#include "node/persistence/rdb_format.h"
#include "node/persistence/rdb_snapshot.h"
#include "node/server/node_server.h"

namespace vigil::node {
namespace {

using namespace data;

constexpr size_t kFooterSize = 10;  // 2 bytes of RDB version + 8 of CRC64

void append_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string dump_payload(CommandContext& ctx, const Entry& e) {
  std::string out;
  persistence::StringSink sink(out);
  persistence::RdbWriterOptions options;
  options.compression = ctx.server.config().persistence.rdbcompression;
  options.checksum = false;  // the DUMP footer carries its own CRC
  persistence::RdbWriter writer(sink, options);
  persistence::write_rdb_value(writer, e);
  writer.flush_buffer();
  append_le(out, persistence::rdb::kVersion, 2);
  append_le(out, persistence::crc64(0, out.data(), out.size()), 8);
  return out;
}

// verifyDumpPayload: a version this server can read and a matching CRC64.
bool dump_payload_valid(std::string_view p) {
  if (p.size() < kFooterSize) return false;
  const auto* footer = reinterpret_cast<const unsigned char*>(p.data() + p.size() - kFooterSize);
  unsigned version = footer[0] | (unsigned{footer[1]} << 8);
  if (version > static_cast<unsigned>(persistence::rdb::kVersion)) return false;
  uint64_t stored = 0;
  for (int i = 7; i >= 0; --i) stored = (stored << 8) | footer[2 + i];
  return persistence::crc64(0, p.data(), p.size() - 8) == stored;
}

void cmd_dump(CommandContext& ctx) {
  Entry* e = lookup_read_any(ctx, ctx.argv[1]);
  if (!e) {
    ctx.reply.null_bulk();
    return;
  }
  ctx.reply.bulk(dump_payload(ctx, *e));
}

struct RestoreOptions {
  bool replace = false;
  bool absttl = false;
  long long idletime = -1;  // accepted for compatibility: vigil keeps no LRU/LFU data
  long long freq = -1;
};

// Options after the payload. IDLETIME and FREQ exclude each other: the second
// one is a syntax error, as in Redis.
bool parse_restore_options(CommandContext& ctx, RestoreOptions* o) {
  const auto& argv = ctx.argv;
  for (size_t j = 4; j < argv.size(); ++j) {
    bool has_value = j + 1 < argv.size();
    if (iequals(argv[j], "replace")) {
      o->replace = true;
    } else if (iequals(argv[j], "absttl")) {
      o->absttl = true;
    } else if (iequals(argv[j], "idletime") && has_value && o->freq == -1) {
      if (!parse_int(ctx, argv[j + 1], &o->idletime)) return false;
      if (o->idletime < 0) {
        ctx.reply.error("ERR Invalid IDLETIME value, must be >= 0");
        return false;
      }
      ++j;
    } else if (iequals(argv[j], "freq") && has_value && o->idletime == -1) {
      if (!parse_int(ctx, argv[j + 1], &o->freq)) return false;
      if (o->freq < 0 || o->freq > 255) {
        ctx.reply.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
        return false;
      }
      ++j;
    } else {
      ctx.reply.error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], checks in
// Redis's order: options, BUSYKEY, TTL, payload footer, payload body.
void cmd_restore(CommandContext& ctx) {
  RestoreOptions o;
  if (!parse_restore_options(ctx, &o)) return;
  const std::string& key = ctx.argv[1];
  store::Database& db = ctx.db();
  if (!o.replace && db.find(key, ctx.now_ms)) {
    ctx.reply.error("BUSYKEY Target key name already exists.");
    return;
  }
  long long ttl;
  if (!parse_int(ctx, ctx.argv[2], &ttl)) return;
  if (ttl < 0) {
    ctx.reply.error("ERR Invalid TTL value, must be >= 0");
    return;
  }
  const std::string& payload = ctx.argv[3];
  if (!dump_payload_valid(payload)) {
    ctx.reply.error("ERR DUMP payload version or checksum are wrong");
    return;
  }
  persistence::RdbObject value;
  try {
    persistence::StringSource source(payload);  // footer included, as Redis's rio buffer
    value = persistence::read_rdb_value(source);
  } catch (const persistence::PersistenceError&) {
    ctx.reply.error("ERR Bad data format");
    return;
  }

  bool deleted = o.replace && db.remove(key);
  // Relative TTLs become absolute; Redis's long long addition wraps, and a
  // wrapped (negative) expiry counts as already expired.
  if (ttl && !o.absttl) ttl = static_cast<long long>(static_cast<uint64_t>(ttl) + static_cast<uint64_t>(ctx.now_ms));
  if (ttl && ttl <= ctx.now_ms && db.expiry_policy() == store::ExpiryPolicy::kDelete) {
    if (deleted) {
      ctx.touch(key);
      ctx.propagate({"DEL", key});
    } else {
      ctx.no_propagate();
    }
    ctx.reply.ok();
    return;
  }
  Entry* e = persistence::insert_rdb_object(db, key, std::move(value));
  if (ttl) {
    db.set_expire(e, ttl);
    if (!o.absttl) {  // replicas get the absolute expiry
      std::vector<std::string> cmd = ctx.argv;
      char buf[24];
      cmd[2] = std::string(format_int(ttl, buf));
      cmd.emplace_back("ABSTTL");
      ctx.propagate(std::move(cmd));
    }
  }
  if (e->type() == ValueType::kList || e->type() == ValueType::kZSet) ctx.signal_ready(key);
  ctx.touch(key);
  ctx.reply.ok();
}

}  // namespace

void register_dump_family(NodeCommandTable& t) {
  // Built in a scratch table, then given COMMAND INFO's key spec flags and tips.
  NodeCommandTable scratch;
  add_command(scratch, "dump", 2, "readonly", 1, 1, 1, "@keyspace @read @slow", cmd_dump);
  add_command(scratch, "restore", -4, "write,denyoom", 1, 1, 1, "@keyspace @write @slow @dangerous", cmd_restore);
  NodeCommand dump = scratch.all().at("dump");
  dump.tips = {"nondeterministic_output"};
  dump.key_specs.push_back(command::KeySpec{{"RO", "access"}});
  NodeCommand restore = scratch.all().at("restore");
  restore.key_specs.push_back(command::KeySpec{{"OW", "update"}});
  t.add(std::move(dump));
  t.add(std::move(restore));
}

}  // namespace vigil::node
