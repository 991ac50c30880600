#include "common/config/registry.h"

#include <strings.h>

#include <climits>

#include "common/util/glob.h"
#include "common/util/numbers.h"
#include "common/util/split_args.h"

namespace vigil::config {

namespace detail {

bool parse_integer(const std::string& s, long long* out) { return util::string2ll(s, out); }

bool parse_memory(const std::string& s, long long* out) {
  auto v = util::memtoull(s);
  if (!v || *v > static_cast<unsigned long long>(LLONG_MAX)) return false;
  *out = static_cast<long long>(*v);
  return true;
}

std::string bounds_error(long long min, long long max, bool is_unsigned) {
  if (is_unsigned) {
    return "argument must be between " + std::to_string(static_cast<unsigned long long>(min)) + " and " +
           std::to_string(static_cast<unsigned long long>(max)) + " inclusive";
  }
  return "argument must be between " + std::to_string(min) + " and " + std::to_string(max) + " inclusive";
}

std::string format_memory(long long bytes) {
  const long long gb = 1024LL * 1024 * 1024, mb = 1024LL * 1024, kb = 1024;
  if (bytes && bytes % gb == 0) return std::to_string(bytes / gb) + "gb";
  if (bytes && bytes % mb == 0) return std::to_string(bytes / mb) + "mb";
  if (bytes && bytes % kb == 0) return std::to_string(bytes / kb) + "kb";
  return std::to_string(bytes);
}

}  // namespace detail

namespace {

// CONFIG SET splits a multi-arg value on single spaces (sdssplitlen), so
// "a  b" has an empty middle argument and "" has none.
std::vector<std::string> split_spaces(const std::string& value) {
  std::vector<std::string> out;
  if (value.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t sp = value.find(' ', start);
    out.push_back(value.substr(start, sp == std::string::npos ? std::string::npos : sp - start));
    if (sp == std::string::npos) break;
    start = sp + 1;
  }
  return out;
}

bool has_glob(std::string_view s) { return s.find_first_of("[*?") != std::string_view::npos; }

}  // namespace

std::string ConfigRegistry::lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void ConfigRegistry::default_rewrite(Param& p) {
  Param* param = &p;
  p.rewrite = [param](ConfigRewriter& rw) {
    std::string value = param->get();
    std::vector<std::string> args;
    if (param->flags & kMultiArg) {
      args = split_spaces(value);
    } else {
      args.push_back(value);
    }
    rw.rewrite_line(param->name, format_line(param->name, args), value != param->default_value);
  };
}

Param& ConfigRegistry::add(Param p) {
  p.name = lower(p.name);
  auto owned = std::make_unique<Param>(std::move(p));
  Param& stored = *owned;
  stored.default_value = stored.get ? stored.get() : std::string();
  if (!stored.rewrite) default_rewrite(stored);
  by_name_[stored.name] = &stored;
  for (auto& alias : stored.aliases) {
    alias = lower(alias);
    by_name_[alias] = &stored;
  }
  params_.push_back(std::move(owned));
  return stored;
}

Param& ConfigRegistry::add_bool(std::string name, bool* target, bool def, unsigned flags) {
  *target = def;
  Param p;
  p.name = std::move(name);
  p.flags = flags;
  p.set = [target](const std::vector<std::string>& args, std::string* err) {
    // yesnotoi: case-insensitive yes/no only.
    int v = -1;
    if (args.size() == 1) {
      if (strcasecmp(args[0].c_str(), "yes") == 0) v = 1;
      if (strcasecmp(args[0].c_str(), "no") == 0) v = 0;
    }
    if (v < 0) {
      *err = "argument must be 'yes' or 'no'";
      return 0;
    }
    if (*target == (v == 1)) return 2;
    *target = v == 1;
    return 1;
  };
  p.get = [target] { return std::string(*target ? "yes" : "no"); };
  return add(std::move(p));
}

Param& ConfigRegistry::add_string(std::string name, std::string* target, std::string def, unsigned flags,
                                  std::function<std::string(const std::string&)> validate) {
  *target = std::move(def);
  Param p;
  p.name = std::move(name);
  p.flags = flags;
  p.set = [target, validate](const std::vector<std::string>& args, std::string* err) {
    if (args.size() != 1) {
      *err = "wrong number of arguments";
      return 0;
    }
    if (validate) {
      std::string problem = validate(args[0]);
      if (!problem.empty()) {
        *err = problem;
        return 0;
      }
    }
    if (*target == args[0]) return 2;
    *target = args[0];
    return 1;
  };
  p.get = [target] { return *target; };
  Param& stored = add(std::move(p));
  // rewriteConfigStringOption: always "name \"repr\"".
  stored.rewrite = [&stored, target](ConfigRewriter& rw) {
    rw.rewrite_line(stored.name, stored.name + " " + repr(*target), *target != stored.default_value);
  };
  return stored;
}

void ConfigRegistry::ignore_directive(std::string name, int min_args, int max_args) {
  ignored_[lower(name)] = Ignored{min_args, max_args};
}

const Param* ConfigRegistry::find(std::string_view name) const {
  auto it = by_name_.find(lower(name));
  return it == by_name_.end() ? nullptr : it->second;
}

Param* ConfigRegistry::find(std::string_view name) {
  auto it = by_name_.find(lower(name));
  return it == by_name_.end() ? nullptr : it->second;
}

bool ConfigRegistry::knows(std::string_view name) const { return find(name) != nullptr; }

std::string ConfigRegistry::canonical(std::string_view name) const {
  const Param* p = find(name);
  return p ? p->name : lower(name);
}

std::optional<ConfigError> ConfigRegistry::apply_directives(const std::vector<Directive>& directives,
                                                            const OtherDirective& other) {
  for (const auto& d : directives) {
    auto error_at = [&](std::string message) { return ConfigError{d.line, d.text, std::move(message)}; };
    if (Param* p = find(d.name)) {
      std::string err;
      int res;
      if (!(p->flags & kMultiArg)) {
        if (d.args.size() != 1) return error_at("wrong number of arguments");
        res = p->set(d.args, &err);
      } else if (d.args.size() == 1 && !d.args[0].empty()) {
        // `--save "900 1 300 10"` style: one argument holding several.
        auto split = util::split_args(d.args[0]);
        res = p->set(split ? *split : std::vector<std::string>{}, &err);
      } else {
        res = p->set(d.args, &err);
      }
      if (res == 0) return error_at(err);
      continue;
    }
    auto ig = ignored_.find(d.name);
    if (ig != ignored_.end() && static_cast<int>(d.args.size()) >= ig->second.min_args &&
        static_cast<int>(d.args.size()) <= ig->second.max_args) {
      continue;
    }
    std::string err;
    if (other && other(d, &err)) continue;
    return error_at(err.empty() ? "Bad directive or wrong number of arguments" : err);
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> ConfigRegistry::config_get(
    const std::vector<std::string>& patterns) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::map<std::string, bool, std::less<>> seen;  // names already returned
  for (const auto& pattern : patterns) {
    if (!has_glob(pattern)) {
      const Param* p = find(pattern);
      if (p == nullptr || seen.count(pattern)) continue;
      seen[pattern] = true;
      out.emplace_back(pattern, p->get());
      continue;
    }
    for (const auto& [name, p] : by_name_) {
      if (p->flags & kHidden) continue;
      if (seen.count(name)) continue;
      if (util::stringmatchlen(pattern, name, true)) {
        seen[name] = true;
        out.emplace_back(name, p->get());
      }
    }
  }
  return out;
}

std::string ConfigRegistry::config_set(const std::vector<std::string>& nv) {
  if (nv.empty() || nv.size() % 2) return "ERR syntax error";
  const size_t count = nv.size() / 2;
  std::vector<Param*> params(count, nullptr);
  std::string invalid_name, err_name, errstr;
  bool invalid = false, unknown = false;
  for (size_t i = 0; i < count; i++) {
    Param* p = find(nv[2 * i]);
    if (p == nullptr) {
      if (!invalid) {
        invalid_name = nv[2 * i];
        unknown = true;
      }
      invalid = true;
      continue;
    }
    if (invalid) continue;
    if (p->flags & (kImmutable | kProtected)) {
      errstr = (p->flags & kImmutable) ? "can't set immutable config" : "can't set protected config";
      err_name = nv[2 * i];
      invalid = true;
      continue;
    }
    for (size_t j = 0; j < i; j++) {
      if (params[j] == p) {
        errstr = "duplicate parameter";
        err_name = nv[2 * i];
        invalid = true;
        break;
      }
    }
    params[i] = p;
  }

  auto failure = [&]() -> std::string {
    std::string msg;
    if (unknown) {
      msg = "ERR Unknown option or number of arguments for CONFIG SET - '" + invalid_name + "'";
    } else {
      msg = "ERR CONFIG SET failed (possibly related to argument '" + err_name + "')";
      if (!errstr.empty()) msg += " - " + errstr;
    }
    for (char& c : msg) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    return msg;
  };
  if (invalid) return failure();

  std::vector<std::string> old_values(count);
  for (size_t i = 0; i < count; i++) old_values[i] = params[i]->get();
  auto args_of = [](const Param* p, const std::string& value) {
    return (p->flags & kMultiArg) ? split_spaces(value) : std::vector<std::string>{value};
  };
  auto restore = [&](size_t upto) {
    std::string ignored;
    for (size_t i = 0; i < upto; i++) params[i]->set(args_of(params[i], old_values[i]), &ignored);
  };

  std::vector<Param*> to_apply;
  for (size_t i = 0; i < count; i++) {
    int res = params[i]->set(args_of(params[i], nv[2 * i + 1]), &errstr);
    if (res == 0) {
      restore(i + 1);
      err_name = params[i]->name;
      return failure();
    }
    if (res == 1 && params[i]->apply) {
      bool queued = false;
      for (Param* q : to_apply) queued = queued || q == params[i];
      if (!queued) to_apply.push_back(params[i]);
    }
  }
  for (Param* p : to_apply) {
    if (!p->apply(&errstr)) {
      restore(count);
      // Re-apply the restored values; their own errors cannot be reported.
      std::string ignored;
      for (Param* q : to_apply) q->apply(&ignored);
      err_name = p->name;
      return failure();
    }
  }
  return "";
}

void ConfigRegistry::rewrite(ConfigRewriter& rewriter) const {
  for (const auto& p : params_) {
    if (p->rewrite) {
      p->rewrite(rewriter);
    } else {
      rewriter.mark_processed(p->name);
    }
  }
}

}  // namespace vigil::config
