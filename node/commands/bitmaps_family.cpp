// Bitmap commands on string values: SETBIT GETBIT BITCOUNT BITPOS BITOP
// BITFIELD BITFIELD_RO. Replies, errors, argument order and propagation follow
// Redis 7.0's bitops.c (bit 0 is the most significant bit of byte 0).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/numbers.h"
#include "node/commands/families.h"
#include "node/commands/keys_family_shared.h"
#include "node/server/client.h"
#include "node/server/node_server.h"

namespace vigil::node {
namespace {

using namespace data;

constexpr std::string_view kErrBitOffset = "ERR bit offset is not an integer or out of range";
constexpr std::string_view kErrBitValue = "ERR bit is not an integer or out of range";
constexpr std::string_view kErrBitfieldType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

// Entry stores string lengths as uint32: the byte a bit offset lands in must stay
// below this whatever proto-max-bulk-len says (Redis itself has no such cap).
constexpr uint64_t kMaxBitmapBytes = UINT32_MAX - 16;

// ---------------------------------------------------------------- bit access

uint8_t byte_at(std::string_view s, uint64_t i) { return i < s.size() ? static_cast<uint8_t>(s[i]) : 0; }

// The bit at offset (0 past the end, as Redis pads bitmaps with zeros).
int bit_at(std::string_view s, uint64_t offset) { return (byte_at(s, offset >> 3) >> (7 - (offset & 7))) & 1; }

void write_bit(char* p, uint64_t offset, int bit) {
  uint8_t mask = static_cast<uint8_t>(1u << (7 - (offset & 7)));
  uint8_t& b = reinterpret_cast<uint8_t&>(p[offset >> 3]);
  b = static_cast<uint8_t>(bit ? (b | mask) : (b & ~mask));
}

// Set bits in [first, last] (bit offsets, last < s.size() * 8).
uint64_t count_bits(std::string_view s, uint64_t first, uint64_t last) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  uint64_t first_byte = first >> 3, last_byte = last >> 3;
  // Whole bytes, then subtract the bits of the edge bytes outside the range.
  uint64_t count = 0;
  uint64_t i = first_byte;
  for (; i + 8 <= last_byte + 1; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    count += static_cast<uint64_t>(__builtin_popcountll(w));
  }
  for (; i <= last_byte; ++i) count += static_cast<uint64_t>(__builtin_popcount(p[i]));
  unsigned head = static_cast<unsigned>(first & 7), tail = static_cast<unsigned>(7 - (last & 7));
  if (head) count -= static_cast<uint64_t>(__builtin_popcount(p[first_byte] >> (8 - head)));
  if (tail) count -= static_cast<uint64_t>(__builtin_popcount(p[last_byte] & ((1u << tail) - 1)));
  return count;
}

// The first bit equal to `bit` in [first, last] (bit offsets, last < s.size() * 8), or -1.
long long find_bit(std::string_view s, uint64_t first, uint64_t last, int bit) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  uint64_t i = first;
  while (i <= last && (i & 7)) {
    if (bit_at(s, i) == bit) return static_cast<long long>(i);
    ++i;
  }
  // Skip whole bytes (8 at a time) that hold no bit of interest.
  const uint8_t skip = bit ? 0x00 : 0xff;
  const uint64_t skip_word = bit ? 0 : ~0ull;
  while (i + 64 <= last + 1) {
    uint64_t w;
    std::memcpy(&w, p + (i >> 3), 8);
    if (w != skip_word) break;
    i += 64;
  }
  while (i + 8 <= last + 1 && p[i >> 3] == skip) i += 8;
  for (; i <= last; ++i) {
    if (bit_at(s, i) == bit) return static_cast<long long>(i);
  }
  return -1;
}

// ---------------------------------------------------------------- arguments

// Whether offsets may pass proto-max-bulk-len: Redis lets its master link and
// the AOF do so (mustObeyClient), as they only replay what was accepted. Both
// run on the replay client, flagged is_master; a Lua script's client has no
// connection either but is bounded like any other.
bool must_obey(const CommandContext& ctx) { return ctx.client.is_master; }

// getBitOffsetFromArgument: a bit offset whose byte fits proto-max-bulk-len.
// With bits > 0 the BITFIELD form "#N" means N * bits.
bool parse_bit_offset(CommandContext& ctx, std::string_view arg, int bits, uint64_t* out) {
  bool use_hash = bits > 0 && !arg.empty() && arg[0] == '#';
  long long offset;
  if (!util::string2ll(arg.substr(use_hash ? 1 : 0), &offset)) {
    ctx.reply.error(kErrBitOffset);
    return false;
  }
  // Redis multiplies with C's wrap-around; an overflow may turn negative (rejected below).
  if (use_hash) offset = static_cast<long long>(static_cast<uint64_t>(offset) * static_cast<uint64_t>(bits));
  uint64_t byte = static_cast<uint64_t>(offset) >> 3;
  if (offset < 0 || byte >= kMaxBitmapBytes ||
      (!must_obey(ctx) && byte >= static_cast<uint64_t>(ctx.server.config().proto_max_bulk_len))) {
    ctx.reply.error(kErrBitOffset);
    return false;
  }
  *out = static_cast<uint64_t>(offset);
  return true;
}

// lookupStringForBitCommand: the string at key, created or zero-padded so that
// bit max_bit exists. Returns false after replying WRONGTYPE; *grew tells
// whether the key was created or lengthened.
bool string_for_bit_write(CommandContext& ctx, const std::string& key, uint64_t max_bit, Entry** out,
                          bool* grew) {
  bool wrong;
  Entry* e = lookup_write(ctx, key, ValueType::kString, &wrong);
  if (wrong) return false;
  size_t need = static_cast<size_t>((max_bit >> 3) + 1);
  size_t old_len = 0;
  if (e) {
    old_len = e->str().size();
  } else {
    e = ctx.db().set_string(key, "");
  }
  *grew = need > old_len;
  if (need > old_len) ctx.db().resize_string(e, need);
  *out = e;
  return true;
}

// The "start end [BYTE|BIT]" arguments of BITCOUNT and BITPOS (end -1 when omitted).
struct Range {
  long long start = 0, end = 0;
  bool end_given = false;
  bool in_bits = false;
};

// Clamps [start, end] (negative = from the end) to a string of len bytes and
// turns it into bit offsets. Returns false when the range is empty.
bool range_to_bits(Range r, uint64_t len, uint64_t* first, uint64_t* last) {
  long long total = static_cast<long long>(r.in_bits ? len * 8 : len);
  if (r.start < 0) r.start += total;
  if (r.end < 0) r.end += total;
  if (r.start < 0) r.start = 0;
  if (r.end < 0) r.end = 0;
  if (r.end >= total) r.end = total - 1;
  if (r.start > r.end) return false;
  *first = r.in_bits ? static_cast<uint64_t>(r.start) : static_cast<uint64_t>(r.start) * 8;
  *last = r.in_bits ? static_cast<uint64_t>(r.end) : static_cast<uint64_t>(r.end) * 8 + 7;
  return true;
}

// "BYTE" or "BIT" (any case); replies a syntax error otherwise.
bool parse_unit(CommandContext& ctx, std::string_view arg, bool* in_bits) {
  if (iequals(arg, "bit")) {
    *in_bits = true;
  } else if (iequals(arg, "byte")) {
    *in_bits = false;
  } else {
    ctx.reply.error(kErrSyntax);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- SETBIT / GETBIT

void cmd_setbit(CommandContext& ctx) {
  uint64_t offset;
  long long value;
  if (!parse_bit_offset(ctx, ctx.argv[2], 0, &offset) || !parse_int(ctx, ctx.argv[3], &value, kErrBitValue)) {
    return;
  }
  if (value & ~1LL) {
    ctx.reply.error(kErrBitValue);
    return;
  }
  const std::string& key = ctx.argv[1];
  Entry* e;
  bool grew;
  if (!string_for_bit_write(ctx, key, offset, &e, &grew)) return;
  int old_bit = bit_at(e->str(), offset);
  if (grew || old_bit != value) {
    char* p = ctx.db().resize_string(e, e->str().size());
    write_bit(p, offset, static_cast<int>(value));
    ctx.touch(key);
  } else {
    ctx.no_propagate();
  }
  ctx.reply.integer(old_bit);
}

void cmd_getbit(CommandContext& ctx) {
  uint64_t offset;
  if (!parse_bit_offset(ctx, ctx.argv[2], 0, &offset)) return;
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kString, &wrong);
  if (wrong) return;
  ctx.reply.integer(e ? bit_at(e->str(), offset) : 0);
}

// ---------------------------------------------------------------- BITCOUNT / BITPOS

// BITCOUNT key [start end [BYTE|BIT]]. As in Redis 7.0 the key is looked up
// before the range is parsed: a missing key answers 0 whatever follows.
void cmd_bitcount(CommandContext& ctx) {
  auto& argv = ctx.argv;
  bool wrong;
  Entry* e = lookup_read(ctx, argv[1], ValueType::kString, &wrong);
  if (wrong) return;
  if (!e) {
    ctx.reply.integer(0);
    return;
  }
  Range r;
  if (argv.size() == 4 || argv.size() == 5) {
    if (!parse_int(ctx, argv[2], &r.start) || !parse_int(ctx, argv[3], &r.end)) return;
    if (argv.size() == 5 && !parse_unit(ctx, argv[4], &r.in_bits)) return;
    // Both negative and reversed: empty even before clamping.
    if (r.start < 0 && r.end < 0 && r.start > r.end) {
      ctx.reply.integer(0);
      return;
    }
  } else if (argv.size() == 2) {
    r.end = -1;
  } else {
    ctx.reply.error(kErrSyntax);
    return;
  }
  std::string_view s = e->str();
  uint64_t first, last;
  ctx.reply.integer(range_to_bits(r, s.size(), &first, &last) ? static_cast<long long>(count_bits(s, first, last))
                                                              : 0);
}

// BITPOS key bit [start [end [BYTE|BIT]]]. A missing key is an endless run of
// zeros. Looking for 0 without an explicit end treats the string as
// zero-padded on the right, so an all-ones range answers the bit just after it.
void cmd_bitpos(CommandContext& ctx) {
  auto& argv = ctx.argv;
  long long bit;
  if (!parse_int(ctx, argv[2], &bit)) return;
  if (bit != 0 && bit != 1) {
    ctx.reply.error("ERR The bit argument must be 1 or 0.");
    return;
  }
  bool wrong;
  Entry* e = lookup_read(ctx, argv[1], ValueType::kString, &wrong);
  if (wrong) return;
  if (!e) {
    ctx.reply.integer(bit ? -1 : 0);
    return;
  }
  std::string_view s = e->str();
  Range r;
  r.end = -1;
  if (argv.size() >= 4 && argv.size() <= 6) {
    // Redis's order: start, then the unit, then end.
    if (!parse_int(ctx, argv[3], &r.start)) return;
    if (argv.size() == 6 && !parse_unit(ctx, argv[5], &r.in_bits)) return;
    if (argv.size() >= 5) {
      if (!parse_int(ctx, argv[4], &r.end)) return;
      r.end_given = true;
    }
  } else if (argv.size() != 3) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  uint64_t first, last;
  if (!range_to_bits(r, s.size(), &first, &last)) {
    ctx.reply.integer(-1);
    return;
  }
  long long pos = find_bit(s, first, last, static_cast<int>(bit));
  if (pos == -1 && bit == 0 && !r.end_given) pos = static_cast<long long>(last + 1);
  ctx.reply.integer(pos);
}

// ---------------------------------------------------------------- BITOP

enum class BitOp { kAnd, kOr, kXor, kNot };

// BITOP op destkey key [key ...]: missing sources are empty strings, shorter
// ones are zero-padded; the result has the longest source's length. An empty
// result deletes destkey.
void cmd_bitop(CommandContext& ctx) {
  auto& argv = ctx.argv;
  BitOp op;
  if (iequals(argv[1], "and")) {
    op = BitOp::kAnd;
  } else if (iequals(argv[1], "or")) {
    op = BitOp::kOr;
  } else if (iequals(argv[1], "xor")) {
    op = BitOp::kXor;
  } else if (iequals(argv[1], "not")) {
    op = BitOp::kNot;
  } else {
    ctx.reply.error(kErrSyntax);
    return;
  }
  if (op == BitOp::kNot && argv.size() != 4) {
    ctx.reply.error("ERR BITOP NOT must be called with a single source key.");
    return;
  }
  std::vector<std::string_view> sources;
  size_t max_len = 0;
  for (size_t i = 3; i < argv.size(); ++i) {
    bool wrong;
    Entry* e = lookup_read(ctx, argv[i], ValueType::kString, &wrong);
    if (wrong) return;
    sources.push_back(e ? e->str() : std::string_view());
    max_len = std::max(max_len, sources.back().size());
  }
  const std::string& dest = argv[2];
  if (max_len == 0) {
    if (ctx.db().remove(dest)) {
      ctx.touch(dest);
    } else {
      ctx.no_propagate();
    }
    ctx.reply.integer(0);
    return;
  }
  std::string result(max_len, '\0');
  if (!sources[0].empty()) std::memcpy(result.data(), sources[0].data(), sources[0].size());
  if (op == BitOp::kNot) {
    for (char& c : result) c = static_cast<char>(~c);
  }
  for (size_t k = 1; k < sources.size(); ++k) {
    std::string_view src = sources[k];
    for (size_t j = 0; j < src.size(); ++j) {
      if (op == BitOp::kAnd) {
        result[j] = static_cast<char>(result[j] & src[j]);
      } else if (op == BitOp::kOr) {
        result[j] = static_cast<char>(result[j] | src[j]);
      } else {
        result[j] = static_cast<char>(result[j] ^ src[j]);
      }
    }
    // AND with the zero padding of a shorter source clears the rest.
    if (op == BitOp::kAnd) std::memset(result.data() + src.size(), 0, max_len - src.size());
  }
  ctx.db().set_string(dest, result);
  ctx.touch(dest);
  ctx.reply.integer(static_cast<long long>(max_len));
}

// ---------------------------------------------------------------- BITFIELD

enum class Overflow { kWrap, kSat, kFail };
enum class FieldOp { kGet, kSet, kIncrBy };

struct FieldOperation {
  FieldOp op;
  Overflow overflow;
  bool is_signed;
  int bits;
  uint64_t offset;
  long long value;  // SET value / INCRBY increment
};

// getBitfieldTypeFromArgument: i1..i64 or u1..u63. Like Redis, the width is
// read up to the first NUL byte.
bool parse_field_type(CommandContext& ctx, const std::string& arg, bool* is_signed, int* bits) {
  long long width;
  std::string_view digits = std::string_view(arg).substr(arg.empty() ? 0 : 1);
  digits = digits.substr(0, digits.find('\0'));
  if (arg.empty() || (arg[0] != 'i' && arg[0] != 'u') || !util::string2ll(digits, &width) || width < 1 ||
      width > (arg[0] == 'i' ? 64 : 63)) {
    ctx.reply.error(kErrBitfieldType);
    return false;
  }
  *is_signed = arg[0] == 'i';
  *bits = static_cast<int>(width);
  return true;
}

uint64_t get_unsigned_field(std::string_view s, uint64_t offset, int bits) {
  uint64_t v = 0;
  for (int j = 0; j < bits; ++j) v = (v << 1) | static_cast<uint64_t>(bit_at(s, offset + static_cast<uint64_t>(j)));
  return v;
}

int64_t get_signed_field(std::string_view s, uint64_t offset, int bits) {
  uint64_t v = get_unsigned_field(s, offset, bits);
  // Sign-extend from the field's top bit.
  if (bits < 64 && (v & (1ull << (bits - 1)))) v |= ~0ull << bits;
  return static_cast<int64_t>(v);
}

void set_field(char* p, uint64_t offset, int bits, uint64_t v) {
  for (int j = 0; j < bits; ++j) {
    write_bit(p, offset + static_cast<uint64_t>(j), static_cast<int>((v >> (bits - 1 - j)) & 1));
  }
}

// checkUnsignedBitfieldOverflow: 0 if value + incr fits `bits`, else 1 (over)
// or -1 (under) with *limit the result the overflow mode gives (WRAP, SAT).
int unsigned_overflow(uint64_t value, int64_t incr, int bits, Overflow mode, uint64_t* limit) {
  uint64_t max = (1ull << bits) - 1;  // bits <= 63
  int64_t max_incr = static_cast<int64_t>(max - value);
  int64_t min_incr = static_cast<int64_t>(0 - value);
  int result = 0;
  if (value > max || (incr > 0 && incr > max_incr)) {
    result = 1;
    if (mode == Overflow::kSat) *limit = max;
  } else if (incr < 0 && incr < min_incr) {
    result = -1;
    if (mode == Overflow::kSat) *limit = 0;
  }
  if (result && mode == Overflow::kWrap) *limit = (value + static_cast<uint64_t>(incr)) & ~(~0ull << bits);
  return result;
}

// checkSignedBitfieldOverflow, with the same contract (WRAP keeps two's complement).
int signed_overflow(int64_t value, int64_t incr, int bits, Overflow mode, int64_t* limit) {
  int64_t max = bits == 64 ? INT64_MAX : static_cast<int64_t>((1ull << (bits - 1)) - 1);
  int64_t min = -max - 1;
  // These may wrap; they are only used once value is known to be in range.
  int64_t max_incr = static_cast<int64_t>(static_cast<uint64_t>(max) - static_cast<uint64_t>(value));
  int64_t min_incr = static_cast<int64_t>(static_cast<uint64_t>(min) - static_cast<uint64_t>(value));
  int result = 0;
  if (value > max || (bits != 64 && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr)) {
    result = 1;
    if (mode == Overflow::kSat) *limit = max;
  } else if (value < min || (bits != 64 && incr < min_incr) || (value < 0 && incr < 0 && incr < min_incr)) {
    result = -1;
    if (mode == Overflow::kSat) *limit = min;
  }
  if (result && mode == Overflow::kWrap) {
    uint64_t c = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    if (bits < 64) {
      uint64_t mask = ~0ull << bits;
      c = (c & (1ull << (bits - 1))) ? (c | mask) : (c & ~mask);
    }
    *limit = static_cast<int64_t>(c);
  }
  return result;
}

// Runs one SET/INCRBY on the (already long enough) string at p; replies the
// old value (SET), the new one (INCRBY) or null when OVERFLOW FAIL refuses it.
// Whether the write was applied (not refused by OVERFLOW FAIL) and changed the field.
struct FieldWriteResult {
  bool applied = false;
  bool changed = false;
};

FieldWriteResult run_field_write(CommandContext& ctx, char* p, size_t len, const FieldOperation& f) {
  std::string_view s(p, len);
  bool incr = f.op == FieldOp::kIncrBy;
  bool failed = false, changed = false;
  if (f.is_signed) {
    int64_t old_value = get_signed_field(s, f.offset, f.bits), wrapped = 0;
    int64_t new_value = incr ? static_cast<int64_t>(static_cast<uint64_t>(old_value) + static_cast<uint64_t>(f.value))
                             : f.value;
    int over = incr ? signed_overflow(old_value, f.value, f.bits, f.overflow, &wrapped)
                    : signed_overflow(f.value, 0, f.bits, f.overflow, &wrapped);
    if (over) new_value = wrapped;
    failed = over && f.overflow == Overflow::kFail;
    if (!failed) {
      ctx.reply.integer(incr ? new_value : old_value);
      set_field(p, f.offset, f.bits, static_cast<uint64_t>(new_value));
      changed = new_value != old_value;
    }
  } else {
    uint64_t old_value = get_unsigned_field(s, f.offset, f.bits), wrapped = 0;
    uint64_t new_value = incr ? old_value + static_cast<uint64_t>(f.value) : static_cast<uint64_t>(f.value);
    int over = incr ? unsigned_overflow(old_value, f.value, f.bits, f.overflow, &wrapped)
                    : unsigned_overflow(static_cast<uint64_t>(f.value), 0, f.bits, f.overflow, &wrapped);
    if (over) new_value = wrapped;
    failed = over && f.overflow == Overflow::kFail;
    if (!failed) {
      ctx.reply.integer(static_cast<int64_t>(incr ? new_value : old_value));
      set_field(p, f.offset, f.bits, new_value);
      changed = new_value != old_value;
    }
  }
  if (failed) ctx.reply.null_bulk();
  return {!failed, changed};
}

// BITFIELD key [GET type offset | SET type offset value | INCRBY type offset
// increment | OVERFLOW WRAP|SAT|FAIL] ... ; BITFIELD_RO accepts GET only.
// Everything is parsed before the key is touched; a write pads the string up
// to the highest bit any write reaches, even if OVERFLOW FAIL then refuses it.
// As in Redis 7.0, the command propagates (and touches the key) only when a
// SET/INCRBY was applied and it padded the string or changed the field: a
// padding that only refused writes made is not propagated.
void bitfield_generic(CommandContext& ctx, bool read_only_command) {
  auto& argv = ctx.argv;
  std::vector<FieldOperation> ops;
  Overflow overflow = Overflow::kWrap;
  bool has_writes = false;
  uint64_t highest_write_bit = 0;
  for (size_t j = 2; j < argv.size(); ++j) {
    size_t more = argv.size() - j - 1;
    const std::string& sub = argv[j];
    FieldOperation f{};
    if (iequals(sub, "get") && more >= 2) {
      f.op = FieldOp::kGet;
    } else if (iequals(sub, "set") && more >= 3) {
      f.op = FieldOp::kSet;
    } else if (iequals(sub, "incrby") && more >= 3) {
      f.op = FieldOp::kIncrBy;
    } else if (iequals(sub, "overflow") && more >= 1) {
      const std::string& mode = argv[++j];
      if (iequals(mode, "wrap")) {
        overflow = Overflow::kWrap;
      } else if (iequals(mode, "sat")) {
        overflow = Overflow::kSat;
      } else if (iequals(mode, "fail")) {
        overflow = Overflow::kFail;
      } else {
        ctx.reply.error("ERR Invalid OVERFLOW type specified");
        return;
      }
      continue;
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
    if (!parse_field_type(ctx, argv[j + 1], &f.is_signed, &f.bits) ||
        !parse_bit_offset(ctx, argv[j + 2], f.bits, &f.offset)) {
      return;
    }
    if (f.op != FieldOp::kGet) {
      has_writes = true;
      highest_write_bit = std::max(highest_write_bit, f.offset + static_cast<uint64_t>(f.bits) - 1);
      if (!parse_int(ctx, argv[j + 3], &f.value)) return;
    }
    f.overflow = overflow;
    ops.push_back(f);
    j += f.op == FieldOp::kGet ? 2 : 3;
  }

  const std::string& key = argv[1];
  Entry* e;
  if (!has_writes) {
    bool wrong;
    e = lookup_read(ctx, key, ValueType::kString, &wrong);
    if (wrong) return;
    ctx.reply.array(ops.size());
    std::string_view s = e ? e->str() : std::string_view();
    for (const FieldOperation& f : ops) {
      ctx.reply.integer(f.is_signed ? get_signed_field(s, f.offset, f.bits)
                                    : static_cast<int64_t>(get_unsigned_field(s, f.offset, f.bits)));
    }
    if (!read_only_command) ctx.no_propagate();
    return;
  }
  if (read_only_command) {
    ctx.reply.error("ERR BITFIELD_RO only supports the GET subcommand");
    return;
  }
  bool grew;
  if (!string_for_bit_write(ctx, key, highest_write_bit, &e, &grew)) return;
  size_t len = e->str().size();
  char* p = ctx.db().resize_string(e, len);
  ctx.reply.array(ops.size());
  bool changed = false;
  for (const FieldOperation& f : ops) {
    if (f.op == FieldOp::kGet) {
      std::string_view s(p, len);
      ctx.reply.integer(f.is_signed ? get_signed_field(s, f.offset, f.bits)
                                    : static_cast<int64_t>(get_unsigned_field(s, f.offset, f.bits)));
    } else {
      FieldWriteResult w = run_field_write(ctx, p, len, f);
      if (w.applied && (grew || w.changed)) changed = true;
    }
  }
  if (changed) {
    ctx.touch(key);
  } else {
    ctx.no_propagate();
  }
}

// COMMAND INFO key spec flags of Redis 7.0 (first key only).
void add_bitmap_command(NodeCommandTable& t, std::string_view name, int arity, std::string_view flags,
                        std::string_view categories, std::vector<std::string> key_flags,
                        NodeCommand::Handler handler) {
  NodeCommandTable one;
  add_command(one, name, arity, flags, 1, 1, 1, categories, std::move(handler));
  NodeCommand c = one.all().begin()->second;
  command::KeySpec spec;
  spec.flags = std::move(key_flags);
  c.key_specs.push_back(std::move(spec));
  t.add(std::move(c));
}

}  // namespace

void register_bitmap_family(NodeCommandTable& t) {
  add_bitmap_command(t, "setbit", 4, "write,denyoom", "@write @bitmap @slow", {"RW", "access", "update"},
                     cmd_setbit);
  add_bitmap_command(t, "getbit", 3, "readonly,fast", "@read @bitmap @fast", {"RO", "access"}, cmd_getbit);
  add_bitmap_command(t, "bitcount", -2, "readonly", "@read @bitmap @slow", {"RO", "access"}, cmd_bitcount);
  add_bitmap_command(t, "bitpos", -3, "readonly", "@read @bitmap @slow", {"RO", "access"}, cmd_bitpos);
  add_bitmap_command(t, "bitfield", -2, "write,denyoom", "@write @bitmap @slow", {"RW", "access", "update"},
                     [](CommandContext& c) { bitfield_generic(c, false); });
  add_bitmap_command(t, "bitfield_ro", -2, "readonly,fast", "@read @bitmap @fast", {"RO", "access"},
                     [](CommandContext& c) { bitfield_generic(c, true); });

  // BITOP: destination (argv[2]) is overwritten, sources (argv[3..]) are read.
  NodeCommandTable one;
  add_command(one, "bitop", -4, "write,denyoom", 2, -1, 1, "@write @bitmap @slow", cmd_bitop);
  NodeCommand bitop = one.all().begin()->second;
  command::KeySpec dest, sources;
  dest.flags = {"OW", "update"};
  dest.begin_index = 2;
  sources.flags = {"RO", "access"};
  sources.begin_index = 3;
  sources.last_key = -1;
  bitop.key_specs = {dest, sources};
  t.add(std::move(bitop));
}

}  // namespace vigil::node
