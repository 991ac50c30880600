#include "node/store/hash.h"

#include <cstring>
#include <new>

#include "node/store/hashing.h"

namespace vigil::node::store {

Hash::~Hash() {
  table_.clear([](Node* n) { free_node(n); });
}

Hash::Node* Hash::make_node(std::string_view field, std::string value) {
  Node* n = new (::operator new(sizeof(Node) + field.size())) Node{nullptr, field.size(), std::move(value)};
  if (!field.empty()) std::memcpy(reinterpret_cast<char*>(n + 1), field.data(), field.size());
  return n;
}

void Hash::free_node(Node* n) {
  n->~Node();
  ::operator delete(n);
}

std::unique_ptr<Hash> Hash::clone() const {
  auto h = std::make_unique<Hash>();
  if (!is_table_) {
    h->small_ = small_;
  } else {
    h->is_table_ = true;
    table_.for_each([&](Node* n) { h->table_.insert(make_node(n->field(), n->value)); });
  }
  return h;
}

const std::string* Hash::get(std::string_view field) {
  if (!is_table_) {
    for (const auto& p : small_)
      if (p.first == field) return &p.second;
    return nullptr;
  }
  Node* n = table_.find(field);
  return n ? &n->value : nullptr;
}

bool Hash::set(std::string_view field, std::string_view value) {
  if (!is_table_) {
    if (field.size() > kMaxListpackValue || value.size() > kMaxListpackValue) {
      convert_to_table();
    } else {
      for (auto& p : small_) {
        if (p.first == field) {
          p.second.assign(value);
          return false;
        }
      }
      small_.emplace_back(std::string(field), std::string(value));
      if (small_.size() > kMaxListpackEntries) convert_to_table();
      return true;
    }
  }
  if (Node* n = table_.find(field)) {
    n->value.assign(value);
    return false;
  }
  table_.insert(make_node(field, std::string(value)));
  return true;
}

bool Hash::remove(std::string_view field) {
  if (!is_table_) {
    for (auto it = small_.begin(); it != small_.end(); ++it) {
      if (it->first == field) {
        small_.erase(it);
        return true;
      }
    }
    return false;
  }
  Node* n = table_.unlink(field);
  if (n) free_node(n);
  return n != nullptr;
}

std::pair<std::string_view, std::string_view> Hash::random_pair() {
  if (!is_table_) {
    const auto& p = small_[random_u64() % small_.size()];
    return {p.first, p.second};
  }
  Node* n = table_.random();
  return {n->field(), n->value};
}

void Hash::convert_to_table() {
  is_table_ = true;
  for (auto& [f, v] : small_) table_.insert(make_node(f, std::move(v)));
  small_.clear();
  small_.shrink_to_fit();
}

}  // namespace vigil::node::store
