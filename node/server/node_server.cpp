#include "node/server/node_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "common/util/clock.h"
#include "node/server/command_context.h"
#include "node/persistence/persistence.h"
#include "node/store/database.h"

namespace vigil::node {

namespace {

constexpr std::string_view kPubSubOnlyError =
    "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";

constexpr std::string_view kProtectedModeError =
    "DENIED Redis is running in protected mode because protected mode is enabled and no password "
    "is set for the default user. In this mode connections are only accepted from the loopback "
    "interface. If you want to connect from external computers to Redis you may adopt one of the "
    "following solutions: 1) Just disable protected mode sending the command 'CONFIG SET "
    "protected-mode no' from the loopback interface by connecting to Redis from the same host the "
    "server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "
    "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable "
    "the protected mode by editing the Redis configuration file, and setting the protected mode "
    "option to 'no', and then restarting the server. 3) If you started the server manually just "
    "for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication "
    "password for the default user. NOTE: You only need to do one of the above things in order "
    "for the server to start accepting connections from the outside.";

std::string random_hex(size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  std::string s(n, '0');
  for (char& ch : s) ch = kHex[gen() & 15];
  return s;
}

// Commands a RESP2 client may run while subscribed.
bool allowed_in_pubsub_context(std::string_view name) {
  for (std::string_view ok : {"ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe",
                              "psubscribe", "punsubscribe", "quit", "reset"}) {
    if (name == ok) return true;
  }
  return false;
}

// Commands that run instead of being queued inside MULTI.
bool runs_inside_multi(std::string_view name) {
  for (std::string_view n : {"exec", "discard", "multi", "watch", "quit", "reset"}) {
    if (name == n) return true;
  }
  return false;
}

bool is_loopback(const std::string& addr) {
  return addr.rfind("127.", 0) == 0 || addr.rfind("[::1]", 0) == 0 ||
         addr.rfind("[::ffff:127.", 0) == 0;
}

template <class T>
void close_and_delete(T* h) {
  uv_close(reinterpret_cast<uv_handle_t*>(h), [](uv_handle_t* x) { delete reinterpret_cast<T*>(x); });
}

void erase_from(std::unordered_map<std::string, std::vector<Client*>>& m, const std::string& key,
                Client* c) {
  auto it = m.find(key);
  if (it == m.end()) return;
  auto& v = it->second;
  v.erase(std::remove(v.begin(), v.end(), c), v.end());
  if (v.empty()) m.erase(it);
}

}  // namespace

Client::Client(net::Connection& c) : conn(&c), id(c.id()) {}

int64_t NodeServer::unix_ms() { return util::unix_time_ms(); }

int64_t NodeServer::unix_us() { return util::unix_time_us(); }

NodeServer::NodeServer(uv_loop_t* loop, NodeConfig& config, config::ConfigRegistry& registry)
    : loop_(loop), config_(config), registry_(registry), commands_(build_command_table()) {
  net_ = std::make_unique<net::TcpServer>(loop_, *this);
  apply_net_limits();
  // CONFIG SET of a network limit takes effect for every connection at once.
  for (const char* name : {"maxclients", "timeout", "tcp-keepalive", "proto-max-bulk-len",
                           "client-query-buffer-limit", "client-output-buffer-limit"}) {
    if (config::Param* p = registry_.find(name)) {
      p->apply = [this](std::string*) {
        apply_net_limits();
        return true;
      };
    }
  }
  for (const char* name : {"port", "bind"}) {
    if (config::Param* p = registry_.find(name)) {
      p->apply = [this](std::string* err) {
        if (!net_->is_listening()) return true;  // not started yet (config loading)
        *err = net_->rebind(config_.bind, config_.port, config_.tcp_backlog);
        if (!err->empty()) *err = "Unable to listen on this port";
        return err->empty();
      };
    }
  }
  if (config::Param* p = registry_.find("hz")) {
    p->apply = [this](std::string*) {
      restart_cron();
      return true;
    };
  }
  int n = std::max(1, config_.databases);
  for (int i = 0; i < n; i++) {
    auto db = std::make_unique<store::Database>(i);
    db->on_expired = [this, i](const std::string& key) {
      ++expired_keys;
      propagate_now(i, {"DEL", key});
    };
    dbs_.push_back(std::move(db));
  }
  watched_keys_.resize(static_cast<size_t>(n));
  blocking_keys_.resize(static_cast<size_t>(n));
  run_id = random_hex(40);
  replid = random_hex(40);
  start_time_ms = unix_ms();
  lastsave_s = start_time_ms / 1000;
  cron_ = new uv_timer_t;
  uv_timer_init(loop_, cron_);
  cron_->data = this;
  restart_cron();
}

void NodeServer::restart_cron() {
  if (cron_ == nullptr) return;
  uint64_t period = static_cast<uint64_t>(1000 / std::clamp(config_.hz, 1, 500));
  uv_timer_start(cron_, on_cron, period, period);
}

NodeServer::~NodeServer() {
  stop();
  net_.reset();  // runs the loop until its handles are closed (no Service callbacks)
  for (auto& c : clients_) {
    if (c.second->block) remove_block(*c.second);
  }
  clients_.clear();
  // Let the close callbacks of our own timers run so nothing leaks.
  uv_run(loop_, UV_RUN_NOWAIT);
}

std::string NodeServer::start() {
  return net_->listen(config_.bind, config_.port, config_.tcp_backlog);
}

void NodeServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (cron_) close_and_delete(cron_);
  cron_ = nullptr;
  if (pause_.timer) close_and_delete(pause_.timer);
  pause_.timer = nullptr;
  net_->shutdown();
}

void NodeServer::apply_net_limits() {
  net::ServerLimits& l = net_->limits();
  l.max_clients = config_.maxclients;
  l.idle_timeout_s = config_.timeout;
  l.tcp_keepalive_s = config_.tcp_keepalive;
  l.max_query_buffer = config_.client_query_buffer_limit;
  for (int i = 0; i < 3; i++) l.output[i] = config_.client_output_buffer_limit[i];
  resp::ParserLimits p = l.parser;
  p.max_bulk_len = config_.proto_max_bulk_len;
  net_->set_parser_limits(p);
}

// ------------------------------------------------------------------ clients

bool NodeServer::on_connect(net::Connection& conn) {
  auto client = std::make_unique<Client>(conn);
  client->authenticated = config_.requirepass.empty();
  conn.user_data = client.get();
  clients_.emplace(conn.id(), std::move(client));
  if (config_.protected_mode && config_.requirepass.empty() && !is_loopback(conn.peer_addr())) {
    conn.reply().error(kProtectedModeError);
    conn.close_after_reply();
  }
  return true;
}

void NodeServer::on_close(net::Connection& conn) {
  auto it = clients_.find(conn.id());
  if (it == clients_.end()) return;
  Client& c = *it->second;
  if (c.block) remove_block(c);
  if (c.paused) {
    auto& p = pause_.postponed;
    p.erase(std::remove(p.begin(), p.end(), c.id), p.end());
  }
  pubsub_.remove_client(c);
  monitors_.remove(c);
  unwatch_all(c);
  clients_.erase(it);
}

Client* NodeServer::find_client(uint64_t id) {
  auto it = clients_.find(id);
  if (it == clients_.end() || it->second->conn->closing()) return nullptr;
  return it->second.get();
}

std::vector<Client*> NodeServer::clients() {
  std::vector<Client*> out;
  for (net::Connection* conn : net_->connections()) {
    if (conn->user_data) out.push_back(static_cast<Client*>(conn->user_data));
  }
  return out;
}

// ------------------------------------------------------------------ dispatch

void NodeServer::on_command(net::Connection& conn, std::vector<std::string>& argv) {
  Client& c = *static_cast<Client*>(conn.user_data);
  std::string& out = conn.reply().buffer();
  size_t mark = out.size();
  bool skip_this = c.reply_mode == ReplyMode::kSkipNext;
  if (skip_this) c.reply_mode = ReplyMode::kOn;
  process_command(c, argv);
  // CLIENT REPLY OFF|SKIP: the command ran, its reply is dropped.
  if ((skip_this || c.reply_mode == ReplyMode::kOff) && out.size() > mark) out.resize(mark);
  if (!ready_keys_.empty()) handle_ready_keys();
}

resp::ReplyBuilder& NodeServer::reply_of(Client& c) {
  if (c.reply_sink) return *c.reply_sink;
  return c.conn ? c.conn->reply() : replay_reply_;
}

void NodeServer::reject(Client& c, std::string_view error, bool is_exec) {
  ++total_error_replies;
  if (is_exec) {
    // Redis's execCommandAbort: a rejected EXEC discards the transaction and
    // names the reason ("wrong number of arguments...", "NOAUTH ...").
    discard_transaction(c);
    std::string_view reason = error.rfind("ERR ", 0) == 0 ? error.substr(4) : error;
    reply_of(c).error("EXECABORT Transaction discarded because of: " + std::string(reason));
    return;
  }
  reply_of(c).error(error);
  if (c.in_multi) c.multi_error = true;  // EXEC will answer EXECABORT
}

const NodeCommand* NodeServer::resolve(Client& c, std::vector<std::string>& argv,
                                       std::string* full_name) {
  const NodeCommand* cmd = commands_.find(argv[0]);
  if (cmd == nullptr) {
    reject(c, command::unknown_command_error(argv[0], argv));
    return nullptr;
  }
  if (!cmd->subcommands.empty() && argv.size() >= 2) {
    const NodeCommand* sub = commands_.find_subcommand(*cmd, argv[1]);
    if (sub == nullptr) {
      reject(c, command::unknown_subcommand_error(argv[1], cmd->name));
      return nullptr;
    }
    *full_name = sub->name.find('|') != std::string::npos
                     ? sub->name
                     : cmd->name + "|" + command::detail::to_lower(argv[1]);
    if (!sub->arity_ok(argv.size())) {
      reject(c, command::wrong_arity_sub_error(cmd->name, argv[1]));
      return nullptr;
    }
    return sub;
  }
  *full_name = cmd->name;
  if (!cmd->arity_ok(argv.size())) {
    reject(c, command::wrong_arity_error(cmd->name), cmd->name == "exec");
    return nullptr;
  }
  return cmd;
}

void NodeServer::process_command(Client& c, std::vector<std::string>& argv) {
  std::string full_name;
  const NodeCommand* cmd = resolve(c, argv, &full_name);
  if (cmd == nullptr) return;
  // Top-level name decides MULTI/pub-sub exceptions ("client|setname" is not "ping").
  std::string_view top = full_name;
  if (auto bar = top.find('|'); bar != std::string_view::npos) top = top.substr(0, bar);

  bool is_exec = top == "exec";

  if (!c.authenticated && !config_.requirepass.empty() && !(cmd->flags & command::kNoAuth)) {
    reject(c, "NOAUTH Authentication required.", is_exec);
    return;
  }
  if (c.in_multi && (cmd->flags & command::kNoMulti)) {
    reject(c, "ERR Command not allowed inside a transaction", is_exec);
    return;
  }
  if (command_gate && !c.is_master) {
    uint32_t flags = cmd->flags | (is_exec ? c.multi_flags : 0);
    std::string refusal = command_gate(c, flags);
    if (!refusal.empty()) {
      reject(c, refusal, is_exec);
      return;
    }
  }
  if (persistence != nullptr && !c.is_master &&
      ((cmd->flags & command::kWrite) || (is_exec && (c.multi_flags & command::kWrite)))) {
    // stop-writes-on-bgsave-error / AOF write failures: -MISCONF.
    std::string refusal = persistence->write_refusal_error();
    if (!refusal.empty()) {
      reject(c, refusal, is_exec);
      return;
    }
  }
  if (c.resp == 2 && c.subscription_count() > 0 && !allowed_in_pubsub_context(full_name)) {
    std::string err = "ERR Can't execute '";
    err += full_name;
    err += kPubSubOnlyError;
    reject(c, err, is_exec);
    return;
  }
  // A MONITOR client is a replica to Redis: it may not touch the keyspace.
  if (c.monitor && (cmd->flags & (command::kWrite | command::kReadonly | command::kMayReplicate))) {
    reject(c, "ERR Replica can't interact with the keyspace", is_exec);
    return;
  }
  if (script_busy && !(cmd->flags & command::kAllowBusy)) {
    reject(c, "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", is_exec);
    return;
  }
  if (pause_.active && !c.is_replica && !c.is_master) {
    constexpr uint32_t kWriteLike = command::kWrite | command::kMayReplicate;
    bool write_like = (cmd->flags & kWriteLike) || (top == "exec" && (c.multi_flags & kWriteLike));
    if (!pause_.write_only || write_like) {
      c.paused = true;
      pause_.postponed.push_back(c.id);
      c.conn->postpone(std::move(argv));
      return;
    }
  }
  if (c.in_multi && !runs_inside_multi(top)) {
    c.multi_flags |= cmd->flags;
    c.queued.push_back(std::move(argv));
    reply_of(c).simple("QUEUED");
    return;
  }
  // One clock read serves the command's time snapshot and its duration.
  int64_t start_us = unix_us();
  call(c, *cmd, full_name, argv, start_us / 1000, start_us);
}

void NodeServer::call(Client& c, const NodeCommand& cmd, const std::string& full_name,
                      std::vector<std::string>& argv, int64_t now_ms, int64_t start_us) {
  c.last_command = full_name;
  if (c.conn) c.conn->set_last_command(full_name);
  resp::ReplyBuilder& reply = reply_of(c);
  std::string& out = reply.buffer();
  size_t mark = out.size();
  int db_at_start = c.db;
  CommandContext ctx{*this, c, argv, reply, now_ms, false, {}};
  if (start_us == 0 && c.conn) start_us = unix_us();
  ++call_depth_;
  cmd.handler(ctx);
  --call_depth_;
  ++total_commands;
  record_call(c, cmd, full_name, argv, start_us);
  bool failed = out.size() > mark && out[mark] == '-';
  if (failed) ++total_error_replies;
  if (ctx.custom_propagation) {
    for (auto& p : ctx.propagated) pending_propagation_.emplace_back(db_at_start, std::move(p));
  } else if ((cmd.flags & command::kWrite) && !failed && out.size() > mark) {
    if (call_depth_ == 0 && pending_propagation_.empty()) {
      // The common case (one plain write): hand argv over without copying it.
      ++dirty;
      emit(db_at_start, argv);
      return;
    }
    pending_propagation_.emplace_back(db_at_start, argv);
  }
  if (call_depth_ == 0) flush_propagation();
}

void NodeServer::call_from_script(Client& c, const NodeCommand& cmd, const std::string& full_name,
                                  std::vector<std::string>& argv, int64_t now_ms, bool propagate) {
  size_t mark = pending_propagation_.size();
  ++call_depth_;  // joins the script's propagation, even when resumed outside its EVAL
  call(c, cmd, full_name, argv, now_ms);
  --call_depth_;
  if (!propagate) pending_propagation_.resize(mark);
}

void NodeServer::finish_script_command() {
  flush_propagation();
  if (!ready_keys_.empty()) handle_ready_keys();
}

void NodeServer::record_call(const Client& c, const NodeCommand& cmd, const std::string& full_name,
                             const std::vector<std::string>& argv, int64_t start_us) {
  // Replayed commands (AOF loading, the master's stream) are nobody's calls.
  if (c.conn == nullptr) return;
  int64_t end_us = unix_us();
  int64_t duration_us = std::max<int64_t>(0, end_us - start_us);
  // As Redis's call(): admin commands are too sensitive to show in MONITOR.
  if (!monitors_.empty() && !(cmd.flags & (command::kSkipMonitor | command::kAdmin))) {
    monitors_.feed(c, c.db, argv, end_us);
  }
  if (c.block) {  // the call blocked the client: its stats wait for the unblock
    c.block->command = &cmd;
    c.block->full_name = full_name;
    c.block->duration_us = duration_us;
    return;
  }
  record_stats(c, cmd, full_name, argv, duration_us, end_us / 1000000);
}

void NodeServer::record_stats(const Client& c, const NodeCommand& cmd, const std::string& full_name,
                              const std::vector<std::string>& argv, int64_t duration_us, int64_t unix_s) {
  if (!(cmd.flags & command::kSkipSlowlog) && config_.slowlog_log_slower_than >= 0) {
    slowlog_.push_if_slow(argv, duration_us, config_.slowlog_log_slower_than, config_.slowlog_max_len, unix_s,
                          c.conn->peer_addr(), c.name);
  }
  int64_t threshold_ms = config_.latency_monitor_threshold;
  if (threshold_ms > 0 && duration_us / 1000 >= threshold_ms) {
    latency_.add_if_needed((cmd.flags & command::kFast) ? "fast-command" : "command", duration_us / 1000,
                           threshold_ms, unix_s);
  }
  if (config_.latency_tracking) latency_.record_command(&cmd, full_name, duration_us);
}

// ------------------------------------------------------------------ propagation

void NodeServer::flush_propagation() {
  if (pending_propagation_.empty() || script_busy) return;  // a busy script's effects leave as one unit
  auto pending = std::move(pending_propagation_);
  pending_propagation_.clear();
  dirty += pending.size();
  // As Redis 7.0's propagatePendingCommands: several effects of one top-level
  // command (EXEC) reach replicas atomically.
  bool wrap = pending.size() > 1;
  if (wrap) emit(pending.front().first, {"MULTI"});
  for (auto& [db, argv] : pending) emit(db, argv);
  if (wrap) emit(pending.back().first, {"EXEC"});
}

void NodeServer::propagate_now(int db, const std::vector<std::string>& argv) {
  ++dirty;
  emit(db, argv);
}

void NodeServer::emit(int db, const std::vector<std::string>& argv) {
  if (suppress_propagation_) return;
  for (Propagator* p : propagators_) p->propagate(db, argv);
}

void NodeServer::remove_propagator(Propagator* p) {
  propagators_.erase(std::remove(propagators_.begin(), propagators_.end(), p), propagators_.end());
}

std::string NodeServer::execute_replayed(int& db, std::vector<std::string>& argv, bool propagate) {
  if (argv.empty()) return "ERR empty command";
  if (!replay_client_) {
    replay_client_ = std::make_unique<Client>();
    replay_client_->authenticated = true;
    replay_client_->is_master = true;
  }
  Client& c = *replay_client_;
  if (db < 0 || db >= database_count()) return "ERR DB index is out of range";
  c.db = db;
  replay_out_.clear();
  std::string full_name;
  const NodeCommand* cmd = resolve(c, argv, &full_name);
  if (cmd != nullptr) {
    std::string_view top = full_name;
    if (auto bar = top.find('|'); bar != std::string_view::npos) top = top.substr(0, bar);
    // Only what a master or an AOF can contain: commands that touch clients or
    // connections (CLIENT, SUBSCRIBE, QUIT...) have no meaning here.
    bool replayable = (cmd->flags & (command::kWrite | command::kMayReplicate)) || top == "select" ||
                      top == "multi" || top == "exec" || top == "discard" || top == "ping";
    if (!replayable) {
      reject(c, "ERR command '" + full_name + "' cannot be replayed");
    } else if (c.in_multi && !runs_inside_multi(top)) {
      c.multi_flags |= cmd->flags;
      c.queued.push_back(std::move(argv));
    } else {
      suppress_propagation_ = !propagate;
      call(c, *cmd, full_name, argv, unix_ms());
      suppress_propagation_ = false;
    }
  }
  db = c.db;
  if (!ready_keys_.empty()) handle_ready_keys();
  if (!replay_out_.empty() && replay_out_[0] == '-') {
    size_t end = replay_out_.find("\r\n");
    return replay_out_.substr(1, end == std::string::npos ? std::string::npos : end - 1);
  }
  return {};
}

// ------------------------------------------------------------------ transactions

void NodeServer::watch(Client& c, const std::string& key) {
  for (const auto& [db, k] : c.watched) {
    if (db == c.db && k == key) return;
  }
  c.watched.emplace_back(c.db, key);
  watched_keys_[static_cast<size_t>(c.db)][key].push_back(&c);
}

void NodeServer::unwatch_all(Client& c) {
  for (const auto& [db, key] : c.watched) erase_from(watched_keys_[static_cast<size_t>(db)], key, &c);
  c.watched.clear();
  c.watch_dirty = false;
}

void NodeServer::touch_key(int db, const std::string& key) {
  auto& m = watched_keys_[static_cast<size_t>(db)];
  if (m.empty()) return;
  auto it = m.find(key);
  if (it == m.end()) return;
  for (Client* c : it->second) c->watch_dirty = true;
}

void NodeServer::touch_all_watched(int db) {
  for (int i = 0; i < database_count(); i++) {
    if (db != -1 && db != i) continue;
    for (auto& [key, clients] : watched_keys_[static_cast<size_t>(i)]) {
      if (dbs_[static_cast<size_t>(i)]->find_raw(key) == nullptr) continue;
      for (Client* c : clients) c->watch_dirty = true;
    }
  }
}

void NodeServer::discard_transaction(Client& c) {
  c.in_multi = false;
  c.multi_error = false;
  c.multi_flags = 0;
  c.queued.clear();
  unwatch_all(c);
}

void NodeServer::exec_transaction(CommandContext& ctx) {
  Client& c = ctx.client;
  ctx.no_propagate();  // the queued commands propagate themselves
  if (!c.in_multi) {
    ctx.reply.error("ERR EXEC without MULTI");
    return;
  }
  if (c.multi_error || c.watch_dirty) {
    bool aborted = c.multi_error;
    discard_transaction(c);
    if (aborted) {
      ctx.reply.error("EXECABORT Transaction discarded because of previous errors.");
    } else {
      ctx.reply.null_array();
    }
    return;
  }
  std::vector<std::vector<std::string>> queued = std::move(c.queued);
  discard_transaction(c);
  ctx.reply.array(queued.size());
  c.in_exec = true;
  for (auto& argv : queued) {
    // Resolved again: the table is static, so this cannot fail after queueing.
    std::string full_name;
    const NodeCommand* cmd = resolve(c, argv, &full_name);
    if (cmd) call(c, *cmd, full_name, argv, ctx.now_ms);
  }
  c.in_exec = false;
}

// ------------------------------------------------------------------ blocking

void NodeServer::block_client(CommandContext& ctx, std::vector<std::string> keys, int64_t timeout_ms,
                              std::function<bool(CommandContext&)> retry) {
  Client& c = ctx.client;
  ctx.no_propagate();
  if (c.in_exec || c.conn == nullptr) {  // never block in a transaction or a replay: answer as on timeout
    ctx.reply.null_array();
    return;
  }
  auto bs = std::make_unique<BlockState>();
  bs->server = this;
  bs->db = c.db;
  bs->argv = ctx.argv;
  bs->retry = std::move(retry);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  auto& index = blocking_keys_[static_cast<size_t>(c.db)];
  for (const auto& k : keys) index[k].push_back(&c);
  bs->keys = std::move(keys);
  if (timeout_ms > 0) {
    bs->timer = new uv_timer_t;
    uv_timer_init(loop_, bs->timer);
    bs->timer->data = &c;
    uv_timer_start(bs->timer, on_block_timeout, static_cast<uint64_t>(timeout_ms), 0);
  }
  c.block = std::move(bs);
  ++blocked_count_;
  c.conn->suspend();
}

void NodeServer::signal_key_ready(int db, const std::string& key) {
  auto& index = blocking_keys_[static_cast<size_t>(db)];
  if (index.empty() || index.find(key) == index.end()) return;
  ready_keys_.emplace_back(db, key);
}

void NodeServer::handle_ready_keys() {
  // Serving one client may make other keys ready (BLMOVE pushes): loop until stable.
  while (!ready_keys_.empty()) {
    auto ready = std::move(ready_keys_);
    ready_keys_.clear();
    for (auto& [db, key] : ready) {
      auto& index = blocking_keys_[static_cast<size_t>(db)];
      auto it = index.find(key);
      if (it == index.end()) continue;
      std::vector<Client*> waiting = it->second;  // FIFO; serving edits the index
      for (Client* c : waiting) {
        if (!c->block) continue;
        BlockState& bs = *c->block;
        resp::ReplyBuilder& reply = c->conn->reply();
        CommandContext ctx{*this, *c, bs.argv, reply, unix_ms(), false, {}};
        ++call_depth_;
        bool served = bs.retry(ctx);
        --call_depth_;
        if (!served) continue;
        for (auto& p : ctx.propagated) pending_propagation_.emplace_back(bs.db, std::move(p));
        flush_propagation();
        finish_block(*c);
      }
    }
  }
}

void NodeServer::remove_block(Client& c) {
  BlockState& bs = *c.block;
  for (const auto& k : bs.keys) erase_from(blocking_keys_[static_cast<size_t>(bs.db)], k, &c);
  if (bs.timer) close_and_delete(bs.timer);
  c.block.reset();
  --blocked_count_;
}

void NodeServer::finish_block(Client& c) {
  if (const BlockState& bs = *c.block; bs.command) {
    record_stats(c, *static_cast<const NodeCommand*>(bs.command), bs.full_name, bs.argv, bs.duration_us,
                 unix_ms() / 1000);
  }
  remove_block(c);
  c.conn->resume();
  c.conn->flush_later();
}

void NodeServer::on_block_timeout(uv_timer_t* t) {
  auto* c = static_cast<Client*>(t->data);
  NodeServer* self = c->block->server;
  c->conn->reply().null_array();
  self->finish_block(*c);  // closes this timer
}

bool NodeServer::unblock_client(Client& c, bool with_error) {
  if (!c.block) return false;
  if (with_error) {
    c.conn->reply().error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  } else {
    c.conn->reply().null_array();
  }
  finish_block(c);
  return true;
}

// ------------------------------------------------------------------ CLIENT PAUSE

void NodeServer::pause_clients(bool write_only, int64_t end_ms) {
  if (!pause_.active) {
    pause_.active = true;
    pause_.write_only = write_only;
    pause_.end_ms = end_ms;
  } else {
    pause_.write_only = pause_.write_only && write_only;  // ALL wins over WRITE
    pause_.end_ms = std::max(pause_.end_ms, end_ms);
  }
  if (pause_.timer == nullptr) {
    pause_.timer = new uv_timer_t;
    uv_timer_init(loop_, pause_.timer);
    pause_.timer->data = this;
  }
  int64_t delay = std::max<int64_t>(0, pause_.end_ms - unix_ms());
  uv_timer_start(pause_.timer, on_pause_timeout, static_cast<uint64_t>(delay), 0);
}

void NodeServer::on_pause_timeout(uv_timer_t* t) { static_cast<NodeServer*>(t->data)->unpause_clients(); }

void NodeServer::unpause_clients() {
  pause_.active = false;
  if (pause_.timer) uv_timer_stop(pause_.timer);
  auto ids = std::move(pause_.postponed);
  pause_.postponed.clear();
  for (uint64_t id : ids) {
    Client* c = find_client(id);
    if (c == nullptr) continue;
    c->paused = false;
    c->conn->resume();
  }
}

// ------------------------------------------------------------------ cron

void NodeServer::on_cron(uv_timer_t* t) { static_cast<NodeServer*>(t->data)->cron(); }

void NodeServer::cron() {
  // Active expiry, as Redis's activeExpireCycle: at most 25% of each tick's time.
  // Replicas never expire keys themselves: they wait for the master's DEL.
  // Nor while a busy script holds the dataset between two of its slices.
  if (!active_expire_enabled || pause_.active || role_is_replica() || script_busy) return;
  int64_t budget_us = 1000000LL / std::clamp(config_.hz, 1, 500) * 25 / 100;
  auto start = std::chrono::steady_clock::now();
  int64_t now = unix_ms();
  for (auto& db : dbs_) {
    int64_t spent = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    if (spent >= budget_us) break;
    if (db->expires_count() == 0) continue;
    db->active_expire_cycle(now, budget_us - spent);
  }
}

void NodeServer::reset_stats() {
  expired_keys = keyspace_hits = keyspace_misses = 0;
  latency_.reset_histograms();  // as Redis's resetCommandTableStats
  total_commands = total_error_replies = 0;
  net_->total_connections_received = 0;
  net_->rejected_connections = 0;
  net_->total_net_input_bytes = 0;
  net_->total_net_output_bytes = 0;
  net_->total_commands_processed = 0;
}

}  // namespace vigil::node
