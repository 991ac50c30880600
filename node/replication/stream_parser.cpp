#include "node/replication/stream_parser.h"

#include <algorithm>

#include "common/util/numbers.h"

namespace vigil::node::replication {

namespace {
constexpr long long kMaxArgs = 1LL << 31;
constexpr long long kMaxBulk = 1LL << 40;
}  // namespace

void StreamParser::feed(const char* data, size_t len) {
  if (pos_ > 0 && pos_ >= buf_.size() / 2) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(data, len);
}

bool StreamParser::line_at(size_t p, std::string_view* line, size_t* after) const {
  size_t nl = buf_.find('\n', p);
  if (nl == std::string::npos) return false;
  size_t end = (nl > p && buf_[nl - 1] == '\r') ? nl - 1 : nl;
  *line = std::string_view(buf_).substr(p, end - p);
  *after = nl + 1;
  return true;
}

StreamParser::Status StreamParser::fail(std::string msg) {
  error_ = std::move(msg);
  return Status::kError;
}

StreamParser::Status StreamParser::next(std::vector<std::string>& argv, std::string_view* raw) {
  argv.clear();
  if (!error_.empty()) return Status::kError;
  if (pos_ >= buf_.size()) return Status::kNeedMore;
  size_t p = pos_;
  std::string_view line;
  size_t after = 0;
  if (buf_[p] != '*') {
    // Inline command (a master never sends one after the sync, but a bare
    // newline keepalive is harmless).
    if (!line_at(p, &line, &after)) return Status::kNeedMore;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && line[i] == ' ') i++;
      size_t j = i;
      while (j < line.size() && line[j] != ' ') j++;
      if (j > i) argv.emplace_back(line.substr(i, j - i));
      i = j;
    }
  } else {
    if (!line_at(p, &line, &after)) return Status::kNeedMore;
    long long n = 0;
    if (!util::string2ll(line.substr(1), &n) || n > kMaxArgs) return fail("invalid multibulk length");
    p = after;
    argv.reserve(n > 0 ? static_cast<size_t>(std::min(n, 1024LL)) : 0);
    for (long long i = 0; i < n; i++) {
      if (p >= buf_.size()) return Status::kNeedMore;
      if (buf_[p] != '$') return fail("expected '$', got '" + std::string(1, buf_[p]) + "'");
      if (!line_at(p, &line, &after)) return Status::kNeedMore;
      long long len = 0;
      if (!util::string2ll(line.substr(1), &len) || len < 0 || len > kMaxBulk) return fail("invalid bulk length");
      size_t need = after + static_cast<size_t>(len) + 2;
      if (buf_.size() < need) return Status::kNeedMore;
      if (buf_[need - 2] != '\r' || buf_[need - 1] != '\n') return fail("bulk not terminated by CRLF");
      argv.emplace_back(buf_, after, static_cast<size_t>(len));
      p = need;
    }
    after = p;
  }
  *raw = std::string_view(buf_).substr(pos_, after - pos_);
  pos_ = after;
  return Status::kCommand;
}

}  // namespace vigil::node::replication
