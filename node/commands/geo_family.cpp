// Geo commands (Redis 7.0 geo.c): GEOADD GEODIST GEOHASH GEOPOS GEOSEARCH
// GEOSEARCHSTORE GEORADIUS GEORADIUSBYMEMBER GEORADIUS_RO GEORADIUSBYMEMBER_RO.
// A geo set is a plain sorted set whose scores are 52-bit geohashes
// (node/store/geohash.h); GEOADD is executed (and propagated) as ZADD.
#include <algorithm>
#include <cstdio>

#include "node/commands/families.h"
#include "node/commands/keys_family_shared.h"
#include "node/server/node_server.h"
#include "node/store/geohash.h"

namespace vigil::node {
namespace {

using namespace data;
using store::ZSet;
namespace geo = store::geo;

// ---- argument parsing (each replies Redis's error and returns false) ----------

bool parse_lon_lat(CommandContext& ctx, size_t idx, double* lon, double* lat) {
  if (!parse_double(ctx, ctx.argv[idx], lon) || !parse_double(ctx, ctx.argv[idx + 1], lat)) return false;
  if (*lon < geo::kLongMin || *lon > geo::kLongMax || *lat < geo::kLatMin || *lat > geo::kLatMax) {
    char buf[128];
    std::snprintf(buf, sizeof(buf), "ERR invalid longitude,latitude pair %f,%f", *lon, *lat);
    ctx.reply.error(buf);
    return false;
  }
  return true;
}

// Meters per unit, or -1 after replying the error.
double parse_unit(CommandContext& ctx, const std::string& unit) {
  if (iequals(unit, "m")) return 1;
  if (iequals(unit, "km")) return 1000;
  if (iequals(unit, "ft")) return 0.3048;
  if (iequals(unit, "mi")) return 1609.34;
  ctx.reply.error("ERR unsupported unit provided. please use M, KM, FT, MI");
  return -1;
}

bool parse_radius(CommandContext& ctx, size_t idx, geo::Shape* s) {
  if (!parse_double(ctx, ctx.argv[idx], &s->radius, "ERR need numeric radius")) return false;
  if (s->radius < 0) {
    ctx.reply.error("ERR radius cannot be negative");
    return false;
  }
  s->conversion = parse_unit(ctx, ctx.argv[idx + 1]);
  s->type = geo::Shape::kCircle;
  return s->conversion >= 0;
}

bool parse_box(CommandContext& ctx, size_t idx, geo::Shape* s) {
  if (!parse_double(ctx, ctx.argv[idx], &s->width, "ERR need numeric width") ||
      !parse_double(ctx, ctx.argv[idx + 1], &s->height, "ERR need numeric height"))
    return false;
  if (s->height < 0 || s->width < 0) {
    ctx.reply.error("ERR height or width cannot be negative");
    return false;
  }
  s->conversion = parse_unit(ctx, ctx.argv[idx + 2]);
  s->type = geo::Shape::kBox;
  return s->conversion >= 0;
}

// The position of a member; false when it is not in the set.
bool member_position(ZSet& z, std::string_view member, double* lon, double* lat) {
  auto score = z.score(member);
  if (!score) return false;
  geo::decode_score(*score, lon, lat);
  return true;
}

// ---- replies ------------------------------------------------------------------

// Distances: always a bulk string with 4 decimals (addReplyDoubleDistance).
void reply_distance(CommandContext& ctx, double d) {
  char buf[128];
  int n = std::snprintf(buf, sizeof(buf), "%.4f", d);
  ctx.reply.bulk(std::string_view(buf, static_cast<size_t>(n)));
}

// Coordinates: "%.17Lf" without trailing zeros (addReplyHumanLongDouble);
// a bulk string in RESP2, a double in RESP3.
void reply_coordinate(CommandContext& ctx, double v) {
  char buf[512];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", static_cast<long double>(v));
  if (std::string_view(buf, static_cast<size_t>(n)).find('.') != std::string_view::npos) {
    while (buf[n - 1] == '0') --n;
    if (buf[n - 1] == '.') --n;
  }
  if (n == 2 && buf[0] == '-' && buf[1] == '0') {
    buf[0] = '0';
    n = 1;
  }
  std::string_view text(buf, static_cast<size_t>(n));
  if (ctx.reply.protocol() >= 3) {
    ctx.reply.raw(",");
    ctx.reply.raw(text);
    ctx.reply.raw("\r\n");
  } else {
    ctx.reply.bulk(text);
  }
}

// ---- GEOADD GEODIST GEOHASH GEOPOS ----------------------------------------------

// Runs as "zadd key [NX|XX] [CH] score member ...", which is also what is
// propagated. ctx.argv stays GEOADD's for SLOWLOG and MONITOR, as Redis keeps
// the original argv there.
void cmd_geoadd(CommandContext& ctx) {
  size_t first = 2;
  bool nx = false, xx = false;
  for (; first < ctx.argv.size(); ++first) {
    const std::string& o = ctx.argv[first];
    if (iequals(o, "nx")) nx = true;
    else if (iequals(o, "xx")) xx = true;
    else if (!iequals(o, "ch")) break;
  }
  if ((ctx.argv.size() - first) % 3 || (nx && xx)) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  size_t elements = (ctx.argv.size() - first) / 3;
  std::vector<std::string> zadd;
  zadd.reserve(first + elements * 2);
  zadd.emplace_back("zadd");
  for (size_t i = 1; i < first; ++i) zadd.push_back(ctx.argv[i]);
  for (size_t i = 0; i < elements; ++i) {
    size_t at = first + i * 3;
    double lon, lat;
    if (!parse_lon_lat(ctx, at, &lon, &lat)) return;
    geo::HashBits hash;
    geo::encode_wgs84(lon, lat, geo::kStepMax, &hash);
    zadd.push_back(std::to_string(geo::align52(hash)));
    zadd.push_back(ctx.argv[at + 2]);
  }
  CommandContext zadd_ctx{ctx.server, ctx.client, zadd, ctx.reply, ctx.now_ms, false, {}};
  size_t mark = ctx.reply.buffer().size();
  ctx.server.commands().find("zadd")->handler(zadd_ctx);
  bool failed = ctx.reply.buffer().size() > mark && ctx.reply.buffer()[mark] == '-';
  if (zadd_ctx.custom_propagation || failed) {
    ctx.no_propagate();  // ZADD changed nothing (or WRONGTYPE)
    for (auto& cmd : zadd_ctx.propagated) ctx.propagate(std::move(cmd));
  } else {
    ctx.propagate(std::move(zadd));
  }
}

void cmd_geodist(CommandContext& ctx) {
  double to_meters = 1;
  if (ctx.argv.size() == 5) {
    to_meters = parse_unit(ctx, ctx.argv[4]);
    if (to_meters < 0) return;
  } else if (ctx.argv.size() > 5) {
    ctx.reply.error(kErrSyntax);
    return;
  }
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kZSet, &wrong);
  if (wrong) return;
  double lon1, lat1, lon2, lat2;
  if (!e || !member_position(e->zset(), ctx.argv[2], &lon1, &lat1) ||
      !member_position(e->zset(), ctx.argv[3], &lon2, &lat2)) {
    ctx.reply.null_bulk();
    return;
  }
  reply_distance(ctx, geo::distance(lon1, lat1, lon2, lat2) / to_meters);
}

void cmd_geohash(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kZSet, &wrong);
  if (wrong) return;
  ctx.reply.array(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    auto score = e ? e->zset().score(ctx.argv[i]) : std::nullopt;
    if (!score) {
      ctx.reply.null_bulk();
      continue;
    }
    char buf[11];
    geo::score_to_geohash_string(*score, buf);
    ctx.reply.bulk(std::string_view(buf, sizeof(buf)));
  }
}

void cmd_geopos(CommandContext& ctx) {
  bool wrong;
  Entry* e = lookup_read(ctx, ctx.argv[1], ValueType::kZSet, &wrong);
  if (wrong) return;
  ctx.reply.array(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    double lon, lat;
    if (!e || !member_position(e->zset(), ctx.argv[i], &lon, &lat)) {
      ctx.reply.null_array();
      continue;
    }
    ctx.reply.array(2);
    reply_coordinate(ctx, lon);
    reply_coordinate(ctx, lat);
  }
}

// ---- searches (georadiusGeneric) -----------------------------------------------

enum SearchFlags {
  kFromCoords = 1,    // GEORADIUS: lon lat radius unit
  kFromMember = 2,    // GEORADIUSBYMEMBER: member radius unit
  kNoStore = 4,       // the _RO variants: no STORE / STOREDIST
  kSearch = 8,        // GEOSEARCH syntax (FROMMEMBER/FROMLONLAT, BYRADIUS/BYBOX)
  kSearchStore = 16,  // GEOSEARCHSTORE: destination first, STOREDIST flag
};

struct GeoPoint {
  std::string_view member;
  double score, lon, lat, dist;
};

// Appends the members of one cell that lie inside the shape, stopping at
// limit results (0 = no limit).
void points_in_cell(ZSet& z, geo::HashBits cell, const geo::Shape& s, size_t limit, std::vector<GeoPoint>* out) {
  geo::HashBits next = cell;
  next.bits++;
  store::ScoreRange range{static_cast<double>(geo::align52(cell)), static_cast<double>(geo::align52(next)), false,
                          true};
  for (ZSet::Node* n = z.first_in_range(range); n && ZSet::score_lte_max(n->score, range); n = n->next()) {
    GeoPoint p{n->member(), n->score, 0, 0, 0};
    geo::decode_score(n->score, &p.lon, &p.lat);
    if (geo::within_shape(s, p.lon, p.lat, &p.dist)) out->push_back(p);
    if (!out->empty() && limit && out->size() >= limit) break;
  }
}

// membersOfAllNeighbors: the centre cell and its neighbours, skipping a cell
// equal to the previously scanned one (huge radii make neighbours coincide).
void points_in_shape(ZSet& z, const geo::Shape& s, size_t limit, std::vector<GeoPoint>* out) {
  geo::SearchAreas areas = geo::areas_for_shape(s);
  size_t last_processed = 0;
  for (size_t i = 0; i < std::size(areas.cells); ++i) {
    const geo::HashBits& cell = areas.cells[i];
    if (cell.is_zero()) continue;
    const geo::HashBits& prev = areas.cells[last_processed];
    if (last_processed && cell.bits == prev.bits && cell.step == prev.step) continue;
    if (!out->empty() && limit && out->size() >= limit) break;
    points_in_cell(z, cell, s, limit, out);
    last_processed = i;
  }
}

void search_generic(CommandContext& ctx, size_t src_index, int flags) {
  const std::string& src = ctx.argv[src_index];
  bool wrong;
  Entry* e = lookup_read(ctx, src, ValueType::kZSet, &wrong);
  if (wrong) return;

  geo::Shape shape;
  size_t base_args;
  const std::string* store_key = nullptr;
  bool store_dist = false;
  if (flags & kFromCoords) {
    base_args = 6;
    if (!parse_lon_lat(ctx, 2, &shape.lon, &shape.lat) || !parse_radius(ctx, 4, &shape)) return;
  } else if (flags & kFromMember) {
    base_args = 5;
    // Without the key the options are still parsed, to pick the right reply.
    if (e) {
      if (!member_position(e->zset(), ctx.argv[2], &shape.lon, &shape.lat)) {
        ctx.reply.error("ERR could not decode requested zset member");
        return;
      }
      if (!parse_radius(ctx, 3, &shape)) return;
    }
  } else {
    base_args = 2;
    if (flags & kSearchStore) {
      base_args = 3;
      store_key = &ctx.argv[1];
    }
  }

  bool with_dist = false, with_hash = false, with_coords = false;
  bool from_member = false, from_lonlat = false, by_radius = false, by_box = false;
  enum { kUnsorted, kAsc, kDesc } sort = kUnsorted;
  bool any = false;
  long long count = 0;
  const bool search = flags & kSearch;
  const bool store_allowed = !(flags & kNoStore) && !search;
  const size_t argc = ctx.argv.size();
  for (size_t i = base_args; i < argc; ++i) {
    const std::string& arg = ctx.argv[i];
    const size_t remaining = argc - i - 1;  // arguments after this one
    if (iequals(arg, "withdist")) {
      with_dist = true;
    } else if (iequals(arg, "withhash")) {
      with_hash = true;
    } else if (iequals(arg, "withcoord")) {
      with_coords = true;
    } else if (iequals(arg, "any")) {
      any = true;
    } else if (iequals(arg, "asc")) {
      sort = kAsc;
    } else if (iequals(arg, "desc")) {
      sort = kDesc;
    } else if (iequals(arg, "count") && remaining >= 1) {
      if (!parse_int(ctx, ctx.argv[i + 1], &count)) return;
      if (count <= 0) {
        ctx.reply.error("ERR COUNT must be > 0");
        return;
      }
      ++i;
    } else if (iequals(arg, "store") && remaining >= 1 && store_allowed) {
      store_key = &ctx.argv[++i];
      store_dist = false;
    } else if (iequals(arg, "storedist") && remaining >= 1 && store_allowed) {
      store_key = &ctx.argv[++i];
      store_dist = true;
    } else if (iequals(arg, "storedist") && search && (flags & kSearchStore)) {
      store_dist = true;
    } else if (iequals(arg, "frommember") && remaining >= 1 && search && !from_lonlat) {
      if (e && !member_position(e->zset(), ctx.argv[i + 1], &shape.lon, &shape.lat)) {
        ctx.reply.error("ERR could not decode requested zset member");
        return;
      }
      from_member = true;
      ++i;
    } else if (iequals(arg, "fromlonlat") && remaining >= 2 && search && !from_member) {
      if (!parse_lon_lat(ctx, i + 1, &shape.lon, &shape.lat)) return;
      from_lonlat = true;
      i += 2;
    } else if (iequals(arg, "byradius") && remaining >= 2 && search && !by_box) {
      if (!parse_radius(ctx, i + 1, &shape)) return;
      by_radius = true;
      i += 2;
    } else if (iequals(arg, "bybox") && remaining >= 3 && search && !by_radius) {
      if (!parse_box(ctx, i + 1, &shape)) return;
      by_box = true;
      i += 3;
    } else {
      ctx.reply.error(kErrSyntax);
      return;
    }
  }

  if (store_key && (with_dist || with_hash || with_coords)) {
    ctx.reply.error(std::string("ERR ") + ((flags & kSearchStore) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS") +
                    " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
    return;
  }
  if (search && !(from_member || from_lonlat)) {
    ctx.reply.error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + ctx.argv[0]);
    return;
  }
  if (search && !(by_radius || by_box)) {
    ctx.reply.error("ERR exactly one of BYRADIUS and BYBOX can be specified for " + ctx.argv[0]);
    return;
  }
  if (any && !count) {
    ctx.reply.error("ERR the ANY argument requires COUNT argument");
    return;
  }

  if (!e) {
    if (store_key) {
      if (ctx.db().remove(*store_key)) ctx.touch(*store_key); else ctx.no_propagate();
      ctx.reply.integer(0);
    } else {
      ctx.no_propagate();
      ctx.reply.array(0);
    }
    return;
  }

  // COUNT returns the closest ones unless ANY asked for the first found.
  if (count && sort == kUnsorted && !any) sort = kAsc;
  std::vector<GeoPoint> points;
  points_in_shape(e->zset(), shape, any ? static_cast<size_t>(count) : 0, &points);
  if (points.empty() && !store_key) {
    ctx.no_propagate();
    ctx.reply.array(0);
    return;
  }
  size_t returned = count == 0 || points.size() < static_cast<size_t>(count) ? points.size()
                                                                            : static_cast<size_t>(count);
  // glibc's qsort is a stable merge sort here.
  if (sort == kAsc)
    std::stable_sort(points.begin(), points.end(), [](const GeoPoint& a, const GeoPoint& b) { return a.dist < b.dist; });
  else if (sort == kDesc)
    std::stable_sort(points.begin(), points.end(), [](const GeoPoint& a, const GeoPoint& b) { return a.dist > b.dist; });
  for (size_t i = 0; i < returned; ++i) points[i].dist /= shape.conversion;

  if (!store_key) {
    ctx.no_propagate();  // the write variants change nothing without STORE
    size_t options = with_dist + with_hash + with_coords;
    ctx.reply.array(returned);
    for (size_t i = 0; i < returned; ++i) {
      const GeoPoint& p = points[i];
      if (options) ctx.reply.array(options + 1);
      ctx.reply.bulk(p.member);
      if (with_dist) reply_distance(ctx, p.dist);
      if (with_hash) ctx.reply.integer(static_cast<long long>(p.score));
      if (with_coords) {
        ctx.reply.array(2);
        reply_coordinate(ctx, p.lon);
        reply_coordinate(ctx, p.lat);
      }
    }
    return;
  }

  auto result = std::make_unique<ZSet>();
  for (size_t i = 0; i < returned; ++i) result->insert(points[i].member, store_dist ? points[i].dist : points[i].score);
  store_zset_result(ctx, *store_key, std::move(result));
}

// Registers one command with its COMMAND INFO key specs (index specs only).
void add_geo_command(NodeCommandTable& t, std::string_view name, int arity, std::string_view flags, int last_key,
                     std::string_view categories, std::vector<command::KeySpec> specs,
                     NodeCommand::Handler handler) {
  NodeCommandTable scratch;
  add_command(scratch, name, arity, flags, 1, last_key, 1, categories, std::move(handler));
  NodeCommand c = scratch.all().begin()->second;
  c.key_specs = std::move(specs);
  t.add(std::move(c));
}

}  // namespace

void register_geo_family(NodeCommandTable& t) {
  const command::KeySpec read{{"RO", "access"}};
  const command::KeySpec update{{"RW", "update"}};
  const command::KeySpec overwrite{{"OW", "update"}};
  command::KeySpec source = read;
  source.begin_index = 2;
  add_geo_command(t, "geoadd", -5, "write,denyoom", 1, "@write @geo @slow", {update}, cmd_geoadd);
  add_geo_command(t, "geodist", -4, "readonly", 1, "@read @geo @slow", {read}, cmd_geodist);
  add_geo_command(t, "geohash", -2, "readonly", 1, "@read @geo @slow", {read}, cmd_geohash);
  add_geo_command(t, "geopos", -2, "readonly", 1, "@read @geo @slow", {read}, cmd_geopos);
  // The STORE / STOREDIST destinations of GEORADIUS* are keyword key specs in
  // Redis, which the table cannot describe: only the source spec is listed.
  add_geo_command(t, "georadius", -6, "write,denyoom,movablekeys", 1, "@write @geo @slow", {read},
                  [](CommandContext& c) { search_generic(c, 1, kFromCoords); });
  add_geo_command(t, "georadiusbymember", -5, "write,denyoom,movablekeys", 1, "@write @geo @slow", {read},
                  [](CommandContext& c) { search_generic(c, 1, kFromMember); });
  add_geo_command(t, "georadius_ro", -6, "readonly", 1, "@read @geo @slow", {read},
                  [](CommandContext& c) { search_generic(c, 1, kFromCoords | kNoStore); });
  add_geo_command(t, "georadiusbymember_ro", -5, "readonly", 1, "@read @geo @slow", {read},
                  [](CommandContext& c) { search_generic(c, 1, kFromMember | kNoStore); });
  add_geo_command(t, "geosearch", -7, "readonly", 1, "@read @geo @slow", {read},
                  [](CommandContext& c) { search_generic(c, 1, kSearch); });
  add_geo_command(t, "geosearchstore", -8, "write,denyoom", 2, "@write @geo @slow", {overwrite, source},
                  [](CommandContext& c) { search_generic(c, 2, kSearch | kSearchStore); });
}

}  // namespace vigil::node
