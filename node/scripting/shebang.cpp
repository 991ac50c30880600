#include "node/scripting/shebang.h"

#include <vector>

namespace vigil::node::scripting {

namespace {

// Whitespace-separated words, as sdssplitargs splits a shebang without quotes.
std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\v' || s[i] == '\f')) i++;
    size_t start = i;
    while (i < s.size() && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\v' || s[i] == '\f')) i++;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool set_flag(std::string_view name, ScriptFlags* flags) {
  if (name == "no-writes") return flags->no_writes = true;
  if (name == "allow-oom") return flags->allow_oom = true;
  if (name == "allow-stale") return flags->allow_stale = true;
  if (name == "no-cluster") return flags->no_cluster = true;
  if (name == "allow-cross-slot-keys") return flags->allow_cross_slot_keys = true;
  return false;
}

}  // namespace

bool parse_shebang(std::string_view body, ScriptFlags* flags, size_t* shebang_len, std::string* err) {
  *flags = ScriptFlags{};
  *shebang_len = 0;
  if (body.substr(0, 2) != "#!") return true;
  size_t end = body.find('\n');
  if (end == std::string_view::npos) {
    *err = "Invalid script shebang";
    return false;
  }
  std::vector<std::string_view> parts = split_words(body.substr(0, end));
  if (parts.empty()) {
    *err = "Invalid engine in script shebang";
    return false;
  }
  if (parts[0] != "#!lua") {
    *err = "Unexpected engine in script shebang: " + std::string(parts[0]);
    return false;
  }
  flags->eval_compat = false;
  for (size_t i = 1; i < parts.size(); i++) {
    std::string_view part = parts[i];
    if (part.substr(0, 6) != "flags=") {
      *err = "Unknown lua shebang option: " + std::string(part);
      return false;
    }
    std::string_view list = part.substr(6);
    // sdssplitlen: an empty list has no flags; "a,,b" has an empty one.
    size_t pos = 0;
    while (!list.empty()) {
      size_t comma = list.find(',', pos);
      std::string_view name = list.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
      if (!set_flag(name, flags)) {
        *err = "Unexpected flag in script shebang: " + std::string(name);
        return false;
      }
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
  }
  *shebang_len = end;
  return true;
}

}  // namespace vigil::node::scripting
