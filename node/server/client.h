// Per-client state of vigil-node (Redis's `client` struct minus the buffers,
// which live in net::Connection).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace vigil::net { class Connection; }
namespace vigil::resp { class ReplyBuilder; }

namespace vigil::node {

struct CommandContext;
class NodeServer;

// State of a client blocked on keys (BLPOP & co.), see blocking.h.
struct BlockState {
  NodeServer* server = nullptr;
  int db = 0;
  std::vector<std::string> keys;
  std::vector<std::string> argv;  // the blocking command, for the retry context
  std::function<bool(CommandContext&)> retry;
  uv_timer_t* timer = nullptr;  // heap-allocated; closed and freed on unblock
  // The blocking call itself, logged (SLOWLOG, latency) once the client is
  // unblocked, as Redis's updateStatsOnUnblock. command is its NodeCommand.
  const void* command = nullptr;
  std::string full_name;
  int64_t duration_us = 0;
};

// CLIENT REPLY ON|OFF|SKIP (SKIP drops the next command's reply).
enum class ReplyMode { kOn, kOff, kSkipNext };

struct Client {
  explicit Client(net::Connection& c);
  // A client without a connection: the fake client replaying AOF / master streams.
  Client() : conn(nullptr), id(0) {}

  net::Connection* conn;  // nullptr for the replay client
  uint64_t id;
  std::string name;
  std::string lib_name, lib_ver;  // CLIENT SETINFO does not exist in 7.0; kept for HELLO-less clients
  int db = 0;
  bool authenticated = false;
  int resp = 2;

  // MULTI/EXEC
  bool in_multi = false;
  bool multi_error = false;  // a command failed to queue: EXEC answers EXECABORT
  uint32_t multi_flags = 0;  // union of the queued commands' flags (CLIENT PAUSE WRITE)
  std::vector<std::vector<std::string>> queued;
  bool in_exec = false;

  // WATCH: (db, key) pairs; dirty once any of them is touched.
  std::vector<std::pair<int, std::string>> watched;
  bool watch_dirty = false;

  // Pub/sub subscriptions.
  std::unordered_set<std::string> channels;
  std::unordered_set<std::string> patterns;
  size_t subscription_count() const { return channels.size() + patterns.size(); }

  // Non-null while blocked on keys.
  std::unique_ptr<BlockState> block;
  // True while postponed by CLIENT PAUSE.
  bool paused = false;

  ReplyMode reply_mode = ReplyMode::kOn;
  bool no_evict = false;
  bool is_replica = false;  // set by the replication module (never paused, "S" flag)
  bool is_master = false;   // the link to our master ("M" flag)
  bool close_asap = false;
  // Where replies go instead of conn (a Lua script's fake client collects them).
  resp::ReplyBuilder* reply_sink = nullptr;
  bool monitor = false;  // MONITOR mode (node/server/monitor_feed.h), "O" flag
  std::string last_command = "NULL";  // "cmd=" of CLIENT LIST ("client|list")
};

}  // namespace vigil::node
