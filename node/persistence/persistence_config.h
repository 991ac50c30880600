// Persistence settings (redis.conf directives save, dbfilename, rdbcompression,
// rdbchecksum, appendonly, appendfilename, appenddirname, appendfsync,
// aof-load-truncated, aof-use-rdb-preamble, stop-writes-on-bgsave-error), with
// Redis 7.0's defaults. NodeConfig embeds one; node-server binds the directives.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::node::persistence {

// "save <seconds> <changes>": snapshot when at least `changes` writes happened
// and `seconds` passed since the last successful save.
struct SavePoint {
  int64_t seconds = 0;
  int64_t changes = 0;
  bool operator==(const SavePoint&) const = default;
};

enum class AppendFsync { kAlways, kEverysec, kNo };

struct PersistenceConfig {
  std::vector<SavePoint> save_points = {{3600, 1}, {300, 100}, {60, 10000}};
  std::string dbfilename = "dump.rdb";
  bool rdbcompression = true;
  bool rdbchecksum = true;
  bool stop_writes_on_bgsave_error = true;

  bool appendonly = false;
  std::string appendfilename = "appendonly.aof";
  std::string appenddirname = "appendonlydir";
  AppendFsync appendfsync = AppendFsync::kEverysec;
  bool aof_load_truncated = true;
  bool aof_use_rdb_preamble = true;
};

// Parses the value of `save`: pairs "3600 1 300 100", or "" (no snapshots).
// Returns nullopt and sets *error (Redis's "Invalid save parameters") when malformed.
std::optional<std::vector<SavePoint>> parse_save_points(std::string_view text, std::string* error);
// "3600 1 300 100" (CONFIG GET save / CONFIG REWRITE).
std::string format_save_points(const std::vector<SavePoint>& points);

// dbfilename / appendfilename / appenddirname must be plain names (no '/'), as Redis requires.
bool is_plain_file_name(std::string_view name);

}  // namespace vigil::node::persistence
