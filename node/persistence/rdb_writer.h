// Streaming RDB v10 writer: magic, AUX fields, SELECTDB/RESIZEDB,
// EXPIRETIME_MS, key headers and the string encoding rules of Redis 7.0.15
// (integer forms, LZF above 20 bytes, CRC64 trailer). Store-agnostic: it knows
// the file format, rdb_snapshot.cpp knows how store values map onto it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/persistence/byte_stream.h"
#include "node/persistence/listpack.h"
#include "node/persistence/rdb_format.h"

namespace vigil::node::persistence {

// AUX fields in the order Redis writes them. Replication info is written only
// when `repl_id` is set (a master with a backlog, or a replica), as Redis does.
struct RdbAux {
  std::string redis_ver = "7.0.15";
  int64_t ctime = 0;  // unix seconds
  int64_t used_mem = 0;
  std::optional<std::string> repl_id;  // 40 hex chars
  int64_t repl_stream_db = 0;
  int64_t repl_offset = 0;
  bool aof_base = false;
};

struct RdbWriterOptions {
  bool compression = true;  // rdbcompression: LZF strings longer than 20 bytes
  bool checksum = true;     // rdbchecksum: else the trailer is 8 zero bytes
};

class RdbWriter {
 public:
  explicit RdbWriter(Sink& sink, RdbWriterOptions options = {});
  RdbWriter(const RdbWriter&) = delete;
  RdbWriter& operator=(const RdbWriter&) = delete;

  // Magic, version and AUX fields.
  void begin(const RdbAux& aux);
  // SELECTDB + RESIZEDB for a non-empty database.
  void select_db(uint64_t db, uint64_t keys, uint64_t keys_with_expire);

  // Opcode/expiry prefix, type byte and key of one key; the caller then
  // writes the value payload. expire_ms < 0 means no expiry.
  void begin_key(uint8_t type, std::string_view key, int64_t expire_ms);
  // A whole string key.
  void write_string(std::string_view key, std::string_view value, int64_t expire_ms = -1);

  // EOF opcode and CRC64 trailer; flushes everything to the sink.
  void finish();

  uint64_t bytes_written() const { return total_ + buf_.size(); }
  // Hands the buffered bytes to the sink without ending the file (DUMP payloads).
  void flush_buffer() { flush(); }

  // Encoding primitives (public for DUMP payloads and tests).
  void put_byte(uint8_t b) { buf_.push_back(static_cast<char>(b)); maybe_flush(); }
  void put_raw(std::string_view bytes);
  void put_length(uint64_t len);
  void put_string(std::string_view s);
  void put_double_le(double d);
  void put_int64_le(int64_t v);

 private:
  void put_aux(std::string_view key, std::string_view value);
  void maybe_flush() {
    if (buf_.size() >= kFlushAt) flush();
  }
  void flush();

  static constexpr size_t kFlushAt = 64 * 1024;
  Sink& sink_;
  RdbWriterOptions options_;
  std::string buf_;
  uint64_t crc_ = 0;
  uint64_t total_ = 0;
  bool finished_ = false;
};

// Splits a list into quicklist-2 PACKED listpack nodes the way
// list-max-listpack-size -2 does: a node stays within 8 KiB unless a single
// element alone is larger.
class QuicklistNodeBuilder {
 public:
  void add(std::string_view element);
  std::vector<std::string> finish();

 private:
  std::vector<std::string> nodes_;
  ListpackBuilder current_;
};

}  // namespace vigil::node::persistence
