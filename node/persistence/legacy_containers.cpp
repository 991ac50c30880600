#include "node/persistence/legacy_containers.h"

#include <cstdint>

#include "node/persistence/number_text.h"

namespace vigil::node::persistence {
namespace {

uint64_t get_le(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

int64_t sign_extend(uint64_t v, int bits) {
  if (bits == 64) return static_cast<int64_t>(v);
  uint64_t mask = uint64_t{1} << (bits - 1);
  v &= (uint64_t{1} << bits) - 1;
  return static_cast<int64_t>((v ^ mask) - mask);
}

}  // namespace

bool ziplist_decode(std::string_view blob, std::vector<std::string>& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  const size_t n = blob.size();
  if (n < 11 || get_le(p, 4) != n || p[n - 1] != 0xFF) return false;
  const size_t declared = get_le(p + 8, 2);
  size_t pos = 10, count = 0, prev_entry_len = 0;
  while (true) {
    if (pos >= n) return false;
    if (p[pos] == 0xFF) break;
    size_t start = pos;
    // prevlen: 1 byte, or 0xFE + u32 LE
    size_t prevlen;
    if (p[pos] < 254) {
      prevlen = p[pos];
      pos += 1;
    } else if (p[pos] == 254) {
      if (pos + 5 > n) return false;
      prevlen = get_le(p + pos + 1, 4);
      pos += 5;
    } else {
      return false;
    }
    if (prevlen != prev_entry_len) return false;
    if (pos >= n - 1) return false;
    unsigned char enc = p[pos];
    size_t remaining = n - 1 - pos;
    auto take_string = [&](size_t header, size_t len) {
      if (header > remaining || len > remaining - header) return false;
      out.emplace_back(reinterpret_cast<const char*>(p + pos + header), len);
      pos += header + len;
      return true;
    };
    auto take_int = [&](int width) {
      if (static_cast<size_t>(1 + width) > remaining) return false;
      out.push_back(int64_text(sign_extend(get_le(p + pos + 1, width), width * 8)));
      pos += 1 + static_cast<size_t>(width);
      return true;
    };
    bool ok;
    switch (enc >> 6) {
      case 0: ok = take_string(1, enc & 0x3f); break;
      case 1: ok = remaining >= 2 && take_string(2, (size_t{enc & 0x3fu} << 8) | p[pos + 1]); break;
      case 2:
        if (enc != 0x80 || remaining < 5) return false;
        ok = take_string(5, (size_t{p[pos + 1]} << 24) | (size_t{p[pos + 2]} << 16) |
                                (size_t{p[pos + 3]} << 8) | p[pos + 4]);
        break;
      default:
        if (enc == 0xC0) ok = take_int(2);
        else if (enc == 0xD0) ok = take_int(4);
        else if (enc == 0xE0) ok = take_int(8);
        else if (enc == 0xF0) ok = take_int(3);
        else if (enc == 0xFE) ok = take_int(1);
        else if (enc >= 0xF1 && enc <= 0xFD) {
          out.push_back(int64_text((enc & 0x0f) - 1));
          pos += 1;
          ok = true;
        } else {
          return false;
        }
    }
    if (!ok) return false;
    prev_entry_len = pos - start;
    ++count;
  }
  if (pos != n - 1) return false;
  return declared == 65535 || declared == count;
}

bool zipmap_decode(std::string_view blob, std::vector<std::string>& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  const size_t n = blob.size();
  if (n < 2) return false;
  size_t pos = 1;  // skip the count byte (254 = unknown)
  auto read_len = [&](size_t& len) {
    if (pos >= n) return false;
    if (p[pos] < 254) {
      len = p[pos++];
      return true;
    }
    if (p[pos] != 254 || pos + 5 > n) return false;
    len = get_le(p + pos + 1, 4);
    pos += 5;
    return true;
  };
  while (true) {
    if (pos >= n) return false;
    if (p[pos] == 0xFF) break;
    size_t klen, vlen;
    if (!read_len(klen) || klen > n - pos) return false;
    out.emplace_back(reinterpret_cast<const char*>(p + pos), klen);
    pos += klen;
    if (!read_len(vlen) || pos >= n) return false;
    size_t free_bytes = p[pos++];
    if (vlen > n - pos || free_bytes > n - pos - vlen) return false;
    out.emplace_back(reinterpret_cast<const char*>(p + pos), vlen);
    pos += vlen + free_bytes;
  }
  return pos == n - 1;
}

}  // namespace vigil::node::persistence
