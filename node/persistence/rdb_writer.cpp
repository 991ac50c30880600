#include "node/persistence/rdb_writer.h"

#include <cstdio>
#include <cstring>

#include "node/persistence/crc64.h"
#include "node/persistence/lzf.h"
#include "node/persistence/number_text.h"

namespace vigil::node::persistence {

void QuicklistNodeBuilder::add(std::string_view element) {
  // Redis 7.0's _quicklistNodeAllowInsert: SIZE_ESTIMATE_OVERHEAD (8) per new entry.
  constexpr size_t kEntryOverhead = 8;
  if (current_.count() > 0 && current_.bytes() + element.size() + kEntryOverhead > rdb::kListNodeMaxBytes) {
    nodes_.push_back(current_.finish());
  }
  current_.append(element);
}

std::vector<std::string> QuicklistNodeBuilder::finish() {
  if (current_.count() > 0) nodes_.push_back(current_.finish());
  return std::move(nodes_);
}

RdbWriter::RdbWriter(Sink& sink, RdbWriterOptions options) : sink_(sink), options_(options) {
  buf_.reserve(kFlushAt + 1024);
}

void RdbWriter::flush() {
  if (buf_.empty()) return;
  if (options_.checksum) crc_ = crc64(crc_, buf_.data(), buf_.size());
  sink_.write(buf_.data(), buf_.size());
  total_ += buf_.size();
  buf_.clear();
}

void RdbWriter::put_raw(std::string_view bytes) {
  if (bytes.size() >= kFlushAt) {
    flush();
    if (options_.checksum) crc_ = crc64(crc_, bytes.data(), bytes.size());
    sink_.write(bytes.data(), bytes.size());
    total_ += bytes.size();
    return;
  }
  buf_.append(bytes);
  maybe_flush();
}

void RdbWriter::put_length(uint64_t len) {
  char b[9];
  if (len < (1 << 6)) {
    b[0] = static_cast<char>(len);
    buf_.append(b, 1);
  } else if (len < (1 << 14)) {
    b[0] = static_cast<char>((rdb::kLen14Bit << 6) | (len >> 8));
    b[1] = static_cast<char>(len & 0xff);
    buf_.append(b, 2);
  } else if (len <= UINT32_MAX) {
    b[0] = static_cast<char>(rdb::kLen32Bit);
    for (int i = 0; i < 4; ++i) b[1 + i] = static_cast<char>((len >> (8 * (3 - i))) & 0xff);  // big-endian
    buf_.append(b, 5);
  } else {
    b[0] = static_cast<char>(rdb::kLen64Bit);
    for (int i = 0; i < 8; ++i) b[1 + i] = static_cast<char>((len >> (8 * (7 - i))) & 0xff);
    buf_.append(b, 9);
  }
  maybe_flush();
}

void RdbWriter::put_string(std::string_view s) {
  // Integer encodings for short canonical integers within int32 range.
  if (s.size() <= 11) {
    if (auto v = canonical_int64(s); v && *v >= INT32_MIN && *v <= INT32_MAX) {
      char b[5];
      size_t n;
      uint64_t u = static_cast<uint64_t>(*v);
      if (*v >= INT8_MIN && *v <= INT8_MAX) {
        b[0] = static_cast<char>((rdb::kEncVal << 6) | rdb::kEncInt8);
        n = 1;
      } else if (*v >= INT16_MIN && *v <= INT16_MAX) {
        b[0] = static_cast<char>((rdb::kEncVal << 6) | rdb::kEncInt16);
        n = 2;
      } else {
        b[0] = static_cast<char>((rdb::kEncVal << 6) | rdb::kEncInt32);
        n = 4;
      }
      for (size_t i = 0; i < n; ++i) b[1 + i] = static_cast<char>((u >> (8 * i)) & 0xff);
      buf_.append(b, n + 1);
      maybe_flush();
      return;
    }
  }
  if (options_.compression && s.size() > 20) {
    if (auto compressed = lzf_compress(s)) {
      put_byte((rdb::kEncVal << 6) | rdb::kEncLzf);
      put_length(compressed->size());
      put_length(s.size());
      put_raw(*compressed);
      return;
    }
  }
  put_length(s.size());
  put_raw(s);
}

void RdbWriter::put_double_le(double d) {
  char b[8];
  std::memcpy(b, &d, 8);
  put_raw(std::string_view(b, 8));
}

void RdbWriter::put_int64_le(int64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  put_raw(std::string_view(b, 8));
}

void RdbWriter::put_aux(std::string_view key, std::string_view value) {
  put_byte(rdb::kOpAux);
  put_string(key);
  put_string(value);
}

void RdbWriter::begin(const RdbAux& aux) {
  char magic[10];
  std::snprintf(magic, sizeof magic, "REDIS%04d", rdb::kVersion);
  put_raw(std::string_view(magic, 9));
  put_aux("redis-ver", aux.redis_ver);
  put_aux("redis-bits", "64");
  put_aux("ctime", int64_text(aux.ctime));
  put_aux("used-mem", int64_text(aux.used_mem));
  if (aux.repl_id) {
    put_aux("repl-stream-db", int64_text(aux.repl_stream_db));
    put_aux("repl-id", *aux.repl_id);
    put_aux("repl-offset", int64_text(aux.repl_offset));
  }
  put_aux("aof-base", aux.aof_base ? "1" : "0");
}

void RdbWriter::select_db(uint64_t db, uint64_t keys, uint64_t keys_with_expire) {
  put_byte(rdb::kOpSelectDb);
  put_length(db);
  put_byte(rdb::kOpResizeDb);
  put_length(keys);
  put_length(keys_with_expire);
}

void RdbWriter::begin_key(uint8_t type, std::string_view key, int64_t expire_ms) {
  if (expire_ms >= 0) {
    put_byte(rdb::kOpExpireTimeMs);
    put_int64_le(expire_ms);
  }
  put_byte(type);
  put_string(key);
}

void RdbWriter::write_string(std::string_view key, std::string_view value, int64_t expire_ms) {
  begin_key(rdb::kTypeString, key, expire_ms);
  put_string(value);
}

void RdbWriter::finish() {
  if (finished_) return;
  put_byte(rdb::kOpEof);
  flush();
  uint64_t crc = options_.checksum ? crc_ : 0;
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  sink_.write(b, 8);
  total_ += 8;
  finished_ = true;
}

}  // namespace vigil::node::persistence
