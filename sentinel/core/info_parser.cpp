#include "sentinel/core/info_parser.h"

#include <cctype>
#include <charconv>
#include <cstring>

#include "sentinel/core/text.h"

namespace vigil::sentinel {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// `slave<N>:ip=<ip>,port=<port>,...` (Redis ≥ 2.8) or `slave<N>:<ip>,<port>,<state>`.
std::optional<InfoReplicaEntry> parse_replica_line(std::string_view line) {
  std::string_view ip, port;
  if (line.find("ip=") == std::string_view::npos) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view rest = line.substr(colon + 1);
    size_t c1 = rest.find(',');
    if (c1 == std::string_view::npos) return std::nullopt;
    ip = rest.substr(0, c1);
    rest = rest.substr(c1 + 1);
    size_t c2 = rest.find(',');
    if (c2 == std::string_view::npos) return std::nullopt;
    port = rest.substr(0, c2);
  } else {
    size_t ip_at = line.find("ip=");
    size_t port_at = line.find("port=");
    if (port_at == std::string_view::npos) return std::nullopt;
    ip = line.substr(ip_at + 3);
    ip = ip.substr(0, ip.find(','));
    port = line.substr(port_at + 5);
    port = port.substr(0, port.find(','));
  }
  InfoReplicaEntry entry;
  entry.ip = std::string(ip);
  entry.port = static_cast<int>(text::atoll_prefix(port));
  return entry;
}

}  // namespace

InfoReport parse_info(std::string_view text_in) {
  InfoReport report;
  bool slave_section = false;  // Redis reads replica fields only after role:slave
  size_t pos = 0;
  while (pos <= text_in.size()) {
    size_t eol = text_in.find("\r\n", pos);
    std::string_view line = text_in.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = (eol == std::string_view::npos) ? text_in.size() + 1 : eol + 2;

    if (line.size() >= 47 && starts_with(line, "run_id:")) {
      report.run_id = std::string(line.substr(7, 40));
    }
    if (line.size() >= 7 && starts_with(line, "slave") &&
        std::isdigit(static_cast<unsigned char>(line[5]))) {
      if (auto entry = parse_replica_line(line)) report.replicas.push_back(std::move(*entry));
    }
    if (line.size() >= 32 && starts_with(line, "master_link_down_since_seconds")) {
      report.master_link_down_time = text::atoll_prefix(line.substr(31)) * 1000;
    }
    if (starts_with(line, "master_repl_offset:")) {
      report.master_repl_offset = text::atoll_prefix(line.substr(19));
    }
    if (line.size() >= 11 && starts_with(line, "role:master")) {
      report.role = ReportedRole::Master;
      slave_section = false;
    } else if (line.size() >= 10 && starts_with(line, "role:slave")) {
      report.role = ReportedRole::Slave;
      slave_section = true;
    }
    if (!slave_section) continue;
    if (starts_with(line, "master_host:")) {
      report.master_host = std::string(line.substr(12));
    } else if (starts_with(line, "master_port:")) {
      report.master_port = static_cast<int>(text::atoll_prefix(line.substr(12)));
    } else if (starts_with(line, "master_link_status:")) {
      report.master_link_up = text::iequals(line.substr(19), "up");
    } else if (starts_with(line, "slave_priority:")) {
      report.slave_priority = static_cast<int>(text::atoll_prefix(line.substr(15)));
    } else if (starts_with(line, "slave_repl_offset:")) {
      report.slave_repl_offset = text::atoll_prefix(line.substr(18));
    } else if (starts_with(line, "replica_announced:")) {
      report.replica_announced = text::atoll_prefix(line.substr(18)) != 0;
    }
  }
  return report;
}

}  // namespace vigil::sentinel
