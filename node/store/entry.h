// One key of the keyspace: a single heap block holding a small header, the key
// bytes and, for strings, the value bytes (with spare capacity for APPEND).
// Other types keep a pointer to their List/Hash/Set/ZSet object. One allocation
// per string key keeps ~1M small keys near Redis's memory footprint.
//
// Entries are created, resized and freed only by Database: a pointer to an
// Entry stays valid until the next Database call that modifies *that key*
// (set_string/update_string/resize_string/rename may reallocate it; they return
// the new pointer).
#pragma once

#include <cstdint>
#include <string_view>

#include "node/store/value_type.h"

namespace vigil::node::store {

class List;
class Hash;
class Set;
class ZSet;
class Database;

class Entry {
 public:
  std::string_view key() const { return {data(), key_len_}; }
  ValueType type() const { return type_; }
  bool has_expire() const { return flags_ & kHasExpire; }

  // Value accessors; the caller checks type() first.
  std::string_view str() const { return {data() + key_len_, u_.s.len}; }
  List& list() const { return *static_cast<List*>(u_.obj); }
  Hash& hash() const { return *static_cast<Hash*>(u_.obj); }
  Set& set() const { return *static_cast<Set*>(u_.obj); }
  ZSet& zset() const { return *static_cast<ZSet*>(u_.obj); }

  // OBJECT ENCODING name, as Redis 7.0 reports it for this value.
  std::string_view encoding() const;

  Entry* dict_next = nullptr;  // keyspace chain link (Dict)

 private:
  friend class Database;
  static constexpr uint8_t kHasExpire = 1;
  // A string modified in place (APPEND, SETRANGE, SETBIT, an HLL...): Redis
  // holds those as "raw" objects whatever their length or content.
  static constexpr uint8_t kRawString = 2;

  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }

  uint32_t key_len_ = 0;
  ValueType type_ = ValueType::kString;
  uint8_t flags_ = 0;
  uint16_t reserved_ = 0;
  union {
    struct {
      uint32_t len;  // string length
      uint32_t cap;  // bytes allocated after the key
    } s;
    void* obj;  // List/Hash/Set/ZSet
  } u_{};
};

static_assert(sizeof(Entry) == 24, "Entry header must stay compact");

}  // namespace vigil::node::store
