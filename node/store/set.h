// Set value. Sets of canonical 64-bit integers (<= 512 members) are a sorted
// vector, like Redis's intset (so SMEMBERS returns them in ascending order and
// persistence can write an intset); anything else converts once to a Dict
// (Redis 7.0's hashtable encoding; 7.0 has no listpack sets).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "node/store/dict.h"
#include "node/store/value_type.h"

namespace vigil::node::store {

class Set {
 public:
  static constexpr ValueType kType = ValueType::kSet;
  static constexpr size_t kMaxIntsetEntries = 512;

  Set() = default;
  ~Set();
  Set(const Set&) = delete;
  Set& operator=(const Set&) = delete;
  std::unique_ptr<Set> clone() const;

  size_t size() const { return is_table_ ? table_.size() : ints_.size(); }
  bool empty() const { return size() == 0; }
  bool is_intset() const { return !is_table_; }
  std::string_view encoding() const { return is_table_ ? "hashtable" : "intset"; }
  // The sorted members while is_intset() (for the RDB intset encoding).
  const std::vector<int64_t>& ints() const { return ints_; }

  bool add(std::string_view member);     // true if added
  bool remove(std::string_view member);  // true if removed
  bool contains(std::string_view member);

  // Visits members (ascending while an intset). The view passed to fn is only
  // valid during the call.
  template <class Fn>
  void for_each(Fn&& fn) const {
    if (!is_table_) {
      char buf[24];
      for (int64_t v : ints_) fn(format_int(v, buf));
    } else {
      table_.for_each([&](Node* n) { fn(n->member()); });
    }
  }

  // A random member (the set must not be empty).
  std::string random_member();
  // Removes and returns a random member (the set must not be empty).
  std::string pop_random();

  // SSCAN step: an intset returns everything at once with cursor 0, as Redis.
  template <class Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn) {
    if (!is_table_) {
      for_each(fn);
      return 0;
    }
    return table_.scan(cursor, [&](Node* n) { fn(n->member()); });
  }

 private:
  // One allocation per member: the header, then the member bytes.
  struct Node {
    Node* dict_next;
    size_t len;
    std::string_view member() const { return {reinterpret_cast<const char*>(this + 1), len}; }
  };
  struct KeyOfNode {
    static std::string_view get(const Node& n) { return n.member(); }
  };
  static Node* make_node(std::string_view member);
  static void free_node(Node* n);
  static std::string_view format_int(int64_t v, char* buf);
  void convert_to_table();

  bool is_table_ = false;
  std::vector<int64_t> ints_;
  Dict<Node, KeyOfNode> table_;
};

}  // namespace vigil::node::store
