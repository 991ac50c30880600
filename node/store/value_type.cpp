#include "node/store/value_type.h"

#include <strings.h>

namespace vigil::node::store {

std::string_view type_name(ValueType t) {
  switch (t) {
    case ValueType::kString: return "string";
    case ValueType::kList: return "list";
    case ValueType::kSet: return "set";
    case ValueType::kZSet: return "zset";
    case ValueType::kHash: return "hash";
  }
  return "none";
}

std::optional<ValueType> type_from_name(std::string_view name) {
  for (ValueType t : {ValueType::kString, ValueType::kList, ValueType::kSet, ValueType::kZSet,
                      ValueType::kHash}) {
    std::string_view n = type_name(t);
    if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) return t;
  }
  return std::nullopt;
}

}  // namespace vigil::node::store
