#include "node/server/redaction.h"

#include <algorithm>
#include <cctype>

namespace vigil::node {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

// As Redis 7.0's redactClientCommandArgument calls: AUTH's arguments, and the
// user/password after HELLO's AUTH option. Redis redacts while parsing, so a
// command rejected earlier (AUTH with 4+ arguments, HELLO with a bad version,
// options after an unknown one) shows them as sent.
std::vector<bool> redacted_args(const std::vector<std::string>& argv) {
  std::vector<bool> redact(argv.size(), false);
  if (iequals(argv[0], "auth")) {
    if (argv.size() <= 3) {
      for (size_t i = 1; i < argv.size(); i++) redact[i] = true;
    }
  } else if (iequals(argv[0], "hello") && argv.size() >= 2) {
    if (argv[1] != "2" && argv[1] != "3") return redact;
    for (size_t i = 2; i < argv.size(); i++) {
      size_t more = argv.size() - i - 1;
      if (iequals(argv[i], "auth") && more >= 2) {
        redact[i + 1] = redact[i + 2] = true;
        i += 2;
      } else if (iequals(argv[i], "setname") && more >= 1) {
        i += 1;
      } else {
        break;
      }
    }
  }
  return redact;
}

}  // namespace vigil::node
