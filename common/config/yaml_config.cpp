#include "common/config/yaml_config.h"

#include <cctype>

namespace vigil::config {

bool is_yaml(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) continue;
    line = line.substr(b);
    size_t e = line.find_last_not_of(" \t\r");
    line = line.substr(0, e + 1);
    if (line[0] == '#') continue;
    if (line == "---" || line.rfind("--- ", 0) == 0 || line.rfind("%YAML", 0) == 0) return true;
    if (line == "-" || line.rfind("- ", 0) == 0) return true;
    if (line[0] == '{' || line[0] == '[') return true;
    size_t word_end = line.find_first_of(" \t");
    std::string_view word = line.substr(0, word_end);
    return word.back() == ':';
  }
  return false;  // empty or comments only: either parser accepts it; redis-style is the default
}

std::string yaml_scalar_arg(const YAML::Node& node) {
  if (!node || node.IsNull()) return "";
  const std::string& s = node.Scalar();
  // Tag "!" marks a quoted scalar; only plain true/false are YAML booleans.
  if (node.Tag() != "!") {
    if (s == "true" || s == "True" || s == "TRUE") return "yes";
    if (s == "false" || s == "False" || s == "FALSE") return "no";
  }
  return s;
}

namespace {

std::string describe(const std::string& key, const std::vector<std::string>& args) {
  return format_line(key, args);
}

bool scalars_only(const YAML::Node& seq) {
  for (const auto& item : seq) {
    if (!(item.IsScalar() || item.IsNull())) return false;
  }
  return true;
}

}  // namespace

std::optional<YamlConfig> parse_yaml(std::string_view text, ConfigError* error) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    if (error) *error = ConfigError{e.mark.line + 1, "", "YAML: " + e.msg};
    return std::nullopt;
  }
  YamlConfig out;
  if (!root || root.IsNull()) return out;  // empty document
  if (!root.IsMap()) {
    if (error) *error = ConfigError{root.Mark().line + 1, "", "YAML: the document must be a map of directives"};
    return std::nullopt;
  }
  for (const auto& kv : root) {
    const YAML::Node& key = kv.first;
    const YAML::Node& value = kv.second;
    if (!key.IsScalar()) {
      if (error) *error = ConfigError{key.Mark().line + 1, "", "YAML: directive names must be scalars"};
      return std::nullopt;
    }
    std::string name = key.Scalar();
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    int line = key.Mark().line + 1;
    auto add = [&](std::vector<std::string> args) {
      Directive d;
      d.name = name;
      d.text = describe(key.Scalar(), args);
      d.args = std::move(args);
      d.line = line;
      out.directives.push_back(std::move(d));
    };
    if (value.IsMap()) {
      out.sections.push_back({name, line, value});
    } else if (value.IsSequence()) {
      if (scalars_only(value)) {
        std::vector<std::string> args;
        for (const auto& item : value) args.push_back(yaml_scalar_arg(item));
        add(std::move(args));
      } else {
        for (const auto& item : value) {
          if (!item.IsSequence() || !scalars_only(item)) {
            if (error) {
              *error = ConfigError{item.Mark().line + 1, key.Scalar(),
                                   "YAML: a list value must hold scalars or lists of scalars"};
            }
            return std::nullopt;
          }
          std::vector<std::string> args;
          for (const auto& inner : item) args.push_back(yaml_scalar_arg(inner));
          add(std::move(args));
        }
      }
    } else {
      add({yaml_scalar_arg(value)});
    }
  }
  return out;
}

}  // namespace vigil::config
