#include "node/persistence/lzf.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace vigil::node::persistence {
namespace {

constexpr unsigned kHashLog = 14;
constexpr size_t kMaxLiteral = 32;
constexpr size_t kMaxOffset = 1 << 13;          // 8192
constexpr size_t kMaxRef = (1 << 8) + (1 << 3); // 264

inline uint32_t hash3(const unsigned char* p) {
  uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
  return (v * 2654435761u) >> (32 - kHashLog);
}

}  // namespace

std::optional<std::string> lzf_compress(std::string_view in_view, size_t min_saving) {
  const size_t n = in_view.size();
  if (n < 4 || n <= min_saving) return std::nullopt;
  const auto* in = reinterpret_cast<const unsigned char*>(in_view.data());
  // Worst case: one control byte per 32 literals.
  std::string out(n + n / kMaxLiteral + 16, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  size_t op = 0;
  std::vector<uint32_t> table(size_t{1} << kHashLog, UINT32_MAX);

  size_t lit_start = op++;  // control byte of the current literal run
  size_t lit = 0;
  auto close_literal_run = [&] {
    if (lit) {
      o[lit_start] = static_cast<unsigned char>(lit - 1);
    } else {
      --op;  // the reserved control byte was not used
    }
  };

  size_t ip = 0;
  while (ip + 2 < n) {
    uint32_t h = hash3(in + ip);
    uint32_t ref = table[h];
    table[h] = static_cast<uint32_t>(ip);
    if (ref != UINT32_MAX && ip - ref - 1 < kMaxOffset && std::memcmp(in + ref, in + ip, 3) == 0) {
      size_t off = ip - ref - 1;
      size_t max_len = std::min(n - ip, kMaxRef);
      size_t len = 3;
      while (len < max_len && in[ref + len] == in[ip + len]) ++len;
      close_literal_run();
      size_t l = len - 2;  // encoded length; the decoder copies l + 2 bytes
      if (l < 7) {
        o[op++] = static_cast<unsigned char>((off >> 8) + (l << 5));
      } else {
        o[op++] = static_cast<unsigned char>((off >> 8) + (7 << 5));
        o[op++] = static_cast<unsigned char>(l - 7);
      }
      o[op++] = static_cast<unsigned char>(off & 0xff);
      // Index the positions inside the match so later data can refer to them.
      for (size_t k = ip + 1; k < ip + len && k + 2 < n; ++k) table[hash3(in + k)] = static_cast<uint32_t>(k);
      ip += len;
      lit = 0;
      lit_start = op++;
    } else {
      o[op++] = in[ip++];
      if (++lit == kMaxLiteral) {
        o[lit_start] = static_cast<unsigned char>(lit - 1);
        lit = 0;
        lit_start = op++;
      }
    }
  }
  while (ip < n) {
    o[op++] = in[ip++];
    if (++lit == kMaxLiteral) {
      o[lit_start] = static_cast<unsigned char>(lit - 1);
      lit = 0;
      lit_start = op++;
    }
  }
  close_literal_run();
  if (op + min_saving > n) return std::nullopt;
  out.resize(op);
  return out;
}

std::optional<std::string> lzf_decompress(std::string_view in_view, size_t expected_len) {
  const auto* in = reinterpret_cast<const unsigned char*>(in_view.data());
  const size_t n = in_view.size();
  std::string out(expected_len, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  size_t ip = 0, op = 0;
  while (ip < n) {
    unsigned ctrl = in[ip++];
    if (ctrl < 0x20) {  // literal run of ctrl + 1 bytes
      size_t run = ctrl + 1;
      if (ip + run > n || op + run > expected_len) return std::nullopt;
      std::memcpy(o + op, in + ip, run);
      ip += run;
      op += run;
      continue;
    }
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (ip >= n) return std::nullopt;
      len += in[ip++];
    }
    if (ip >= n) return std::nullopt;
    size_t dist = ((ctrl & 0x1f) << 8) + in[ip++] + 1;
    len += 2;
    if (dist > op || op + len > expected_len) return std::nullopt;
    // Byte by byte: the source may overlap the destination (runs).
    for (size_t k = 0; k < len; ++k, ++op) o[op] = o[op - dist];
  }
  if (op != expected_len) return std::nullopt;
  return out;
}

}  // namespace vigil::node::persistence
