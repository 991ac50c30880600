// Streaming RDB reader for versions 1-10: everything Redis 7.0.15 writes
// (types 0, 2, 4, 5, 11, 16, 17, 18; opcodes AUX, SELECTDB, RESIZEDB,
// EXPIRETIME[_MS], IDLE, FREQ) and the load-only encodings older Redis wrote
// (1, 3, 9, 10, 12, 13, 14). Streams, modules and functions have no
// counterpart in vigil-node and fail the load with a clear error rather than
// being dropped silently. Every corruption throws RdbError naming the byte
// offset; the CRC64 trailer is verified unless it is all zeros.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/persistence/byte_stream.h"

namespace vigil::node::persistence {

class RdbError : public PersistenceError {
 public:
  RdbError(const std::string& what, uint64_t offset)
      : PersistenceError(what + " (at offset " + std::to_string(offset) + ")"), offset_(offset) {}
  uint64_t offset() const { return offset_; }

 private:
  uint64_t offset_;
};

// One decoded value, independent of the store's in-memory representation.
struct RdbObject {
  enum class Kind { kString, kList, kSet, kHash, kZset };
  Kind kind = Kind::kString;
  std::string string;                                 // kString
  std::vector<std::string> elements;                  // kList (in order), kSet
  std::vector<std::pair<std::string, std::string>> fields;  // kHash
  std::vector<std::pair<std::string, double>> zset;   // kZset, any order
};

// Receives what the reader decodes. on_key returns false when the key already
// exists in that db (the reader then fails the load, as Redis does); it may
// move from `key` only when it returns true.
class RdbLoadTarget {
 public:
  virtual ~RdbLoadTarget() = default;
  // expire_ms < 0: no expiry.
  virtual bool on_key(int db, std::string&& key, RdbObject&& value, int64_t expire_ms) = 0;
  virtual void on_resize_db(int /*db*/, uint64_t /*keys*/, uint64_t /*expires*/) {}
};

struct RdbLoadOptions {
  int databases = 16;  // SELECTDB beyond this fails the load
};

// What the file said about itself (AUX fields) and what was loaded.
struct RdbLoadInfo {
  int version = 0;
  std::string redis_ver;
  std::optional<std::string> repl_id;
  std::optional<int64_t> repl_offset;
  std::optional<int64_t> repl_stream_db;
  bool aof_base = false;
  int64_t ctime = 0;
  uint64_t keys = 0;  // keys accepted by the target (including ones it dropped as expired)
  uint64_t empty_keys_skipped = 0;
  bool checksum_verified = false;  // false when the trailer was zero
  uint64_t bytes = 0;              // through the end of the trailer
};

RdbLoadInfo load_rdb(Source& source, RdbLoadTarget& target, const RdbLoadOptions& options = {});

// One value as DUMP payloads carry it: the type byte and the object, nothing
// else read (the caller checks the version/CRC footer). Throws RdbError when
// malformed or an empty collection.
RdbObject read_rdb_value(Source& source);

}  // namespace vigil::node::persistence
