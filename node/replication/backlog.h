// The replication backlog: a ring buffer holding the most recent bytes of the
// replication stream, so a replica that lost its link (or followed a
// failover) can continue from its offset with PSYNC instead of a full sync.
// Offsets are Redis's: byte n of the stream (1-based); the backlog holds
// bytes [end - histlen + 1, end] where end is master_repl_offset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::node::replication {

class Backlog {
 public:
  explicit Backlog(size_t capacity);

  // Appends stream bytes (the newest ones win when they exceed the capacity).
  void append(std::string_view bytes);
  // Changes the capacity, keeping the newest bytes that still fit.
  void resize(size_t capacity);

  size_t capacity() const { return buf_.size(); }
  size_t histlen() const { return histlen_; }
  // Offset of the oldest byte held, given the offset of the newest.
  int64_t first_byte_offset(int64_t end_offset) const {
    return end_offset - static_cast<int64_t>(histlen_) + 1;
  }
  // Whether a replica asking for bytes from `offset` on can be served.
  bool can_serve(int64_t offset, int64_t end_offset) const {
    return offset >= first_byte_offset(end_offset) && offset <= end_offset + 1;
  }
  // The bytes from `offset` through end_offset (requires can_serve).
  std::string copy_from(int64_t offset, int64_t end_offset) const;

 private:
  std::string buf_;
  size_t next_ = 0;     // where the next byte goes
  size_t histlen_ = 0;  // valid bytes, ending just before next_
};

}  // namespace vigil::node::replication
