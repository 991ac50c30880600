// Hash value. Small hashes (<= 512 fields, every field and value <= 64 bytes,
// Redis 7.0's listpack limits) are a vector of pairs in insertion order, so
// HGETALL/HKEYS order matches Redis's listpack encoding; bigger ones convert
// once, for good, to a Dict (Redis's hashtable encoding).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/store/dict.h"
#include "node/store/value_type.h"

namespace vigil::node::store {

class Hash {
 public:
  static constexpr ValueType kType = ValueType::kHash;
  static constexpr size_t kMaxListpackEntries = 512;
  static constexpr size_t kMaxListpackValue = 64;

  Hash() = default;
  ~Hash();
  Hash(const Hash&) = delete;
  Hash& operator=(const Hash&) = delete;
  std::unique_ptr<Hash> clone() const;

  size_t size() const { return is_table_ ? table_.size() : small_.size(); }
  bool empty() const { return size() == 0; }
  bool is_listpack() const { return !is_table_; }
  std::string_view encoding() const { return is_table_ ? "hashtable" : "listpack"; }

  // The field's value, or nullptr. Valid until the hash is modified.
  const std::string* get(std::string_view field);
  bool contains(std::string_view field) { return get(field) != nullptr; }
  // Sets field to value; returns true if the field is new.
  bool set(std::string_view field, std::string_view value);
  // Removes field; returns whether it existed.
  bool remove(std::string_view field);

  // Visits (field, value) pairs: insertion order while a listpack.
  template <class Fn>
  void for_each(Fn&& fn) const {
    if (!is_table_) {
      for (const auto& [f, v] : small_) fn(std::string_view(f), std::string_view(v));
    } else {
      table_.for_each([&](Node* n) { fn(n->field(), std::string_view(n->value)); });
    }
  }

  // A uniformly-ish random pair (HRANDFIELD). The hash must not be empty.
  std::pair<std::string_view, std::string_view> random_pair();

  // HSCAN step: a listpack returns everything at once with cursor 0, as Redis.
  template <class Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn) {
    if (!is_table_) {
      for_each(fn);
      return 0;
    }
    return table_.scan(cursor, [&](Node* n) { fn(n->field(), std::string_view(n->value)); });
  }

 private:
  // One allocation per field (plus the value's own when it is long): the
  // header, then the field bytes.
  struct Node {
    Node* dict_next;
    size_t field_len;
    std::string value;
    std::string_view field() const { return {reinterpret_cast<const char*>(this + 1), field_len}; }
  };
  struct KeyOfNode {
    static std::string_view get(const Node& n) { return n.field(); }
  };
  static Node* make_node(std::string_view field, std::string value);
  static void free_node(Node* n);
  void convert_to_table();

  bool is_table_ = false;
  std::vector<std::pair<std::string, std::string>> small_;
  Dict<Node, KeyOfNode> table_;
};

}  // namespace vigil::node::store
