// YAML configuration files mapped onto the same Directive list as redis.conf:
//
//   port: 6380                  -> port 6380
//   bind: [127.0.0.1, ::1]      -> bind 127.0.0.1 ::1
//   save: [3600, 1, 300, 100]   -> save 3600 1 300 100
//   save: "3600 1 300 100"      -> save "3600 1 300 100"  (one arg; multi-arg
//                                  parameters re-split it, as in redis.conf)
//   rename-command:             -> one directive per inner sequence:
//     - [FLUSHALL, ""]             rename-command FLUSHALL ""
//   appendonly: true            -> appendonly yes  (plain true/false only;
//                                  quoted "true" stays "true")
//   requirepass:                -> requirepass ""  (null is an empty argument)
//
// Top-level keys whose value is a map (e.g. the sentinel's `masters:`) are not
// turned into directives; they are returned as YAML nodes for the owner to map.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/directives.h"

namespace vigil::config {

// Tells YAML from redis.conf by content: the first significant line (not
// blank, not a '#' comment) is YAML when it is "---", "%YAML ...", a "- "
// list item, a flow collection, or its first word ends with ':'.
bool is_yaml(std::string_view text);

struct YamlConfig {
  std::vector<Directive> directives;  // in document order; line = YAML line (1-based)
  struct Section {
    std::string key;
    int line = 0;
    YAML::Node node;  // a map
  };
  std::vector<Section> sections;      // top-level map-valued keys
};

// Parses a YAML document whose root is a map. On a YAML syntax error or a
// non-map root returns nullopt and fills *error (line + message).
std::optional<YamlConfig> parse_yaml(std::string_view text, ConfigError* error);

// Scalar conversion used for directive arguments (true/false -> yes/no for
// plain scalars, null -> ""); exposed for owners mapping their sections.
std::string yaml_scalar_arg(const YAML::Node& node);

}  // namespace vigil::config
