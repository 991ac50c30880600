// The writing side of Redis 7.0's multi-part AOF: <dir>/<appenddirname>/ holds
// a base file (RDB), increment files of commands and the manifest naming them.
// Appends go to the last increment; a rewrite opens a fresh increment at
// fork time, and when the child's new base is ready the manifest switches to
// {new base, that increment} and the older files are deleted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "node/persistence/aof_manifest.h"

namespace vigil::node::persistence {

class AofWriter {
 public:
  // aof_dir: <dir>/<appenddirname>. Nothing is touched until open()/begin_rewrite().
  AofWriter(std::string aof_dir, std::string appendfilename);
  ~AofWriter();
  AofWriter(const AofWriter&) = delete;
  AofWriter& operator=(const AofWriter&) = delete;

  const AofManifest& manifest() const { return manifest_; }
  // The manifest found on disk while the AOF is off (BGREWRITEAOF then
  // replaces its files, as Redis does).
  void set_manifest(const AofManifest& m) { manifest_ = m; }
  bool is_open() const { return fd_ >= 0; }

  // Starts appending to the manifest's last increment (creating one, and the
  // directory, when there is none). Throws PersistenceError.
  void open(const AofManifest& manifest);
  // Flushes, fsyncs and closes the increment (appendonly no, shutdown).
  void close();

  // Encodes the command as RESP (with a SELECT first when the db changes) into
  // the in-memory buffer.
  void append(int db, const std::vector<std::string>& argv);
  bool has_pending() const { return !pending_.empty(); }
  // write()s the buffer to the increment. Throws PersistenceError; on error
  // the buffer is kept so a later call can retry.
  void write_pending();
  // fsync of the current increment (fdatasync). Throws PersistenceError.
  void fsync_now();
  // Descriptor of the current increment (for a background fsync: dup() it).
  int fd() const { return fd_; }
  // Bytes in the current increment files plus the base (INFO aof_current_size).
  uint64_t current_size() const { return size_; }

  // Rewrite, step 1 (parent, right before fork): when open, flushes the
  // current increment and switches to a new one; persists the manifest.
  // Returns the temp path the child must write the new base to.
  std::string begin_rewrite(int child_pid_hint);
  // Step 2, after the child succeeded: installs the new base and deletes the
  // files it replaces. Throws PersistenceError (the old files stay valid).
  void finish_rewrite(const std::string& temp_base_path);

  // Path helpers.
  std::string path_of(const std::string& name) const;
  std::string manifest_path() const;

 private:
  void persist_manifest(const AofManifest& m);
  void open_incr(const std::string& name);
  void ensure_dir();

  std::string dir_, appendfilename_;
  AofManifest manifest_;
  int fd_ = -1;
  int current_db_ = -1;  // db of the last appended command; -1 = emit SELECT
  std::string pending_;
  uint64_t size_ = 0;
  int64_t rewrite_incr_seq_ = 0;  // the increment opened by begin_rewrite (0 = none)
};

// RESP multibulk encoding of one command, as the AOF stores it.
void append_resp_command(std::string& out, const std::vector<std::string>& argv);

}  // namespace vigil::node::persistence
