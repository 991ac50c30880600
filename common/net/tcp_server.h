// libuv TCP server shared by vigil-node and vigil-sentinel.
//
// Networking never includes the engine (Dragonfly's facade/ServiceInterface
// split): the server parses requests and hands complete argv vectors to a
// Service; the Service writes replies through the Connection. The server owns
// sockets, buffers, limits (maxclients, timeout, tcp-keepalive, output-buffer
// limits by class) and clean shutdown.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/resp/reply_builder.h"
#include "common/resp/request_parser.h"

namespace vigil::net {

// Output-buffer limit classes, as redis.conf's client-output-buffer-limit.
enum class ClientClass { kNormal = 0, kReplica = 1, kPubSub = 2 };

struct OutputBufferLimit {
  uint64_t hard_bytes = 0;     // 0 = unlimited
  uint64_t soft_bytes = 0;     // 0 = unlimited
  uint64_t soft_seconds = 0;
};

struct ServerLimits {
  uint32_t max_clients = 10000;
  uint32_t idle_timeout_s = 0;        // "timeout": 0 = never
  uint32_t tcp_keepalive_s = 300;
  resp::ParserLimits parser;
  // Query buffer limit per client ("client-query-buffer-limit", default 1 GB).
  uint64_t max_query_buffer = 1024ULL * 1024 * 1024;
  OutputBufferLimit output[3] = {
      {0, 0, 0},                                              // normal
      {256ULL << 20, 64ULL << 20, 60},                        // replica
      {32ULL << 20, 8ULL << 20, 60},                          // pubsub
  };
};

class TcpServer;

// One accepted client. Lives until the Service's on_close has run.
class Connection {
 public:
  uint64_t id() const { return id_; }
  const std::string& peer_addr() const { return peer_addr_; }    // "ip:port"
  const std::string& local_addr() const { return local_addr_; }  // "ip:port"
  int fd() const;

  // Replies go here; they are flushed in the loop's check phase, after every
  // client readable in this iteration has run its commands (or immediately by
  // flush()). Also usable outside a dispatch (pub/sub, unblock).
  resp::ReplyBuilder& reply() { return reply_; }
  void flush();
  // Flushes once this loop iteration's callbacks are done (check phase, or
  // prepare before the next poll): batches output produced for this
  // client by other clients' commands (pub/sub messages, unblocked replies).
  void flush_later();

  // Close after pending output is written (QUIT, protocol errors).
  void close_after_reply();
  // Close now, dropping pending output (CLIENT KILL, limits).
  void close();
  bool closing() const { return closing_; }
  // True once close_after_reply() was called: output added later is dropped.
  bool closing_after_reply() const { return close_after_reply_; }

  // Stops dispatching this client's further (already read or new) commands
  // until resume(): blocking commands, CLIENT PAUSE, replica handshakes.
  // Reading continues so the query buffer limit still applies.
  void suspend();
  void resume();
  // Suspends and keeps `argv` to be dispatched again first on resume(): a
  // command that arrived while clients are paused (CLIENT PAUSE) runs later.
  void postpone(std::vector<std::string> argv);
  bool suspended() const { return suspended_; }

  void set_class(ClientClass c) { class_ = c; }
  ClientClass client_class() const { return class_; }

  // Pending output bytes (CLIENT LIST omem, limits).
  size_t output_bytes() const { return out_.size() + in_flight_bytes_; }
  size_t query_buffer_bytes() const { return parser_.buffered(); }
  std::chrono::steady_clock::time_point created() const { return created_; }
  std::chrono::steady_clock::time_point last_interaction() const { return last_interaction_; }
  // Name of the command being executed / last executed ("cmd=" in CLIENT LIST),
  // set by the Service (it knows subcommands: "client|list").
  const std::string& last_command() const { return last_command_; }
  void set_last_command(std::string_view name) { last_command_.assign(name); }

  // Parser limits can change at runtime (CONFIG SET proto-max-bulk-len).
  resp::RequestParser& parser() { return parser_; }

  // Opaque per-connection state owned by the Service (client record).
  void* user_data = nullptr;

 private:
  friend class TcpServer;
  friend struct ConnectionIo;
  Connection(TcpServer* server, uint64_t id);
  void process_input();
  void on_write_done(size_t bytes, int status);
  bool over_output_limit(std::chrono::steady_clock::time_point now);
  bool over_hard_output_limit() const;
  void close_for_output_limit();
  void close_if_done();

  TcpServer* server_;
  uint64_t id_;
  uv_tcp_t* handle_ = nullptr;     // heap-allocated, freed in the close callback
  std::string peer_addr_, local_addr_;
  resp::RequestParser parser_;
  std::string out_;
  resp::ReplyBuilder reply_{out_};
  size_t in_flight_bytes_ = 0;
  bool closing_ = false, close_after_reply_ = false, suspended_ = false;
  bool in_dispatch_ = false;
  bool flush_queued_ = false;
  bool has_postponed_ = false;
  std::vector<std::string> postponed_;
  ClientClass class_ = ClientClass::kNormal;
  std::chrono::steady_clock::time_point created_, last_interaction_, soft_limit_since_{};
  std::string last_command_;
};

// Implemented by the daemon (node or sentinel). Called on the loop thread.
class Service {
 public:
  virtual ~Service() = default;
  // A new client. Return false to refuse it (the server closes it; on_close
  // still runs). Clients over max_clients are refused by the server before the
  // Service sees them. The Service may write a greeting error and call
  // close_after_reply() (protected mode).
  virtual bool on_connect(Connection& c) = 0;
  // One complete command. argv is non-empty. The Service writes exactly one
  // reply (or none while the connection is suspended, e.g. blocked).
  virtual void on_command(Connection& c, std::vector<std::string>& argv) = 0;
  // The connection is gone (peer closed, killed, limit, shutdown). Runs from the
  // libuv close callback, so never re-entrantly inside on_command; the
  // Connection is freed right after.
  virtual void on_close(Connection& c) = 0;
};

class TcpServer {
 public:
  TcpServer(uv_loop_t* loop, Service& service, ServerLimits limits = {});
  ~TcpServer();

  // Binds to each address ("127.0.0.1", "::1", "0.0.0.0", "*"). Returns an error
  // text or empty on success. port 0 picks a free port (see port()).
  std::string listen(const std::vector<std::string>& addrs, int port, int backlog = 511);
  // Listens on a new port/addresses (CONFIG SET port/bind): the new sockets
  // are opened first, so on error nothing changes. Connected clients stay.
  std::string rebind(const std::vector<std::string>& addrs, int port, int backlog = 511);
  int port() const { return port_; }
  bool is_listening() const { return !listeners_.empty(); }

  // Stop accepting and close every connection; on_close runs for each once the
  // loop has run the close callbacks. Run the loop until it returns before
  // destroying the server (the destructor closes whatever is left without
  // calling the Service).
  void shutdown();

  Connection* find(uint64_t id);
  // Snapshot of current connections (CLIENT LIST / KILL).
  std::vector<Connection*> connections();
  size_t connection_count() const { return conns_.size(); }

  ServerLimits& limits() { return limits_; }
  // Applies new parser limits to the server and every connection (CONFIG SET).
  void set_parser_limits(resp::ParserLimits p);
  uv_loop_t* loop() const { return loop_; }

  // Counters for INFO stats.
  uint64_t total_connections_received = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_net_input_bytes = 0;
  uint64_t total_net_output_bytes = 0;
  uint64_t total_commands_processed = 0;

 private:
  friend class Connection;
  friend struct ConnectionIo;
  static void on_new_connection(uv_stream_t* listener, int status);
  static void on_cron(uv_timer_t* t);
  static void on_prepare(uv_prepare_t* p);
  static void on_check(uv_check_t* p);
  // Dispatches resumed clients and flushes queued output until both queues are empty.
  void drain_queues();
  void accept_one(uv_stream_t* listener);
  std::string open_listeners(const std::vector<std::string>& addrs, int port, int backlog,
                             std::vector<uv_tcp_t*>* opened, int* bound_port);
  void enforce_limits(Connection& c, std::chrono::steady_clock::time_point now);
  void destroy(Connection* c);
  void queue_resume(Connection* c);

  uv_loop_t* loop_;
  Service& service_;
  ServerLimits limits_;
  std::vector<uv_tcp_t*> listeners_;
  uv_timer_t* cron_ = nullptr;
  // Resumed connections get their buffered commands dispatched, and queued
  // output flushed, from a check handle (right after the poll phase, so the
  // replies of one iteration go out together) and a prepare handle (before
  // the loop polls, for what timers queued): never re-entrantly from inside
  // another client's command.
  uv_prepare_t* prepare_ = nullptr;
  uv_check_t* check_ = nullptr;
  std::vector<uint64_t> resume_queue_;
  std::vector<uint64_t> flush_queue_;
  std::vector<uint64_t> drain_scratch_;
  // One read buffer for all connections: libuv calls alloc and read callbacks
  // back to back on the loop thread, and the parser copies what it keeps.
  std::unique_ptr<char[]> read_buf_;
  bool service_gone_ = false;  // set by the destructor: no more Service callbacks
  size_t handles_open_ = 0;    // listeners, timers, refused sockets still closing
  std::vector<std::string> argv_;  // scratch argv reused across commands
  template <class T> void close_owned(T* h);
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> conns_;
  uint64_t next_id_ = 1;
  int port_ = 0;
  bool shutting_down_ = false;
};

}  // namespace vigil::net
