#include "node/commands/keys_family_scan.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "common/util/glob.h"
#include "node/commands/keys_family_shared.h"

namespace vigil::node::data {

bool parse_scan_cursor(CommandContext& ctx, const std::string& arg, uint64_t* cursor) {
  char* end = nullptr;
  errno = 0;
  unsigned long v = std::strtoul(arg.c_str(), &end, 10);
  if ((!arg.empty() && std::isspace(static_cast<unsigned char>(arg[0]))) || *end != '\0' ||
      errno == ERANGE || end != arg.c_str() + arg.size()) {
    ctx.reply.error("ERR invalid cursor");
    return false;
  }
  *cursor = v;
  return true;
}

bool parse_scan_options(CommandContext& ctx, size_t i, bool allow_type, ScanOptions* out) {
  auto& argv = ctx.argv;
  while (i < argv.size()) {
    size_t remaining = argv.size() - i;
    if (iequals(argv[i], "count") && remaining >= 2) {
      if (!parse_int(ctx, argv[i + 1], &out->count)) return false;
      if (out->count < 1) {
        ctx.reply.error(kErrSyntax);
        return false;
      }
      i += 2;
    } else if (iequals(argv[i], "match") && remaining >= 2) {
      if (argv[i + 1] == "*") {
        out->pattern.reset();
      } else {
        out->pattern = argv[i + 1];
      }
      i += 2;
    } else if (allow_type && iequals(argv[i], "type") && remaining >= 2) {
      out->type = argv[i + 1];
      i += 2;
    } else {
      ctx.reply.error(kErrSyntax);
      return false;
    }
  }
  return true;
}

void reply_scan_cursor(CommandContext& ctx, uint64_t cursor) {
  ctx.reply.array(2);
  char buf[24];
  int n = std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(cursor));
  ctx.reply.bulk(std::string_view(buf, static_cast<size_t>(n)));
}

bool scan_matches(const ScanOptions& opt, std::string_view name) {
  return !opt.pattern || util::stringmatchlen(*opt.pattern, name);
}

store::Entry* scan_container_begin(CommandContext& ctx, store::ValueType t, uint64_t* cursor, ScanOptions* opt) {
  if (!parse_scan_cursor(ctx, ctx.argv[2], cursor)) return nullptr;
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], t, &wrong);
  if (wrong) return nullptr;
  if (!e) {
    reply_scan_cursor(ctx, 0);
    ctx.reply.array(0);
    return nullptr;
  }
  if (!parse_scan_options(ctx, 3, false, opt)) return nullptr;
  return e;
}

}  // namespace vigil::node::data
