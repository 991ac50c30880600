// Loading Redis 7.0 append-only files: a manifest naming a base (RDB or
// commands) and increments, each a stream of RESP multibulk commands, with
// Redis's rules for a truncated tail (aof-load-truncated) and its error texts.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "node/persistence/aof_manifest.h"
#include "node/persistence/byte_stream.h"

namespace vigil::node::store { class Database; }

namespace vigil::node::persistence {

// Executes one command read from an AOF in database `db`, as Redis's fake AOF
// client does: no reply, no propagation. Returns false only when the command
// does not exist; errors the command itself replies are ignored, as in Redis.
using CommandReplayer = std::function<bool(int db, std::vector<std::string>& argv)>;

// Log lines Redis prints while loading (warnings about truncation...).
using AofLog = std::function<void(const std::string& line)>;

// The command stream of one AOF file, read from `source` starting at byte
// `start_offset` of the file (after an RDB preamble).
class AofCommandReader {
 public:
  enum class Status { kCommand, kEof, kTruncated, kBadFormat };

  AofCommandReader(Source& source, uint64_t start_offset);
  Status next(std::vector<std::string>& argv);
  // File offset just after the last complete command returned.
  uint64_t end_of_last_command() const { return last_end_; }

 private:
  enum class LineResult { kOk, kEof, kTooLong };
  bool fill();
  // Reads a "\r\n"-terminated line (without it).
  LineResult line(std::string& out);
  bool exact(std::string& out, size_t n);

  Source& source_;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0;
  uint64_t base_;  // file offset of buf_[0]
  uint64_t last_end_;
};

struct AofFileLoad {
  uint64_t commands = 0;
  bool truncated_and_fixed = false;
};

// Loads one file of the AOF (base or increment). `is_last` decides whether a
// truncated tail may be cut off (with truncate_ok = aof-load-truncated).
// Throws PersistenceError with Redis's message naming the file (and offset).
AofFileLoad load_aof_file(const std::string& path, bool is_last, bool truncate_ok,
                          const std::vector<store::Database*>& dbs, const CommandReplayer& replay, const AofLog& log);

struct AofLoad {
  AofManifest manifest;
  uint64_t commands = 0;
  bool exists = false;  // false when there is no manifest (nothing to load)
};

// Loads <aof_dir>/<appendfilename>.manifest and every file it lists, base first.
AofLoad load_aof(const std::string& aof_dir, const std::string& appendfilename, bool truncate_ok,
                 const std::vector<store::Database*>& dbs, const CommandReplayer& replay, const AofLog& log);

// Reads a whole small file (the manifest). Throws PersistenceError.
std::string read_small_file(const std::string& path);

}  // namespace vigil::node::persistence
