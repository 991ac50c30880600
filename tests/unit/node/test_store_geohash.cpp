// The geohash math (node/store/geohash) on its own. Expected scores, strings
// and distances come from redis-server 7.0.15 after the same GEOADDs.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "node/store/geohash.h"

namespace geo = vigil::node::store::geo;

namespace {

uint64_t score_of(double lon, double lat) {
  geo::HashBits h;
  REQUIRE(geo::encode_wgs84(lon, lat, geo::kStepMax, &h));
  return geo::align52(h);
}

std::string geohash_string(double score) {
  char buf[11];
  geo::score_to_geohash_string(score, buf);
  return std::string(buf, sizeof(buf));
}

std::string fixed4(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.4f", v);
  return buf;
}

// As GEOPOS prints a coordinate before trimming trailing zeros.
std::string fixed17(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17Lf", static_cast<long double>(v));
  return buf;
}

}  // namespace

TEST_CASE("points encode to Redis's 52-bit scores", "[geo]") {
  REQUIRE(score_of(13.361389, 38.115556) == 3479099956230698ULL);
  REQUIRE(score_of(15.087269, 37.502669) == 3479447370796909ULL);
  REQUIRE(score_of(0, 0) == 3377699720527872ULL);
  REQUIRE(score_of(180, geo::kLatMax) == 13510798882111488ULL);
  REQUIRE(score_of(-180, geo::kLatMin) == 0);
  geo::HashBits h;
  REQUIRE_FALSE(geo::encode_wgs84(0, 85.06, geo::kStepMax, &h));
  REQUIRE_FALSE(geo::encode_wgs84(180.0001, 0, geo::kStepMax, &h));
}

TEST_CASE("scores decode to their cell centres, clamped", "[geo]") {
  double lon, lat;
  geo::decode_score(3479099956230698.0, &lon, &lat);
  REQUIRE(fixed17(lon) == "13.36138933897018433");
  REQUIRE(fixed17(lat) == "38.11555639549629859");
  geo::decode_score(13510798882111488.0, &lon, &lat);
  REQUIRE(lon == 180);
}

TEST_CASE("GEOHASH strings use the standard latitude range", "[geo]") {
  REQUIRE(geohash_string(3479099956230698.0) == "sqc8b49rny0");
  REQUIRE(geohash_string(3479447370796909.0) == "sqdtr74hyu0");
  REQUIRE(geohash_string(3377699720527872.0) == "s0000000000");
  REQUIRE(geohash_string(0) == "00bh0hbj200");
}

TEST_CASE("distances follow Redis's haversine", "[geo]") {
  double lon1, lat1, lon2, lat2;
  geo::decode_score(3479099956230698.0, &lon1, &lat1);
  geo::decode_score(3479447370796909.0, &lon2, &lat2);
  REQUIRE(fixed4(geo::distance(lon1, lat1, lon2, lat2)) == "166274.1516");
  REQUIRE(fixed4(geo::distance(lon1, lat1, lon2, lat2) / 1000) == "166.2742");
}

TEST_CASE("step estimation and neighbour cells", "[geo]") {
  REQUIRE(geo::estimate_steps_by_radius(0, 0) == 26);
  REQUIRE(geo::estimate_steps_by_radius(1e9, 0) == 1);
  REQUIRE(geo::estimate_steps_by_radius(200000, 0) == 6);
  REQUIRE(geo::estimate_steps_by_radius(200000, 70) == 5);
  REQUIRE(geo::estimate_steps_by_radius(200000, -85) == 4);
  geo::Shape s;
  s.lon = 15;
  s.lat = 37;
  s.radius = 200;
  s.conversion = 1000;
  geo::SearchAreas a = geo::areas_for_shape(s);
  // The centre cell contains the centre point.
  REQUIRE(a.area.longitude.min <= 15);
  REQUIRE(a.area.longitude.max >= 15);
  REQUIRE(a.area.latitude.min <= 37);
  REQUIRE(a.area.latitude.max >= 37);
  REQUIRE_FALSE(a.cells[0].is_zero());
}
