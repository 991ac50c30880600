// vigil-node's persistence module: what SAVE, BGSAVE, BGREWRITEAOF, save
// points, SHUTDOWN, INFO persistence and startup loading do, on top of the RDB
// (rdb_*.h) and AOF (aof_*.h) formats. Mirrors Redis 7.0:
//   - BGSAVE/BGREWRITEAOF fork() a child that writes the snapshot while the
//     parent keeps serving (copy-on-write); one child at a time; the parent
//     reaps it from its own 100 ms timer and updates the status fields;
//   - the AOF is a Propagator: every propagated write is appended before the
//     client's reply is flushed, and with appendfsync always it is fsynced
//     before too (so an acknowledged write survives kill -9 and power loss);
//     everysec fsyncs from the libuv thread pool once a second;
//   - startup loads the AOF when appendonly is on, else dump.rdb; a corrupt
//     or truncated file is an error naming the file and offset (except an
//     AOF truncated tail with aof-load-truncated yes, truncated as Redis does).
#pragma once

#include <sys/types.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "node/persistence/aof_loader.h"
#include "node/persistence/aof_writer.h"
#include "node/persistence/persistence_config.h"
#include "node/persistence/rdb_reader.h"
#include "node/persistence/rdb_writer.h"
#include "node/server/propagation.h"

namespace vigil::node { class NodeServer; }
namespace vigil::node::store { class Database; }

namespace vigil::node::persistence {

class Persistence final : public Propagator {
 public:
  // config usually is server.config().persistence. Sets server.persistence
  // to this (SAVE/BGSAVE handlers and replication find it there) and installs
  // the INFO persistence section. The owner adds it as a propagator (the AOF
  // feed): server.add_propagator(&persistence). AOF commands are replayed through
  // NodeServer::execute_replayed.
  Persistence(NodeServer& server, PersistenceConfig& config);
  ~Persistence() override;
  Persistence(const Persistence&) = delete;
  Persistence& operator=(const Persistence&) = delete;

  // Before the server listens: loads the AOF (appendonly yes; falls back to
  // the RDB when no AOF exists yet) or dbfilename. Returns "" or an error that
  // names the file and offset; on error the databases are left empty.
  std::string load_at_startup();
  // After loading: opens/creates the AOF when enabled and starts the timer.
  // Returns "" or an error text (the AOF directory can't be written...).
  std::string start();

  // SHUTDOWN [NOSAVE|SAVE] / SIGTERM: stops a child, flushes the AOF, saves
  // when (save points && !nosave) || save. Returns "" or the reason to refuse.
  std::string shutdown(bool save, bool nosave);

  // ---- commands ---------------------------------------------------------------
  // SAVE: synchronous snapshot. "" or an error reply text ("ERR ...").
  std::string save_now();
  // BGSAVE [SCHEDULE]: the status reply ("Background saving started") or an
  // error reply text starting with "ERR".
  std::string bgsave(bool schedule, bool* is_error);
  // BGREWRITEAOF: status or error text, as bgsave.
  std::string bgrewriteaof(bool* is_error);

  // ---- Propagator (the AOF feed) ----------------------------------------------
  void propagate(int db, const std::vector<std::string>& argv) override;

  // ---- introspection -----------------------------------------------------------
  // The body of INFO's "# Persistence" section (CRLF lines, no header);
  // installed as server.info_providers["persistence"].
  std::string info_body() const;
  // "" when writes are allowed, else the -MISCONF error text (without '-'):
  // failed BGSAVE with stop-writes-on-bgsave-error, or AOF write errors.
  std::string write_refusal_error() const;
  bool child_running() const { return child_pid_ > 0; }
  // Any RDB child, to a file or to a replication pipe (rdb_bgsave_in_progress).
  bool bgsave_in_progress() const { return child_kind_ == ChildKind::kRdb || child_kind_ == ChildKind::kRdbPipe; }
  bool aof_rewrite_in_progress() const { return child_kind_ == ChildKind::kAof; }
  bool aof_enabled() const { return aof_ && aof_->is_open(); }
  std::string rdb_path() const;
  // AUX info of the RDB/AOF base loaded at startup (replication adopts repl-id / offset).
  const RdbLoadInfo& loaded_rdb_info() const { return loaded_info_; }

  // ---- replication hooks -------------------------------------------------------
  // Fills repl_id / repl_offset / repl_stream_db of the RDB AUX fields; set by
  // the replication module (a master with a backlog, or a replica).
  std::function<void(RdbAux&)> fill_replication_aux;
  // Full syncs (node/replication/full_sync.cpp) fork through these; each
  // needs no child running. done(ok) runs on the loop once the child has
  // exited (ok = it wrote everything), or with false when it is killed.
  //
  // Disk-based: a BGSAVE to rdb_path() (counts as a save, as in Redis).
  bool bgsave_for_replication(std::function<void(bool ok)> done);
  // Diskless: the child writes prefix, the RDB, then suffix into a pipe.
  // Returns the non-blocking read end (the caller closes it), or -1.
  int rdb_to_pipe_for_replication(const std::string& prefix, const std::string& suffix,
                                  std::function<void(bool ok)> done);
  // Kills the diskless child (its replicas are all gone); done(false) runs.
  void kill_pipe_child();
  // The replication module is going away: its done callbacks must not run.
  void forget_replication_callbacks() { rdb_waiters_.clear(); }

 private:
  enum class ChildKind { kNone, kRdb, kRdbPipe, kAof };
  struct FsyncJob;

  std::vector<store::Database*> databases() const;
  std::vector<const store::Database*> const_databases() const;
  RdbAux make_aux(bool aof_base) const;
  RdbWriterOptions writer_options() const;
  std::string aof_dir() const;

  // pipe_fd: the write end of the pipe a kRdbPipe child writes into,
  // framed by pipe_prefix / pipe_suffix.
  bool start_child(ChildKind kind, int pipe_fd = -1, const std::string& pipe_prefix = {},
                   const std::string& pipe_suffix = {});
  void reap_child();
  void on_child_done(bool ok);
  void kill_child();
  void cron();
  void check_save_points(int64_t now_s);
  void aof_cron(int64_t now_ms);
  void flush_aof(bool force_fsync);
  void start_background_fsync();
  void fsync_done(int err);
  std::string enable_aof();
  void disable_aof();
  static void on_timer(uv_timer_t* t);

  NodeServer& server_;
  PersistenceConfig& config_;
  CommandReplayer replay_;  // AOF loading: NodeServer::execute_replayed
  uv_timer_t* timer_ = nullptr;
  RdbLoadInfo loaded_info_;

  // Child process (BGSAVE or BGREWRITEAOF).
  pid_t child_pid_ = -1;
  ChildKind child_kind_ = ChildKind::kNone;
  int64_t child_start_ms_ = 0;
  uint64_t dirty_at_fork_ = 0;
  std::string child_temp_path_;
  std::vector<std::function<void(bool)>> rdb_waiters_;  // a full sync's child
  bool bgsave_scheduled_ = false;
  bool aof_rewrite_scheduled_ = false;

  // RDB status (INFO).
  bool last_bgsave_ok_ = true;
  int64_t last_bgsave_try_s_ = 0;
  int64_t last_bgsave_time_sec_ = -1;
  uint64_t rdb_saves_ = 0;
  uint64_t last_load_keys_loaded_ = 0;
  uint64_t last_load_keys_expired_ = 0;

  // AOF.
  std::unique_ptr<AofWriter> aof_;
  bool aof_loaded_ = false;  // the AOF files describe the dataset (loaded or freshly based)
  bool in_multi_ = false;   // between a propagated MULTI and its EXEC
  bool aof_last_write_ok_ = true;
  std::string aof_last_write_error_;
  bool aof_last_bgrewrite_ok_ = true;
  uint64_t aof_rewrites_ = 0;
  uint64_t aof_rewrite_failures_ = 0;
  int64_t aof_last_rewrite_time_sec_ = -1;
  int64_t aof_last_fsync_ms_ = 0;
  bool aof_unsynced_ = false;
  FsyncJob* fsync_in_flight_ = nullptr;
  uint64_t aof_delayed_fsync_ = 0;
};

}  // namespace vigil::node::persistence
