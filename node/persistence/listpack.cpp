#include "node/persistence/listpack.h"

#include <cstring>

#include "node/persistence/number_text.h"

namespace vigil::node::persistence {
namespace {

constexpr size_t kHeaderSize = 6;
constexpr unsigned char kEnd = 0xFF;

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_le(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

size_t backlen_size(size_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

// Sign-extends the low `bits` bits of v.
int64_t sign_extend(uint64_t v, int bits) {
  uint64_t mask = uint64_t{1} << (bits - 1);
  v &= (bits == 64) ? ~uint64_t{0} : ((uint64_t{1} << bits) - 1);
  return static_cast<int64_t>((v ^ mask) - mask);
}

}  // namespace

ListpackBuilder::ListpackBuilder() { buf_.assign(kHeaderSize, '\0'); }

void ListpackBuilder::append_backlen(size_t l) {
  size_t size = backlen_size(l);
  // Most significant 7-bit group first; all but the first byte carry bit 7.
  for (size_t i = 0; i < size; ++i) {
    unsigned char b = static_cast<unsigned char>((l >> (7 * (size - 1 - i))) & 127);
    if (i > 0) b |= 128;
    buf_.push_back(static_cast<char>(b));
  }
}

void ListpackBuilder::append_int(int64_t v) {
  size_t start = buf_.size();
  if (v >= 0 && v <= 127) {
    buf_.push_back(static_cast<char>(v));
  } else if (v >= -4096 && v <= 4095) {
    uint64_t u = static_cast<uint64_t>(v) & 0x1fff;
    buf_.push_back(static_cast<char>(0xC0 | (u >> 8)));
    buf_.push_back(static_cast<char>(u & 0xff));
  } else if (v >= -32768 && v <= 32767) {
    buf_.push_back(static_cast<char>(0xF1));
    put_le(buf_, static_cast<uint64_t>(v), 2);
  } else if (v >= -8388608 && v <= 8388607) {
    buf_.push_back(static_cast<char>(0xF2));
    put_le(buf_, static_cast<uint64_t>(v), 3);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    buf_.push_back(static_cast<char>(0xF3));
    put_le(buf_, static_cast<uint64_t>(v), 4);
  } else {
    buf_.push_back(static_cast<char>(0xF4));
    put_le(buf_, static_cast<uint64_t>(v), 8);
  }
  append_backlen(buf_.size() - start);
  ++count_;
}

void ListpackBuilder::append(std::string_view s) {
  if (s.size() < 21) {
    if (auto v = canonical_int64(s)) {
      append_int(*v);
      return;
    }
  }
  size_t start = buf_.size();
  size_t len = s.size();
  if (len < 64) {
    buf_.push_back(static_cast<char>(0x80 | len));
  } else if (len < 4096) {
    buf_.push_back(static_cast<char>(0xE0 | (len >> 8)));
    buf_.push_back(static_cast<char>(len & 0xff));
  } else {
    buf_.push_back(static_cast<char>(0xF0));
    put_le(buf_, len, 4);
  }
  buf_.append(s);
  append_backlen(buf_.size() - start);
  ++count_;
}

std::string ListpackBuilder::finish() {
  buf_.push_back(static_cast<char>(kEnd));
  std::string out = std::move(buf_);
  uint64_t total = out.size();
  uint64_t count = count_ < 65535 ? count_ : 65535;
  for (int i = 0; i < 4; ++i) out[static_cast<size_t>(i)] = static_cast<char>((total >> (8 * i)) & 0xff);
  out[4] = static_cast<char>(count & 0xff);
  out[5] = static_cast<char>((count >> 8) & 0xff);
  buf_.assign(kHeaderSize, '\0');
  count_ = 0;
  return out;
}

bool listpack_decode(std::string_view blob, std::vector<std::string>& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  const size_t n = blob.size();
  if (n < kHeaderSize + 1 || get_le(p, 4) != n || p[n - 1] != kEnd) return false;
  const size_t declared = get_le(p + 4, 2);
  size_t pos = kHeaderSize, count = 0;
  while (true) {
    if (pos >= n) return false;
    unsigned char b = p[pos];
    if (b == kEnd) break;
    size_t enc_len;     // encoding+data size
    size_t remaining = n - 1 - pos;  // bytes before the terminator
    if ((b & 0x80) == 0) {
      enc_len = 1;
      out.push_back(int64_text(b));
    } else if ((b & 0xC0) == 0x80) {
      size_t len = b & 0x3f;
      enc_len = 1 + len;
      if (enc_len > remaining) return false;
      out.emplace_back(reinterpret_cast<const char*>(p + pos + 1), len);
    } else if ((b & 0xE0) == 0xC0) {
      if (remaining < 2) return false;
      enc_len = 2;
      out.push_back(int64_text(sign_extend((uint64_t{b & 0x1fu} << 8) | p[pos + 1], 13)));
    } else if ((b & 0xF0) == 0xE0) {
      if (remaining < 2) return false;
      size_t len = (size_t{b & 0x0fu} << 8) | p[pos + 1];
      enc_len = 2 + len;
      if (enc_len > remaining) return false;
      out.emplace_back(reinterpret_cast<const char*>(p + pos + 2), len);
    } else if (b == 0xF0) {
      if (remaining < 5) return false;
      size_t len = get_le(p + pos + 1, 4);
      if (len > remaining - 5) return false;
      enc_len = 5 + len;
      out.emplace_back(reinterpret_cast<const char*>(p + pos + 5), len);
    } else if (b >= 0xF1 && b <= 0xF4) {
      static constexpr int kWidth[] = {2, 3, 4, 8};
      int width = kWidth[b - 0xF1];
      enc_len = 1 + static_cast<size_t>(width);
      if (enc_len > remaining) return false;
      out.push_back(int64_text(sign_extend(get_le(p + pos + 1, width), width * 8)));
    } else {
      return false;  // 0xF5..0xFE are not valid encodings
    }
    size_t bl = backlen_size(enc_len);
    if (enc_len + bl > remaining) return false;
    // Verify the backlen decodes to enc_len (read right to left, 7 bits a byte).
    size_t value = 0, shift = 0;
    for (size_t k = 0; k < bl; ++k) {
      unsigned char c = p[pos + enc_len + bl - 1 - k];
      value |= size_t{c & 127u} << shift;
      shift += 7;
      bool more = (c & 128) != 0;
      if (more != (k + 1 < bl)) return false;
    }
    if (value != enc_len) return false;
    pos += enc_len + bl;
    ++count;
  }
  if (pos != n - 1) return false;
  if (declared != 65535 && declared != count) return false;
  return true;
}

}  // namespace vigil::node::persistence
