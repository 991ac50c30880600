// Listpack, the compact container Redis 7.0 stores small hashes, small zsets
// and list nodes in, and writes verbatim into RDB files (types 16, 17, 18).
// Layout: u32 LE total bytes, u16 LE count (65535 = unknown), entries, 0xFF.
// Each entry is encoding+data followed by a backward length ("backlen").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::node::persistence {

// Builds a listpack byte-for-byte as Redis's lpAppend does: canonical integer
// strings get the smallest integer encoding, everything else the smallest
// string encoding.
class ListpackBuilder {
 public:
  ListpackBuilder();
  void append(std::string_view element);
  void append_int(int64_t v);
  size_t count() const { return count_; }
  size_t bytes() const { return buf_.size() + 1; }  // + terminator
  // Writes the header and terminator and returns the blob; the builder is spent.
  std::string finish();

 private:
  void append_backlen(size_t entry_len);
  std::string buf_;
  size_t count_ = 0;
};

// Decodes every element (integers as decimal text) into `out`, appending.
// Validates the whole structure (header total, terminator, every entry's
// bounds and backlen, declared count). Returns false on any corruption.
bool listpack_decode(std::string_view blob, std::vector<std::string>& out);

}  // namespace vigil::node::persistence
