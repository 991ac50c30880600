// Command families of vigil-node. Each family file registers its commands in
// the node's command table; registry.cpp builds the table from all of them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/command/command_table.h"
#include "node/server/command_context.h"

namespace vigil::node {

using NodeCommandTable = command::CommandTable<CommandContext>;
using NodeCommand = command::Command<CommandContext>;

// Connection: PING ECHO QUIT SELECT AUTH HELLO RESET CLIENT.
void register_connection_family(NodeCommandTable& t);
// Server: INFO CONFIG DBSIZE FLUSHDB FLUSHALL TIME COMMAND DEBUG SHUTDOWN ROLE LASTSAVE.
void register_server_family(NodeCommandTable& t);
// Pub/sub: PUBLISH (P)SUBSCRIBE (P)UNSUBSCRIBE PUBSUB.
void register_pubsub_family(NodeCommandTable& t);
// Transactions: MULTI EXEC DISCARD WATCH UNWATCH.
void register_transactions_family(NodeCommandTable& t);

// Data families.
void register_key_family(NodeCommandTable& t);
void register_string_family(NodeCommandTable& t);
void register_hash_family(NodeCommandTable& t);
void register_list_family(NodeCommandTable& t);
void register_set_family(NodeCommandTable& t);
void register_zset_family(NodeCommandTable& t);
// Geo (sorted sets of geohashes): GEOADD GEODIST GEOHASH GEOPOS GEOSEARCH[STORE] GEORADIUS*.
void register_geo_family(NodeCommandTable& t);
// Keyspace extras: SORT SORT_RO, DUMP RESTORE, SWAPDB.
void register_sort_family(NodeCommandTable& t);
void register_dump_family(NodeCommandTable& t);
void register_swapdb_command(NodeCommandTable& t);
// Bitmaps: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
void register_bitmap_family(NodeCommandTable& t);
// LCS (strings_lcs.cpp).
void register_lcs_command(NodeCommandTable& t);
// HyperLogLog: PFADD PFCOUNT PFMERGE PFDEBUG.
void register_hyperloglog_family(NodeCommandTable& t);

// Persistence: SAVE BGSAVE BGREWRITEAOF.
void register_persistence_family(NodeCommandTable& t);
// Replication: REPLICAOF SLAVEOF REPLCONF PSYNC SYNC WAIT.
void register_replication_family(NodeCommandTable& t);
// Introspection: MONITOR SLOWLOG LATENCY.
void register_introspection_family(NodeCommandTable& t);
// MEMORY USAGE/STATS/DOCTOR/PURGE/MALLOC-STATS.
void register_memory_family(NodeCommandTable& t);
// Scripting: EVAL EVALSHA EVAL_RO EVALSHA_RO SCRIPT.
void register_scripting_family(NodeCommandTable& t);

// Builds one table entry; categories as COMMAND INFO prints them ("@fast").
inline NodeCommand make_command(std::string name, int arity, uint32_t flags,
                                std::vector<std::string> categories, NodeCommand::Handler handler,
                                int first_key = 0, int last_key = 0, int key_step = 0) {
  NodeCommand c;
  c.name = std::move(name);
  c.arity = arity;
  c.flags = flags;
  c.first_key = first_key;
  c.last_key = last_key;
  c.key_step = key_step;
  c.handler = std::move(handler);
  c.acl_categories = std::move(categories);
  return c;
}

// Adds a subcommand to a container command; name is the full "client|list".
inline void add_subcommand(NodeCommand& parent, NodeCommand sub) {
  std::string key = sub.name.substr(sub.name.find('|') + 1);
  parent.subcommands.emplace(std::move(key), std::move(sub));
}

// "<CMD> HELP" reply in Redis's shape (addReplyHelp): header, lines, HELP entry.
inline void write_help(resp::ReplyBuilder& r, std::string_view cmd_upper,
                       const std::vector<std::string_view>& lines) {
  r.array(lines.size() + 3);
  r.simple(std::string(cmd_upper) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (auto l : lines) r.simple(l);
  r.simple("HELP");
  r.simple("    Prints this help.");
}

// The whole table (every family above).
NodeCommandTable build_command_table();

}  // namespace vigil::node
