#include "node/replication/replication.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "common/command/command_table.h"
#include "common/log/log.h"
#include "common/net/tcp_server.h"
#include "common/util/clock.h"
#include "common/util/numbers.h"
#include "node/persistence/persistence.h"
#include "node/persistence/rdb_snapshot.h"
#include "node/server/client.h"
#include "node/server/command_context.h"
#include "node/server/node_server.h"
#include "node/store/database.h"

namespace vigil::node::replication {

namespace {

constexpr const char* kNoReplid2 = "0000000000000000000000000000000000000000";

std::unordered_map<const NodeServer*, Replication*>& instances() {
  static std::unordered_map<const NodeServer*, Replication*> m;
  return m;
}

std::string random_replid() {
  static const char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  std::string s(40, '0');
  for (char& ch : s) ch = kHex[gen() & 15];
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void append_command(std::string& out, const std::vector<std::string>& argv) {
  out += '*';
  out += std::to_string(argv.size());
  out += "\r\n";
  for (const auto& a : argv) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out += a;
    out += "\r\n";
  }
}

void line(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ':';
  out += value;
  out += "\r\n";
}

void line(std::string& out, std::string_view name, int64_t value) { line(out, name, std::to_string(value)); }

// The peer's IP from "ip:port" / "[v6]:port".
std::string peer_ip(const std::string& addr) {
  if (!addr.empty() && addr[0] == '[') {
    size_t end = addr.find(']');
    return end == std::string::npos ? addr : addr.substr(1, end - 1);
  }
  size_t colon = addr.rfind(':');
  return colon == std::string::npos ? addr : addr.substr(0, colon);
}

}  // namespace

std::string Replication::random_id() { return random_replid(); }

const char* Replication::sync_state_name(SyncState s) {
  switch (s) {
    case SyncState::kWaitBgsaveStart:
    case SyncState::kWaitBgsaveEnd:
      return "wait_bgsave";
    case SyncState::kSendBulk:
      return "send_bulk";
    case SyncState::kOnline:
      return "online";
    case SyncState::kNone:
      break;
  }
  return "none";
}

std::string Replication::replica_ip(net::Connection& conn, const Peer& p) {
  return p.announced_ip.empty() ? peer_ip(conn.peer_addr()) : p.announced_ip;
}

std::string Replication::replica_name(net::Connection& conn, const Peer& p) {
  return replica_ip(conn, p) + ":" + std::to_string(p.listening_port);
}

Replication* Replication::of(NodeServer& server) {
  auto it = instances().find(&server);
  return it == instances().end() ? nullptr : it->second;
}

Replication::Replication(NodeServer& server, ReplicationConfig& config)
    : server_(server), config_(config), replid_(server.replid), replid2_(kNoReplid2) {
  instances()[&server_] = this;
  server_.is_replica = [this] { return is_replica(); };
  server_.role_reply = [this](resp::ReplyBuilder& r) { role_reply(r); };
  server_.info_providers["replication"] = [this] { return info_body(); };
  server_.command_gate = [this](Client& c, uint32_t flags) { return command_gate(c, flags); };
  server_.kill_master_link = [this]() -> size_t {
    if (!link_ || link_->state() == LinkState::kConnect) return 0;
    link_->drop("Connection with master lost (CLIENT KILL).");
    return 1;
  };
  server_.add_propagator(this);
  if (server_.persistence != nullptr) {
    server_.persistence->fill_replication_aux = [this](persistence::RdbAux& aux) {
      if (!backlog_ && !is_replica()) return;
      aux.repl_id = replid_;
      aux.repl_offset = master_repl_offset_;
      aux.repl_stream_db = is_replica() ? applied_db_ : std::max(stream_db_, 0);
    };
  }
  set_expiry_policies();
}

Replication::~Replication() {
  instances().erase(&server_);
  if (server_.persistence != nullptr) server_.persistence->forget_replication_callbacks();
  relay_.reset();
  retired_relay_.reset();
  if (pump_) {
    uv_close(reinterpret_cast<uv_handle_t*>(pump_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  }
  link_.reset();
  unblock_all_waiters();
  if (cron_) {
    uv_close(reinterpret_cast<uv_handle_t*>(cron_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  }
  server_.remove_propagator(this);
  server_.is_replica = nullptr;
  server_.role_reply = nullptr;
  server_.info_providers.erase("replication");
  server_.command_gate = nullptr;
  server_.kill_master_link = nullptr;
  if (server_.persistence != nullptr) server_.persistence->fill_replication_aux = nullptr;
}

void Replication::after_load() {
  if (server_.persistence == nullptr || !is_replica()) return;
  const persistence::RdbLoadInfo& info = server_.persistence->loaded_rdb_info();
  if (!info.repl_id || info.repl_id->size() != 40 || !info.repl_offset) return;
  replid_ = *info.repl_id;
  master_repl_offset_ = *info.repl_offset;
  applied_db_ = info.repl_stream_db ? static_cast<int>(*info.repl_stream_db) : 0;
  has_cached_master_ = true;
  create_backlog();
  log::notice("Using the replication ID/offset of the RDB file as cached master: {}:{}", replid_,
              master_repl_offset_);
}

void Replication::start() {
  cron_ = new uv_timer_t;
  uv_timer_init(server_.loop(), cron_);
  cron_->data = this;
  uv_timer_start(cron_, on_cron, 100, 100);
  // The server's own handles decide when the loop (and the process) ends.
  uv_unref(reinterpret_cast<uv_handle_t*>(cron_));
  if (is_replica()) {
    log::set_role('S');
    start_link();
  }
}

// ------------------------------------------------------------------ role changes

void Replication::start_link() {
  LinkSettings s;
  s.host = config_.replicaof_host;
  s.port = config_.replicaof_port;
  s.masteruser = config_.masteruser;
  s.masterauth = config_.masterauth;
  s.listening_port = config_.replica_announce_port ? config_.replica_announce_port : server_.config().port;
  s.announce_ip = config_.replica_announce_ip;
  s.timeout_s = config_.repl_timeout;
  LinkOwner& owner = *this;  // a private base: convert here, not inside make_unique
  link_ = std::make_unique<ReplicaLink>(server_.loop(), owner, std::move(s));
  link_->connect();
}

void Replication::stop_link() {
  link_.reset();
  discard_pending_transaction();
}

bool Replication::replicaof(const std::string& host, int port, const std::string& who) {
  if (is_replica() && config_.replicaof_host == host && config_.replicaof_port == port) {
    log::notice("REPLICAOF would result into synchronization with the master we are already connected with. "
                "No operation performed.");
    return false;
  }
  bool was_master = !is_replica();
  stop_link();
  if (was_master) {
    // Our own history becomes the cached master: PSYNC <replid> <offset+1>
    // lets an old master continue from a promoted replica of its own.
    has_cached_master_ = true;
    unblock_all_waiters();
  }
  if (link_down_since_s_ == 0) link_down_since_s_ = util::unix_time_ms() / 1000;
  config_.replicaof_host = host;
  config_.replicaof_port = port;
  set_expiry_policies();
  log::set_role('S');
  log::notice("REPLICAOF {}:{} enabled ({})", host, port, who);
  start_link();
  return true;
}

void Replication::replicaof_no_one(const std::string& who) {
  if (!is_replica()) return;
  stop_link();
  config_.replicaof_host.clear();
  config_.replicaof_port = 0;
  shift_replication_id();
  // Sub-replicas reconnect and continue through replid2.
  disconnect_replicas();
  stream_db_ = -1;
  no_replicas_since_s_ = util::unix_time_ms() / 1000;
  set_expiry_policies();
  log::set_role('M');
  log::notice("MASTER MODE enabled ({})", who);
}

void Replication::shift_replication_id() {
  replid2_ = replid_;
  second_replid_offset_ = master_repl_offset_ + 1;
  replid_ = random_replid();
  server_.replid = replid_;
  log::notice("Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}", replid2_,
              second_replid_offset_, replid_);
}

void Replication::set_expiry_policies() {
  // A replica never deletes expired keys itself: it waits for the master's
  // DEL; its own clients just don't see them.
  store::ExpiryPolicy p = is_replica() ? store::ExpiryPolicy::kHide : store::ExpiryPolicy::kDelete;
  for (int i = 0; i < server_.database_count(); i++) server_.db(i).set_expiry_policy(p);
}

// ------------------------------------------------------------------ stream (both roles)

void Replication::create_backlog() {
  if (!backlog_) backlog_ = std::make_unique<Backlog>(static_cast<size_t>(std::max<int64_t>(config_.repl_backlog_size, 16 * 1024)));
}

void Replication::free_backlog() { backlog_.reset(); }

void Replication::feed_stream(std::string_view bytes) {
  if (!backlog_) return;  // no replica ever attached: offsets do not move (as Redis)
  backlog_->append(bytes);
  master_repl_offset_ += static_cast<int64_t>(bytes.size());
  int64_t now = -1;
  for (auto& [id, peer] : peers_) {
    // Waiting for a fork: its stream starts at that fork's offset.
    if (peer.state == SyncState::kNone || peer.state == SyncState::kWaitBgsaveStart) continue;
    net::Connection* conn = replica_connection(id);
    if (conn == nullptr) continue;
    if (peer.state == SyncState::kOnline && !peer.stream_on_ack) {
      conn->reply().raw(bytes);
      conn->flush_later();
      continue;
    }
    // Still receiving its snapshot: kept until the RDB is through.
    peer.pending.append(bytes);
    if (now < 0) now = util::unix_time_ms();
    if (over_output_limit(peer, *conn, now)) conn->close();
  }
}

void Replication::propagate(int db, const std::vector<std::string>& argv) {
  // A replica relays its master's bytes instead (on_stream_command); writes
  // to a writable replica stay local, as in Redis >= 4.0.
  if (is_replica() || !backlog_) return;
  std::string bytes;
  if (db != stream_db_) {
    append_command(bytes, {"SELECT", std::to_string(db)});
    stream_db_ = db;
  }
  append_command(bytes, argv);
  feed_stream(bytes);
  if (current_client_ != 0) client_woff_[current_client_] = master_repl_offset_;
}

net::Connection* Replication::replica_connection(uint64_t id) {
  net::Connection* conn = server_.net().find(id);
  return conn == nullptr || conn->closing() ? nullptr : conn;
}

std::vector<std::pair<uint64_t, Replication::Peer*>> Replication::attached_replicas() {
  std::vector<std::pair<uint64_t, Peer*>> out;
  for (auto it = peers_.begin(); it != peers_.end();) {
    if (replica_connection(it->first) == nullptr) {
      it = peers_.erase(it);
      continue;
    }
    if (it->second.attached()) out.emplace_back(it->first, &it->second);
    ++it;
  }
  return out;
}

std::vector<std::pair<uint64_t, Replication::Peer*>> Replication::online_replicas() {
  std::vector<std::pair<uint64_t, Peer*>> out = attached_replicas();
  std::erase_if(out, [](const auto& e) { return e.second->state != SyncState::kOnline; });
  return out;
}

void Replication::disconnect_replicas() {
  for (auto& [id, peer] : peers_) {
    if (!peer.attached()) continue;
    if (net::Connection* conn = replica_connection(id)) conn->close();
  }
}

// ------------------------------------------------------------------ master side

void Replication::set_listening_port(Client& c, int port) { peers_[c.id].listening_port = port; }
void Replication::set_announced_ip(Client& c, const std::string& ip) { peers_[c.id].announced_ip = ip; }

void Replication::add_capa(Client& c, const std::string& capa) {
  if (capa == "psync2") peers_[c.id].capa_psync2 = true;
  if (capa == "eof") peers_[c.id].capa_eof = true;
}

void Replication::on_ack(Client& c, int64_t offset) {
  auto it = peers_.find(c.id);
  if (it == peers_.end() || !it->second.attached()) return;
  Peer& p = it->second;
  p.ack_offset = std::max(p.ack_offset, offset);
  p.ack_time_s = util::unix_time_ms() / 1000;
  if (p.state == SyncState::kOnline && p.stream_on_ack && c.conn != nullptr) {
    start_command_stream(p, *c.conn);
    log::notice("Synchronization with replica {} succeeded", replica_name(*c.conn, p));
  }
  if (!waiters_.empty()) serve_waiters();
  if (failover_state_ == FailoverState::kWaitForSync) update_failover(util::unix_time_ms());
}

void Replication::psync(CommandContext& ctx, const std::string& replid, const std::string& offset_text,
                        bool is_sync, bool failover) {
  Client& c = ctx.client;
  if (c.is_replica) return;  // already a replica link: ignored, as Redis
  if (failover) {
    // Our master hands its role over: take it, then serve its PSYNC.
    if (replid != replid_) {
      ctx.reply.error("ERR PSYNC FAILOVER replid must match my replid.");
      return;
    }
    std::string who = "failover request from 'id=" + std::to_string(c.id);
    if (c.conn) who += " addr=" + c.conn->peer_addr();
    replicaof_no_one(who + "'");
  }
  if (failover_state_ != FailoverState::kNone) {
    ctx.reply.error("NOMASTERLINK Can't SYNC while failing over");
    return;
  }
  if (is_replica() && (!link_ || !link_->connected())) {
    ctx.reply.error("NOMASTERLINK Can't SYNC while not connected with my master");
    return;
  }
  net::Connection* conn = c.conn;
  if (conn == nullptr) return;
  Peer& peer = peers_[c.id];
  std::string who = peer_ip(conn->peer_addr()) + ":" + std::to_string(peer.listening_port);
  int64_t now_s = util::unix_time_ms() / 1000;

  if (!is_sync) {
    long long offset = 0;
    bool numeric = util::string2ll(offset_text, &offset);
    bool id_ok = replid == replid_ || (replid == replid2_ && offset <= second_replid_offset_);
    if (numeric && id_ok && backlog_ && backlog_->can_serve(offset, master_repl_offset_)) {
      std::string data = backlog_->copy_from(offset, master_repl_offset_);
      conn->reply().raw(peer.capa_psync2 ? "+CONTINUE " + replid_ + "\r\n" : std::string("+CONTINUE\r\n"));
      conn->reply().raw(data);
      c.is_replica = true;
      conn->set_class(net::ClientClass::kReplica);
      peer.state = SyncState::kOnline;
      peer.ack_time_s = now_s;
      peer.ack_offset = 0;
      ++server_.stat_sync_partial_ok;
      log::notice("Partial resynchronization request from {} accepted. Sending {} bytes of backlog starting from "
                  "offset {}.",
                  who, data.size(), offset);
      return;
    }
    if (replid != "?") {
      ++server_.stat_sync_partial_err;
      if (!id_ok) {
        log::notice("Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{}', my "
                    "replication IDs are '{}' and '{}')",
                    replid, replid_, replid2_);
      } else {
        log::notice("Unable to partial resync with replica {} for lack of backlog (Replica request was: {}).", who,
                    offset_text);
      }
    } else {
      log::notice("Full resync requested by replica {}", who);
    }
  }

  ++server_.stat_sync_full;
  if (!backlog_) {
    if (!is_replica()) {
      replid_ = random_replid();
      server_.replid = replid_;
      replid2_ = kNoReplid2;
      second_replid_offset_ = -1;
    }
    create_backlog();
  }
  full_resync(c, *conn, peer, is_sync);
}

int Replication::good_replicas(int64_t now_s) {
  int good = 0;
  for (auto& [id, p] : online_replicas()) {
    if (now_s - p->ack_time_s <= config_.min_replicas_max_lag) good++;
  }
  return good;
}

int64_t Replication::replicas_acked(int64_t target) {
  int64_t n = 0;
  for (auto& [id, p] : online_replicas()) {
    if (p->ack_offset >= target) n++;
  }
  return n;
}

std::string Replication::command_gate(Client& c, uint32_t flags) {
  current_client_ = c.id;
  bool write = (flags & command::kWrite) != 0;
  if (is_replica()) {
    if (!config_.replica_serve_stale_data && !(flags & command::kStale) && (!link_ || !link_->connected())) {
      return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    }
    if (write && config_.replica_read_only) return "READONLY You can't write against a read only replica.";
    return {};
  }
  if (write && config_.min_replicas_to_write > 0 && config_.min_replicas_max_lag > 0 &&
      good_replicas(util::unix_time_ms() / 1000) < config_.min_replicas_to_write) {
    return "NOREPLICAS Not enough good replicas to write.";
  }
  return {};
}

// ------------------------------------------------------------------ WAIT

void Replication::send_getack() {
  if (last_getack_offset_ == master_repl_offset_) return;  // already the stream's last command
  std::string bytes;
  append_command(bytes, {"REPLCONF", "GETACK", "*"});
  feed_stream(bytes);
  last_getack_offset_ = master_repl_offset_;
}

void Replication::wait(CommandContext& ctx, int64_t numreplicas, int64_t timeout_ms) {
  if (is_replica()) {
    ctx.reply.error(
        "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is "
        "configured to be writable (which is not the default) writes to replicas are just local and are not "
        "propagated.");
    return;
  }
  Client& c = ctx.client;
  auto it = client_woff_.find(c.id);
  int64_t target = it == client_woff_.end() ? 0 : it->second;
  int64_t acked = replicas_acked(target);
  if (acked >= numreplicas || c.in_exec || c.conn == nullptr) {
    ctx.reply.integer(acked);
    return;
  }
  Waiter w{c.id, target, numreplicas, nullptr};
  if (timeout_ms > 0) {
    w.timer = new uv_timer_t;
    uv_timer_init(server_.loop(), w.timer);
    w.timer->data = this;
    uv_timer_start(w.timer, on_wait_timeout, static_cast<uint64_t>(timeout_ms), 0);
    uv_unref(reinterpret_cast<uv_handle_t*>(w.timer));
  }
  waiters_.push_back(w);
  c.conn->suspend();
  send_getack();
}

void Replication::on_wait_timeout(uv_timer_t* t) {
  auto* self = static_cast<Replication*>(t->data);
  for (size_t i = 0; i < self->waiters_.size(); i++) {
    if (self->waiters_[i].timer == t) {
      self->finish_waiter(i);
      return;
    }
  }
}

void Replication::finish_waiter(size_t index) {
  Waiter w = waiters_[index];
  waiters_.erase(waiters_.begin() + static_cast<std::ptrdiff_t>(index));
  if (w.timer) {
    uv_close(reinterpret_cast<uv_handle_t*>(w.timer), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  }
  Client* c = server_.find_client(w.client_id);
  if (c == nullptr || c->conn == nullptr) return;
  c->conn->reply().integer(replicas_acked(w.target));
  c->conn->resume();
  c->conn->flush_later();
}

void Replication::serve_waiters() {
  for (size_t i = 0; i < waiters_.size();) {
    const Waiter& w = waiters_[i];
    bool gone = server_.find_client(w.client_id) == nullptr;
    if (gone || replicas_acked(w.target) >= w.numreplicas) {
      finish_waiter(i);
    } else {
      ++i;
    }
  }
}

void Replication::unblock_all_waiters() {
  while (!waiters_.empty()) finish_waiter(0);
}

// ------------------------------------------------------------------ replica side (LinkOwner)

std::pair<std::string, std::string> Replication::psync_args() {
  if (!has_cached_master_) return {"?", "-1"};
  return {replid_, std::to_string(master_repl_offset_ + 1)};
}

std::string Replication::on_full_sync(const std::string& replid, int64_t offset, std::string& rdb) {
  // Our sub-replicas must full-sync too; our old history is gone.
  disconnect_replicas();
  free_backlog();
  discard_pending_transaction();
  log::notice("MASTER <-> REPLICA sync: Flushing old data");
  server_.touch_all_watched(-1);
  std::vector<store::Database*> dbs;
  for (int i = 0; i < server_.database_count(); i++) {
    server_.db(i).clear();
    dbs.push_back(&server_.db(i));
  }
  log::notice("MASTER <-> REPLICA sync: Loading DB in memory");
  persistence::RdbLoadResult result;
  try {
    persistence::StringSource source(rdb);
    result = persistence::load_rdb_into(source, dbs, {false, util::unix_time_ms()});
  } catch (const std::exception& e) {
    for (auto* db : dbs) db->clear();
    has_cached_master_ = false;
    return e.what();
  }
  std::string().swap(rdb);
  replid_ = replid;
  server_.replid = replid_;
  master_repl_offset_ = offset;
  replid2_ = kNoReplid2;
  second_replid_offset_ = -1;
  applied_db_ = result.info.repl_stream_db ? static_cast<int>(*result.info.repl_stream_db) : 0;
  if (applied_db_ < 0 || applied_db_ >= server_.database_count()) applied_db_ = 0;
  create_backlog();
  has_cached_master_ = true;
  link_down_since_s_ = 0;
  ++server_.dirty;
  log::notice("MASTER <-> REPLICA sync: Loaded {} keys", result.info.keys);
  return {};
}

void Replication::on_continue(const std::string& new_replid) {
  if (!new_replid.empty() && new_replid != replid_) {
    // The master's history moved on (it was promoted): remember ours as
    // replid2 so our own replicas can continue through us.
    replid2_ = replid_;
    second_replid_offset_ = master_repl_offset_ + 1;
    replid_ = new_replid;
    server_.replid = replid_;
    log::notice("Master replication ID changed to {}", replid_);
    disconnect_replicas();
  }
  create_backlog();
  link_down_since_s_ = 0;
}

bool Replication::on_stream_command(std::vector<std::string>& argv, std::string_view raw) {
  auto commit = [this](std::string_view bytes) { feed_stream(bytes); };
  if (argv.empty()) {
    commit(raw);
    return true;
  }
  std::string name = lower(argv[0]);
  if (name == "replconf" && argv.size() >= 2 && lower(argv[1]) == "getack") {
    // The ACK excludes the GETACK itself, as Redis.
    if (!in_transaction_) link_->send_ack(master_repl_offset_);
    commit(raw);
    return true;
  }
  if (name == "ping" && !in_transaction_) {
    commit(raw);
    return true;
  }
  for (int i = 0; i < server_.database_count(); i++) server_.db(i).set_expiry_policy(store::ExpiryPolicy::kIgnore);
  std::string err = server_.execute_replayed(applied_db_, argv, true);
  for (int i = 0; i < server_.database_count(); i++) server_.db(i).set_expiry_policy(store::ExpiryPolicy::kHide);
  if (!err.empty()) {
    log::warning("== CRITICAL == This replica is sending an error to its master: '{}' after processing the "
                 "command '{}'",
                 err, argv[0]);
  }
  // The offset moves past a transaction only at its EXEC, so an ACK never
  // points inside one.
  if (name == "multi") {
    in_transaction_ = true;
    transaction_bytes_.assign(raw);
    return true;
  }
  if (in_transaction_) {
    transaction_bytes_.append(raw);
    if (name == "exec" || name == "discard") {
      in_transaction_ = false;
      std::string bytes;
      bytes.swap(transaction_bytes_);
      commit(bytes);
    }
    return true;
  }
  commit(raw);
  return true;
}

void Replication::discard_pending_transaction() {
  if (!in_transaction_) return;
  in_transaction_ = false;
  transaction_bytes_.clear();
  std::vector<std::string> discard = {"DISCARD"};
  server_.execute_replayed(applied_db_, discard, false);
}

void Replication::on_link_down(bool) {
  discard_pending_transaction();
  link_down_since_s_ = util::unix_time_ms() / 1000;
  // What we applied stays our cached master: reconnect with PSYNC.
  if (backlog_) has_cached_master_ = true;
}

// ------------------------------------------------------------------ introspection

void Replication::role_reply(resp::ReplyBuilder& r) {
  if (is_replica()) {
    r.array(5);
    r.bulk("slave");
    r.bulk(config_.replicaof_host);
    r.integer(config_.replicaof_port);
    r.bulk(link_ ? link_state_name(link_->state()) : "connect");
    r.integer(link_ && link_->connected() ? master_repl_offset_ : -1);
    return;
  }
  auto replicas = online_replicas();
  r.array(3);
  r.bulk("master");
  r.integer(master_repl_offset_);
  r.array(replicas.size());
  for (auto& [id, p] : replicas) {
    net::Connection* conn = replica_connection(id);
    r.array(3);
    r.bulk(p->announced_ip.empty() ? peer_ip(conn->peer_addr()) : p->announced_ip);
    r.bulk(std::to_string(p->listening_port));
    r.bulk(std::to_string(p->ack_offset));
  }
}

std::string Replication::info_body() {
  std::string out;
  int64_t now = util::unix_time_ms();
  int64_t now_s = now / 1000;
  if (is_replica()) {
    bool up = link_ && link_->connected();
    line(out, "role", "slave");
    line(out, "master_host", config_.replicaof_host);
    line(out, "master_port", config_.replicaof_port);
    line(out, "master_link_status", up ? "up" : "down");
    line(out, "master_last_io_seconds_ago", up ? link_->last_io_seconds_ago(now) : -1);
    bool syncing = link_ && link_->state() == LinkState::kTransfer;
    line(out, "master_sync_in_progress", syncing ? 1 : 0);
    line(out, "slave_read_repl_offset", master_repl_offset_);
    line(out, "slave_repl_offset", master_repl_offset_);
    if (syncing) {
      int64_t total = link_->transfer_size();
      int64_t read = link_->transfer_read();
      line(out, "master_sync_total_bytes", total);
      line(out, "master_sync_read_bytes", read);
      line(out, "master_sync_left_bytes", total < 0 ? -1 : total - read);
      char perc[32];
      snprintf(perc, sizeof perc, "%.2f", total > 0 ? 100.0 * static_cast<double>(read) / static_cast<double>(total) : 0.0);
      line(out, "master_sync_perc", perc);
      line(out, "master_sync_last_io_seconds_ago", link_->last_io_seconds_ago(now));
    }
    if (!up) line(out, "master_link_down_since_seconds", link_down_since_s_ ? now_s - link_down_since_s_ : -1);
    line(out, "slave_priority", config_.replica_priority);
    line(out, "slave_read_only", config_.replica_read_only ? 1 : 0);
    line(out, "replica_announced", config_.replica_announced ? 1 : 0);
  } else {
    line(out, "role", "master");
  }
  // Every attached replica, syncing ones too (as Redis).
  auto replicas = attached_replicas();
  line(out, "connected_slaves", static_cast<int64_t>(replicas.size()));
  if (config_.min_replicas_to_write > 0 && config_.min_replicas_max_lag > 0) {
    line(out, "min_slaves_good_slaves", good_replicas(now_s));
  }
  int n = 0;
  for (auto& [id, p] : replicas) {
    net::Connection* conn = replica_connection(id);
    std::string ip = p->announced_ip.empty() ? peer_ip(conn->peer_addr()) : p->announced_ip;
    line(out, "slave" + std::to_string(n++),
         "ip=" + ip + ",port=" + std::to_string(p->listening_port) + ",state=" + sync_state_name(p->state) +
             ",offset=" +
             std::to_string(p->ack_offset) + ",lag=" + std::to_string(now_s - p->ack_time_s));
  }
  line(out, "master_failover_state", failover_state_name(failover_state_));
  line(out, "master_replid", replid_);
  line(out, "master_replid2", replid2_);
  line(out, "master_repl_offset", master_repl_offset_);
  line(out, "second_repl_offset", second_replid_offset_);
  line(out, "repl_backlog_active", backlog_ ? 1 : 0);
  line(out, "repl_backlog_size", config_.repl_backlog_size);
  line(out, "repl_backlog_first_byte_offset", backlog_ ? backlog_->first_byte_offset(master_repl_offset_) : 0);
  line(out, "repl_backlog_histlen", backlog_ ? static_cast<int64_t>(backlog_->histlen()) : 0);
  return out;
}

// ------------------------------------------------------------------ cron

void Replication::on_cron(uv_timer_t* t) { static_cast<Replication*>(t->data)->cron(); }

void Replication::cron() {
  int64_t now = util::unix_time_ms();
  int64_t now_s = now / 1000;
  if (link_) link_->cron(now, master_repl_offset_);
  full_sync_cron(now);
  update_failover(now);

  // CONFIG SET repl-backlog-size takes effect here.
  if (backlog_ && backlog_->capacity() != static_cast<size_t>(std::max<int64_t>(config_.repl_backlog_size, 16 * 1024))) {
    backlog_->resize(static_cast<size_t>(std::max<int64_t>(config_.repl_backlog_size, 16 * 1024)));
  }

  auto replicas = online_replicas();
  if (!is_replica()) {
    // Replicas that stopped acknowledging are dropped (repl-timeout).
    for (auto& [id, p] : replicas) {
      if (!p->old_sync && now_s - p->ack_time_s > config_.repl_timeout) {
        log::warning("Disconnecting timedout replica (streaming sync)");
        if (net::Connection* conn = replica_connection(id)) conn->close();
      }
    }
    // Keep the replicas' link alive with a PING in the stream.
    bool any_attached = !attached_replicas().empty();
    if (any_attached && now_s - last_ping_s_ >= config_.repl_ping_replica_period) {
      last_ping_s_ = now_s;
      std::string bytes;
      append_command(bytes, {"ping"});
      feed_stream(bytes);
    }
    // Without replicas for repl-backlog-ttl seconds, the backlog is freed
    // (and the next replica gets a new history).
    if (!any_attached) {
      if (no_replicas_since_s_ == 0) no_replicas_since_s_ = now_s;
      if (backlog_ && config_.repl_backlog_ttl > 0 && now_s - no_replicas_since_s_ > config_.repl_backlog_ttl) {
        log::notice("Replication backlog freed after {} seconds without connected replicas.", config_.repl_backlog_ttl);
        free_backlog();
        replid_ = random_replid();
        server_.replid = replid_;
        replid2_ = kNoReplid2;
        second_replid_offset_ = -1;
      }
    } else {
      no_replicas_since_s_ = 0;
    }
  }
  if (!waiters_.empty()) serve_waiters();
  // Forget WAIT targets of clients that are gone.
  if (client_woff_.size() > 1024) {
    for (auto it = client_woff_.begin(); it != client_woff_.end();) {
      it = server_.find_client(it->first) ? std::next(it) : client_woff_.erase(it);
    }
  }
}

}  // namespace vigil::node::replication
