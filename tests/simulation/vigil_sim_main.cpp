// vigil-sim: long simulation campaigns, single-seed replays and reports.
//
//   vigil-sim --seeds 10000 [--first-seed 1] [--minutes 10] [--sentinels N] [--nodes M]
//   vigil-sim --seed 1234 [--trace-tail 400]         replay one seed with its event trace
//   vigil-sim --scenario kill-master --seed 7        one measured master kill, traced
//   vigil-sim --scenario planned-failover --seed 7 [--redis-compatible]
//   vigil-sim --report-failover-time [--runs 200]    failover-time distributions
//   vigil-sim --report-planned-failover [--runs 50]  acknowledged writes lost, both modes
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "campaign.h"

using namespace vigil::sim;

namespace {

struct Args {
  std::uint64_t seeds = 100;
  std::uint64_t first_seed = 1;
  std::optional<std::uint64_t> seed;
  double minutes = 10;
  int sentinels = 0;
  int nodes = 0;
  std::string scenario = "random";
  bool report_failover_time = false;
  bool report_planned = false;
  std::uint64_t runs = 200;
  bool redis_compatible = false;
  std::size_t trace_tail = 0;
  bool keep_going = false;
  int trace = 1;
  std::string break_core;  // negative control: vote | priority
};

[[noreturn]] void usage(int code) {
  std::fprintf(code ? stderr : stdout,
               "usage: vigil-sim [--seeds N] [--first-seed S] [--minutes M] [--sentinels N] [--nodes M]\n"
               "                 [--seed S [--trace-tail LINES]] [--scenario random|kill-master|planned-failover]\n"
               "                 [--redis-compatible] [--keep-going] [--trace-verbose]\n"
               "                 [--break vote|priority]   (negative control: a deliberately broken core)\n"
               "                 [--report-failover-time] [--report-planned-failover] [--runs N]\n");
  std::exit(code);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string opt = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(2);
      return argv[++i];
    };
    auto number = [&]() -> std::uint64_t {
      const std::string v = value();
      char* end = nullptr;
      const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (end == v.c_str() || *end != '\0') usage(2);
      return n;
    };
    if (opt == "--seeds") a.seeds = number();
    else if (opt == "--first-seed") a.first_seed = number();
    else if (opt == "--seed") a.seed = number();
    else if (opt == "--minutes") a.minutes = std::atof(value().c_str());
    else if (opt == "--sentinels") a.sentinels = static_cast<int>(number());
    else if (opt == "--nodes") a.nodes = static_cast<int>(number());
    else if (opt == "--scenario") a.scenario = value();
    else if (opt == "--report-failover-time") a.report_failover_time = true;
    else if (opt == "--report-planned-failover") a.report_planned = true;
    else if (opt == "--runs") a.runs = number();
    else if (opt == "--redis-compatible") a.redis_compatible = true;
    else if (opt == "--trace-tail") a.trace_tail = number();
    else if (opt == "--keep-going") a.keep_going = true;
    else if (opt == "--trace-verbose") a.trace = 2;
    else if (opt == "--break") a.break_core = value();
    else if (opt == "--help" || opt == "-h") usage(0);
    else usage(2);
  }
  if (!a.break_core.empty() && a.break_core != "vote" && a.break_core != "priority") usage(2);
  if (a.minutes <= 0 || (a.sentinels != 0 && a.sentinels < 1) || a.scenario.empty()) usage(2);
  return a;
}

void print_trace(const std::vector<std::string>& lines, std::size_t tail) {
  std::size_t first = 0;
  if (tail != 0 && lines.size() > tail) {
    first = lines.size() - tail;
    std::printf("... (%zu earlier trace lines omitted; --trace-tail 0 prints all)\n", first);
  }
  for (std::size_t i = first; i < lines.size(); ++i) std::printf("%s\n", lines[i].c_str());
}

int report_failover_time(const Args& a) {
  for (TimingProfile p : {TimingProfile::RedisDefaults, TimingProfile::VigilFast}) {
    std::vector<Micros> samples;
    std::uint64_t failures = 0;
    for (std::uint64_t s = a.first_seed; s < a.first_seed + a.runs; ++s) {
      FailoverTime t = run_kill_master(s, p);
      if (t.ok) samples.push_back(t.elapsed);
      else {
        ++failures;
        std::printf("  seed %llu: %s\n", static_cast<unsigned long long>(s), t.failure.c_str());
      }
    }
    std::printf("failover time, %s, 3 sentinels, quorum 2, kill -9 of the master -> all sentinels agree:\n  %s%s\n",
                profile_name(p), distribution(samples).c_str(),
                failures ? (" (" + std::to_string(failures) + " runs failed)").c_str() : "");
  }
  return 0;
}

int report_planned(const Args& a) {
  int rc = 0;
  for (bool lossless : {true, false}) {
    std::uint64_t acked = 0, lost = 0, runs_with_loss = 0, failures = 0;
    std::vector<Micros> times;
    for (std::uint64_t s = a.first_seed; s < a.first_seed + a.runs; ++s) {
      PlannedFailoverResult r = run_planned_failover(s, lossless);
      if (!r.ok) {
        ++failures;
        std::printf("  seed %llu: %s\n", static_cast<unsigned long long>(s), r.failure.c_str());
        continue;
      }
      acked += r.acked;
      lost += r.lost;
      if (r.lost) ++runs_with_loss;
      times.push_back(r.switch_time);
    }
    std::printf("planned failover (SENTINEL FAILOVER under 800 writes/s), %s: %llu acknowledged writes, %llu lost "
                "(%llu of %llu runs lost writes, %llu runs failed); switch time %s\n",
                lossless ? "vigil lossless mode" : "Redis-compatible mode", static_cast<unsigned long long>(acked),
                static_cast<unsigned long long>(lost), static_cast<unsigned long long>(runs_with_loss),
                static_cast<unsigned long long>(a.runs), static_cast<unsigned long long>(failures),
                distribution(times).c_str());
    if (lossless && lost) rc = 1;
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  if (a.report_failover_time) return report_failover_time(a);
  if (a.report_planned) return report_planned(a);

  if (a.scenario == "kill-master") {
    const std::uint64_t seed = a.seed.value_or(a.first_seed);
    std::vector<std::string> trace;
    FailoverTime t = run_kill_master(seed, a.redis_compatible ? TimingProfile::RedisDefaults : TimingProfile::VigilFast,
                                     a.trace, &trace);
    print_trace(trace, a.trace_tail);
    std::printf("seed %llu: %s, failover time %lld ms\n", static_cast<unsigned long long>(seed),
                t.ok ? "ok" : t.failure.c_str(), static_cast<long long>(t.elapsed / 1000));
    return t.ok ? 0 : 1;
  }
  if (a.scenario == "planned-failover") {
    const std::uint64_t seed = a.seed.value_or(a.first_seed);
    std::vector<std::string> trace;
    PlannedFailoverResult r = run_planned_failover(seed, !a.redis_compatible, a.trace, &trace);
    print_trace(trace, a.trace_tail);
    std::printf("seed %llu: %s, %llu acknowledged writes, %llu lost\n", static_cast<unsigned long long>(seed),
                r.ok ? "ok" : r.failure.c_str(), static_cast<unsigned long long>(r.acked),
                static_cast<unsigned long long>(r.lost));
    return r.ok ? 0 : 1;
  }
  if (a.scenario != "random") usage(2);

  RandomRunOptions base;
  base.fault_phase = static_cast<Micros>(a.minutes * 60.0 * static_cast<double>(kMicrosPerSecond));
  base.sentinels = a.sentinels;
  base.nodes = a.nodes;
  if (a.break_core == "vote") base.customize = [](vigil::sentinel::Config& c) { c.testing.vote_twice_per_epoch = true; };
  if (a.break_core == "priority") base.customize = [](vigil::sentinel::Config& c) { c.testing.promote_priority_zero = true; };

  if (a.seed) {
    base.seed = *a.seed;
    base.trace = a.trace;
    RunResult r = run_random(base);
    print_trace(r.trace, a.trace_tail);
    std::printf("seed %llu (%s): %s\n  events %llu, faults %llu, +switch-master %llu, elections %llu, tilts %llu, "
                "acked writes %llu, lost %llu\n",
                static_cast<unsigned long long>(r.seed), r.setup.c_str(), r.ok ? "ok" : r.failure.c_str(),
                static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(r.faults),
                static_cast<unsigned long long>(r.switch_masters), static_cast<unsigned long long>(r.elections),
                static_cast<unsigned long long>(r.tilts), static_cast<unsigned long long>(r.acked),
                static_cast<unsigned long long>(r.lost));
    return r.ok ? 0 : 1;
  }

  CampaignSummary sum = run_campaign(a.first_seed, a.seeds, base, !a.keep_going, stderr);
  std::printf("%llu seeds x %.1f virtual minutes: %llu failed; %.1f s real (%.2f s per 1000 seeds); %llu events, "
              "%llu faults, %llu elections, %llu +switch-master, %llu runs with a failover\n",
              static_cast<unsigned long long>(sum.runs), a.minutes, static_cast<unsigned long long>(sum.failures),
              sum.real_seconds, sum.runs ? sum.real_seconds * 1000.0 / static_cast<double>(sum.runs) : 0.0,
              static_cast<unsigned long long>(sum.events), static_cast<unsigned long long>(sum.faults),
              static_cast<unsigned long long>(sum.elections), static_cast<unsigned long long>(sum.switch_masters),
              static_cast<unsigned long long>(sum.runs_with_failover));
  if (sum.first_failure) {
    std::printf("first failing seed %llu — replay: vigil-sim --seed %llu --minutes %g\n",
                static_cast<unsigned long long>(sum.first_failure->seed),
                static_cast<unsigned long long>(sum.first_failure->seed), a.minutes);
    return 1;
  }
  return 0;
}
