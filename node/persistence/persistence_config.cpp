#include "node/persistence/persistence_config.h"

#include <cctype>

#include "node/persistence/number_text.h"

namespace vigil::node::persistence {

std::optional<std::vector<SavePoint>> parse_save_points(std::string_view text, std::string* error) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  std::vector<SavePoint> points;
  if (words.size() % 2 != 0) {
    if (error) *error = "Invalid save parameters";
    return std::nullopt;
  }
  for (size_t k = 0; k < words.size(); k += 2) {
    auto seconds = canonical_int64(words[k]);
    auto changes = canonical_int64(words[k + 1]);
    if (!seconds || !changes || *seconds < 1 || *changes < 0) {
      if (error) *error = "Invalid save parameters";
      return std::nullopt;
    }
    points.push_back({*seconds, *changes});
  }
  return points;
}

std::string format_save_points(const std::vector<SavePoint>& points) {
  std::string out;
  for (const SavePoint& p : points) {
    if (!out.empty()) out += ' ';
    out += int64_text(p.seconds) + " " + int64_text(p.changes);
  }
  return out;
}

bool is_plain_file_name(std::string_view name) {
  return !name.empty() && name.find('/') == std::string_view::npos && name != "." && name != "..";
}

}  // namespace vigil::node::persistence
