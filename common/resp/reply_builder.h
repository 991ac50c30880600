// RESP reply writer. Replies are appended to one buffer per connection so that a
// pipeline's replies leave in few writes. RESP2 by default; after HELLO 3 the
// RESP3-only types (map, set, double, null, push) are emitted natively, and in
// RESP2 they degrade exactly as redis-server degrades them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::resp {

class ReplyBuilder {
 public:
  explicit ReplyBuilder(std::string& out) : out_(&out) {}

  void set_protocol(int version) { proto_ = version; }
  int protocol() const { return proto_; }

  void simple(std::string_view s);          // +OK
  void error(std::string_view s);           // -ERR ... (s includes the code, e.g. "ERR x")
  void integer(int64_t v);                  // :42
  void bulk(std::string_view s);            // $3\r\nfoo
  void null_bulk();                         // $-1 (RESP3: _)
  void null_array();                        // *-1 (RESP3: _)
  void array(size_t n);                     // *n
  void map(size_t pairs);                   // RESP2: *2n, RESP3: %n
  void set(size_t n);                       // RESP2: *n, RESP3: ~n
  void dbl(double v);                       // RESP2: bulk with Redis's %.17g form, RESP3: ,
  void push(size_t n);                      // RESP2: *n, RESP3: >n (pub/sub messages)
  void verbatim(std::string_view s);        // RESP2: bulk, RESP3: =n\r\ntxt:...
  void ok() { simple("OK"); }

  // Appends an already-encoded RESP fragment (e.g. a cached reply).
  void raw(std::string_view s) { out_->append(s); }

  std::string& buffer() { return *out_; }

 private:
  std::string* out_;
  int proto_ = 2;
};

// Redis's double formatting for replies and stored floats (INCRBYFLOAT, ZSCORE):
// "%.17g" (so 1e+20, 3.1400000000000001) with "inf"/"-inf", as addReplyDouble.
std::string format_double(double v);

}  // namespace vigil::resp
