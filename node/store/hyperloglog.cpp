#include "node/store/hyperloglog.h"

#include <cmath>
#include <cstring>

namespace vigil::node::store::hll {
namespace {

constexpr uint64_t kHashSeed = 0xadc83b19ULL;
constexpr unsigned kRegisterMax = (1u << kRegisterBits) - 1;
constexpr size_t kDenseBytes = kDenseSize - kHeaderSize;
constexpr double kAlphaInf = 0.721347520444481703680;  // 0.5/ln(2)

// ---- dense registers --------------------------------------------------------
// Register i occupies 6 bits starting at bit 6*i, least significant bits first.
// The last register ends exactly at the last byte, so the "next byte" Redis
// reads from the sds terminator is simply treated as zero here.

unsigned dense_get(const uint8_t* regs, size_t i) {
  size_t byte = i * kRegisterBits / 8;
  unsigned fb = i * kRegisterBits & 7;
  unsigned b0 = regs[byte];
  unsigned b1 = byte + 1 < kDenseBytes ? regs[byte + 1] : 0;
  return ((b0 >> fb) | (b1 << (8 - fb))) & kRegisterMax;
}

void dense_put(uint8_t* regs, size_t i, unsigned val) {
  size_t byte = i * kRegisterBits / 8;
  unsigned fb = i * kRegisterBits & 7;
  regs[byte] = static_cast<uint8_t>((regs[byte] & ~(kRegisterMax << fb)) | (val << fb));
  if (byte + 1 < kDenseBytes) {
    unsigned fb8 = 8 - fb;
    regs[byte + 1] = static_cast<uint8_t>((regs[byte + 1] & ~(kRegisterMax >> fb8)) | (val >> fb8));
  }
}

// hllDenseSet: 1 if the register grew.
int dense_set(uint8_t* regs, size_t index, uint8_t count) {
  if (count <= dense_get(regs, index)) return 0;
  dense_put(regs, index, count);
  return 1;
}

uint8_t* registers_of(std::string& value) { return reinterpret_cast<uint8_t*>(value.data()) + kHeaderSize; }

// ---- sparse opcodes ----------------------------------------------------------

constexpr uint8_t kXZeroBit = 0x40;
constexpr uint8_t kValBit = 0x80;
constexpr int kValMaxValue = 32;
constexpr int kValMaxLen = 4;
constexpr long kZeroMaxLen = 64;
constexpr long kXZeroMaxLen = 16384;

bool is_zero(const uint8_t* p) { return (*p & 0xc0) == 0; }
bool is_xzero(const uint8_t* p) { return (*p & 0xc0) == kXZeroBit; }
bool is_val(const uint8_t* p) { return *p & kValBit; }
long zero_len(const uint8_t* p) { return (*p & 0x3f) + 1; }
// Reads p[1], which for a truncated opcode is the byte just past the value:
// callers keep a zero byte there, as Redis's sds terminator.
long xzero_len(const uint8_t* p) { return (((*p & 0x3f) << 8) | p[1]) + 1; }
// The same on a read-only value: a truncated XZERO reads its low byte as zero.
long xzero_len_within(const uint8_t* p, const uint8_t* end) {
  return (((*p & 0x3f) << 8) | (p + 1 < end ? p[1] : 0)) + 1;
}
int val_value(const uint8_t* p) { return ((*p >> 2) & 0x1f) + 1; }
long val_len(const uint8_t* p) { return (*p & 0x3) + 1; }

void val_set(uint8_t* p, long val, long len) {
  *p = static_cast<uint8_t>(((val - 1) << 2 | (len - 1)) | kValBit);
}
void zero_set(uint8_t* p, long len) { *p = static_cast<uint8_t>(len - 1); }
void xzero_set(uint8_t* p, long len) {
  long l = len - 1;
  p[0] = static_cast<uint8_t>((l >> 8) | kXZeroBit);
  p[1] = static_cast<uint8_t>(l & 0xff);
}

// Writes a ZERO or XZERO run of len registers at n; returns the bytes used.
int put_zero_run(uint8_t* n, long len) {
  if (len > kZeroMaxLen) {
    xzero_set(n, len);
    return 2;
  }
  zero_set(n, len);
  return 1;
}

// Walks sparse opcodes calling on_run(first_register, run_length, value)
// (value 0 for ZERO/XZERO). Stops early when on_run returns false. Returns the
// number of registers covered.
template <class Fn>
long walk_sparse(std::string_view value, Fn&& on_run) {
  const auto* p = reinterpret_cast<const uint8_t*>(value.data()) + kHeaderSize;
  const auto* end = reinterpret_cast<const uint8_t*>(value.data()) + value.size();
  long idx = 0;
  while (p < end) {
    long runlen;
    int regval = 0;
    if (is_zero(p)) {
      runlen = zero_len(p);
      p++;
    } else if (is_xzero(p)) {
      runlen = xzero_len_within(p, end);
      p += 2;
    } else {
      runlen = val_len(p);
      regval = val_value(p);
      p++;
    }
    if (!on_run(idx, runlen, regval)) return idx;
    idx += runlen;
  }
  return idx;
}

// Calls on_register(index, value) for every non-zero register of a sparse HLL.
// False when the opcodes run past the last register or stop short of it (a
// corrupted value; Redis's "invalid" sparse representation).
template <class Fn>
bool for_each_sparse_register(std::string_view value, Fn&& on_register) {
  bool overflow = false;
  long covered = walk_sparse(value, [&](long first, long runlen, int regval) {
    if (regval == 0) return true;
    if (first + runlen > static_cast<long>(kRegisters)) {
      overflow = true;
      return false;
    }
    for (long i = first; i < first + runlen; ++i) on_register(static_cast<size_t>(i), regval);
    return true;
  });
  return !overflow && covered == static_cast<long>(kRegisters);
}

// hllSparseSet. value is sparse; returns 1 / 0 / -1 as set_register.
int sparse_set(std::string& value, long index, uint8_t count, size_t sparse_max_bytes) {
  if (count > kValMaxValue) return -2;  // promote
  const size_t old_len = value.size();
  // Room for the worst split (XZERO -> XZERO VAL XZERO) plus a zero byte
  // past the end for truncated opcodes, like sdsMakeRoomFor's spare space.
  value.resize(old_len + 4);
  uint8_t* sparse = registers_of(value);
  uint8_t* p = sparse;
  uint8_t* end = reinterpret_cast<uint8_t*>(value.data()) + old_len;

  // Step 1: find the opcode covering register `index`.
  long first = 0, span = 0;
  uint8_t* prev = nullptr;
  while (p < end) {
    long oplen = 1;
    if (is_zero(p)) {
      span = zero_len(p);
    } else if (is_val(p)) {
      span = val_len(p);
    } else {
      span = xzero_len(p);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span == 0 || p >= end) {
    value.resize(old_len);
    return -1;
  }
  uint8_t* next = is_xzero(p) ? p + 2 : p + 1;
  if (next >= end) next = nullptr;
  bool zero = is_zero(p), xzero = is_xzero(p), val = !zero && !xzero;
  long runlen = zero ? zero_len(p) : xzero ? xzero_len(p) : val_len(p);
  size_t new_len = old_len;

  // Step 2: the trivial in-place updates.
  bool in_place = false;
  if (val) {
    if (val_value(p) >= count) {
      value.resize(old_len);
      return 0;
    }
    if (runlen == 1) {
      val_set(p, count, 1);
      in_place = true;
    }
  }
  if (zero && runlen == 1) {
    val_set(p, count, 1);
    in_place = true;
  }

  if (!in_place) {
    // Step 3: split the opcode into up to three (at most 5 bytes).
    uint8_t seq[5];
    uint8_t* n = seq;
    long last = first + span - 1;
    if (zero || xzero) {
      if (index != first) n += put_zero_run(n, index - first);
      val_set(n++, count, 1);
      if (index != last) n += put_zero_run(n, last - index);
    } else {
      int curval = val_value(p);
      if (index != first) val_set(n++, curval, index - first);
      val_set(n++, count, 1);
      if (index != last) val_set(n++, curval, last - index);
    }
    long seqlen = n - seq;
    long oldlen = xzero ? 2 : 1;
    long deltalen = seqlen - oldlen;
    if (deltalen > 0 && old_len + static_cast<size_t>(deltalen) > sparse_max_bytes) {
      value.resize(old_len);
      return -2;  // promote
    }
    if (deltalen && next) std::memmove(next + deltalen, next, static_cast<size_t>(end - next));
    std::memcpy(p, seq, static_cast<size_t>(seqlen));
    end += deltalen;
    new_len = static_cast<size_t>(static_cast<long>(old_len) + deltalen);
  }

  // Step 4: merge adjacent VAL opcodes of equal value, scanning up to 5
  // opcodes from the one before the change.
  p = prev ? prev : sparse;
  int scanlen = 5;
  while (p < end && scanlen--) {
    if (is_xzero(p)) {
      p += 2;
      continue;
    }
    if (is_zero(p)) {
      p++;
      continue;
    }
    if (p + 1 < end && is_val(p + 1)) {
      int v1 = val_value(p), v2 = val_value(p + 1);
      if (v1 == v2) {
        long len = val_len(p) + val_len(p + 1);
        if (len <= kValMaxLen) {
          val_set(p + 1, v1, len);
          std::memmove(p, p + 1, static_cast<size_t>(end - p));
          end--;
          new_len--;
          continue;
        }
      }
    }
    p++;
  }
  value.resize(new_len);
  invalidate_cache(value.data());
  return 1;
}

// hllPatLen: the register an element maps to and its "000..1" pattern length.
uint8_t pattern_length(std::string_view element, size_t* index) {
  uint64_t hash = murmur_hash64a(element.data(), element.size(), kHashSeed);
  *index = hash & (kRegisters - 1);
  hash >>= kIndexBits;
  hash |= uint64_t{1} << kPatternBits;  // makes the count at most Q+1
  uint8_t count = 1;
  for (uint64_t bit = 1; (hash & bit) == 0; bit <<= 1) count++;
  return count;
}

// ---- estimator (Ertl, "New cardinality estimation algorithms for
// HyperLogLog sketches", as hllCount implements it) -------------------------

double sigma(double x) {
  if (x == 1.) return INFINITY;
  double z_prime;
  double y = 1;
  double z = x;
  do {
    x *= x;
    z_prime = z;
    z += x * y;
    y += y;
  } while (z_prime != z);
  return z;
}

double tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double z_prime;
  double y = 1.0;
  double z = 1 - x;
  do {
    x = std::sqrt(x);
    z_prime = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (z_prime != z);
  return z / 3;
}

// Histogram of register values (index 0..63) -> cardinality.
uint64_t estimate(const int64_t (&histo)[64]) {
  double m = kRegisters;
  double z = m * tau((m - static_cast<double>(histo[kPatternBits + 1])) / m);
  for (int j = kPatternBits; j >= 1; --j) {
    z += static_cast<double>(histo[j]);
    z *= 0.5;
  }
  z += m * sigma(static_cast<double>(histo[0]) / m);
  return static_cast<uint64_t>(std::llround(kAlphaInf * m * m / z));
}

}  // namespace

uint64_t murmur_hash64a(const void* key, size_t len, uint64_t seed) {
  // Redis passes len as an int; elements are bulk strings (< 2^31 bytes).
  const uint64_t m = 0xc6a4a7935bd1e995ULL;
  const int r = 47;
  uint64_t h = seed ^ (static_cast<uint64_t>(static_cast<int64_t>(static_cast<int>(len))) * m);
  const uint8_t* data = static_cast<const uint8_t*>(key);
  const uint8_t* end = data + (len - (len & 7));
  while (data != end) {
    uint64_t k = 0;
    for (int i = 7; i >= 0; --i) k = (k << 8) | data[i];
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
    data += 8;
  }
  switch (len & 7) {
    case 7: h ^= uint64_t{data[6]} << 48; [[fallthrough]];
    case 6: h ^= uint64_t{data[5]} << 40; [[fallthrough]];
    case 5: h ^= uint64_t{data[4]} << 32; [[fallthrough]];
    case 4: h ^= uint64_t{data[3]} << 24; [[fallthrough]];
    case 3: h ^= uint64_t{data[2]} << 16; [[fallthrough]];
    case 2: h ^= uint64_t{data[1]} << 8; [[fallthrough]];
    case 1:
      h ^= uint64_t{data[0]};
      h *= m;
      break;
    default:
      break;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

bool is_hll(std::string_view value) {
  if (value.size() < kHeaderSize) return false;
  if (value.substr(0, 4) != "HYLL") return false;
  uint8_t enc = encoding_of(value);
  if (enc > kEncodingSparse) return false;
  return enc != kEncodingDense || value.size() == kDenseSize;
}

std::string make_empty() {
  std::string v(kHeaderSize + 2 * ((kRegisters + kXZeroMaxLen - 1) / kXZeroMaxLen), '\0');
  std::memcpy(v.data(), "HYLL", 4);
  v[4] = static_cast<char>(kEncodingSparse);
  uint8_t* p = registers_of(v);
  for (size_t left = kRegisters; left;) {
    size_t run = left < static_cast<size_t>(kXZeroMaxLen) ? left : static_cast<size_t>(kXZeroMaxLen);
    xzero_set(p, static_cast<long>(run));
    p += 2;
    left -= run;
  }
  return v;
}

bool cached_cardinality(std::string_view value, uint64_t* card) {
  const auto* c = reinterpret_cast<const uint8_t*>(value.data()) + 8;
  if (c[7] & 0x80) return false;
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | c[i];
  *card = v;
  return true;
}

void store_cardinality(char* header, uint64_t card) {
  for (int i = 0; i < 8; ++i) header[8 + i] = static_cast<char>((card >> (8 * i)) & 0xff);
}

void invalidate_cache(char* header) { header[15] = static_cast<char>(header[15] | 0x80); }

bool sparse_to_dense(std::string& value) {
  if (encoding_of(value) == kEncodingDense) return true;
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), value.data(), kHeaderSize);  // magic and cached cardinality
  dense[4] = static_cast<char>(kEncodingDense);
  uint8_t* regs = registers_of(dense);
  bool valid = for_each_sparse_register(
      value, [&](size_t i, int regval) { dense_put(regs, i, static_cast<unsigned>(regval)); });
  if (!valid) return false;
  value = std::move(dense);
  return true;
}

int set_register(std::string& value, size_t index, uint8_t count, size_t sparse_max_bytes) {
  if (encoding_of(value) == kEncodingDense) return dense_set(registers_of(value), index, count);
  int r = sparse_set(value, static_cast<long>(index), count, sparse_max_bytes);
  if (r != -2) return r;
  // Promotion: the register needs a value or a size sparse cannot hold.
  if (!sparse_to_dense(value)) return -1;
  return dense_set(registers_of(value), index, count);
}

int add(std::string& value, std::string_view element, size_t sparse_max_bytes) {
  size_t index;
  uint8_t count = pattern_length(element, &index);
  return set_register(value, index, count, sparse_max_bytes);
}

bool count(std::string_view value, uint64_t* card) {
  int64_t histo[64] = {};
  if (encoding_of(value) == kEncodingDense) {
    const auto* regs = reinterpret_cast<const uint8_t*>(value.data()) + kHeaderSize;
    for (size_t i = 0; i < kRegisters; ++i) histo[dense_get(regs, i)]++;
  } else {
    long covered = walk_sparse(value, [&](long, long runlen, int regval) {
      histo[regval] += runlen;
      return true;
    });
    if (covered != static_cast<long>(kRegisters)) return false;
  }
  *card = estimate(histo);
  return true;
}

uint64_t count_registers(const Registers& registers) {
  int64_t histo[64] = {};
  for (uint8_t r : registers) histo[r & 63]++;
  return estimate(histo);
}

bool merge_into(Registers& max, std::string_view value) {
  if (encoding_of(value) == kEncodingDense) {
    const auto* regs = reinterpret_cast<const uint8_t*>(value.data()) + kHeaderSize;
    for (size_t i = 0; i < kRegisters; ++i) {
      auto v = static_cast<uint8_t>(dense_get(regs, i));
      if (v > max[i]) max[i] = v;
    }
    return true;
  }
  return for_each_sparse_register(value, [&](size_t i, int regval) {
    if (regval > max[i]) max[i] = static_cast<uint8_t>(regval);
  });
}

void dense_registers(std::string_view value, Registers& out) {
  const auto* regs = reinterpret_cast<const uint8_t*>(value.data()) + kHeaderSize;
  for (size_t i = 0; i < kRegisters; ++i) out[i] = static_cast<uint8_t>(dense_get(regs, i));
}

std::string decode_sparse(std::string_view value) {
  std::string out;
  const auto* p = reinterpret_cast<const uint8_t*>(value.data()) + kHeaderSize;
  const auto* end = reinterpret_cast<const uint8_t*>(value.data()) + value.size();
  while (p < end) {
    if (is_zero(p)) {
      out += "z:" + std::to_string(zero_len(p)) + " ";
      p++;
    } else if (is_xzero(p)) {
      out += "Z:" + std::to_string(xzero_len_within(p, end)) + " ";
      p += 2;
    } else {
      out += "v:" + std::to_string(val_value(p)) + "," + std::to_string(val_len(p)) + " ";
      p++;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace vigil::node::store::hll
