#include "node/persistence/lzf.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace vigil::node::persistence {
namespace {

// liblzf 3.6 as Redis builds it (src/lzfP.h): HLOG 16, VERY_FAST, hash slots
// holding offsets. Ported step by step so DUMP payloads and RDB strings are
// byte-identical to Redis's, not just decodable.
constexpr unsigned kHashLog = 16;
constexpr size_t kMaxLiteral = 1 << 5;                 // 32
constexpr size_t kMaxOffset = 1 << 13;                 // 8192
constexpr size_t kMaxRef = (1 << 8) + (1 << 3);        // 264

inline uint32_t first_hash(const unsigned char* p) { return (uint32_t{p[0]} << 8) | p[1]; }  // FRST
inline uint32_t next_hash(uint32_t v, const unsigned char* p) { return (v << 8) | p[2]; }     // NEXT
inline size_t slot_of(uint32_t h) { return ((h >> (3 * 8 - kHashLog)) - h * 5) & ((1u << kHashLog) - 1); }  // IDX

// The hash table outlives calls so it is never cleared: an entry stores
// generation + offset + 1 and counts only when written by the current call.
// A missing entry reads as offset 0, which liblzf never matches ("ref >
// in_data"), the same as its zero-initialised table.
struct HashTable {
  std::vector<uint64_t> slots = std::vector<uint64_t>(size_t{1} << kHashLog, 0);
  uint64_t generation = 0;
  size_t get(size_t slot) const {
    uint64_t v = slots[slot];
    return v > generation ? static_cast<size_t>(v - generation - 1) : 0;
  }
  void put(size_t slot, size_t offset) { slots[slot] = generation + offset + 1; }
};

}  // namespace

std::optional<std::string> lzf_compress(std::string_view in_view, size_t min_saving) {
  const size_t in_len = in_view.size();
  // Redis: strings of <= 4 bytes are never compressed; the output must fit
  // in len - 4 bytes or the string is stored raw.
  if (in_len <= min_saving || in_len < 3) return std::nullopt;
  const size_t out_len = in_len - min_saving;
  const auto* in = reinterpret_cast<const unsigned char*>(in_view.data());
  std::string out(out_len, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  thread_local HashTable htab;
  struct NextGeneration {  // on every exit
    HashTable& t;
    size_t len;
    ~NextGeneration() { t.generation += len + 1; }
  } next_generation{htab, in_len};

  size_t ip = 0, op = 0;
  size_t lit = 0;
  ++op;  // start run
  uint32_t hval = first_hash(in);
  while (ip + 2 < in_len) {
    hval = next_hash(hval, in + ip);
    size_t slot = slot_of(hval);
    size_t ref = htab.get(slot);
    htab.put(slot, ip);
    size_t off = ip - ref - 1;  // wraps (huge) when ref >= ip, as liblzf's unsigned long
    if (off < kMaxOffset && ref > 0 && in[ref + 2] == in[ip + 2] && in[ref] == in[ip] && in[ref + 1] == in[ip + 1]) {
      size_t len = 2;
      size_t maxlen = std::min(in_len - ip - len, kMaxRef);
      if (op + 3 + 1 >= out_len && op - (lit == 0) + 3 + 1 >= out_len) return std::nullopt;
      o[op - lit - 1] = static_cast<unsigned char>(lit - 1);  // stop run
      op -= (lit == 0);                                         // undo run if empty
      // liblzf first compares 16 bytes unrolled without the maxlen bound
      // (so a match near the end may reach past maxlen), then loops.
      bool mismatch = false;
      if (maxlen > 16) {
        for (int k = 0; k < 16 && !mismatch; ++k) {
          ++len;
          mismatch = in[ref + len] != in[ip + len];
        }
      }
      if (!mismatch) {
        do {
          ++len;
        } while (len < maxlen && in[ref + len] == in[ip + len]);
      }
      len -= 2;  // now #octets - 1
      ++ip;
      if (len < 7) {
        o[op++] = static_cast<unsigned char>((off >> 8) + (len << 5));
      } else {
        o[op++] = static_cast<unsigned char>((off >> 8) + (7 << 5));
        o[op++] = static_cast<unsigned char>(len - 7);
      }
      o[op++] = static_cast<unsigned char>(off & 0xff);
      lit = 0;
      ++op;  // start run
      ip += len + 1;
      if (ip + 2 >= in_len) break;
      // VERY_FAST: hash only the last two positions of the match.
      ip -= 2;
      hval = first_hash(in + ip);
      hval = next_hash(hval, in + ip);
      htab.put(slot_of(hval), ip);
      ++ip;
      hval = next_hash(hval, in + ip);
      htab.put(slot_of(hval), ip);
      ++ip;
    } else {
      if (op >= out_len) return std::nullopt;
      ++lit;
      o[op++] = in[ip++];
      if (lit == kMaxLiteral) {
        o[op - lit - 1] = static_cast<unsigned char>(lit - 1);  // stop run
        lit = 0;
        ++op;  // start run
      }
    }
  }
  if (op + 3 > out_len) return std::nullopt;  // at most 3 bytes can be missing here
  while (ip < in_len) {
    ++lit;
    o[op++] = in[ip++];
    if (lit == kMaxLiteral) {
      o[op - lit - 1] = static_cast<unsigned char>(lit - 1);
      lit = 0;
      ++op;
    }
  }
  o[op - lit - 1] = static_cast<unsigned char>(lit - 1);  // end run
  op -= (lit == 0);
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
