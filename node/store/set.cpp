#include "node/store/set.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "common/util/numbers.h"
#include "node/store/hashing.h"

namespace vigil::node::store {

Set::~Set() {
  table_.clear([](Node* n) { free_node(n); });
}

Set::Node* Set::make_node(std::string_view member) {
  Node* n = new (::operator new(sizeof(Node) + member.size())) Node{nullptr, member.size()};
  if (!member.empty()) std::memcpy(reinterpret_cast<char*>(n + 1), member.data(), member.size());
  return n;
}

void Set::free_node(Node* n) { ::operator delete(n); }

std::unique_ptr<Set> Set::clone() const {
  auto s = std::make_unique<Set>();
  s->ints_ = ints_;
  if (is_table_) {
    s->is_table_ = true;
    table_.for_each([&](Node* n) { s->table_.insert(make_node(n->member())); });
  }
  return s;
}

std::string_view Set::format_int(int64_t v, char* buf) {
  // buf holds at least 24 bytes.
  char* end = buf + 24;
  char* p = end;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) *--p = '-';
  return {p, static_cast<size_t>(end - p)};
}

bool Set::add(std::string_view member) {
  if (!is_table_) {
    long long v;
    if (util::string2ll(member, &v)) {
      auto it = std::lower_bound(ints_.begin(), ints_.end(), v);
      if (it != ints_.end() && *it == v) return false;
      ints_.insert(it, v);
      if (ints_.size() > kMaxIntsetEntries) convert_to_table();
      return true;
    }
    convert_to_table();
  }
  if (table_.find(member)) return false;
  table_.insert(make_node(member));
  return true;
}

bool Set::remove(std::string_view member) {
  if (!is_table_) {
    long long v;
    if (!util::string2ll(member, &v)) return false;
    auto it = std::lower_bound(ints_.begin(), ints_.end(), v);
    if (it == ints_.end() || *it != v) return false;
    ints_.erase(it);
    return true;
  }
  Node* n = table_.unlink(member);
  if (n) free_node(n);
  return n != nullptr;
}

bool Set::contains(std::string_view member) {
  if (!is_table_) {
    long long v;
    if (!util::string2ll(member, &v)) return false;
    return std::binary_search(ints_.begin(), ints_.end(), v);
  }
  return table_.find(member) != nullptr;
}

std::string Set::random_member() {
  if (!is_table_) {
    char buf[24];
    return std::string(format_int(ints_[random_u64() % ints_.size()], buf));
  }
  return std::string(table_.random()->member());
}

std::string Set::pop_random() {
  if (!is_table_) {
    size_t i = random_u64() % ints_.size();
    char buf[24];
    std::string m(format_int(ints_[i], buf));
    ints_.erase(ints_.begin() + static_cast<std::ptrdiff_t>(i));
    return m;
  }
  Node* n = table_.unlink(table_.random()->member());
  std::string m(n->member());
  free_node(n);
  return m;
}

void Set::convert_to_table() {
  is_table_ = true;
  char buf[24];
  for (int64_t v : ints_) table_.insert(make_node(format_int(v, buf)));
  ints_.clear();
  ints_.shrink_to_fit();
}

}  // namespace vigil::node::store
