#include "common/config/directives.h"

#include <cctype>
#include <cstdio>

#include "common/util/split_args.h"

namespace vigil::config {

namespace {

std::string_view trim(std::string_view s, std::string_view chars) {
  size_t b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(chars);
  return s.substr(b, e - b + 1);
}

}  // namespace

std::optional<std::vector<Directive>> parse_directives(std::string_view text, ConfigError* error) {
  std::vector<Directive> out;
  int linenum = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view raw = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    linenum++;
    std::string_view line = trim(raw, " \t\r\n");
    if (line.empty() || line[0] == '#') continue;
    auto args = util::split_args(line);
    if (!args) {
      if (error) *error = ConfigError{linenum, std::string(line), "Unbalanced quotes in configuration line"};
      return std::nullopt;
    }
    if (args->empty()) continue;
    Directive d;
    d.name = std::move((*args)[0]);
    for (char& c : d.name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    d.args.assign(std::make_move_iterator(args->begin() + 1), std::make_move_iterator(args->end()));
    d.line = linenum;
    d.text = std::string(line);
    out.push_back(std::move(d));
  }
  return out;
}

std::string format_fatal_error(const ConfigError& error, std::string_view version) {
  std::string out = "\n*** FATAL CONFIG FILE ERROR (Redis " + std::string(version) + ") ***\n";
  if (error.line > 0) {
    out += "Reading the configuration file, at line " + std::to_string(error.line) + "\n";
    out += ">>> '" + error.text + "'\n";
  }
  out += error.message + "\n";
  return out;
}

std::string repr(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      default:
        if (std::isprint(c)) {
          out += static_cast<char>(c);
        } else {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        }
    }
  }
  out += '"';
  return out;
}

std::string format_line(std::string_view name, const std::vector<std::string>& args) {
  std::string out(name);
  for (const auto& a : args) {
    out += ' ';
    auto reread = util::split_args(a);
    bool bare = !a.empty() && a[0] != '#' && reread && reread->size() == 1 && (*reread)[0] == a;
    out += bare ? a : repr(a);
  }
  return out;
}

}  // namespace vigil::config
