#include "node/persistence/aof_manifest.h"

#include <cctype>
#include <cstdio>

#include "common/util/split_args.h"
#include "node/persistence/number_text.h"

namespace vigil::node::persistence {
namespace {

constexpr size_t kMaxLine = 1024;

// Names are written bare when safe, else quoted with escapes (Redis: sdscatrepr).
std::string quote_if_needed(const std::string& name) {
  bool plain = !name.empty();
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || c == '.' || c == '_' || c == '-')) plain = false;
  }
  if (plain) return name;
  std::string out = "\"";
  for (unsigned char c : name) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

void append_line(std::string& out, const AofFileInfo& f) {
  out += "file " + quote_if_needed(f.name) + " seq " + int64_text(f.seq) + " type " + static_cast<char>(f.type) + "\n";
}

}  // namespace

std::string AofManifest::format() const {
  std::string out;
  if (base) append_line(out, *base);
  for (const auto& f : history) append_line(out, f);
  for (const auto& f : incrs) append_line(out, f);
  return out;
}

std::optional<AofManifest> AofManifest::parse(std::string_view text, std::string* error) {
  auto fail = [error](const char* why) -> std::optional<AofManifest> {
    if (error) *error = why;
    return std::nullopt;
  };
  AofManifest m;
  bool any = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return fail("The AOF manifest file is invalid format");
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.size() + 1 > kMaxLine) return fail("The AOF manifest file contains too long line");
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    auto args = vigil::util::split_args(line);
    if (!args || args->size() < 6 || args->size() % 2 != 0) return fail("Invalid AOF manifest file format");
    AofFileInfo f;
    bool has_name = false, has_seq = false, has_type = false;
    for (size_t i = 0; i < args->size(); i += 2) {
      const std::string& key = (*args)[i];
      const std::string& value = (*args)[i + 1];
      if (key == "file") {
        f.name = value;
        has_name = true;
      } else if (key == "seq") {
        auto seq = canonical_int64(value);
        if (!seq || *seq <= 0) return fail("Invalid AOF manifest file format");
        f.seq = *seq;
        has_seq = true;
      } else if (key == "type") {
        if (value.size() != 1 || (value[0] != 'b' && value[0] != 'h' && value[0] != 'i'))
          return fail("Unknown AOF file type");
        f.type = static_cast<AofFileInfo::Type>(value[0]);
        has_type = true;
      }  // other keys are ignored (forward compatibility)
    }
    if (!has_name || !has_seq || !has_type) return fail("Invalid AOF manifest file format");
    if (f.name.find('/') != std::string::npos) return fail("File can't be a path, just a filename");
    any = true;
    switch (f.type) {
      case AofFileInfo::Type::kBase:
        if (m.base) return fail("Found duplicate base file information");
        m.base = f;
        break;
      case AofFileInfo::Type::kHistory:
        m.history.push_back(f);
        break;
      case AofFileInfo::Type::kIncr:
        if (!m.incrs.empty() && f.seq <= m.incrs.back().seq) return fail("Found a non-monotonic sequence number");
        m.incrs.push_back(f);
        break;
    }
  }
  if (!any) return fail("Found an empty AOF manifest");
  return m;
}

std::string aof_base_name(const std::string& appendfilename, int64_t seq, bool rdb_preamble) {
  return appendfilename + "." + int64_text(seq) + ".base" + (rdb_preamble ? ".rdb" : ".aof");
}

std::string aof_incr_name(const std::string& appendfilename, int64_t seq) {
  return appendfilename + "." + int64_text(seq) + ".incr.aof";
}

std::string aof_manifest_name(const std::string& appendfilename) { return appendfilename + ".manifest"; }

}  // namespace vigil::node::persistence
