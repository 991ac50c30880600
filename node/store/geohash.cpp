#include "node/store/geohash.h"

#include <cmath>

namespace vigil::node::store::geo {
namespace {

constexpr double kDegToRad = M_PI / 180.0;
constexpr double kEarthRadiusMeters = 6372797.560856;
constexpr double kMercatorMax = 20037726.37;

double deg_rad(double a) { return a * kDegToRad; }
double rad_deg(double a) { return a / kDegToRad; }

const Range kWgs84Long{kLongMin, kLongMax};
const Range kWgs84Lat{kLatMin, kLatMax};

// Spreads the 32 bits of v over the even bit positions.
uint64_t spread(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x << 2)) & 0x3333333333333333ULL;
  x = (x | (x << 1)) & 0x5555555555555555ULL;
  return x;
}

// The even bit positions of v, packed into 32 bits.
uint32_t squash(uint64_t x) {
  x &= 0x5555555555555555ULL;
  x = (x | (x >> 1)) & 0x3333333333333333ULL;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
  return static_cast<uint32_t>(x);
}

// Latitude bits sit at even positions, longitude bits at odd ones.
uint64_t interleave(uint32_t lat_bits, uint32_t long_bits) { return spread(lat_bits) | (spread(long_bits) << 1); }

constexpr uint64_t kLongitudeBits = 0xaaaaaaaaaaaaaaaaULL;  // odd positions
constexpr uint64_t kLatitudeBits = 0x5555555555555555ULL;   // even positions

// Steps a cell one cell along the axis whose bits are axis_bits: east/north
// for d > 0, west/south for d < 0 (geohash_move_x / geohash_move_y). Filling
// the other axis's positions with ones lets the carry ripple across them.
void step_along(HashBits* h, int d, uint64_t axis_bits) {
  if (d == 0) return;
  const int shift = 64 - h->step * 2;
  uint64_t axis = h->bits & axis_bits;
  const uint64_t other = h->bits & ~axis_bits;
  const uint64_t zz = ~axis_bits >> shift;
  if (d > 0) {
    axis = axis + (zz + 1);
  } else {
    axis = axis | zz;
    axis = axis - (zz + 1);
  }
  axis &= axis_bits >> shift;
  h->bits = axis | other;
}

HashBits moved(HashBits h, int dx, int dy) {
  step_along(&h, dx, kLongitudeBits);
  step_along(&h, dy, kLatitudeBits);
  return h;
}

// Redis converts the double score with a plain (uint64_t) cast; scores of a
// geo set are always in [0, 2^52), anything else only needs to not be UB.
uint64_t score_bits(double score) {
  if (!(score >= 0)) return static_cast<uint64_t>(static_cast<int64_t>(score > -9.2e18 ? score : -9.2e18));
  if (score >= 18446744073709551615.0) return ~0ULL;
  return static_cast<uint64_t>(score);
}

void area_center(const Area& a, double* lon, double* lat) {
  double x = (a.longitude.min + a.longitude.max) / 2;
  if (x > kLongMax) x = kLongMax;
  if (x < kLongMin) x = kLongMin;
  double y = (a.latitude.min + a.latitude.max) / 2;
  if (y > kLatMax) y = kLatMax;
  if (y < kLatMin) y = kLatMin;
  *lon = x;
  *lat = y;
}

// geohashBoundingBox: {min_lon, min_lat, max_lon, max_lat} around the shape.
void bounding_box(const Shape& s, double* b) {
  bool circle = s.type == Shape::kCircle;
  double height = s.conversion * (circle ? s.radius : s.height / 2);
  double width = s.conversion * (circle ? s.radius : s.width / 2);
  const double lat_delta = rad_deg(height / kEarthRadiusMeters);
  const double long_delta_top = rad_deg(width / kEarthRadiusMeters / std::cos(deg_rad(s.lat + lat_delta)));
  const double long_delta_bottom = rad_deg(width / kEarthRadiusMeters / std::cos(deg_rad(s.lat - lat_delta)));
  // The hemispheres widen in opposite directions.
  bool southern = s.lat < 0;
  b[0] = southern ? s.lon - long_delta_bottom : s.lon - long_delta_top;
  b[2] = southern ? s.lon + long_delta_bottom : s.lon + long_delta_top;
  b[1] = s.lat - lat_delta;
  b[3] = s.lat + lat_delta;
}

}  // namespace

bool encode(const Range& long_range, const Range& lat_range, double lon, double lat, int step, HashBits* out) {
  out->bits = 0;
  out->step = static_cast<uint8_t>(step);
  if (step > 32 || step == 0) return false;
  if (lat < kLatMin || lat > kLatMax || lon < kLongMin || lon > kLongMax) return false;
  if (lat < lat_range.min || lat > lat_range.max || lon < long_range.min || lon > long_range.max) return false;
  double lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min);
  double long_offset = (lon - long_range.min) / (long_range.max - long_range.min);
  lat_offset *= static_cast<double>(1ULL << step);
  long_offset *= static_cast<double>(1ULL << step);
  out->bits = interleave(static_cast<uint32_t>(lat_offset), static_cast<uint32_t>(long_offset));
  return true;
}

bool encode_wgs84(double lon, double lat, int step, HashBits* out) {
  return encode(kWgs84Long, kWgs84Lat, lon, lat, step, out);
}

Area decode(const Range& long_range, const Range& lat_range, HashBits hash) {
  Area a;
  a.hash = hash;
  uint32_t ilato = squash(hash.bits);
  uint32_t ilono = squash(hash.bits >> 1);
  double cells = static_cast<double>(1ULL << hash.step);
  double lat_scale = lat_range.max - lat_range.min;
  double long_scale = long_range.max - long_range.min;
  // uint32 arithmetic for "+ 1", as Redis does.
  a.latitude.min = lat_range.min + (ilato * 1.0 / cells) * lat_scale;
  a.latitude.max = lat_range.min + (static_cast<uint32_t>(ilato + 1) * 1.0 / cells) * lat_scale;
  a.longitude.min = long_range.min + (ilono * 1.0 / cells) * long_scale;
  a.longitude.max = long_range.min + (static_cast<uint32_t>(ilono + 1) * 1.0 / cells) * long_scale;
  return a;
}

uint64_t align52(HashBits hash) { return hash.bits << (52 - hash.step * 2); }

void decode_score(double score, double* lon, double* lat) {
  HashBits h{score_bits(score), kStepMax};
  area_center(decode(kWgs84Long, kWgs84Lat, h), lon, lat);
}

void score_to_geohash_string(double score, char* buf) {
  static const char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  double lon, lat;
  decode_score(score, &lon, &lat);
  HashBits h;
  encode(Range{-180, 180}, Range{-90, 90}, lon, lat, kStepMax, &h);
  for (int i = 0; i < 11; ++i) {
    // 52 bits give 10 full characters; the 11th is always '0'.
    int idx = i == 10 ? 0 : static_cast<int>((h.bits >> (52 - ((i + 1) * 5))) & 0x1f);
    buf[i] = kAlphabet[idx];
  }
}

double distance(double lon1d, double lat1d, double lon2d, double lat2d) {
  double lat1r = deg_rad(lat1d);
  double lon1r = deg_rad(lon1d);
  double lat2r = deg_rad(lat2d);
  double lon2r = deg_rad(lon2d);
  double u = std::sin((lat2r - lat1r) / 2);
  double v = std::sin((lon2r - lon1r) / 2);
  return 2.0 * kEarthRadiusMeters * std::asin(std::sqrt(u * u + std::cos(lat1r) * std::cos(lat2r) * v * v));
}

bool within_shape(const Shape& s, double lon, double lat, double* dist_m) {
  if (s.type == Shape::kCircle) {
    *dist_m = distance(s.lon, s.lat, lon, lat);
    return *dist_m <= s.radius * s.conversion;
  }
  double width_m = s.width * s.conversion, height_m = s.height * s.conversion;
  double lon_distance = distance(lon, lat, s.lon, lat);
  double lat_distance = distance(lon, lat, lon, s.lat);
  if (lon_distance > width_m / 2 || lat_distance > height_m / 2) return false;
  *dist_m = distance(s.lon, s.lat, lon, lat);
  return true;
}

int estimate_steps_by_radius(double range_meters, double lat) {
  if (range_meters == 0) return 26;
  int step = 1;
  while (range_meters < kMercatorMax) {
    range_meters *= 2;
    step++;
  }
  step -= 2;  // make sure the range is included in most of the base cases
  // Wider cells towards the poles.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

SearchAreas areas_for_shape(const Shape& s) {
  double b[4];
  bounding_box(s, b);
  const double min_lon = b[0], min_lat = b[1], max_lon = b[2], max_lat = b[3];
  // A box is covered through the circle around its corners.
  double radius_meters = s.type == Shape::kCircle
                             ? s.radius
                             : std::sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
  radius_meters *= s.conversion;
  int steps = estimate_steps_by_radius(radius_meters, s.lat);

  HashBits hash;
  encode(kWgs84Long, kWgs84Lat, s.lon, s.lat, steps, &hash);
  // Near a cell's edge the estimated step can be too coarse for the
  // neighbours to cover the shape: one step bigger then.
  Area north = decode(kWgs84Long, kWgs84Lat, moved(hash, 0, 1));
  Area south = decode(kWgs84Long, kWgs84Lat, moved(hash, 0, -1));
  Area east = decode(kWgs84Long, kWgs84Lat, moved(hash, 1, 0));
  Area west = decode(kWgs84Long, kWgs84Lat, moved(hash, -1, 0));
  bool decrease_step = north.latitude.max < max_lat || south.latitude.min > min_lat ||
                       east.longitude.max < max_lon || west.longitude.min > min_lon;
  if (steps > 1 && decrease_step) {
    steps--;
    encode(kWgs84Long, kWgs84Lat, s.lon, s.lat, steps, &hash);
  }
  SearchAreas r;
  r.area = decode(kWgs84Long, kWgs84Lat, hash);
  enum { kCenter, kN, kS, kE, kW, kNE, kNW, kSE, kSW };
  r.cells[kCenter] = hash;
  r.cells[kN] = moved(hash, 0, 1);
  r.cells[kS] = moved(hash, 0, -1);
  r.cells[kE] = moved(hash, 1, 0);
  r.cells[kW] = moved(hash, -1, 0);
  r.cells[kNE] = moved(hash, 1, 1);
  r.cells[kNW] = moved(hash, -1, 1);
  r.cells[kSE] = moved(hash, 1, -1);
  r.cells[kSW] = moved(hash, -1, -1);
  // Drop the neighbours that lie outside the bounding box.
  if (steps >= 2) {
    const Area& a = r.area;
    if (a.latitude.min < min_lat) r.cells[kS] = r.cells[kSW] = r.cells[kSE] = HashBits{};
    if (a.latitude.max > max_lat) r.cells[kN] = r.cells[kNE] = r.cells[kNW] = HashBits{};
    if (a.longitude.min < min_lon) r.cells[kW] = r.cells[kSW] = r.cells[kNW] = HashBits{};
    if (a.longitude.max > max_lon) r.cells[kE] = r.cells[kSE] = r.cells[kNE] = HashBits{};
  }
  return r;
}

}  // namespace vigil::node::store::geo
