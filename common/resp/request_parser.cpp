#include "common/resp/request_parser.h"

#include <algorithm>
#include <cstring>

#include "common/util/numbers.h"
#include "common/util/split_args.h"

namespace vigil::resp {

namespace {

// PROTO_MBULK_BIG_ARG: bulks at least this big are moved into their argument
// as they arrive instead of waiting in the buffer (no 2x memory, no rescans).
constexpr int64_t kBigArg = 32 * 1024;
constexpr int64_t kBigArgReserve = 1024 * 1024;
// Redis grows argv on demand from min(count, 1024).
constexpr int64_t kInitialArgv = 1024;

}  // namespace

void RequestParser::feed(const char* data, size_t len) {
  if (failed_) return;  // the connection is closing; nothing more is parsed
  compact();
  buf_.append(data, len);
}

void RequestParser::compact() {
  if (pos_ == 0) return;
  if (pos_ >= buf_.size()) {
    buf_.clear();
  } else {
    buf_.erase(0, pos_);  // the tail is at most one partial line or small bulk
  }
  pos_ = 0;
}

void RequestParser::consume(size_t n) {
  pos_ += n;
  scanned_ = 0;
}

const char* RequestParser::find_in_line(char delim) {
  const char* start = buf_.data() + pos_;
  size_t avail = buf_.size() - pos_;
  if (scanned_ >= avail) return nullptr;
  const void* hit = std::memchr(start + scanned_, delim, avail - scanned_);
  if (hit == nullptr) {
    scanned_ = avail;
    return nullptr;
  }
  const char* found = static_cast<const char*>(hit);
  scanned_ = static_cast<size_t>(found - start);  // rescan from here if we must wait
  return found;
}

RequestParser::Status RequestParser::fail(std::string msg) {
  // addReplyErrorFormat maps CR/LF to spaces so the error stays one line.
  for (char& c : msg) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  error_ = std::move(msg);
  failed_ = true;
  return Status::kError;
}

RequestParser::Status RequestParser::next(std::vector<std::string>& argv) {
  while (true) {
    if (failed_) return Status::kError;
    Status st;
    if (multibulk_remaining_ > 0) {
      st = parse_multibulk(argv);
    } else if (pos_ >= buf_.size()) {
      return Status::kNeedMore;
    } else if (buf_[pos_] == '*') {
      st = parse_multibulk(argv);
    } else {
      st = parse_inline(argv);
    }
    // Empty inline lines and "*0"/"*-1" produce no command: keep going.
    if (st == Status::kCommand && argv.empty()) continue;
    return st;
  }
}

RequestParser::Status RequestParser::parse_inline(std::vector<std::string>& argv) {
  const char* start = buf_.data() + pos_;
  const size_t avail = buf_.size() - pos_;
  const char* newline = find_in_line('\n');
  if (newline == nullptr) {
    if (avail > limits_.max_inline_len) return fail("Protocol error: too big inline request");
    return Status::kNeedMore;
  }
  const char* line_end = newline;
  if (line_end != start && line_end[-1] == '\r') line_end--;
  auto args = util::split_args(std::string_view(start, static_cast<size_t>(line_end - start)));
  if (!args) return fail("Protocol error: unbalanced quotes in request");
  consume(static_cast<size_t>(newline - start) + 1);
  argv = std::move(*args);
  return Status::kCommand;
}

RequestParser::Status RequestParser::parse_multibulk(std::vector<std::string>& argv) {
  if (multibulk_remaining_ == 0) {
    const char* start = buf_.data() + pos_;
    const size_t avail = buf_.size() - pos_;
    const char* cr = find_in_line('\r');
    if (cr == nullptr) {
      if (avail > limits_.max_inline_len) return fail("Protocol error: too big mbulk count string");
      return Status::kNeedMore;
    }
    const size_t line_len = static_cast<size_t>(cr - start);
    if (line_len + 2 > avail) return Status::kNeedMore;  // the byte after '\r' (not checked)
    long long count;
    if (!util::string2ll(std::string_view(start + 1, line_len - 1), &count) ||
        count > limits_.max_multibulk_len) {
      return fail("Protocol error: invalid multibulk length");
    }
    if (count > 10 && auth_required_) return fail("Protocol error: unauthenticated multibulk length");
    consume(line_len + 2);
    if (count <= 0) {
      argv.clear();
      return Status::kCommand;  // nothing to run; next() skips it
    }
    multibulk_remaining_ = count;
    argc_ = 0;
    bulk_len_ = -1;
    size_t want = static_cast<size_t>(std::min<int64_t>(count, kInitialArgv));
    if (pending_.size() < want) pending_.resize(want);
  }

  while (multibulk_remaining_ > 0) {
    if (bulk_len_ == -1) {
      const char* start = buf_.data() + pos_;
      const size_t avail = buf_.size() - pos_;
      const char* cr = find_in_line('\r');
      if (cr == nullptr) {
        if (avail > limits_.max_inline_len) return fail("Protocol error: too big bulk count string");
        return Status::kNeedMore;
      }
      const size_t line_len = static_cast<size_t>(cr - start);
      if (line_len + 2 > avail) return Status::kNeedMore;
      if (start[0] != '$') {
        return fail(std::string("Protocol error: expected '$', got '") + start[0] + "'");
      }
      long long len;
      if (!util::string2ll(std::string_view(start + 1, line_len - 1), &len) || len < 0 ||
          len > limits_.max_bulk_len) {
        return fail("Protocol error: invalid bulk length");
      }
      if (len > 16384 && auth_required_) return fail("Protocol error: unauthenticated bulk length");
      consume(line_len + 2);
      bulk_len_ = len;
      if (argc_ == pending_.size()) pending_.emplace_back();
      if (len >= kBigArg) {
        // Reserve only up to kBigArgReserve: a header alone must not make us
        // allocate 512MB; beyond it, memory grows with the bytes received.
        pending_[argc_].clear();
        pending_[argc_].reserve(static_cast<size_t>(std::min<int64_t>(len, kBigArgReserve)));
        big_arg_bytes_ = 0;
      }
    }

    std::string& arg = pending_[argc_];
    const size_t len = static_cast<size_t>(bulk_len_);
    if (bulk_len_ >= kBigArg) {
      size_t take = std::min(len - big_arg_bytes_, buf_.size() - pos_);
      arg.append(buf_.data() + pos_, take);
      consume(take);
      big_arg_bytes_ += take;
      // The body moves out of the buffer as it arrives; then wait for CRLF.
      if (big_arg_bytes_ < len || buf_.size() - pos_ < 2) {
        compact();
        return Status::kNeedMore;
      }
      consume(2);  // Redis skips the two bytes after a bulk without checking them
      big_arg_bytes_ = 0;
    } else {
      if (buf_.size() - pos_ < len + 2) return Status::kNeedMore;
      arg.assign(buf_.data() + pos_, len);
      consume(len + 2);
    }
    argc_++;
    pending_bytes_ += len;
    bulk_len_ = -1;
    multibulk_remaining_--;
  }

  // Hand the arguments over; the caller's old strings come back for reuse.
  argv.swap(pending_);
  argv.resize(argc_);
  argc_ = 0;
  pending_bytes_ = 0;
  return Status::kCommand;
}

}  // namespace vigil::resp
