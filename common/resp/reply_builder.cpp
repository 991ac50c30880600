#include "common/resp/reply_builder.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace vigil::resp {

namespace {

// "<prefix><n>\r\n" without temporary strings.
void append_header(std::string& out, char prefix, long long n) {
  char buf[32];
  buf[0] = prefix;
  auto res = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n);
  char* p = res.ptr;
  *p++ = '\r';
  *p++ = '\n';
  out.append(buf, static_cast<size_t>(p - buf));
}

// Status and error lines cannot carry CR/LF; Redis maps them to spaces.
void append_line(std::string& out, char prefix, std::string_view s) {
  out += prefix;
  size_t at = out.size();
  out.append(s);
  if (s.find_first_of("\r\n") != std::string_view::npos) {
    for (size_t i = at; i < out.size(); i++) {
      if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
    }
  }
  out.append("\r\n", 2);
}

}  // namespace

void ReplyBuilder::simple(std::string_view s) { append_line(*out_, '+', s); }

void ReplyBuilder::error(std::string_view s) {
  // Like addReplyErrorLength: a leading '-' in the text is not doubled.
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  append_line(*out_, '-', s);
}

void ReplyBuilder::integer(int64_t v) { append_header(*out_, ':', v); }

void ReplyBuilder::bulk(std::string_view s) {
  append_header(*out_, '$', static_cast<long long>(s.size()));
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::null_bulk() { out_->append(proto_ >= 3 ? "_\r\n" : "$-1\r\n"); }

void ReplyBuilder::null_array() { out_->append(proto_ >= 3 ? "_\r\n" : "*-1\r\n"); }

void ReplyBuilder::array(size_t n) { append_header(*out_, '*', static_cast<long long>(n)); }

void ReplyBuilder::map(size_t pairs) {
  if (proto_ >= 3) {
    append_header(*out_, '%', static_cast<long long>(pairs));
  } else {
    append_header(*out_, '*', static_cast<long long>(pairs * 2));
  }
}

void ReplyBuilder::set(size_t n) { append_header(*out_, proto_ >= 3 ? '~' : '*', static_cast<long long>(n)); }

void ReplyBuilder::push(size_t n) { append_header(*out_, proto_ >= 3 ? '>' : '*', static_cast<long long>(n)); }

void ReplyBuilder::dbl(double v) {
  std::string text = format_double(v);
  if (proto_ >= 3) {
    *out_ += ',';
    out_->append(text);
    out_->append("\r\n", 2);
  } else {
    bulk(text);
  }
}

void ReplyBuilder::verbatim(std::string_view s) {
  if (proto_ >= 3) {
    append_header(*out_, '=', static_cast<long long>(s.size() + 4));
    out_->append("txt:", 4);
    out_->append(s);
    out_->append("\r\n", 2);
  } else {
    bulk(s);
  }
}

std::string format_double(double v) {
  // addReplyDouble: explicit inf spelling (libc differ), otherwise "%.17g".
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace vigil::resp
