// The multi-part AOF manifest of Redis 7.0 (appendonlydir/appendonly.aof.manifest):
// one line per file, "file <name> seq <n> type <b|h|i>", base first, then
// history, then increments in increasing seq.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::node::persistence {

struct AofFileInfo {
  enum class Type : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };
  std::string name;
  int64_t seq = 0;
  Type type = Type::kIncr;
  bool operator==(const AofFileInfo&) const = default;
};

struct AofManifest {
  std::optional<AofFileInfo> base;
  std::vector<AofFileInfo> history;  // files a rewrite obsoleted, awaiting deletion
  std::vector<AofFileInfo> incrs;    // increasing seq

  int64_t last_base_seq() const { return base ? base->seq : 0; }
  int64_t last_incr_seq() const { return incrs.empty() ? 0 : incrs.back().seq; }

  std::string format() const;
  // Returns nullopt and sets *error to Redis's reason (e.g. "Invalid AOF
  // manifest file format", "Found an empty AOF manifest",
  // "Found a non-monotonic sequence number") when malformed.
  static std::optional<AofManifest> parse(std::string_view text, std::string* error);
};

// File names derived from appendfilename, as Redis 7.0 names them.
std::string aof_base_name(const std::string& appendfilename, int64_t seq, bool rdb_preamble);
std::string aof_incr_name(const std::string& appendfilename, int64_t seq);
std::string aof_manifest_name(const std::string& appendfilename);

}  // namespace vigil::node::persistence
