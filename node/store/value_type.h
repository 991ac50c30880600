// The five value types of the keyspace, with the names TYPE / SCAN TYPE use.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::node::store {

enum class ValueType : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };

// "string", "list", "set", "zset", "hash".
std::string_view type_name(ValueType t);
// Inverse of type_name, case-insensitive (SCAN ... TYPE zset).
std::optional<ValueType> type_from_name(std::string_view name);

}  // namespace vigil::node::store
