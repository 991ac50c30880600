// List value: a deque of strings (O(1) push/pop at both ends and O(1) index,
// which LINDEX/LSET/LRANGE rely on). Reported as "quicklist" like Redis 7.0.
#pragma once

#include <deque>
#include <string>
#include <string_view>

#include "node/store/value_type.h"

namespace vigil::node::store {

class List {
 public:
  static constexpr ValueType kType = ValueType::kList;

  size_t size() const { return items.size(); }
  bool empty() const { return items.empty(); }
  std::string_view encoding() const { return "quicklist"; }

  // Head is index 0 (LPUSH side). Public: list commands and persistence use
  // the deque operations directly.
  std::deque<std::string> items;
};

}  // namespace vigil::node::store
