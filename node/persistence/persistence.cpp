#include "node/persistence/persistence.h"

#include <fcntl.h>
#include <signal.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/util/clock.h"
#include "node/persistence/rdb_file.h"
#include "node/server/node_server.h"
#include "node/server/process_memory.h"
#include "node/store/database.h"

namespace vigil::node::persistence {
namespace {

constexpr int kCronMs = 100;
constexpr int64_t kBgsaveRetryDelayS = 5;  // CONFIG_BGSAVE_RETRY_DELAY

bool file_exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

// A background fdatasync of a dup() of the AOF descriptor (appendfsync everysec).
struct Persistence::FsyncJob {
  uv_work_t req{};
  int fd = -1;
  int err = 0;
  Persistence* owner = nullptr;  // nullptr once the owner is gone
};

Persistence::Persistence(NodeServer& server, PersistenceConfig& config) : server_(server), config_(config) {
  // Redis's AOF loading stops only at unknown commands; the errors a command
  // replies (WRONGTYPE...) are ignored, as its fake AOF client does.
  replay_ = [this](int db, std::vector<std::string>& argv) {
    std::string err = server_.execute_replayed(db, argv);
    return err.rfind("ERR unknown command", 0) != 0;
  };
  server_.persistence = this;
  server_.info_providers["persistence"] = [this] { return info_body(); };
}

Persistence::~Persistence() {
  if (server_.persistence == this) server_.persistence = nullptr;
  server_.info_providers.erase("persistence");
  if (fsync_in_flight_) fsync_in_flight_->owner = nullptr;
  if (timer_) {
    uv_close(reinterpret_cast<uv_handle_t*>(timer_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    timer_ = nullptr;
  }
  kill_child();
}

std::vector<store::Database*> Persistence::databases() const {
  std::vector<store::Database*> dbs;
  for (int i = 0; i < server_.database_count(); ++i) dbs.push_back(&server_.db(i));
  return dbs;
}

std::vector<const store::Database*> Persistence::const_databases() const {
  std::vector<const store::Database*> dbs;
  for (int i = 0; i < server_.database_count(); ++i) dbs.push_back(&server_.db(i));
  return dbs;
}

// Paths are relative: like Redis, the server chdir()s to `dir` at startup.
std::string Persistence::rdb_path() const { return config_.dbfilename; }
std::string Persistence::aof_dir() const { return config_.appenddirname; }

RdbAux Persistence::make_aux(bool aof_base) const {
  RdbAux aux;
  aux.ctime = util::unix_time_ms() / 1000;
  aux.used_mem = static_cast<int64_t>(allocated_bytes());  // zmalloc_used_memory()
  aux.aof_base = aof_base;
  if (fill_replication_aux) fill_replication_aux(aux);
  return aux;
}

RdbWriterOptions Persistence::writer_options() const { return {config_.rdbcompression, config_.rdbchecksum}; }

// ---------------------------------------------------------------- startup

std::string Persistence::load_at_startup() {
  auto dbs = databases();
  auto clear_all = [&] {
    for (auto* db : dbs) db->clear();
  };
  int64_t start = util::unix_time_ms();
  AofLog log = [](const std::string& line) { spdlog::warn("{}", line); };
  try {
    if (config_.appendonly) {
      AofLoad load = load_aof(aof_dir(), config_.appendfilename, config_.aof_load_truncated, dbs,
                              replay_, log);
      if (load.exists) {
        aof_ = std::make_unique<AofWriter>(aof_dir(), config_.appendfilename);
        aof_->set_manifest(load.manifest);
        aof_loaded_ = true;
        spdlog::info("DB loaded from append only file: {:.3f} seconds", (util::unix_time_ms() - start) / 1000.0);
        return "";
      }
    } else {
      // Keep track of an existing AOF so BGREWRITEAOF replaces its files.
      std::string manifest_path = join_path(aof_dir(), aof_manifest_name(config_.appendfilename));
      if (file_exists(manifest_path)) {
        std::string error;
        if (auto m = AofManifest::parse(read_small_file(manifest_path), &error)) {
          aof_ = std::make_unique<AofWriter>(aof_dir(), config_.appendfilename);
          aof_->set_manifest(*m);
        }
      }
    }
    std::string path = rdb_path();
    if (!file_exists(path)) return "";
    RdbLoadResult r = load_rdb_file(path, dbs, {true, util::unix_time_ms()});
    loaded_info_ = r.info;
    last_load_keys_loaded_ = r.info.keys - r.keys_expired;
    last_load_keys_expired_ = r.keys_expired;
    if (!r.info.checksum_verified) spdlog::warn("RDB file was saved with checksum disabled: no check performed.");
    spdlog::info("Done loading RDB, keys loaded: {}, keys expired: {}.", last_load_keys_loaded_, r.keys_expired);
    spdlog::info("DB loaded from disk: {:.3f} seconds", (util::unix_time_ms() - start) / 1000.0);
    return "";
  } catch (const PersistenceError& e) {
    clear_all();
    return e.what();
  }
}

std::string Persistence::start() {
  if (!timer_) {
    timer_ = new uv_timer_t;
    uv_timer_init(server_.loop(), timer_);
    timer_->data = this;
    uv_timer_start(timer_, on_timer, kCronMs, kCronMs);
    uv_unref(reinterpret_cast<uv_handle_t*>(timer_));  // never keeps the loop alive on its own
  }
  if (config_.appendonly) return enable_aof();
  return "";
}

// Opens the AOF. When the dataset did not come from it (first start with
// appendonly yes, or CONFIG SET appendonly yes), first writes a fresh base of
// the current dataset synchronously and drops the files of any older AOF, so
// the files on disk always describe exactly the dataset.
std::string Persistence::enable_aof() {
  try {
    if (!aof_) aof_ = std::make_unique<AofWriter>(aof_dir(), config_.appendfilename);
    if (!aof_loaded_) {
      std::string temp = aof_->begin_rewrite(static_cast<int>(::getpid()));
      save_rdb_file(temp, temp + ".tmp", const_databases(), make_aux(true), writer_options());
      aof_->finish_rewrite(temp);
      aof_loaded_ = true;
    }
    aof_->open(aof_->manifest());
    aof_last_fsync_ms_ = util::unix_time_ms();
    spdlog::info("Append only file enabled: {}", aof_->manifest_path());
    return "";
  } catch (const PersistenceError& e) {
    return e.what();
  }
}

void Persistence::disable_aof() {
  if (!aof_ || !aof_->is_open()) return;
  aof_loaded_ = false;  // the files stop following the dataset
  try {
    aof_->close();
  } catch (const PersistenceError& e) {
    spdlog::warn("Error closing the AOF: {}", e.what());
  }
}

// ---------------------------------------------------------------- AOF feed

void Persistence::propagate(int db, const std::vector<std::string>& argv) {
  if (!aof_ || !aof_->is_open() || argv.empty()) return;
  aof_->append(db, argv);
  // A MULTI/EXEC block is written (and fsynced) once, at its EXEC.
  if (strcasecmp(argv[0].c_str(), "multi") == 0) {
    in_multi_ = true;
    return;
  }
  if (in_multi_) {
    if (strcasecmp(argv[0].c_str(), "exec") != 0) return;
    in_multi_ = false;
  }
  flush_aof(config_.appendfsync == AppendFsync::kAlways);
}

void Persistence::flush_aof(bool force_fsync) {
  try {
    aof_->write_pending();
    aof_unsynced_ = true;
    if (force_fsync) {
      aof_->fsync_now();
      aof_unsynced_ = false;
      aof_last_fsync_ms_ = util::unix_time_ms();
    }
    if (!aof_last_write_ok_) spdlog::warn("AOF write error looks solved, Redis can write again.");
    aof_last_write_ok_ = true;
  } catch (const PersistenceError& e) {
    if (config_.appendfsync == AppendFsync::kAlways) {
      // The reply to this write must not leave: like Redis, stop here.
      spdlog::critical("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting... ({})",
                       e.what());
      std::_Exit(1);
    }
    if (aof_last_write_ok_) spdlog::warn("{}", e.what());
    aof_last_write_ok_ = false;
    aof_last_write_error_ = e.what();
  }
}

void Persistence::start_background_fsync() {
  int fd = ::dup(aof_->fd());
  if (fd < 0) return;
  auto* job = new FsyncJob;
  job->fd = fd;
  job->owner = this;
  job->req.data = job;
  fsync_in_flight_ = job;
  aof_unsynced_ = false;
  aof_last_fsync_ms_ = util::unix_time_ms();
  uv_queue_work(
      server_.loop(), &job->req,
      [](uv_work_t* req) {
        auto* j = static_cast<FsyncJob*>(req->data);
        j->err = ::fdatasync(j->fd) == 0 ? 0 : errno;
        ::close(j->fd);
      },
      [](uv_work_t* req, int) {
        auto* j = static_cast<FsyncJob*>(req->data);
        if (j->owner) j->owner->fsync_done(j->err);
        delete j;
      });
}

void Persistence::fsync_done(int err) {
  fsync_in_flight_ = nullptr;
  if (err != 0) {
    aof_last_write_ok_ = false;
    aof_last_write_error_ = std::string("Can't fsync the AOF file: ") + std::strerror(err);
    aof_unsynced_ = true;
    spdlog::warn("{}", aof_last_write_error_);
  }
}

void Persistence::aof_cron(int64_t now) {
  // CONFIG SET appendonly yes|no at runtime (waits for a running child).
  if (config_.appendonly && !aof_enabled() && !child_running()) {
    std::string err = enable_aof();
    if (!err.empty()) {
      spdlog::warn("Can't enable the append only file: {}", err);
      config_.appendonly = false;
    }
  } else if (!config_.appendonly && aof_enabled()) {
    disable_aof();
  }
  if (!aof_enabled()) return;
  if (aof_->has_pending()) flush_aof(false);  // retry after a write error
  if (config_.appendfsync == AppendFsync::kEverysec && aof_unsynced_ && now - aof_last_fsync_ms_ >= 1000) {
    if (fsync_in_flight_) {
      ++aof_delayed_fsync_;
    } else {
      start_background_fsync();
    }
  }
}

// ---------------------------------------------------------------- children

bool Persistence::start_child(ChildKind kind, int pipe_fd, const std::string& pipe_prefix,
                              const std::string& pipe_suffix) {
  std::string temp_aof_base;
  if (kind == ChildKind::kAof) {
    if (!aof_) aof_ = std::make_unique<AofWriter>(aof_dir(), config_.appendfilename);
    try {
      temp_aof_base = aof_->begin_rewrite(static_cast<int>(::getpid()));
    } catch (const PersistenceError& e) {
      spdlog::warn("Can't rewrite append only file in background: {}", e.what());
      aof_last_bgrewrite_ok_ = false;
      return false;
    }
  }
  RdbAux aux = make_aux(kind == ChildKind::kAof);
  RdbWriterOptions options = writer_options();
  std::string rdb = rdb_path();
  int64_t start = util::unix_time_ms();
  pid_t pid = ::fork();
  if (pid < 0) {
    spdlog::warn("Can't save in background: fork: {}", std::strerror(errno));
    // A failed diskless fork fails its replicas' sync, not BGSAVE's status.
    if (kind == ChildKind::kRdb) last_bgsave_ok_ = false;
    if (kind == ChildKind::kAof) aof_last_bgrewrite_ok_ = false;
    return false;
  }
  if (pid == 0) {
    // Child: write the snapshot from the copy-on-write image and leave
    // without running any of the parent's destructors or atexit handlers.
    // It drops every inherited descriptor (listening sockets, clients, the
    // AOF) so a restarted server can bind its port even while an orphaned
    // child is still writing, and ignores the parent's shutdown signals.
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGUSR1, SIG_DFL);
    // A pipe child keeps only the pipe, as descriptor 3.
    unsigned first_closed = 3;
    if (kind == ChildKind::kRdbPipe) {
      if (pipe_fd != 3 && ::dup2(pipe_fd, 3) < 0) ::_exit(1);
      first_closed = 4;
    }
    if (::close_range(first_closed, ~0U, 0) != 0) {
      for (long fd = first_closed, max = ::sysconf(_SC_OPEN_MAX); fd < max; ++fd) ::close(static_cast<int>(fd));
    }
    int code = 0;
    try {
      if (kind == ChildKind::kRdbPipe) {
        FdSink sink(3, "the replication pipe");
        sink.write(pipe_prefix.data(), pipe_prefix.size());
        write_rdb(const_databases(), sink, aux, options);
        sink.write(pipe_suffix.data(), pipe_suffix.size());
      } else if (kind == ChildKind::kRdb) {
        std::string temp = "temp-" + std::to_string(::getpid()) + ".rdb";
        save_rdb_file(rdb, temp, const_databases(), aux, options);
      } else {
        save_rdb_file(temp_aof_base, temp_aof_base + ".tmp", const_databases(), aux, options);
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      code = 1;
    }
    ::_exit(code);
  }
  child_pid_ = pid;
  child_kind_ = kind;
  child_start_ms_ = start;
  dirty_at_fork_ = server_.dirty;
  child_temp_path_ = kind == ChildKind::kRdb ? "temp-" + std::to_string(pid) + ".rdb"
                    : kind == ChildKind::kAof ? temp_aof_base
                                              : std::string();
  if (kind == ChildKind::kRdb) {
    last_bgsave_try_s_ = start / 1000;
    spdlog::info("Background saving started by pid {}", pid);
  } else if (kind == ChildKind::kRdbPipe) {
    spdlog::info("Background RDB transfer started by pid {}", pid);
  } else {
    spdlog::info("Background append only file rewriting started by pid {}", pid);
  }
  return true;
}

void Persistence::reap_child() {
  if (child_pid_ <= 0) return;
  int status = 0;
  pid_t r = ::waitpid(child_pid_, &status, WNOHANG);
  if (r == 0) return;
  bool ok = r == child_pid_ && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (r < 0) spdlog::warn("waitpid() of the persistence child failed: {}", std::strerror(errno));
  on_child_done(ok);
}

void Persistence::on_child_done(bool ok) {
  ChildKind kind = child_kind_;
  int64_t took_s = (util::unix_time_ms() - child_start_ms_) / 1000;
  child_pid_ = -1;
  child_kind_ = ChildKind::kNone;
  if (kind == ChildKind::kRdbPipe) {
    last_bgsave_time_sec_ = took_s;
    if (ok) spdlog::info("Background RDB transfer terminated with success");
    else spdlog::warn("Background transfer error");
  }
  if (kind == ChildKind::kRdb) {
    last_bgsave_time_sec_ = took_s;
    if (ok) {
      server_.dirty = server_.dirty >= dirty_at_fork_ ? server_.dirty - dirty_at_fork_ : 0;
      server_.lastsave_s = util::unix_time_ms() / 1000;
      last_bgsave_ok_ = true;
      ++rdb_saves_;
      spdlog::info("Background saving terminated with success");
    } else {
      ::unlink(child_temp_path_.c_str());
      last_bgsave_ok_ = false;
      spdlog::warn("Background saving error");
    }
  }
  if (kind == ChildKind::kRdb || kind == ChildKind::kRdbPipe) {
    auto waiters = std::move(rdb_waiters_);
    rdb_waiters_.clear();
    for (auto& w : waiters) w(ok);
    return;
  }
  aof_last_rewrite_time_sec_ = took_s;
  if (ok) {
    try {
      aof_->finish_rewrite(child_temp_path_);
      aof_last_bgrewrite_ok_ = true;
      aof_rewrite_failures_ = 0;
      ++aof_rewrites_;
      spdlog::info("Background AOF rewrite terminated with success");
      spdlog::info("Background AOF rewrite finished successfully");
      return;
    } catch (const PersistenceError& e) {
      spdlog::warn("{}", e.what());
    }
  }
  ::unlink(child_temp_path_.c_str());
  ::unlink((child_temp_path_ + ".tmp").c_str());
  aof_last_bgrewrite_ok_ = false;
  ++aof_rewrite_failures_;
  spdlog::warn("Background AOF rewrite terminated with error");
}

void Persistence::kill_child() {
  if (child_pid_ <= 0) return;
  ::kill(child_pid_, SIGUSR1);
  int status;
  while (::waitpid(child_pid_, &status, 0) < 0 && errno == EINTR) {
  }
  ::unlink(child_temp_path_.c_str());
  if (child_kind_ == ChildKind::kAof) ::unlink((child_temp_path_ + ".tmp").c_str());
  spdlog::info("Killed the {} child {}", child_kind_ == ChildKind::kAof ? "AOF rewrite" : "RDB", child_pid_);
  child_pid_ = -1;
  child_kind_ = ChildKind::kNone;
  auto waiters = std::move(rdb_waiters_);
  rdb_waiters_.clear();
  for (auto& w : waiters) w(false);
}

// ---------------------------------------------------------------- cron

void Persistence::on_timer(uv_timer_t* t) { static_cast<Persistence*>(t->data)->cron(); }

void Persistence::cron() {
  int64_t now = util::unix_time_ms();
  reap_child();
  if (!child_running()) {
    if (aof_rewrite_scheduled_) {
      aof_rewrite_scheduled_ = false;
      start_child(ChildKind::kAof);
    } else if (bgsave_scheduled_) {
      bgsave_scheduled_ = false;
      start_child(ChildKind::kRdb);
    } else {
      check_save_points(now / 1000);
    }
  }
  aof_cron(now);
}

void Persistence::check_save_points(int64_t now_s) {
  for (const SavePoint& sp : config_.save_points) {
    // As serverCron: enough changes, enough time, and not right after a failure.
    if (static_cast<int64_t>(server_.dirty) >= sp.changes && now_s - server_.lastsave_s > sp.seconds &&
        (now_s - last_bgsave_try_s_ > kBgsaveRetryDelayS || last_bgsave_ok_)) {
      spdlog::info("{} changes in {} seconds. Saving...", sp.changes, sp.seconds);
      start_child(ChildKind::kRdb);
      return;
    }
  }
}

// ---------------------------------------------------------------- commands

std::string Persistence::save_now() {
  if (bgsave_in_progress()) return "ERR Background save already in progress";
  std::string path = rdb_path();
  std::string temp = "temp-" + std::to_string(::getpid()) + ".rdb";
  try {
    save_rdb_file(path, temp, const_databases(), make_aux(false), writer_options());
  } catch (const PersistenceError& e) {
    spdlog::warn("Error saving DB on disk: {}", e.what());
    last_bgsave_ok_ = false;
    return "ERR";
  }
  spdlog::info("DB saved on disk");
  server_.dirty = 0;
  server_.lastsave_s = util::unix_time_ms() / 1000;
  last_bgsave_ok_ = true;
  ++rdb_saves_;
  return "";
}

std::string Persistence::bgsave(bool schedule, bool* is_error) {
  *is_error = true;
  if (bgsave_in_progress()) return "ERR Background save already in progress";
  if (child_running()) {
    if (!schedule)
      return "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to "
             "schedule a BGSAVE whenever possible.";
    bgsave_scheduled_ = true;
    *is_error = false;
    return "Background saving scheduled";
  }
  if (!start_child(ChildKind::kRdb)) return "ERR";
  *is_error = false;
  return "Background saving started";
}

std::string Persistence::bgrewriteaof(bool* is_error) {
  *is_error = true;
  if (aof_rewrite_in_progress()) return "ERR Background append only file rewriting already in progress";
  if (child_running()) {
    aof_rewrite_scheduled_ = true;
    *is_error = false;
    return "Background append only file rewriting scheduled";
  }
  if (!start_child(ChildKind::kAof)) return "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.";
  *is_error = false;
  return "Background append only file rewriting started";
}

bool Persistence::bgsave_for_replication(std::function<void(bool ok)> done) {
  if (child_running() || !start_child(ChildKind::kRdb)) return false;
  rdb_waiters_.push_back(std::move(done));
  return true;
}

int Persistence::rdb_to_pipe_for_replication(const std::string& prefix, const std::string& suffix,
                                             std::function<void(bool ok)> done) {
  if (child_running()) return -1;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    spdlog::warn("Can't setup the pipe for the RDB transfer: {}", std::strerror(errno));
    return -1;
  }
  ::fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);  // fewer wakeups; the default 64 KiB works too
  bool started = start_child(ChildKind::kRdbPipe, fds[1], prefix, suffix);
  ::close(fds[1]);
  if (!started) {
    ::close(fds[0]);
    return -1;
  }
  ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  rdb_waiters_.push_back(std::move(done));
  return fds[0];
}

void Persistence::kill_pipe_child() {
  if (child_kind_ == ChildKind::kRdbPipe) kill_child();
}

std::string Persistence::shutdown(bool save, bool nosave) {
  kill_child();
  if (aof_enabled()) {
    try {
      aof_->write_pending();
      aof_->fsync_now();
    } catch (const PersistenceError& e) {
      spdlog::warn("Error flushing the AOF on shutdown: {}", e.what());
    }
  }
  if ((!config_.save_points.empty() && !nosave) || save) {
    spdlog::info("Saving the final RDB snapshot before exiting.");
    if (!save_now().empty()) {
      spdlog::warn("Error trying to save the DB, can't exit.");
      return "Errors trying to SHUTDOWN. Check logs.";
    }
  }
  return "";
}

std::string Persistence::write_refusal_error() const {
  if (config_.stop_writes_on_bgsave_error && !config_.save_points.empty() && !last_bgsave_ok_)
    return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. "
           "Commands that may modify the data set are disabled, because this instance is configured to report "
           "errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the "
           "Redis logs for details about the RDB error.";
  if (aof_enabled() && !aof_last_write_ok_) return "MISCONF Errors writing to the AOF file: " + aof_last_write_error_;
  return "";
}

std::string Persistence::info_body() const {
  std::string out;
  int64_t now = util::unix_time_ms();
  auto line = [&out](const char* name, const std::string& value) {
    out += name;
    out += ':';
    out += value;
    out += "\r\n";
  };
  auto num = [&line](const char* name, int64_t v) { line(name, std::to_string(v)); };
  num("loading", 0);
  num("async_loading", 0);
  num("current_cow_peak", 0);
  num("current_cow_size", 0);
  num("current_cow_size_age", 0);
  line("current_fork_perc", "0.00");
  num("current_save_keys_processed", 0);
  num("current_save_keys_total", 0);
  num("rdb_changes_since_last_save", static_cast<int64_t>(server_.dirty));
  num("rdb_bgsave_in_progress", bgsave_in_progress() ? 1 : 0);
  num("rdb_last_save_time", server_.lastsave_s);
  line("rdb_last_bgsave_status", last_bgsave_ok_ ? "ok" : "err");
  num("rdb_last_bgsave_time_sec", last_bgsave_time_sec_);
  num("rdb_current_bgsave_time_sec", bgsave_in_progress() ? (now - child_start_ms_) / 1000 : -1);
  num("rdb_saves", static_cast<int64_t>(rdb_saves_));
  num("rdb_last_cow_size", 0);
  num("rdb_last_load_keys_expired", static_cast<int64_t>(last_load_keys_expired_));
  num("rdb_last_load_keys_loaded", static_cast<int64_t>(last_load_keys_loaded_));
  num("aof_enabled", aof_enabled() ? 1 : 0);
  num("aof_rewrite_in_progress", aof_rewrite_in_progress() ? 1 : 0);
  num("aof_rewrite_scheduled", aof_rewrite_scheduled_ ? 1 : 0);
  num("aof_last_rewrite_time_sec", aof_last_rewrite_time_sec_);
  num("aof_current_rewrite_time_sec", aof_rewrite_in_progress() ? (now - child_start_ms_) / 1000 : -1);
  line("aof_last_bgrewrite_status", aof_last_bgrewrite_ok_ ? "ok" : "err");
  num("aof_rewrites", static_cast<int64_t>(aof_rewrites_));
  num("aof_rewrites_consecutive_failures", static_cast<int64_t>(aof_rewrite_failures_));
  line("aof_last_write_status", aof_last_write_ok_ ? "ok" : "err");
  num("aof_last_cow_size", 0);
  num("module_fork_in_progress", 0);
  num("module_fork_last_cow_size", 0);
  if (aof_enabled()) {
    num("aof_current_size", static_cast<int64_t>(aof_->current_size()));
    num("aof_base_size", 0);
    num("aof_pending_rewrite", 0);
    num("aof_buffer_length", 0);
    num("aof_pending_bio_fsync", fsync_in_flight_ ? 1 : 0);
    num("aof_delayed_fsync", static_cast<int64_t>(aof_delayed_fsync_));
  }
  return out;
}

}  // namespace vigil::node::persistence
