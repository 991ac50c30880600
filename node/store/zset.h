// Sorted-set value: Redis's skiplist (ordered by score, then member bytes,
// with spans for O(log n) ranks) plus a Dict from member to skiplist node for
// O(1) ZSCORE. Each skiplist node is also the dict node: one allocation per
// member. OBJECT ENCODING reports "listpack" while the set would still be a
// listpack in Redis 7.0 (<= 128 members, all <= 64 bytes), which also decides
// whether ZSCAN returns everything in one call.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "node/store/dict.h"
#include "node/store/value_type.h"

namespace vigil::node::store {

// Score interval for ZRANGEBYSCORE and friends; *_exclusive = "(" syntax.
struct ScoreRange {
  double min = 0, max = 0;
  bool min_exclusive = false, max_exclusive = false;
};

// One end of a lexicographic interval: "-" / "+" or "[value" / "(value".
struct LexBound {
  enum Kind { kNegInf, kPosInf, kValue } kind = kNegInf;
  std::string value;
  bool exclusive = false;
};
struct LexRange {
  LexBound min, max;
};

class ZSet {
 public:
  static constexpr ValueType kType = ValueType::kZSet;
  static constexpr size_t kMaxListpackEntries = 128;
  static constexpr size_t kMaxListpackValue = 64;
  static constexpr int kMaxLevel = 32;

  struct Node;
  // forward_score caches forward->score: a search decides whether to step
  // without touching the node it does not step to (a cache miss each level).
  struct Level {
    Node* forward;
    double forward_score;
    size_t span;
  };
  // One allocation per member: this header, level_count Levels, then the
  // member bytes. The score sits next to the levels so a skiplist hop touches
  // one cache line, as in Redis's zskiplistNode.
  struct Node {
    double score;
    Node* backward;
    Node* dict_next;
    uint64_t member_len : 56;
    uint64_t level_count : 8;
    Level* levels() { return reinterpret_cast<Level*>(this + 1); }
    const Level* levels() const { return reinterpret_cast<const Level*>(this + 1); }
    std::string_view member() const {
      return {reinterpret_cast<const char*>(levels() + level_count), static_cast<size_t>(member_len)};
    }
    Node* next() const { return levels()[0].forward; }
    Node* prev() const { return backward; }
  };

  ZSet();
  ~ZSet();
  ZSet(const ZSet&) = delete;
  ZSet& operator=(const ZSet&) = delete;
  std::unique_ptr<ZSet> clone() const;

  size_t size() const { return length_; }
  bool empty() const { return length_ == 0; }
  bool is_listpack() const { return listpack_; }
  // SORT converts a listpack zset for good, as Redis's zsetConvert does.
  void convert_to_skiplist() { listpack_ = false; }
  std::string_view encoding() const { return listpack_ ? "listpack" : "skiplist"; }

  Node* find(std::string_view member) { return dict_.find(member); }
  std::optional<double> score(std::string_view member);
  // Adds a member that is not present yet.
  void insert(std::string_view member, double score);
  // Changes the score of a present member; the node stays the same (it is
  // moved inside the skiplist, the dict is untouched).
  void update_score(Node* node, double new_score);
  bool remove(std::string_view member);

  // 0-based rank in ascending order.
  size_t rank_of(const Node* node) const;
  // Node at a 0-based ascending rank (< size()).
  Node* at_rank(size_t rank) const;
  Node* first() const { return header_->levels()[0].forward; }
  Node* last() const { return tail_; }

  // First / last node inside the range, or nullptr if the range is empty.
  Node* first_in_range(const ScoreRange& r) const;
  Node* last_in_range(const ScoreRange& r) const;
  Node* first_in_lex_range(const LexRange& r) const;
  Node* last_in_lex_range(const LexRange& r) const;
  static bool score_gte_min(double v, const ScoreRange& r) { return r.min_exclusive ? v > r.min : v >= r.min; }
  static bool score_lte_max(double v, const ScoreRange& r) { return r.max_exclusive ? v < r.max : v <= r.max; }
  static bool lex_gte_min(std::string_view v, const LexRange& r);
  static bool lex_lte_max(std::string_view v, const LexRange& r);

  // Visits (member, score) in ascending order.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (Node* n = first(); n; n = n->next()) fn(n->member(), n->score);
  }

  // ZSCAN step: a listpack-sized set returns everything (ascending) with cursor 0.
  template <class Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn) {
    if (listpack_) {
      for_each(fn);
      return 0;
    }
    return dict_.scan(cursor, [&](Node* n) { fn(n->member(), n->score); });
  }

 private:
  struct KeyOfNode {
    static std::string_view get(const Node& n) { return n.member(); }
  };
  static Node* make_node(int level, double score, std::string_view member);
  static void free_node(Node* n);
  static int random_level();
  // Fills update[] with the rightmost node before (score, member) at every
  // level and, when rank is given, the rank of each of those nodes.
  void find_predecessors(double score, std::string_view member, Node** update, size_t* rank) const;
  // Unlinks x from the skiplist given the update vector.
  void unlink_node(Node* x, Node** update);
  // Links x (its score, member and level_count set) into the skiplist.
  void link_node(Node* x);

  Node* header_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  bool listpack_ = true;
  Dict<Node, KeyOfNode> dict_;
};

}  // namespace vigil::node::store
