// Ground truth for acknowledged-write checks: every write ever applied by any
// node is a vertex in one tree; a node's dataset is the path from its tip back to
// the root (its replication lineage). Offsets are depths, so two divergent
// histories can have equal offsets — exactly why "promote the highest offset" is
// not a proof of safety (Jepsen).
#pragma once

#include <cstdint>
#include <vector>

namespace vigil::sim {

using WriteId = std::uint32_t;  // 0 = the empty dataset

class History {
 public:
  History() : parent_{0}, depth_{0} {}

  // A new write on top of `tip`; returns the new tip.
  WriteId append(WriteId tip) {
    parent_.push_back(tip);
    depth_.push_back(depth_[tip] + 1);
    return static_cast<WriteId>(parent_.size() - 1);
  }

  std::uint64_t depth(WriteId w) const { return depth_[w]; }

  // Whether write `w` belongs to the dataset whose tip is `tip`.
  bool contains(WriteId tip, WriteId w) const {
    if (w == 0) return true;
    while (depth_[tip] > depth_[w]) tip = parent_[tip];
    return tip == w;
  }

  // Marks every write in the dataset ending at `tip` (for bulk checks).
  std::vector<bool> lineage(WriteId tip) const {
    std::vector<bool> in(parent_.size(), false);
    for (WriteId w = tip; w != 0; w = parent_[w]) in[w] = true;
    in[0] = true;
    return in;
  }

  std::size_t size() const { return parent_.size(); }

 private:
  std::vector<WriteId> parent_;
  std::vector<std::uint64_t> depth_;
};

}  // namespace vigil::sim
