// The replica side of a replication link: a non-blocking libuv TCP client
// that connects to the master, runs the handshake a Redis 7.0 replica runs
// (PING, AUTH, REPLCONF listening-port / ip-address / capa, PSYNC), receives
// the RDB of a full sync (`$<len>` or diskless `$EOF:<mark>`), then splits the
// command stream into commands for its owner to apply. It also writes the
// replica's only messages to the master: REPLCONF ACK <offset>.
//
// The link knows the wire protocol only; what a FULLRESYNC / CONTINUE / a
// command means for the dataset and the replication ids is the owner's
// business (LinkOwner, implemented by Replication).
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "node/replication/stream_parser.h"

namespace vigil::node::replication {

// Redis's repl_state, as ROLE names them.
enum class LinkState { kConnect, kConnecting, kHandshake, kTransfer, kConnected };
const char* link_state_name(LinkState s);

class LinkOwner {
 public:
  virtual ~LinkOwner() = default;
  // PSYNC arguments: the cached replid and offset+1, or "?" and "-1".
  virtual std::pair<std::string, std::string> psync_args() = 0;
  // +FULLRESYNC accepted and the whole RDB received. Returns "" or an error
  // (the link is then dropped and retried).
  virtual std::string on_full_sync(const std::string& replid, int64_t offset, std::string& rdb) = 0;
  // +CONTINUE [replid]: partial resync accepted (new_replid empty if absent).
  virtual void on_continue(const std::string& new_replid) = 0;
  // One command of the stream and its exact bytes. Returns false to drop
  // the link (the command could not be applied).
  virtual bool on_stream_command(std::vector<std::string>& argv, std::string_view raw) = 0;
  // Called after each batch of stream data (relay flushing, ACK bookkeeping).
  virtual void on_stream_batch() {}
  // The link went down (after having been in any state but kConnect).
  virtual void on_link_down(bool was_connected) = 0;
  // PSYNC carries FAILOVER (this node hands its role to the master it joins).
  virtual bool psync_failover() { return false; }
  // The master answered PSYNC with +FULLRESYNC or +CONTINUE.
  virtual void on_psync_accepted() {}
};

struct LinkSettings {
  std::string host;
  int port = 0;
  std::string masteruser, masterauth;
  int listening_port = 0;   // REPLCONF listening-port
  std::string announce_ip;  // REPLCONF ip-address when set
  int timeout_s = 60;       // repl-timeout
};

class ReplicaLink {
 public:
  ReplicaLink(uv_loop_t* loop, LinkOwner& owner, LinkSettings settings);
  ~ReplicaLink();
  ReplicaLink(const ReplicaLink&) = delete;
  ReplicaLink& operator=(const ReplicaLink&) = delete;

  const LinkSettings& settings() const { return settings_; }
  LinkState state() const { return state_; }
  bool connected() const { return state_ == LinkState::kConnected; }

  // Starts a connection attempt when in kConnect.
  void connect();
  // Drops the connection (back to kConnect; the cron reconnects).
  void drop(const std::string& why);
  // Called every 100 ms: reconnects (once a second), enforces repl-timeout,
  // sends REPLCONF ACK once a second while connected.
  void cron(int64_t now_ms, int64_t applied_offset);
  // REPLCONF ACK <offset> now (GETACK, after a sync).
  void send_ack(int64_t offset);

  // Seconds since the last byte from the master (INFO master_last_io_seconds_ago).
  int64_t last_io_seconds_ago(int64_t now_ms) const { return (now_ms - last_io_ms_) / 1000; }
  // Transfer progress for INFO (valid in kTransfer; size -1 in EOF-mark mode).
  int64_t transfer_size() const { return transfer_size_; }
  int64_t transfer_read() const { return static_cast<int64_t>(rdb_.size()); }

 private:
  struct Socket;  // uv_tcp_t + connect request, freed in its close callback
  enum class Expect { kPing, kAuth, kReplconfPort, kReplconfIp, kReplconfCapa, kPsync };

  static void on_connected(uv_connect_t* req, int status);
  static void on_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  void write(std::string bytes);
  void send_command(const std::vector<std::string>& argv);
  void on_data(const char* data, size_t len);
  // Handshake and transfer phases read lines/bulk from in_; false = stop (dropped).
  bool process_handshake();
  bool process_transfer();
  bool process_stream(const char* data, size_t len);
  void start_psync();
  void close_socket();

  uv_loop_t* loop_;
  LinkOwner& owner_;
  LinkSettings settings_;
  LinkState state_ = LinkState::kConnect;
  Socket* sock_ = nullptr;
  std::string in_;  // unparsed bytes before the stream phase
  std::deque<Expect> expect_;
  int64_t last_io_ms_ = 0;
  int64_t last_attempt_ms_ = 0;
  int64_t last_ack_ms_ = 0;
  // Transfer.
  std::string fullsync_replid_;
  int64_t fullsync_offset_ = 0;
  bool transfer_header_seen_ = false;
  std::string eof_mark_;  // diskless: the 40-byte end mark
  int64_t transfer_size_ = -1;
  std::string rdb_;
  StreamParser stream_;
  std::vector<std::string> argv_;
};

}  // namespace vigil::node::replication
