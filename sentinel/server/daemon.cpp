#include "sentinel/server/daemon.h"

#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "common/log/log.h"
#include "sentinel/server/service.h"

namespace vigil::sentinel::server {

namespace {

constexpr uint64_t kTickMinMs = 50;   // Redis re-randomises its timer to 10..19 Hz
constexpr uint64_t kTickMaxMs = 100;

vigil::log::Level to_log_level(LogLevel l) {
  switch (l) {
    case LogLevel::Debug: return vigil::log::Level::kDebug;
    case LogLevel::Verbose: return vigil::log::Level::kVerbose;
    case LogLevel::Notice: return vigil::log::Level::kNotice;
    case LogLevel::Warning: return vigil::log::Level::kWarning;
  }
  return vigil::log::Level::kNotice;
}

// The state file as an absolute path (the daemon runs inside `dir`).
std::string state_file_path_for_log(const std::string& path) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

std::string random_hex40(std::mt19937_64& rng) {
  static const char* hex = "0123456789abcdef";
  std::string s(40, '0');
  for (auto& c : s) c = hex[rng() & 15];
  return s;
}

}  // namespace

Daemon::Daemon(uv_loop_t* loop, DaemonConfig cfg) : loop_(loop), cfg_(std::move(cfg)) {}

Daemon::~Daemon() {
  if (links_) links_->close_all();
}

void Daemon::log(LogLevel level, const std::string& text) {
  if (cfg_.loglevel == "nothing") return;
  vigil::log::write(to_log_level(level), text);
}

std::string Daemon::start() {
  start_time_ms_ = uv_now(loop_);
  std::random_device rd;
  auto rng = std::make_shared<std::mt19937_64>((static_cast<uint64_t>(rd()) << 32) ^ rd() ^ getpid());
  run_id_ = random_hex40(*rng);

  service_ = std::make_unique<SentinelService>(*this);
  server_ = std::make_unique<net::TcpServer>(loop_, *service_);
  std::vector<std::string> bind = cfg_.bind;
  if (bind.empty()) bind = {"*"};
  ServerSettings server_settings = server_settings_of(cfg_);   // the configured port, as Redis writes it
  if (std::string err = server_->listen(bind, cfg_.core.port); !err.empty()) return err;
  cfg_.core.port = server_->port();   // port 0 = pick one; hellos must carry the real one

  StateStore::Mode mode = StateStore::Mode::kStateFile;
  std::string path = state_file_path(cfg_);
  if (cfg_.format == DaemonConfig::Format::kSentinelConf) {
    const std::string why = sentinel_conf_unwritable_reason(cfg_.config_path);
    if (why.empty()) {
      mode = StateStore::Mode::kRewriteConfig;
      path = cfg_.config_path;
    } else {
      // Redis exits here ("Sentinel config file ... is not writable"); vigil
      // keeps running and keeps its state in the state file (read at restart).
      log(LogLevel::Warning, "Config file " + cfg_.config_path + " cannot be rewritten (" + why +
                                 "): keeping runtime state in " + state_file_path_for_log(path) +
                                 " instead");
    }
  }
  store_ = std::make_unique<StateStore>(mode, path, Tunables{}, server_settings);
  state_file_path_ = state_file_path_for_log(state_file_path(cfg_));

  Environment env;
  env.random = [rng]() { return (*rng)(); };
  env.is_executable = [](const std::string& p) { return access(p.c_str(), X_OK) == 0; };
  core_ = std::make_unique<Sentinel>(cfg_.core, cfg_.state, env, now());

  io::LinkLimits limits;
  io::LinkManager::Events ev;
  ev.up = [this](ConnId id, const std::string& ip) {
    feed([this, id, ip] { core_->on_link_up(now(), id, ip); });
  };
  ev.down = [this](ConnId id, const std::string& err) {
    feed([this, id, err] { core_->on_link_down(now(), id, err); });
  };
  ev.reply = [this](RequestId id, const Reply& r) {
    feed([this, id, r] { core_->on_reply(now(), id, r); });
  };
  ev.message = [this](ConnId id, const std::string& ch, const std::string& payload) {
    feed([this, id, ch, payload] { core_->on_pubsub_message(now(), id, ch, payload); });
  };
  links_ = std::make_unique<io::LinkManager>(loop_, limits, std::move(ev));

  io::ScriptLimits sl;
  sl.max_runtime_ms = static_cast<uint64_t>(cfg_.core.tunables.script_max_runtime);
  sl.retry_delay_ms = static_cast<uint64_t>(cfg_.core.tunables.script_retry_delay);
  scripts_ = std::make_unique<io::ScriptRunner>(
      loop_, sl, [this](bool warning, const std::string& type, const std::string& msg) {
        publish_event(PublishEventEffect{warning ? LogLevel::Warning : LogLevel::Debug, type, msg});
      });

  log(LogLevel::Notice, "Sentinel ID is " + core_->myid());
  drain();   // e.g. the Persist of a freshly generated myid
  for (const auto& m : core_->masters()) {
    log(LogLevel::Warning, "+monitor master " + m.name + " " + m.addr.host + " " +
                               std::to_string(m.addr.port) + " quorum " + std::to_string(m.quorum));
  }

  tick_timer_ = new uv_timer_t;
  uv_timer_init(loop_, tick_timer_);
  tick_timer_->data = this;
  arm_tick();

  if (cfg_.supervised == "systemd" || (cfg_.supervised == "auto" && getenv("NOTIFY_SOCKET"))) {
    notify_systemd_status();
    sd_notify(0, "READY=1");
  }
  log(LogLevel::Notice, "Ready to accept connections tcp on port " + std::to_string(server_->port()));
  return "";
}

void Daemon::arm_tick() {
  const uint64_t delay = kTickMinMs + static_cast<uint64_t>(std::rand()) % (kTickMaxMs - kTickMinMs + 1);
  uv_timer_start(
      tick_timer_, [](uv_timer_t* t) { static_cast<Daemon*>(t->data)->on_tick(); }, delay, 0);
}

void Daemon::on_tick() {
  if (shutting_down_) return;
  arm_tick();   // before the tick: its own wake-up request may bring the next one forward
  feed([this] { core_->tick(now()); });
  if (cfg_.supervised != "no") notify_systemd_status();
}

// The core may want its next tick sooner than the regular 50-100 ms cadence (a reply that
// lets a failover progress, an SDOWN deadline): bring the tick timer forward.
void Daemon::follow_core_wakeup() {
  if (tick_timer_ == nullptr || shutting_down_) return;
  const TimeMs wake = core_->next_wakeup();
  if (wake == kNoDeadline) return;
  const uint64_t delay = wake > now() ? static_cast<uint64_t>(wake - now()) : 0;
  if (delay >= uv_timer_get_due_in(tick_timer_)) return;
  uv_timer_start(
      tick_timer_, [](uv_timer_t* t) { static_cast<Daemon*>(t->data)->on_tick(); }, delay, 0);
}

void Daemon::notify_systemd_status() {
  if (!(cfg_.supervised == "systemd" || (cfg_.supervised == "auto" && getenv("NOTIFY_SOCKET")))) return;
  const auto sum = core_->summary();
  size_t down = 0;
  for (const auto& m : sum.masters) down += m.status != "ok";
  std::string status = "STATUS=monitoring " + std::to_string(sum.masters.size()) + " master(s), " +
                       std::to_string(down) + " down, epoch " + std::to_string(core_->current_epoch()) +
                       (sum.tilt ? ", TILT" : "");
  if (status == last_status_) return;
  last_status_ = status;
  sd_notify(0, status.c_str());
}

void Daemon::feed(std::function<void()> input) {
  if (executing_) {
    deferred_inputs_.push_back(std::move(input));
    return;
  }
  input();
  drain();
}

bool Daemon::drain() {
  if (executing_) return persist_ok_;
  executing_ = true;
  bool ok = true;
  for (;;) {
    std::vector<Effect> effects = core_->take_effects();
    if (!effects.empty()) {
      persist_ok_ = true;
      execute(effects);
      ok = ok && persist_ok_;
      continue;
    }
    if (deferred_inputs_.empty()) break;
    auto input = std::move(deferred_inputs_.front());
    deferred_inputs_.pop_front();
    input();
  }
  executing_ = false;
  follow_core_wakeup();
  return ok;
}

void Daemon::execute(std::vector<Effect>& effects) {
  // Every Persist is a full snapshot: writing the last one of the batch at the
  // position of the first one makes all of them durable before anything after.
  size_t last_persist = effects.size();
  for (size_t i = 0; i < effects.size(); ++i)
    if (std::holds_alternative<PersistEffect>(effects[i])) last_persist = i;
  bool persisted = false;
  for (auto& effect : effects) {
    if (shutting_down_) return;
    if (std::holds_alternative<PersistEffect>(effect)) {
      if (!persisted) {
        persisted = true;
        persist_ok_ = persist(std::get<PersistEffect>(effects[last_persist]).state);
      }
    } else if (auto* c = std::get_if<ConnectEffect>(&effect)) {
      links_->connect(*c);
    } else if (auto* d = std::get_if<DisconnectEffect>(&effect)) {
      links_->disconnect(d->conn_id);
    } else if (auto* s = std::get_if<SendCommandEffect>(&effect)) {
      links_->send(*s);
    } else if (auto* p = std::get_if<PublishEventEffect>(&effect)) {
      publish_event(*p);
    } else if (auto* r = std::get_if<RunScriptEffect>(&effect)) {
      scripts_->schedule(r->argv);
    } else if (auto* l = std::get_if<LogEffect>(&effect)) {
      log(l->level, l->text);
    } else if (auto* crash = std::get_if<CrashEffect>(&effect)) {
      log(LogLevel::Warning, "Simulated failure: " + crash->reason + ", exiting with " +
                                 std::to_string(crash->exit_code));
      std::fflush(nullptr);
      _exit(crash->exit_code);
    }
  }
}

bool Daemon::persist(const PersistedState& state) {
  std::string err = store_->save(state);
  if (err.empty()) return true;
  if (store_->mode() == StateStore::Mode::kRewriteConfig) {
    // A sentinel.conf that became unwritable: keep running on the state file.
    const std::string fallback = state_file_path(cfg_);
    log(LogLevel::Warning, "Could not rewrite " + store_->path() + " (" + err +
                               "): keeping runtime state in " + state_file_path_ + " instead");
    store_ = std::make_unique<StateStore>(StateStore::Mode::kStateFile, fallback, Tunables{});
    err = store_->save(state);
    if (err.empty()) return true;
  }
  log(LogLevel::Warning, "WARNING: Sentinel was not able to save the new configuration on disk!!!: " + err);
  return false;
}

void Daemon::publish_event(const PublishEventEffect& e) {
  log(e.level, e.channel + " " + e.message);
  if (e.level != LogLevel::Debug && server_) pubsub_.publish(*server_, e.channel, e.message);
}

void Daemon::shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  if (cfg_.supervised == "systemd" || (cfg_.supervised == "auto" && getenv("NOTIFY_SOCKET")))
    sd_notify(0, "STOPPING=1");
  log(LogLevel::Warning, "Sentinel is now ready to exit, bye bye...");
  if (tick_timer_ != nullptr) {
    uv_timer_stop(tick_timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(tick_timer_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    tick_timer_ = nullptr;
  }
  if (links_) links_->close_all();
  if (scripts_) scripts_->kill_all();
  if (server_) server_->shutdown();
}

}  // namespace vigil::sentinel::server
