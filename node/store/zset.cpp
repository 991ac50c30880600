// Skiplist port of Redis's t_zset.c (zsl*): same ordering, spans and level
// distribution (p = 1/4, max 32 levels).
#include "node/store/zset.h"

#include <new>

#include "node/store/hashing.h"

namespace vigil::node::store {
namespace {

// (score, member) ordering of the skiplist.
inline bool node_before(const ZSet::Node* n, double score, std::string_view member) {
  return n->score < score || (n->score == score && std::string_view(n->member) < member);
}

int lex_bound_compare(const LexBound& a, const LexBound& b) {
  if (a.kind == b.kind && a.kind != LexBound::kValue) return 0;
  if (a.kind == LexBound::kNegInf || b.kind == LexBound::kPosInf) return -1;
  if (a.kind == LexBound::kPosInf || b.kind == LexBound::kNegInf) return 1;
  return a.value.compare(b.value);
}

}  // namespace

ZSet::ZSet() : header_(make_node(kMaxLevel, 0, {})) {}

ZSet::~ZSet() {
  Node* x = header_->levels()[0].forward;
  while (x) {
    Node* next = x->levels()[0].forward;
    free_node(x);
    x = next;
  }
  free_node(header_);
}

std::unique_ptr<ZSet> ZSet::clone() const {
  auto z = std::make_unique<ZSet>();
  // Appending in order: every insert lands at the tail.
  for_each([&](std::string_view m, double s) { z->insert(m, s); });
  return z;
}

ZSet::Node* ZSet::make_node(int level, double score, std::string_view member) {
  void* mem = ::operator new(sizeof(Node) + static_cast<size_t>(level) * sizeof(Level));
  Node* n = new (mem) Node;
  n->score = score;
  n->member.assign(member);
  n->level_count = level;
  for (int i = 0; i < level; ++i) n->levels()[i] = Level{nullptr, 0};
  return n;
}

void ZSet::free_node(Node* n) {
  n->~Node();
  ::operator delete(n);
}

int ZSet::random_level() {
  int level = 1;
  while ((random_u64() & 0xFFFF) < (0xFFFF / 4)) ++level;
  return level < kMaxLevel ? level : kMaxLevel;
}

ZSet::Node* ZSet::skiplist_insert(double score, std::string_view member) {
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (x->levels()[i].forward && node_before(x->levels()[i].forward, score, member)) {
      rank[i] += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  int level = random_level();
  if (level > level_) {
    for (int i = level_; i < level; ++i) {
      rank[i] = 0;
      update[i] = header_;
      update[i]->levels()[i].span = length_;
    }
    level_ = level;
  }
  x = make_node(level, score, member);
  for (int i = 0; i < level; ++i) {
    x->levels()[i].forward = update[i]->levels()[i].forward;
    update[i]->levels()[i].forward = x;
    x->levels()[i].span = update[i]->levels()[i].span - (rank[0] - rank[i]);
    update[i]->levels()[i].span = (rank[0] - rank[i]) + 1;
  }
  for (int i = level; i < level_; ++i) update[i]->levels()[i].span++;
  x->backward = update[0] == header_ ? nullptr : update[0];
  if (x->levels()[0].forward) {
    x->levels()[0].forward->backward = x;
  } else {
    tail_ = x;
  }
  ++length_;
  return x;
}

void ZSet::unlink_node(Node* x, Node** update) {
  for (int i = 0; i < level_; ++i) {
    if (update[i]->levels()[i].forward == x) {
      update[i]->levels()[i].span += x->levels()[i].span - 1;
      update[i]->levels()[i].forward = x->levels()[i].forward;
    } else {
      update[i]->levels()[i].span -= 1;
    }
  }
  if (x->levels()[0].forward) {
    x->levels()[0].forward->backward = x->backward;
  } else {
    tail_ = x->backward;
  }
  while (level_ > 1 && header_->levels()[level_ - 1].forward == nullptr) --level_;
  --length_;
}

ZSet::Node* ZSet::skiplist_delete(double score, std::string_view member) {
  Node* update[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && node_before(x->levels()[i].forward, score, member)) {
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  x = x->levels()[0].forward;
  if (x && x->score == score && x->member == member) {
    unlink_node(x, update);
    return x;
  }
  return nullptr;
}

std::optional<double> ZSet::score(std::string_view member) {
  Node* n = dict_.find(member);
  if (!n) return std::nullopt;
  return n->score;
}

void ZSet::insert(std::string_view member, double score) {
  Node* n = skiplist_insert(score, member);
  dict_.insert(n);
  if (member.size() > kMaxListpackValue || length_ > kMaxListpackEntries) listpack_ = false;
}

ZSet::Node* ZSet::update_score(Node* node, double new_score) {
  // Fast path (as zslUpdateScore): the node keeps its place.
  Node* next = node->levels()[0].forward;
  if ((node->backward == nullptr || node->backward->score < new_score) &&
      (next == nullptr || next->score > new_score)) {
    node->score = new_score;
    return node;
  }
  std::string member = node->member;
  Node* old = dict_.unlink(member);
  skiplist_delete(old->score, old->member);
  free_node(old);
  Node* n = skiplist_insert(new_score, member);
  dict_.insert(n);
  return n;
}

bool ZSet::remove(std::string_view member) {
  Node* n = dict_.unlink(member);
  if (!n) return false;
  skiplist_delete(n->score, n->member);
  free_node(n);
  return true;
}

size_t ZSet::rank_of(const Node* node) const {
  size_t rank = 0;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward &&
           (x->levels()[i].forward->score < node->score ||
            (x->levels()[i].forward->score == node->score &&
             x->levels()[i].forward->member <= node->member))) {
      rank += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (x == node) return rank - 1;
  }
  return rank - 1;  // unreachable for a member of this set
}

ZSet::Node* ZSet::at_rank(size_t rank) const {
  size_t target = rank + 1, traversed = 0;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && traversed + x->levels()[i].span <= target) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (traversed == target) return x;
  }
  return nullptr;
}

ZSet::Node* ZSet::first_in_range(const ScoreRange& r) const {
  if (r.min > r.max || (r.min == r.max && (r.min_exclusive || r.max_exclusive))) return nullptr;
  if (!tail_ || !score_gte_min(tail_->score, r)) return nullptr;
  if (!score_lte_max(first()->score, r)) return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && !score_gte_min(x->levels()[i].forward->score, r)) {
      x = x->levels()[i].forward;
    }
  }
  x = x->levels()[0].forward;
  return x && score_lte_max(x->score, r) ? x : nullptr;
}

ZSet::Node* ZSet::last_in_range(const ScoreRange& r) const {
  if (r.min > r.max || (r.min == r.max && (r.min_exclusive || r.max_exclusive))) return nullptr;
  if (!tail_ || !score_gte_min(tail_->score, r)) return nullptr;
  if (!score_lte_max(first()->score, r)) return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && score_lte_max(x->levels()[i].forward->score, r)) {
      x = x->levels()[i].forward;
    }
  }
  return x != header_ && score_gte_min(x->score, r) ? x : nullptr;
}

bool ZSet::lex_gte_min(std::string_view v, const LexRange& r) {
  switch (r.min.kind) {
    case LexBound::kNegInf: return true;
    case LexBound::kPosInf: return false;
    case LexBound::kValue: break;
  }
  return r.min.exclusive ? v > std::string_view(r.min.value) : v >= std::string_view(r.min.value);
}

bool ZSet::lex_lte_max(std::string_view v, const LexRange& r) {
  switch (r.max.kind) {
    case LexBound::kNegInf: return false;
    case LexBound::kPosInf: return true;
    case LexBound::kValue: break;
  }
  return r.max.exclusive ? v < std::string_view(r.max.value) : v <= std::string_view(r.max.value);
}

namespace {
bool lex_range_empty(const LexRange& r) {
  int c = lex_bound_compare(r.min, r.max);
  return c > 0 || (c == 0 && (r.min.exclusive || r.max.exclusive || r.min.kind != LexBound::kValue));
}
}  // namespace

ZSet::Node* ZSet::first_in_lex_range(const LexRange& r) const {
  if (lex_range_empty(r) || !tail_) return nullptr;
  if (!lex_gte_min(tail_->member, r) || !lex_lte_max(first()->member, r)) return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && !lex_gte_min(x->levels()[i].forward->member, r)) {
      x = x->levels()[i].forward;
    }
  }
  x = x->levels()[0].forward;
  return x && lex_lte_max(x->member, r) ? x : nullptr;
}

ZSet::Node* ZSet::last_in_lex_range(const LexRange& r) const {
  if (lex_range_empty(r) || !tail_) return nullptr;
  if (!lex_gte_min(tail_->member, r) || !lex_lte_max(first()->member, r)) return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && lex_lte_max(x->levels()[i].forward->member, r)) {
      x = x->levels()[i].forward;
    }
  }
  return x != header_ && lex_gte_min(x->member, r) ? x : nullptr;
}

}  // namespace vigil::node::store
