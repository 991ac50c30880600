// A plain-text table: columns as wide as their widest cell, two spaces apart.
// A shorter row ("addr  unreachable: ...") does not widen the columns: its last
// cell runs on.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace vigil::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  std::string render(const std::string& indent = "") const {
    std::vector<size_t> width(header_.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
      for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
    };
    measure(header_);
    for (const auto& r : rows_)
      if (r.size() == header_.size()) measure(r);
    std::string out;
    auto line = [&](const std::vector<std::string>& row) {
      std::string l = indent;
      for (size_t i = 0; i < row.size(); ++i) {
        l += row[i];
        if (i + 1 < row.size()) l += std::string(width[i] - std::min(width[i], row[i].size()) + 2, ' ');
      }
      while (!l.empty() && l.back() == ' ') l.pop_back();
      out += l + "\n";
    };
    line(header_);
    for (const auto& r : rows_) line(r);
    return out;
  }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace vigil::cli
