#include "node/replication/backlog.h"

#include <algorithm>

namespace vigil::node::replication {

Backlog::Backlog(size_t capacity) : buf_(std::max<size_t>(capacity, 1), '\0') {}

void Backlog::append(std::string_view bytes) {
  size_t cap = buf_.size();
  if (bytes.size() >= cap) {
    bytes = bytes.substr(bytes.size() - cap);
    buf_.assign(bytes.data(), bytes.size());
    next_ = 0;
    histlen_ = cap;
    return;
  }
  size_t first = std::min(bytes.size(), cap - next_);
  buf_.replace(next_, first, bytes.data(), first);
  if (first < bytes.size()) buf_.replace(0, bytes.size() - first, bytes.data() + first, bytes.size() - first);
  next_ = (next_ + bytes.size()) % cap;
  histlen_ = std::min(cap, histlen_ + bytes.size());
}

std::string Backlog::copy_from(int64_t offset, int64_t end_offset) const {
  if (!can_serve(offset, end_offset)) return {};
  size_t len = static_cast<size_t>(end_offset - offset + 1);
  size_t cap = buf_.size();
  size_t start = (next_ + cap - len) % cap;
  std::string out;
  out.reserve(len);
  size_t first = std::min(len, cap - start);
  out.append(buf_, start, first);
  if (first < len) out.append(buf_, 0, len - first);
  return out;
}

void Backlog::resize(size_t capacity) {
  capacity = std::max<size_t>(capacity, 1);
  if (capacity == buf_.size()) return;
  size_t keep = std::min(histlen_, capacity);
  size_t cap = buf_.size();
  size_t start = (next_ + cap - keep) % cap;
  std::string data;
  data.reserve(keep);
  size_t first = std::min(keep, cap - start);
  data.append(buf_, start, first);
  if (first < keep) data.append(buf_, 0, keep - first);
  buf_.assign(capacity, '\0');
  buf_.replace(0, keep, data);
  next_ = keep % capacity;
  histlen_ = keep;
}

}  // namespace vigil::node::replication
