// Geohash math of Redis 7.0's GEO commands (src/geohash.c, geohash_helper.c):
// a point is stored as a sorted-set score, the 52-bit interleaving of its
// 26-bit latitude and longitude cells. Searches cover the query shape with
// the cell of the centre plus its 8 neighbours at an estimated step and then
// filter by exact distance. Everything here must round exactly as Redis does,
// since scores, distances and coordinates are compared byte for byte.
#pragma once

#include <cstdint>

namespace vigil::node::store::geo {

inline constexpr int kStepMax = 26;  // 26 bits per coordinate, 52 in a score
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
inline constexpr double kLongMin = -180;
inline constexpr double kLongMax = 180;

// A cell: `step` bits of each coordinate interleaved into `bits`.
// {0, 0} is "no cell" (a neighbour excluded from the search).
struct HashBits {
  uint64_t bits = 0;
  uint8_t step = 0;
  bool is_zero() const { return bits == 0 && step == 0; }
};

struct Range {
  double min = 0, max = 0;
};

struct Area {
  HashBits hash;
  Range longitude, latitude;
};

// The query shape: a circle (radius) or a box (width x height), in the
// caller's unit; `conversion` turns that unit into meters.
struct Shape {
  enum Type { kCircle, kBox } type = kCircle;
  double lon = 0, lat = 0;
  double conversion = 1;
  double radius = 0;
  double width = 0, height = 0;
};

// The centre cell and its neighbours, in the order Redis scans them:
// centre, N, S, E, W, NE, NW, SE, SW. Zeroed cells are skipped.
struct SearchAreas {
  HashBits cells[9];
  Area area;
};

// Encodes a point within the given ranges; false when it is out of range.
bool encode(const Range& long_range, const Range& lat_range, double lon, double lat, int step, HashBits* out);
// Encodes with the WGS84 ranges (latitude limited to +-85.05112878).
bool encode_wgs84(double lon, double lat, int step, HashBits* out);
Area decode(const Range& long_range, const Range& lat_range, HashBits hash);
// The 52-bit score of a cell (shifted up when step < 26).
uint64_t align52(HashBits hash);

// The centre of a score's cell, clamped to the WGS84 limits, as GEOPOS shows it.
void decode_score(double score, double* lon, double* lat);
// A score re-encoded over the standard -90..90 latitude range and printed as
// the 11-character base32 geohash string (GEOHASH); buf gets 11 bytes.
void score_to_geohash_string(double score, char* buf);

// Haversine distance in meters on Redis's earth radius.
double distance(double lon1, double lat1, double lon2, double lat2);
// Whether (lon, lat) lies within the shape; *dist_m is its distance from the
// centre in meters when it does.
bool within_shape(const Shape& s, double lon, double lat, double* dist_m);

int estimate_steps_by_radius(double range_meters, double lat);
SearchAreas areas_for_shape(const Shape& s);

}  // namespace vigil::node::store::geo
