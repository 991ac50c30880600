// The hello message sentinels exchange on `__sentinel__:hello` (reference §5.1):
// <ip>,<port>,<runid>,<current_epoch>,<master_name>,<master_ip>,<master_port>,<master_config_epoch>
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::sentinel {

inline constexpr const char* kHelloChannel = "__sentinel__:hello";

struct Hello {
  std::string sentinel_ip;
  int sentinel_port = 0;
  std::string sentinel_runid;
  uint64_t current_epoch = 0;
  std::string master_name;
  std::string master_ip;
  int master_port = 0;
  uint64_t master_config_epoch = 0;
};

std::string format_hello(const Hello& hello);
// nullopt unless the payload has exactly 8 comma-separated fields. Numbers are read like
// Redis does (atoi / strtoull prefixes), so garbage yields 0 rather than an error.
std::optional<Hello> parse_hello(std::string_view payload);

}  // namespace vigil::sentinel
