// Fuzzes the RESP request parser: arbitrary bytes, fed whole and in pieces,
// must never crash and must give the same commands/error either way.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/resp/request_parser.h"

using vigil::resp::ParserLimits;
using vigil::resp::RequestParser;

namespace {

struct Result {
  std::vector<std::vector<std::string>> commands;
  std::string error;
  bool failed = false;
};

Result run(const uint8_t* data, size_t size, size_t chunk, ParserLimits limits, bool auth) {
  RequestParser parser(limits);
  parser.set_auth_required(auth);
  Result r;
  std::vector<std::string> argv;
  for (size_t off = 0; off < size && !r.failed; off += chunk) {
    size_t n = size - off < chunk ? size - off : chunk;
    parser.feed(reinterpret_cast<const char*>(data) + off, n);
    while (true) {
      auto st = parser.next(argv);
      if (st == RequestParser::Status::kCommand) {
        if (argv.empty()) std::abort();  // empty commands are skipped, never returned
        r.commands.push_back(argv);
      } else {
        if (st == RequestParser::Status::kError) {
          r.failed = true;
          r.error = parser.error();
        }
        break;
      }
    }
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // First two bytes choose chunking and limits; the rest is the stream.
  size_t chunk = 1 + data[0] % 17;
  bool auth = data[1] & 1;
  ParserLimits limits;
  limits.max_bulk_len = (data[1] & 2) ? 64 : limits.max_bulk_len;
  limits.max_inline_len = (data[1] & 4) ? 32 : limits.max_inline_len;
  data += 2;
  size -= 2;
  Result whole = run(data, size, size ? size : 1, limits, auth);
  Result pieces = run(data, size, chunk, limits, auth);
  // "too big" errors depend on how much is buffered when no delimiter is
  // found, as in Redis; otherwise the split must not matter.
  bool size_dependent = whole.error.find("too big") != std::string::npos ||
                        pieces.error.find("too big") != std::string::npos;
  if (!size_dependent) {
    if (whole.commands != pieces.commands || whole.error != pieces.error) std::abort();
  }
  return 0;
}
