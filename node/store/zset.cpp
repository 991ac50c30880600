// Skiplist port of Redis's t_zset.c (zsl*): same ordering, spans and level
// distribution (p = 1/4, max 32 levels).
#include "node/store/zset.h"

#include <cstring>
#include <new>

#include "node/store/hashing.h"

namespace vigil::node::store {
namespace {

// (score, member) ordering of the skiplist: is lv.forward before (score, member)?
// The member is only read on a score tie.
inline bool forward_before(const ZSet::Level& lv, double score, std::string_view member) {
  return lv.forward &&
         (lv.forward_score < score || (lv.forward_score == score && lv.forward->member() < member));
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
  size_t bytes = sizeof(Node) + static_cast<size_t>(level) * sizeof(Level) + member.size();
  Node* n = new (::operator new(bytes)) Node;
  n->score = score;
  n->backward = nullptr;
  n->dict_next = nullptr;
  n->member_len = member.size();
  n->level_count = static_cast<uint64_t>(level);
  for (int i = 0; i < level; ++i) n->levels()[i] = Level{nullptr, 0, 0};
  if (!member.empty()) std::memcpy(n->levels() + level, member.data(), member.size());
  return n;
}

void ZSet::free_node(Node* n) { ::operator delete(n); }

int ZSet::random_level() {
  int level = 1;
  while ((random_u64() & 0xFFFF) < (0xFFFF / 4)) ++level;
  return level < kMaxLevel ? level : kMaxLevel;
}

void ZSet::find_predecessors(double score, std::string_view member, Node** update, size_t* rank) const {
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    size_t r = 0;
    if (rank) r = i == level_ - 1 ? 0 : rank[i + 1];
    while (forward_before(x->levels()[i], score, member)) {
      if (rank) r += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (rank) rank[i] = r;
    update[i] = x;
  }
}

void ZSet::link_node(Node* x) {
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  find_predecessors(x->score, x->member(), update, rank);
  const int level = static_cast<int>(x->level_count);
  if (level > level_) {
    for (int i = level_; i < level; ++i) {
      rank[i] = 0;
      update[i] = header_;
      update[i]->levels()[i].span = length_;
    }
    level_ = level;
  }
  for (int i = 0; i < level; ++i) {
    x->levels()[i].forward = update[i]->levels()[i].forward;
    x->levels()[i].forward_score = update[i]->levels()[i].forward_score;
    update[i]->levels()[i].forward = x;
    update[i]->levels()[i].forward_score = x->score;
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
}

void ZSet::unlink_node(Node* x, Node** update) {
  for (int i = 0; i < level_; ++i) {
    if (update[i]->levels()[i].forward == x) {
      update[i]->levels()[i].span += x->levels()[i].span - 1;
      update[i]->levels()[i].forward = x->levels()[i].forward;
      update[i]->levels()[i].forward_score = x->levels()[i].forward_score;
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

std::optional<double> ZSet::score(std::string_view member) {
  Node* n = dict_.find(member);
  if (!n) return std::nullopt;
  return n->score;
}

void ZSet::insert(std::string_view member, double score) {
  Node* n = make_node(random_level(), score, member);
  link_node(n);
  dict_.insert(n);
  if (member.size() > kMaxListpackValue || length_ > kMaxListpackEntries) listpack_ = false;
}

void ZSet::update_score(Node* node, double new_score) {
  Node* update[kMaxLevel];
  find_predecessors(node->score, node->member(), update, nullptr);
  // Fast path (as zslUpdateScore): the node keeps its place; only the scores
  // cached in its predecessors' levels change.
  const Level& next = node->levels()[0];
  if ((update[0] == header_ || update[0]->score < new_score) &&
      (next.forward == nullptr || next.forward_score > new_score)) {
    node->score = new_score;
    for (int i = 0; i < static_cast<int>(node->level_count); ++i) update[i]->levels()[i].forward_score = new_score;
    return;
  }
  // Move the same node: no allocation, and the dict (keyed by member) is untouched.
  unlink_node(node, update);
  node->score = new_score;
  link_node(node);
}

bool ZSet::remove(std::string_view member) {
  Node* n = dict_.unlink(member);
  if (!n) return false;
  Node* update[kMaxLevel];
  find_predecessors(n->score, n->member(), update, nullptr);
  unlink_node(n, update);
  free_node(n);
  return true;
}

size_t ZSet::rank_of(const Node* node) const {
  size_t rank = 0;
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward &&
           (x->levels()[i].forward_score < node->score ||
            (x->levels()[i].forward_score == node->score &&
             x->levels()[i].forward->member() <= node->member()))) {
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
    while (x->levels()[i].forward && !score_gte_min(x->levels()[i].forward_score, r)) {
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
    while (x->levels()[i].forward && score_lte_max(x->levels()[i].forward_score, r)) {
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
  if (!lex_gte_min(tail_->member(), r) || !lex_lte_max(first()->member(), r)) return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && !lex_gte_min(x->levels()[i].forward->member(), r)) {
      x = x->levels()[i].forward;
    }
  }
  x = x->levels()[0].forward;
  return x && lex_lte_max(x->member(), r) ? x : nullptr;
}

ZSet::Node* ZSet::last_in_lex_range(const LexRange& r) const {
  if (lex_range_empty(r) || !tail_) return nullptr;
  if (!lex_gte_min(tail_->member(), r) || !lex_lte_max(first()->member(), r)) return nullptr;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && lex_lte_max(x->levels()[i].forward->member(), r)) {
      x = x->levels()[i].forward;
    }
  }
  return x != header_ && lex_gte_min(x->member(), r) ? x : nullptr;
}

}  // namespace vigil::node::store
