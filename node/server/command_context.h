// What a vigil-node command handler sees: the arguments, the reply builder,
// the calling client, the selected database and the server. Handlers live in
// node/commands/*_family.cpp and never touch sockets directly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/resp/reply_builder.h"

namespace vigil::net { class Connection; }
namespace vigil::node::store { class Database; }

namespace vigil::node {

class NodeServer;
struct Client;

struct CommandContext {
  NodeServer& server;
  Client& client;
  std::vector<std::string>& argv;
  resp::ReplyBuilder& reply;
  // Current unix time in ms, fixed for the whole command (and a whole
  // MULTI/EXEC), as Redis's "command time snapshot".
  int64_t now_ms;

  store::Database& db();

  // Replication/AOF propagation. By default a successful write command is
  // propagated verbatim (argv). A handler that must propagate something else
  // (SET EX -> SET PXAT, EXPIRE -> PEXPIREAT, SPOP -> SREM, INCRBYFLOAT -> SET,
  // BLPOP -> LPOP) calls propagate() one or more times; a write that changed
  // nothing calls no_propagate().
  void propagate(std::vector<std::string> cmd);
  void no_propagate();

  // Tells WATCH and blocked clients that a key changed (in the current db
  // unless db_index is given). Handlers call it for every key they modify.
  void touch(const std::string& key, int db_index = -1);
  // For blocking list commands: the key now has elements to serve.
  void signal_ready(const std::string& key);

  // Filled by the dispatcher; handlers read them via propagate()/no_propagate().
  bool custom_propagation = false;
  std::vector<std::vector<std::string>> propagated;
};

}  // namespace vigil::node
