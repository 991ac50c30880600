#include "node/persistence/intset.h"

namespace vigil::node::persistence {

std::string intset_encode(const std::vector<int64_t>& values) {
  uint32_t width = 2;
  for (int64_t v : values) {
    if (v < INT32_MIN || v > INT32_MAX) {
      width = 8;
      break;
    }
    if (v < INT16_MIN || v > INT16_MAX) width = 4;
  }
  std::string out;
  out.reserve(8 + values.size() * width);
  auto put = [&out](uint64_t v, uint32_t bytes) {
    for (uint32_t i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put(width, 4);
  put(values.size(), 4);
  for (int64_t v : values) put(static_cast<uint64_t>(v), width);
  return out;
}

std::optional<std::vector<int64_t>> intset_decode(std::string_view blob) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  auto get = [p](size_t off, uint32_t bytes) {
    uint64_t v = 0;
    for (uint32_t i = 0; i < bytes; ++i) v |= uint64_t{p[off + i]} << (8 * i);
    return v;
  };
  if (blob.size() < 8) return std::nullopt;
  uint32_t width = static_cast<uint32_t>(get(0, 4));
  uint64_t count = get(4, 4);
  if (width != 2 && width != 4 && width != 8) return std::nullopt;
  if (count == 0 || blob.size() != 8 + count * width) return std::nullopt;
  std::vector<int64_t> values;
  values.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t raw = get(8 + i * width, width);
    int64_t v = width == 2 ? static_cast<int16_t>(raw) : width == 4 ? static_cast<int32_t>(raw) : static_cast<int64_t>(raw);
    if (!values.empty() && v <= values.back()) return std::nullopt;
    values.push_back(v);
  }
  return values;
}

}  // namespace vigil::node::persistence
