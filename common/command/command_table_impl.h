// Template definitions for command_table.h (included at its end; do not include
// directly). Non-template helpers live in command_table.cpp.
#pragma once

#include <cctype>

namespace vigil::command {

namespace detail {

// Lower-cases into a std::string; command names are short, so this stays in
// the small-string buffer and costs no allocation on the dispatch path.
inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// COMMAND INFO key specs: explicit ones, or one derived from first/last/step.
inline std::vector<KeySpec> effective_key_specs(const std::vector<KeySpec>& specs, int first,
                                                int last, int step) {
  if (!specs.empty() || first == 0) return specs;
  KeySpec derived;
  derived.begin_index = first;
  derived.last_key = last < 0 ? last : last - first;
  derived.key_step = step;
  return {derived};
}

void write_key_spec(resp::ReplyBuilder& r, const KeySpec& spec);

}  // namespace detail

template <class Ctx>
const typename CommandTable<Ctx>::Cmd* CommandTable<Ctx>::find(std::string_view name) const {
  auto it = table_.find(detail::to_lower(name));
  return it == table_.end() ? nullptr : &it->second;
}

template <class Ctx>
const typename CommandTable<Ctx>::Cmd* CommandTable<Ctx>::find_subcommand(
    const Cmd& parent, std::string_view sub) const {
  auto it = parent.subcommands.find(detail::to_lower(sub));
  return it == parent.subcommands.end() ? nullptr : &it->second;
}

namespace detail {

// full_name: "get", or "config|get" for a subcommand (Redis's fullname).
template <class Cmd>
void write_info_named(resp::ReplyBuilder& r, const Cmd& cmd, std::string_view full_name) {
  r.array(10);
  r.bulk(full_name);
  r.integer(cmd.arity);
  auto flags = flag_names(cmd.flags);
  r.set(flags.size());
  for (auto f : flags) r.simple(f);
  r.integer(cmd.first_key);
  r.integer(cmd.last_key);
  r.integer(cmd.key_step);
  r.set(cmd.acl_categories.size());
  for (const auto& cat : cmd.acl_categories) {
    if (!cat.empty() && cat[0] == '@') {
      r.simple(cat);
    } else {
      r.simple("@" + cat);
    }
  }
  r.array(cmd.tips.size());
  for (const auto& tip : cmd.tips) r.bulk(tip);
  auto specs = effective_key_specs(cmd.key_specs, cmd.first_key, cmd.last_key, cmd.key_step);
  r.array(specs.size());
  for (const auto& spec : specs) write_key_spec(r, spec);
  r.array(cmd.subcommands.size());
  for (const auto& [key, sub] : cmd.subcommands) {
    if (sub.name.find('|') != std::string::npos) {
      write_info_named(r, sub, sub.name);
    } else {
      write_info_named(r, sub, std::string(full_name) + "|" + key);
    }
  }
}

}  // namespace detail

template <class Ctx>
void CommandTable<Ctx>::write_info(resp::ReplyBuilder& r, const Cmd& cmd) {
  detail::write_info_named(r, cmd, cmd.name);
}

}  // namespace vigil::command
