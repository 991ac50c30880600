// Negative controls: the simulator must catch a deliberately broken core (test-only knobs
// in sentinel::Config::testing) within a few hundred seeds — otherwise a green campaign
// would mean nothing.
#include <catch2/catch.hpp>

#include "campaign.h"

using namespace vigil::sim;

namespace {

// Runs seeds until one fails; returns that run (or an ok result if none did).
RunResult first_failure(const RandomRunOptions& options, std::uint64_t max_seeds) {
  const CampaignSummary sum = run_campaign(1, max_seeds, options, true, nullptr);
  if (sum.first_failure) return *sum.first_failure;
  return RunResult{};
}

}  // namespace

TEST_CASE("negative control: a core that votes twice per epoch is caught", "[negative-control]") {
  RandomRunOptions options;
  options.customize = [](vigil::sentinel::Config& c) { c.testing.vote_twice_per_epoch = true; };
  const RunResult r = first_failure(options, 300);
  INFO("seed " << r.seed << ": " << r.failure);
  REQUIRE_FALSE(r.ok);
  const bool vote_violation = r.failure.find("voted twice") != std::string::npos ||
                              r.failure.find("two leaders") != std::string::npos ||
                              r.failure.find("names two masters") != std::string::npos;
  CHECK(vote_violation);
}

TEST_CASE("negative control: a core that promotes a priority-0 replica is caught", "[negative-control]") {
  RandomRunOptions options;
  options.customize = [](vigil::sentinel::Config& c) { c.testing.promote_priority_zero = true; };
  const RunResult r = first_failure(options, 300);
  INFO("seed " << r.seed << ": " << r.failure);
  REQUIRE_FALSE(r.ok);
  CHECK(r.failure.find("priority 0") != std::string::npos);
}

TEST_CASE("negative control: the same seeds pass with the knobs off", "[negative-control]") {
  // Guards the two tests above against passing for an unrelated reason.
  const CampaignSummary sum = run_campaign(1, 20, RandomRunOptions{}, true, stderr);
  INFO((sum.first_failure ? sum.first_failure->failure : std::string()));
  CHECK(sum.failures == 0);
}
