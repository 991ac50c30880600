// Fuzzes the configuration front end: redis.conf tokenizing, the YAML/redis
// detection and mapping, applying directives to a typed registry, CONFIG SET
// and CONFIG REWRITE over the same text. Checks that format_line output reads
// back as the same arguments.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/config/directives.h"
#include "common/config/registry.h"
#include "common/config/rewrite.h"
#include "common/config/yaml_config.h"

using namespace vigil::config;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);

  struct {
    int port;
    long long maxmemory;
    bool flag;
    std::string dir;
    int level;
  } s{};
  ConfigRegistry reg;
  reg.add_int("port", &s.port, 0, 65535, 6379);
  reg.add_memory("maxmemory", &s.maxmemory, 0, LLONG_MAX, 0LL);
  reg.add_bool("appendonly", &s.flag, false);
  reg.add_string("dir", &s.dir, "./");
  reg.add_enum("loglevel", &s.level, {{"debug", 0}, {"notice", 1}}, 1);

  std::vector<Directive> directives;
  ConfigError err;
  if (is_yaml(text)) {
    if (auto y = parse_yaml(text, &err)) directives = y->directives;
  } else if (auto ds = parse_directives(text, &err)) {
    directives = *ds;
  } else {
    (void)format_fatal_error(err);
  }
  for (const auto& d : directives) {
    auto reread = parse_directives(format_line("x", d.args), nullptr);
    if (!reread || reread->size() != 1 || (*reread)[0].args != d.args) {
      // Arguments with NUL bytes cannot survive a text line (sdssplitargs stops there).
      bool has_nul = false;
      for (const auto& a : d.args) has_nul |= a.find('\0') != std::string::npos;
      if (!has_nul) std::abort();
    }
  }
  if (auto e = reg.apply_directives(directives)) (void)format_fatal_error(*e);

  for (const auto& d : directives) {
    std::vector<std::string> nv{d.name};
    nv.insert(nv.end(), d.args.begin(), d.args.end());
    (void)reg.config_set(nv);
  }
  (void)reg.config_get({"*", "port", "[a-z]*"});

  ConfigRewriter rw(text, [&](std::string_view n) { return reg.knows(n); },
                    [&](std::string_view n) { return reg.canonical(n); }, size % 2 == 0);
  reg.rewrite(rw);
  std::string out = rw.content();
  // The rewritten file must load again without unbalanced quotes.
  if (!parse_directives(out, nullptr)) std::abort();
  return 0;
}
