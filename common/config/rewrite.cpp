#include "common/config/rewrite.h"

#include <cctype>
#include <cerrno>

#include "common/util/atomic_file.h"
#include "common/util/split_args.h"

namespace vigil::config {

namespace {

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of("\r\n\t ");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of("\r\n\t ");
  return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

ConfigRewriter::ConfigRewriter(std::string_view old_content, std::function<bool(std::string_view)> known,
                               std::function<std::string(std::string_view)> canonical, bool sentinel_mode) {
  // Split like sdssplitlen(..., "\n"): a trailing newline yields a last empty line.
  size_t start = 0;
  while (start <= old_content.size() && !old_content.empty()) {
    size_t nl = old_content.find('\n', start);
    std::string_view raw = old_content.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? old_content.size() + 1 : nl + 1;
    std::string line(trim(raw));
    if (line.empty() || line[0] == '#') {
      if (needs_signature_ && line == kRewriteSignature) needs_signature_ = false;
      lines_.push_back(std::move(line));
      continue;
    }
    auto args = util::split_args(line);
    std::string name = args && !args->empty() ? lower((*args)[0]) : std::string();
    // Like rewriteConfigReadOldFile: file-only directives count as known even
    // when no parameter has that name, so they are never commented out.
    bool file_only = name == "include" || name == "rename-command" || name == "user" ||
                     name == "loadmodule" || name == "sentinel";
    if (!args || args->empty() || !(file_only || known(name))) {
      // Unparsable or unknown: kept, but as a comment (Redis does the same).
      lines_.push_back("# ??? " + line);
      continue;
    }
    lines_.push_back(std::move(line));
    if (canonical) name = canonical(name);
    if (sentinel_mode && name == "sentinel" && args->size() > 1) {
      name += " " + (*args)[1];  // Redis keeps the sub-option's case here
    }
    option_lines_[name].push_back(lines_.size() - 1);
  }
  // Like Redis, the empty element after a final newline is kept as a blank
  // line, so appended options sit after one blank line (and a file that ends
  // with a newline gains one blank line at its end, once).
}

void ConfigRewriter::mark_processed(std::string_view option) { rewritten_.emplace(option); }

bool ConfigRewriter::rewrite_line(std::string_view option, std::string line, bool force) {
  mark_processed(option);
  auto it = option_lines_.find(option);
  if (it == option_lines_.end() && !force) return false;
  if (it != option_lines_.end()) {
    size_t at = it->second.front();
    it->second.erase(it->second.begin());
    if (it->second.empty()) option_lines_.erase(it);
    lines_[at] = std::move(line);
  } else {
    if (needs_signature_) {
      lines_.emplace_back(kRewriteSignature);
      needs_signature_ = false;
    }
    lines_.push_back(std::move(line));
  }
  return true;
}

std::string ConfigRewriter::content() const {
  std::vector<bool> orphan(lines_.size(), false);
  for (const auto& [option, indexes] : option_lines_) {
    if (rewritten_.count(option) == 0) continue;  // options we did not handle stay
    for (size_t i : indexes) orphan[i] = true;
  }
  std::string out;
  bool was_empty = false;
  for (size_t i = 0; i < lines_.size(); i++) {
    std::string_view line = orphan[i] ? std::string_view() : std::string_view(lines_[i]);
    if (line.empty()) {
      if (was_empty) continue;
      was_empty = true;
    } else {
      was_empty = false;
    }
    out += line;
    out += '\n';
  }
  return out;
}

bool rewrite_config_file(const std::string& path, std::function<bool(std::string_view)> known,
                         std::function<std::string(std::string_view)> canonical, bool sentinel_mode,
                         const std::function<void(ConfigRewriter&)>& fill, std::string* err) {
  std::string old;
  std::string read_err;
  if (!util::read_file(path, &old, &read_err)) {
    if (errno != ENOENT) {
      if (err) *err = read_err;
      return false;
    }
    old.clear();
  }
  ConfigRewriter rewriter(old, std::move(known), std::move(canonical), sentinel_mode);
  fill(rewriter);
  return util::write_file_atomic(path, rewriter.content(), err);
}

}  // namespace vigil::config
