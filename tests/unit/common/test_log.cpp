#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <regex>

#include "common/log/log.h"
#include "common/util/atomic_file.h"

namespace vlog = vigil::log;

TEST_CASE("log lines use Redis's format", "[log]") {
  char tmpl[] = "/tmp/vigil-log-test-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string file = dir + "/vigil.log";
  vlog::Options opts;
  opts.logfile = file;
  opts.level = vlog::Level::kVerbose;
  opts.role = 'X';
  std::string err;
  REQUIRE(vlog::setup(opts, &err));
  vlog::debug("hidden {}", 1);
  vlog::verbose("verbose {}", 2);
  vlog::notice("Ready to accept connections");
  vlog::set_role('S');
  vlog::warning("careful");
  spdlog::info("through spdlog");
  std::string content;
  REQUIRE(vigil::util::read_file(file, &content));
  std::string pid = std::to_string(getpid());
  std::regex line_re(pid +
                     ":[XS] \\d\\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{3} "
                     "[-*#.] .*");
  size_t start = 0;
  std::vector<std::string> lines;
  while (start < content.size()) {
    size_t nl = content.find('\n', start);
    lines.push_back(content.substr(start, nl - start));
    start = nl + 1;
  }
  REQUIRE(lines.size() == 4);
  for (const auto& l : lines) {
    INFO(l);
    CHECK(std::regex_match(l, line_re));
  }
  CHECK(lines[0].find(":X ") != std::string::npos);
  CHECK(lines[0].substr(lines[0].size() - 11) == "- verbose 2");
  CHECK(lines[1].substr(lines[1].size() - 29) == "* Ready to accept connections");
  CHECK(lines[2].find(":S ") != std::string::npos);
  CHECK(lines[2].substr(lines[2].size() - 9) == "# careful");
  CHECK(lines[3].substr(lines[3].size() - 16) == "* through spdlog");

  vlog::Options bad;
  bad.logfile = dir + "/missing/dir/x.log";
  CHECK_FALSE(vlog::setup(bad, &err));
  CHECK(err == "Can't open the log file: No such file or directory");
  std::system(("rm -rf '" + dir + "'").c_str());
  // Leave a sane default logger for other tests.
  vlog::Options def;
  def.level = vlog::Level::kWarning;
  REQUIRE(vlog::setup(def));
}

TEST_CASE("log levels parse like loglevel", "[log]") {
  CHECK(vlog::parse_level("Notice") == vlog::Level::kNotice);
  CHECK(vlog::parse_level("debug") == vlog::Level::kDebug);
  CHECK_FALSE(vlog::parse_level("info"));
  CHECK(vlog::level_name(vlog::Level::kWarning) == "warning");
}
