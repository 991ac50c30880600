#include "sentinel/core/hello.h"

#include <vector>

#include "sentinel/core/text.h"

namespace vigil::sentinel {

std::string format_hello(const Hello& h) {
  return h.sentinel_ip + "," + std::to_string(h.sentinel_port) + "," + h.sentinel_runid + "," +
         std::to_string(h.current_epoch) + "," + h.master_name + "," + h.master_ip + "," +
         std::to_string(h.master_port) + "," + std::to_string(h.master_config_epoch);
}

std::optional<Hello> parse_hello(std::string_view payload) {
  std::vector<std::string_view> tokens;
  size_t start = 0;
  while (true) {
    size_t comma = payload.find(',', start);
    tokens.push_back(payload.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
    if (tokens.size() > 8) return std::nullopt;
  }
  if (tokens.size() != 8) return std::nullopt;
  Hello h;
  h.sentinel_ip = std::string(tokens[0]);
  h.sentinel_port = static_cast<int>(text::atoll_prefix(tokens[1]));
  h.sentinel_runid = std::string(tokens[2]);
  h.current_epoch = text::atoull_prefix(tokens[3]);
  h.master_name = std::string(tokens[4]);
  h.master_ip = std::string(tokens[5]);
  h.master_port = static_cast<int>(text::atoll_prefix(tokens[6]));
  h.master_config_epoch = text::atoull_prefix(tokens[7]);
  return h;
}

}  // namespace vigil::sentinel
