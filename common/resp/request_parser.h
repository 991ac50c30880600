// Incremental RESP request parser: multibulk and inline commands, pipelined
// requests in one buffer, frames split across reads, strict size limits.
// Error texts are Redis 7.0's ("Protocol error: ..."), so the server can reply
// "-ERR <text>" and close the connection exactly as redis-server does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::resp {

struct ParserLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;   // proto-max-bulk-len
  // Redis 7.0 accepts any count up to INT_MAX (6.x capped at 1024*1024);
  // argv grows as elements arrive, so a big count alone allocates nothing.
  int64_t max_multibulk_len = 2147483647;
  size_t max_inline_len = 64 * 1024;            // PROTO_INLINE_MAX_SIZE
};

class RequestParser {
 public:
  enum class Status { kCommand, kNeedMore, kError };

  explicit RequestParser(ParserLimits limits = {}) : limits_(limits) {}

  // Appends bytes read from the socket. The parser keeps only the unparsed tail.
  void feed(const char* data, size_t len);

  // Extracts the next complete command into argv (cleared first). Empty inline
  // lines and "*0"/"*-1" multibulks are skipped, as Redis does. After kError the
  // parser stays in error; error() holds the text without the "ERR " prefix.
  Status next(std::vector<std::string>& argv);

  const std::string& error() const { return error_; }
  // Bytes received but not yet returned as a command: the unparsed buffer plus
  // the arguments of a partly received multibulk (client-query-buffer-limit).
  size_t buffered() const { return buf_.size() - pos_ + pending_bytes_ + big_arg_bytes_; }
  void set_limits(ParserLimits limits) { limits_ = limits; }
  // While a password is required and the client has not authenticated, Redis
  // refuses multibulk counts > 10 and bulks > 16384 bytes ("Protocol error:
  // unauthenticated multibulk length" / "... bulk length").
  void set_auth_required(bool required) { auth_required_ = required; }

 private:
  Status parse_inline(std::vector<std::string>& argv);
  Status parse_multibulk(std::vector<std::string>& argv);
  Status fail(std::string msg);
  // Finds delim in the current line starting at pos_, resuming the scan where
  // the previous call stopped so a line trickling in is not rescanned.
  const char* find_in_line(char delim);
  void consume(size_t n);
  void compact();

  ParserLimits limits_;
  std::string buf_;
  size_t pos_ = 0;
  size_t scanned_ = 0;  // bytes after pos_ known not to hold the delimiter
  // Multibulk state survives across feeds so a huge bulk is not rescanned.
  int64_t multibulk_remaining_ = 0;
  int64_t bulk_len_ = -1;
  size_t argc_ = 0;               // elements of pending_ filled so far
  size_t big_arg_bytes_ = 0;      // bytes of a big bulk already moved into pending_
  size_t pending_bytes_ = 0;      // bytes of the completed arguments in pending_
  std::vector<std::string> pending_;
  std::string error_;
  bool failed_ = false;
  bool auth_required_ = false;
};

}  // namespace vigil::resp
