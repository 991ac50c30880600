#include "node/persistence/rdb_reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "node/persistence/crc64.h"
#include "node/persistence/intset.h"
#include "node/persistence/legacy_containers.h"
#include "node/persistence/listpack.h"
#include "node/persistence/lzf.h"
#include "node/persistence/number_text.h"
#include "node/persistence/rdb_format.h"

namespace vigil::node::persistence {
namespace {

// Buffered input that knows its absolute offset and checksums what it hands out.
class RdbInput {
 public:
  explicit RdbInput(Source& src) : src_(src), buf_(kBufSize) {}

  uint64_t offset() const { return base_ + pos_; }

  [[noreturn]] void fail(const std::string& what) const { throw RdbError(what, offset()); }

  uint8_t byte() {
    if (pos_ == end_ && !refill()) fail("Unexpected EOF reading RDB file");
    return static_cast<uint8_t>(buf_[pos_++]);
  }

  void read(void* out, size_t n) {
    char* o = static_cast<char*>(out);
    while (n > 0) {
      if (pos_ == end_ && !refill()) fail("Unexpected EOF reading RDB file");
      size_t take = std::min(n, end_ - pos_);
      std::memcpy(o, buf_.data() + pos_, take);
      pos_ += take;
      o += take;
      n -= take;
    }
  }

  // Reads n bytes into a string growing in chunks, so a corrupt huge length
  // ends in a short-read error instead of a giant allocation.
  std::string read_string(uint64_t n) {
    std::string s;
    constexpr uint64_t kChunk = 1 << 20;
    s.resize(static_cast<size_t>(std::min(n, kChunk)));
    uint64_t done = 0;
    while (done < n) {
      uint64_t want = std::min(n - done, kChunk);
      if (s.size() < done + want) s.resize(static_cast<size_t>(done + want));
      read(s.data() + done, static_cast<size_t>(want));
      done += want;
    }
    return s;
  }

  // Checksum of everything consumed so far.
  uint64_t crc() {
    crc_ = crc64(crc_, buf_.data() + crc_from_, pos_ - crc_from_);
    crc_from_ = pos_;
    return crc_;
  }

 private:
  static constexpr size_t kBufSize = 64 * 1024;

  bool refill() {
    crc_ = crc64(crc_, buf_.data() + crc_from_, end_ - crc_from_);
    base_ += end_;
    pos_ = end_ = crc_from_ = 0;
    end_ = src_.read(buf_.data(), buf_.size());
    return end_ > 0;
  }

  Source& src_;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0, crc_from_ = 0;
  uint64_t base_ = 0;
  uint64_t crc_ = 0;
};

class Reader {
 public:
  Reader(Source& src, RdbLoadTarget& target, const RdbLoadOptions& options)
      : in_(src), target_(target), options_(options) {}

  RdbLoadInfo run();
  // A DUMP payload's value: type byte, then the object; empty collections
  // are rejected as Redis's rdbLoadObject does.
  RdbObject bare_value();

 private:
  struct Length {
    uint64_t value;
    bool encoded;  // special string encoding (value = encoding id)
  };

  Length length_or_encoding() {
    uint8_t b = in_.byte();
    switch (b >> 6) {
      case rdb::kLen6Bit: return {uint64_t{b & 0x3fu}, false};
      case rdb::kLen14Bit: return {(uint64_t{b & 0x3fu} << 8) | in_.byte(), false};
      case rdb::kEncVal: return {uint64_t{b & 0x3fu}, true};
      default: break;
    }
    int bytes = b == rdb::kLen32Bit ? 4 : b == rdb::kLen64Bit ? 8 : 0;
    if (bytes == 0) in_.fail("Unknown length encoding " + std::to_string(b) + " in rdbLoadLen()");
    unsigned char raw[8];
    in_.read(raw, static_cast<size_t>(bytes));
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | raw[i];  // big-endian
    return {v, false};
  }

  uint64_t length() {
    Length l = length_or_encoding();
    if (l.encoded) in_.fail("Unexpected string encoding where a length was expected");
    return l.value;
  }

  std::string string() {
    Length l = length_or_encoding();
    if (!l.encoded) return in_.read_string(l.value);
    unsigned char raw[4];
    switch (l.value) {
      case rdb::kEncInt8:
        in_.read(raw, 1);
        return int64_text(static_cast<int8_t>(raw[0]));
      case rdb::kEncInt16:
        in_.read(raw, 2);
        return int64_text(static_cast<int16_t>(raw[0] | (raw[1] << 8)));
      case rdb::kEncInt32:
        in_.read(raw, 4);
        return int64_text(static_cast<int32_t>(uint32_t{raw[0]} | (uint32_t{raw[1]} << 8) |
                                               (uint32_t{raw[2]} << 16) | (uint32_t{raw[3]} << 24)));
      case rdb::kEncLzf: {
        uint64_t clen = length();
        uint64_t ulen = length();
        // LZF expands at most ~132x (264 bytes from a 2-byte reference).
        if (clen == 0 || ulen == 0 || ulen > clen * 132 + 64) in_.fail("Invalid LZF compressed string");
        std::string compressed = in_.read_string(clen);
        auto out = lzf_decompress(compressed, static_cast<size_t>(ulen));
        if (!out) in_.fail("Invalid LZF compressed string");
        return std::move(*out);
      }
      default: in_.fail("Unknown RDB string encoding type " + std::to_string(l.value));
    }
  }

  double binary_double() {
    double d;
    in_.read(&d, 8);
    return d;
  }

  double text_double() {
    uint8_t len = in_.byte();
    if (len == 253) return std::nan("");
    if (len == 254) return INFINITY;
    if (len == 255) return -INFINITY;
    std::string text = in_.read_string(len);
    auto d = parse_score(text);
    if (!d) in_.fail("Invalid double value in RDB file");
    return *d;
  }

  int64_t int64_le() {
    unsigned char raw[8];
    in_.read(raw, 8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | raw[i];
    return static_cast<int64_t>(v);
  }

  static size_t capped(uint64_t count) { return static_cast<size_t>(std::min<uint64_t>(count, 1 << 16)); }

  void zset_score_checked(RdbObject& obj, std::string&& member, double score) {
    if (std::isnan(score)) in_.fail("Zset with NAN score detected");
    obj.zset.emplace_back(std::move(member), score);
  }

  void pairs_from_flat(std::vector<std::string>& flat, RdbObject& obj, bool zset) {
    if (flat.size() % 2 != 0) in_.fail("Odd number of elements in a field/value container");
    for (size_t i = 0; i < flat.size(); i += 2) {
      if (zset) {
        auto score = parse_score(flat[i + 1]);
        if (!score) in_.fail("Invalid zset score in container");
        zset_score_checked(obj, std::move(flat[i]), *score);
      } else {
        obj.fields.emplace_back(std::move(flat[i]), std::move(flat[i + 1]));
      }
    }
  }

  RdbObject object(uint8_t type);
  void check_unique_members(RdbObject& obj);

  RdbInput in_;
  RdbLoadTarget& target_;
  RdbLoadOptions options_;
  RdbLoadInfo info_;
};

RdbObject Reader::object(uint8_t type) {
  RdbObject obj;
  switch (type) {
    case rdb::kTypeString:
      obj.kind = RdbObject::Kind::kString;
      obj.string = string();
      break;
    case rdb::kTypeList:
    case rdb::kTypeSet: {
      obj.kind = type == rdb::kTypeList ? RdbObject::Kind::kList : RdbObject::Kind::kSet;
      uint64_t n = length();
      obj.elements.reserve(capped(n));
      for (uint64_t i = 0; i < n; ++i) obj.elements.push_back(string());
      break;
    }
    case rdb::kTypeZset:
    case rdb::kTypeZset2: {
      obj.kind = RdbObject::Kind::kZset;
      uint64_t n = length();
      obj.zset.reserve(capped(n));
      for (uint64_t i = 0; i < n; ++i) {
        std::string member = string();
        double score = type == rdb::kTypeZset2 ? binary_double() : text_double();
        zset_score_checked(obj, std::move(member), score);
      }
      break;
    }
    case rdb::kTypeHash: {
      obj.kind = RdbObject::Kind::kHash;
      uint64_t n = length();
      obj.fields.reserve(capped(n));
      for (uint64_t i = 0; i < n; ++i) {
        std::string field = string();
        obj.fields.emplace_back(std::move(field), string());
      }
      break;
    }
    case rdb::kTypeListQuicklist:
    case rdb::kTypeListQuicklist2: {
      obj.kind = RdbObject::Kind::kList;
      uint64_t nodes = length();
      for (uint64_t i = 0; i < nodes; ++i) {
        uint64_t container = rdb::kQuicklistNodePacked;
        if (type == rdb::kTypeListQuicklist2) {
          container = length();
          if (container != rdb::kQuicklistNodePacked && container != rdb::kQuicklistNodePlain)
            in_.fail("Quicklist integrity check failed: bad container type " + std::to_string(container));
        }
        std::string blob = string();
        if (container == rdb::kQuicklistNodePlain) {
          obj.elements.push_back(std::move(blob));
          continue;
        }
        if (blob.empty()) in_.fail("Quicklist integrity check failed: empty node");
        bool ok = type == rdb::kTypeListQuicklist2 ? listpack_decode(blob, obj.elements)
                                                   : ziplist_decode(blob, obj.elements);
        if (!ok) in_.fail("Quicklist integrity check failed: corrupt node");
      }
      break;
    }
    case rdb::kTypeSetIntset: {
      obj.kind = RdbObject::Kind::kSet;
      auto values = intset_decode(string());
      if (!values) in_.fail("Intset integrity check failed");
      obj.elements.reserve(values->size());
      for (int64_t v : *values) obj.elements.push_back(int64_text(v));
      break;
    }
    case rdb::kTypeListZiplist: {
      obj.kind = RdbObject::Kind::kList;
      if (!ziplist_decode(string(), obj.elements)) in_.fail("Ziplist integrity check failed");
      break;
    }
    case rdb::kTypeHashZipmap:
    case rdb::kTypeHashZiplist:
    case rdb::kTypeHashListpack:
    case rdb::kTypeZsetZiplist:
    case rdb::kTypeZsetListpack: {
      bool zset = type == rdb::kTypeZsetZiplist || type == rdb::kTypeZsetListpack;
      obj.kind = zset ? RdbObject::Kind::kZset : RdbObject::Kind::kHash;
      std::string blob = string();
      std::vector<std::string> flat;
      bool ok = type == rdb::kTypeHashZipmap ? zipmap_decode(blob, flat)
                : (type == rdb::kTypeHashListpack || type == rdb::kTypeZsetListpack) ? listpack_decode(blob, flat)
                                                                                     : ziplist_decode(blob, flat);
      if (!ok) in_.fail(std::string(type == rdb::kTypeHashZipmap ? "Zipmap" : "Listpack/ziplist") + " integrity check failed");
      pairs_from_flat(flat, obj, zset);
      break;
    }
    case rdb::kTypeStreamListpacks:
    case rdb::kTypeStreamListpacks2:
      in_.fail("RDB contains a stream key; vigil-node has no stream type");
    case rdb::kTypeModule:
    case rdb::kTypeModule2:
      in_.fail("RDB contains module data; vigil-node supports no modules");
    default:
      in_.fail("Unknown RDB encoding type " + std::to_string(type));
  }
  check_unique_members(obj);
  return obj;
}

// Duplicate fields/members would corrupt the store's invariants; Redis's
// deep sanitizer rejects them too.
void Reader::check_unique_members(RdbObject& obj) {
  auto has_dup = [](std::vector<std::string_view> v) {
    std::sort(v.begin(), v.end());
    return std::adjacent_find(v.begin(), v.end()) != v.end();
  };
  std::vector<std::string_view> names;
  if (obj.kind == RdbObject::Kind::kSet) {
    names.assign(obj.elements.begin(), obj.elements.end());
  } else if (obj.kind == RdbObject::Kind::kHash) {
    for (auto& f : obj.fields) names.push_back(f.first);
  } else if (obj.kind == RdbObject::Kind::kZset) {
    for (auto& m : obj.zset) names.push_back(m.first);
  } else {
    return;
  }
  if (has_dup(std::move(names))) in_.fail("Duplicate member or field in a collection");
}

RdbObject Reader::bare_value() {
  RdbObject value = object(in_.byte());
  bool empty = (value.kind == RdbObject::Kind::kList || value.kind == RdbObject::Kind::kSet) ? value.elements.empty()
               : value.kind == RdbObject::Kind::kHash                                        ? value.fields.empty()
               : value.kind == RdbObject::Kind::kZset                                        ? value.zset.empty()
                                                                                              : false;
  if (empty) in_.fail("Empty keys are not allowed in a DUMP payload");
  return value;
}

RdbLoadInfo Reader::run() {
  char header[9];
  in_.read(header, 9);
  if (std::memcmp(header, rdb::kMagic, 5) != 0) in_.fail("Wrong signature trying to load DB from file");
  int version = 0;
  for (int i = 5; i < 9; ++i) {
    if (header[i] < '0' || header[i] > '9') in_.fail("Wrong signature trying to load DB from file");
    version = version * 10 + (header[i] - '0');
  }
  if (version < 1 || version > rdb::kVersion)
    in_.fail("Can't handle RDB format version " + std::to_string(version));
  info_.version = version;

  int db = 0;
  int64_t expire_ms = -1;
  while (true) {
    uint64_t item_offset = in_.offset();
    uint8_t type = in_.byte();
    switch (type) {
      case rdb::kOpExpireTime: {
        unsigned char raw[4];
        in_.read(raw, 4);
        int32_t secs = static_cast<int32_t>(uint32_t{raw[0]} | (uint32_t{raw[1]} << 8) | (uint32_t{raw[2]} << 16) |
                                            (uint32_t{raw[3]} << 24));
        expire_ms = int64_t{secs} * 1000;
        continue;
      }
      case rdb::kOpExpireTimeMs:
        expire_ms = int64_le();
        continue;
      case rdb::kOpFreq:
        in_.byte();
        continue;
      case rdb::kOpIdle:
        length();
        continue;
      case rdb::kOpSelectDb: {
        uint64_t id = length();
        if (id >= static_cast<uint64_t>(options_.databases))
          throw RdbError("FATAL: Data file was created with a Redis server configured to handle more than " +
                             std::to_string(options_.databases) + " databases",
                         item_offset);
        db = static_cast<int>(id);
        continue;
      }
      case rdb::kOpResizeDb: {
        uint64_t keys = length();
        uint64_t expires = length();
        target_.on_resize_db(db, keys, expires);
        continue;
      }
      case rdb::kOpAux: {
        std::string key = string();
        std::string value = string();
        if (key == "redis-ver") info_.redis_ver = value;
        else if (key == "repl-id" && value.size() == 40) info_.repl_id = value;
        else if (key == "repl-offset") info_.repl_offset = canonical_int64(value);
        else if (key == "repl-stream-db") info_.repl_stream_db = canonical_int64(value);
        else if (key == "aof-base" || key == "aof-preamble") info_.aof_base = info_.aof_base || value == "1";
        else if (key == "ctime") info_.ctime = canonical_int64(value).value_or(0);
        continue;  // unknown AUX fields are ignored, as Redis does
      }
      case rdb::kOpModuleAux:
        throw RdbError("The RDB file contains AUX module data vigil-node can't load", item_offset);
      case rdb::kOpFunction:
      case rdb::kOpFunction2:
        throw RdbError("The RDB file contains functions (Redis 7 FUNCTION libraries), which vigil-node does not support",
                       item_offset);
      case rdb::kOpEof: {
        uint64_t computed = in_.crc();
        unsigned char raw[8];
        if (version >= 5) {
          in_.read(raw, 8);
          uint64_t stored = 0;
          for (int i = 7; i >= 0; --i) stored = (stored << 8) | raw[i];
          if (stored != 0) {
            if (stored != computed) {
              char msg[96];
              std::snprintf(msg, sizeof msg, "Wrong RDB checksum expected: (%llx) but got (%llx)",
                            static_cast<unsigned long long>(stored), static_cast<unsigned long long>(computed));
              throw RdbError(msg, item_offset + 1);
            }
            info_.checksum_verified = true;
          }
        }
        info_.bytes = in_.offset();
        return info_;
      }
      default: {
        std::string key = string();
        RdbObject value = object(type);
        bool empty = (value.kind == RdbObject::Kind::kList || value.kind == RdbObject::Kind::kSet)
                         ? value.elements.empty()
                     : value.kind == RdbObject::Kind::kHash ? value.fields.empty()
                     : value.kind == RdbObject::Kind::kZset ? value.zset.empty()
                                                            : false;
        if (empty) {
          ++info_.empty_keys_skipped;  // Redis logs "skipping empty key" and goes on
        } else {
          if (!target_.on_key(db, std::move(key), std::move(value), expire_ms))  // key intact on false
            throw RdbError("RDB has duplicated key '" + key + "' in DB " + std::to_string(db), item_offset);
          ++info_.keys;
        }
        expire_ms = -1;
      }
    }
  }
}

}  // namespace

RdbLoadInfo load_rdb(Source& source, RdbLoadTarget& target, const RdbLoadOptions& options) {
  Reader reader(source, target, options);
  return reader.run();
}

RdbObject read_rdb_value(Source& source) {
  class NoTarget final : public RdbLoadTarget {
    bool on_key(int, std::string&&, RdbObject&&, int64_t) override { return false; }
  } no_target;
  Reader reader(source, no_target, RdbLoadOptions{});
  return reader.bare_value();
}

}  // namespace vigil::node::persistence
