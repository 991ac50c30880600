#include "sim_sentinel.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <variant>

namespace vigil::sim {

namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

const char* level_tag(sentinel::LogLevel l) {
  switch (l) {
    case sentinel::LogLevel::Warning: return "#";
    case sentinel::LogLevel::Notice: return "*";
    case sentinel::LogLevel::Verbose: return "-";
    case sentinel::LogLevel::Debug: return ".";
  }
  return "?";
}

}  // namespace

SimSentinel::SimSentinel(Fabric& fabric, Invariants& invariants, ProcessId id, SentinelSpec spec, LocalClock clock,
                         Prng prng)
    : Process(id, "s" + std::to_string(id)),
      fabric_(fabric),
      invariants_(invariants),
      spec_(std::move(spec)),
      clock_(clock),
      prng_(prng) {
  set_alive(false);
}

SimSentinel::~SimSentinel() = default;

std::int64_t SimSentinel::local_now() const { return std::max(last_now_, clock_.now_ms(fabric_.now())); }

void SimSentinel::boot() { start(std::nullopt); }

void SimSentinel::restart() {
  if (alive()) return;
  ++restarts_;
  start(persisted_);
}

void SimSentinel::start(std::optional<sentinel::PersistedState> state) {
  ++boot_gen_;
  set_alive(true);
  conns_.clear();
  selections_.clear();
  crash_at_effect_ = -1;
  sentinel::Environment env;
  env.random = [this]() { return prng_.next(); };
  env.is_executable = [](const std::string&) { return true; };
  sentinel::Config config = spec_.config;
  config.rng_seed = prng_.next();
  const bool restarted = state.has_value();
  last_now_ = local_now();
  core_ = std::make_unique<sentinel::Sentinel>(std::move(config), std::move(state), env, last_now_);
  myid_ = core_->myid();
  fabric_.trace().add(name(), std::string(restarted ? "restart" : "boot") + " myid " + myid_.substr(0, 8));
  if (restarted)
    for (const auto& m : core_->masters()) invariants_.sentinel_restarted(myid_, m.config_epoch);
  if (!run_effects()) return;
  schedule_tick();
}

void SimSentinel::crash() {
  if (!alive()) return;
  for (ConnId c : fabric_.network().connections_of(id())) fabric_.network().close(c, id());
  set_alive(false);
  ++boot_gen_;
  conns_.clear();
  core_.reset();
  fabric_.trace().add(name(), "crash");
}

void SimSentinel::schedule_tick(std::int64_t delay_ms) {
  const std::uint64_t gen = boot_gen_;
  const std::uint64_t token = ++tick_token_;
  // Redis re-randomises its timer to 10..19 Hz so peers do not tick in lock-step.
  if (delay_ms < 0) delay_ms = prng_.between(52, 100);
  next_tick_local_ = local_now() + delay_ms;
  fabric_.scheduler().after(ms(delay_ms), [this, gen, token]() {
    if (gen != boot_gen_ || token != tick_token_) return;
    deliver([this, gen, token]() {
      if (gen != boot_gen_ || token != tick_token_) return;
      last_now_ = local_now();
      ++ticks_;
      schedule_tick();  // first: the tick's own wake-up request may bring it forward
      core_->tick(last_now_);
      run_effects();
    });
  });
}

void SimSentinel::follow_wakeup() {
  if (!alive() || !core_) return;
  const std::int64_t wake = core_->next_wakeup();
  if (wake == sentinel::kNoDeadline || wake >= next_tick_local_) return;
  schedule_tick(std::max<std::int64_t>(0, wake - local_now()));
}

sentinel::CommandResult SimSentinel::operator_failover(const std::string& master) {
  if (!alive() || paused()) return sentinel::CommandResult::failure("ERR sentinel not available");
  last_now_ = local_now();
  auto result = core_->failover(last_now_, master);
  fabric_.trace().add(name(), "SENTINEL FAILOVER " + master + " -> " + (result.ok ? "+" : "-") + result.message);
  run_effects();
  return result;
}

bool SimSentinel::run_effects() {
  const std::uint64_t gen = boot_gen_;
  for (;;) {
    std::vector<sentinel::Effect> effects = core_->take_effects();
    if (effects.empty()) break;
    const bool has_persist = std::any_of(effects.begin(), effects.end(), [](const sentinel::Effect& e) {
      return std::holds_alternative<sentinel::PersistEffect>(e);
    });
    const int crash_index =
        (crash_at_effect_ >= 0 && has_persist) ? std::min<int>(crash_at_effect_, static_cast<int>(effects.size()) - 1) : -1;
    for (std::size_t i = 0; i < effects.size(); ++i) {
      if (static_cast<int>(i) == crash_index) {
        fabric_.trace().add(name(), "crash in mid-batch before effect " + std::to_string(i));
        crash();
        return false;
      }
      std::visit(
          [this](const auto& e) {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, sentinel::PersistEffect>) {
              persisted_ = e.state;  // durable from here on
              observe_persist(e.state);
            } else if constexpr (std::is_same_v<T, sentinel::CrashEffect>) {
              fabric_.trace().add(name(), "exit " + std::to_string(e.exit_code) + " (" + e.reason + ")");
              crash();
            } else if constexpr (std::is_same_v<T, sentinel::RunScriptEffect>) {
              if (!fabric_.trace().enabled()) return;
              std::string line = "script";
              for (const auto& a : e.argv) line += " " + a;
              fabric_.trace().add(name(), line);
            } else if constexpr (std::is_same_v<T, sentinel::LogEffect>) {
              if (e.level != sentinel::LogLevel::Debug && fabric_.trace().enabled()) fabric_.trace().add(name(), std::string(level_tag(e.level)) + " " + e.text);
            } else {
              execute(e);
            }
          },
          effects[i]);
      if (gen != boot_gen_) return false;
    }
    check_selections();
  }
  follow_wakeup();
  return true;
}

void SimSentinel::execute(const sentinel::ConnectEffect& e) {
  const CoreConn key = e.conn_id;
  const std::uint64_t gen = boot_gen_;
  Process* peer = fabric_.resolve(e.addr.host, e.addr.port);
  if (!peer || peer == this) {
    // Unknown address: the connect fails (as an unreachable host would, quickly).
    fabric_.scheduler().after(ms(1), [this, gen, key]() {
      deliver([this, gen, key]() {
        if (gen != boot_gen_) return;
        last_now_ = local_now();
        core_->on_link_down(last_now_, key, "connection refused");
        run_effects();
      });
    });
    return;
  }
  HostConn& hc = conns_[key];
  hc = HostConn{};
  hc.addr = e.addr;
  auto still_current = [this, gen, key](ConnId net) {
    if (gen != boot_gen_) return false;
    auto it = conns_.find(key);
    return it != conns_.end() && it->second.net == net;
  };
  // The connection id is only known after connect(): share it with the callbacks.
  auto net_id = std::make_shared<ConnId>(0);
  hc.net = fabric_.connect(
      id(), peer->id(),
      [this, key, net_id, still_current]() {
        if (!still_current(*net_id)) return;
        conns_[key].established = true;
        last_now_ = local_now();
        core_->on_link_up(last_now_, key, spec_.host);
        run_effects();
      },
      [this, key, net_id, still_current]() {
        if (!still_current(*net_id)) return;
        conns_.erase(key);
        last_now_ = local_now();
        core_->on_link_down(last_now_, key, "connection lost");
        run_effects();
      });
  *net_id = hc.net;
  for (const auto& argv : e.handshake) {
    Request req{argv, nullptr};
    if (!argv.empty() && upper(argv[0]) == "SUBSCRIBE") {
      const ConnId net = hc.net;
      req.on_reply = [this, key, net, still_current](const Reply& r) {
        if (!still_current(net)) return;
        if (r.type != Reply::Type::Array || r.elements.size() != 3 || r.elements[0].str != "message") return;
        last_now_ = local_now();
        core_->on_pubsub_message(last_now_, key, r.elements[1].str, r.elements[2].str);
        run_effects();
      };
    } else {
      req.on_reply = [](const Reply&) {};
    }
    fabric_.send_request(hc.net, id(), std::move(req));
  }
}

void SimSentinel::execute(const sentinel::DisconnectEffect& e) {
  auto it = conns_.find(e.conn_id);
  if (it == conns_.end()) return;
  for (auto& sel : selections_)
    if (sel.addr == it->second.addr) sel.disconnected_after = true;
  fabric_.network().close(it->second.net, id());
  conns_.erase(it);
}

void SimSentinel::execute(const sentinel::SendCommandEffect& e) {
  auto it = conns_.find(e.conn_id);
  if (it == conns_.end()) return;  // link already down; the core was (or will be) told
  if (e.argv.size() == 3 && upper(e.argv[0]) == "PUBLISH" && e.argv[1] == "__sentinel__:hello")
    invariants_.hello_sent(myid_, e.argv[2]);
  const std::uint64_t gen = boot_gen_;
  const sentinel::RequestId rid = e.id;
  if (fabric_.trace().verbose()) {
    std::string line = "-> " + e.addr.to_name() + " #" + std::to_string(rid);
    for (const auto& a : e.argv) line += " " + a;
    fabric_.trace().add(name(), line);
  }
  Request req{e.argv, [this, gen, rid](const Reply& r) {
                if (gen != boot_gen_) return;
                if (fabric_.trace().verbose())
                  fabric_.trace().add(name(), "<- #" + std::to_string(rid) + " " +
                                                  (r.type == Reply::Type::Array ? std::string("[array]") : r.str.substr(0, 60)));
                last_now_ = local_now();
                core_->on_reply(last_now_, rid, r);
                run_effects();
              }};
  fabric_.send_request(it->second.net, id(), std::move(req));
}

void SimSentinel::execute(const sentinel::PublishEventEffect& e) {
  if (e.level != sentinel::LogLevel::Debug && fabric_.trace().enabled()) fabric_.trace().add(name(), std::string(level_tag(e.level)) + " " + e.channel + " " + e.message);
  if (e.channel == "+vote-for-leader") {
    const auto space = e.message.find(' ');
    if (space != std::string::npos)
      invariants_.vote(myid_, std::stoull(e.message.substr(space + 1)), e.message.substr(0, space), "+vote-for-leader");
  } else if (e.channel == "+selected-slave") {
    // "slave <ip:port> <ip> <port> @ <master> <ip> <port>": the leader's choice, checked
    // against the leader's own view at the moment it chose.
    std::vector<std::string> tok;
    std::size_t pos = 0;
    while (pos <= e.message.size() && tok.size() < 4) {
      const auto sp = e.message.find(' ', pos);
      tok.push_back(e.message.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos));
      if (sp == std::string::npos) break;
      pos = sp + 1;
    }
    if (tok.size() == 4) {
      // Checked once the batch is done; the view is taken then, so a +sdown later in the
      // same batch (the replica went down after being chosen) is discounted.
      selections_.push_back(Selection{sentinel::Address{tok[2], std::atoi(tok[3].c_str())}, false});
    }
  } else if (e.channel == "+sdown" && e.message.rfind("slave ", 0) == 0) {
    for (auto& sel : selections_)
      if (e.message.compare(6, sel.addr.to_name().size() + 1, sel.addr.to_name() + " ") == 0) sel.sdown_after = true;
  } else if (e.channel == "+elected-leader") {
    // "%@" = "master <name> <ip> <port>"
    const auto first = e.message.find(' ');
    const auto second = e.message.find(' ', first + 1);
    const std::string master = e.message.substr(first + 1, second - first - 1);
    if (auto v = core_->master(master)) invariants_.elected(master, v->failover_epoch, myid_);
  }
  if (on_event) on_event(*this, e.channel, e.message);
}

void SimSentinel::check_selections() {
  for (const auto& sel : selections_) {
    std::optional<sentinel::InstanceView> view;
    for (const auto& name : core_->master_names())
      if (auto reps = core_->replicas(name))
        for (const auto& r : *reps)
          if (r.addr == sel.addr) view = r;
    if (view && sel.sdown_after) view->flags &= ~sentinel::flag::kSDown;
    if (view && sel.disconnected_after) view->disconnected = false;
    invariants_.promotion_chosen(myid_, sel.addr, view);
  }
  selections_.clear();
}

void SimSentinel::observe_persist(const sentinel::PersistedState& s) {
  myid_ = s.myid;
  for (const auto& m : s.masters) invariants_.vote(myid_, m.leader_epoch, m.leader, "persisted state");
}

void SimSentinel::receive(ConnId conn, Request req) {
  bool crashed = false;
  Reply r = answer_peer(req.argv, crashed);
  if (crashed || !req.on_reply) return;
  fabric_.send(conn, id(), [cb = req.on_reply, r]() { cb(r); });
}

Reply SimSentinel::answer_peer(const std::vector<std::string>& argv, bool& crashed) {
  if (argv.empty()) return Reply::error("ERR empty command");
  const std::string cmd = upper(argv[0]);
  if (cmd == "PING") return Reply::status("PONG");
  if (cmd == "CLIENT") return Reply::status("OK");
  if (cmd == "PUBLISH" && argv.size() == 3) {
    if (argv[1] != "__sentinel__:hello") return Reply::error("ERR Only HELLO messages are accepted by Sentinel instances.");
    last_now_ = local_now();
    core_->on_hello_publish(last_now_, argv[2]);
    crashed = !run_effects();
    return Reply::integer_reply(1);
  }
  if (cmd == "SENTINEL" && argv.size() == 6 && upper(argv[1]) == "IS-MASTER-DOWN-BY-ADDR") {
    int port = 0;
    std::uint64_t epoch = 0;
    std::from_chars(argv[3].data(), argv[3].data() + argv[3].size(), port);
    std::from_chars(argv[4].data(), argv[4].data() + argv[4].size(), epoch);
    last_now_ = local_now();
    const sentinel::VoteReply v = core_->is_master_down_by_addr(last_now_, sentinel::Address{argv[2], port}, epoch, argv[5]);
    // The vote must be durable before the reply leaves: run (and persist) first.
    crashed = !run_effects();
    if (crashed) return Reply::nil();
    invariants_.vote(myid_, v.leader_epoch, v.leader, "IS-MASTER-DOWN-BY-ADDR reply");
    return Reply::array({Reply::integer_reply(v.down ? 1 : 0), Reply::bulk(v.leader),
                         Reply::integer_reply(static_cast<std::int64_t>(v.leader_epoch))});
  }
  if (cmd == "SENTINEL" && argv.size() == 3 && upper(argv[1]) == "GET-MASTER-ADDR-BY-NAME") {
    auto addr = core_->master_addr(argv[2]);
    if (!addr) return Reply::nil();
    return Reply::array({Reply::bulk(addr->host), Reply::bulk(std::to_string(addr->port))});
  }
  return Reply::error("ERR unknown command '" + argv[0] + "'");
}

}  // namespace vigil::sim
