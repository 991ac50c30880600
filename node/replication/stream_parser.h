// Splits the replication stream a master sends into commands while keeping
// each command's exact bytes: a replica counts offsets in bytes, relays the
// bytes unchanged to its own replicas and keeps them in its backlog, so
// offsets stay identical along a chain of replicas.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::node::replication {

class StreamParser {
 public:
  enum class Status { kCommand, kNeedMore, kError };

  void feed(const char* data, size_t len);
  // The next complete command: argv and its raw bytes (valid until the next
  // feed/next call). An empty inline line yields an empty argv (its bytes
  // still count). kError: the stream is not RESP (error() says why).
  Status next(std::vector<std::string>& argv, std::string_view* raw);
  const std::string& error() const { return error_; }
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  // Reads a "\r\n"-terminated line at p; false if incomplete.
  bool line_at(size_t p, std::string_view* line, size_t* after) const;
  Status fail(std::string msg);

  std::string buf_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace vigil::node::replication
