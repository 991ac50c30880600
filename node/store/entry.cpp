#include "node/store/entry.h"

#include "common/util/numbers.h"
#include "node/store/hash.h"
#include "node/store/list.h"
#include "node/store/set.h"
#include "node/store/zset.h"

namespace vigil::node::store {

std::string_view Entry::encoding() const {
  switch (type_) {
    case ValueType::kString: {
      // Redis keeps integer-looking strings of <= 20 chars as "int" and short
      // ones (<= 44 bytes) as "embstr", unless modified in place ("raw").
      if (flags_ & kRawString) return "raw";
      long long v;
      std::string_view s = str();
      if (s.size() <= 20 && util::string2ll(s, &v)) return "int";
      return s.size() <= 44 ? "embstr" : "raw";
    }
    case ValueType::kList: return list().encoding();
    case ValueType::kSet: return set().encoding();
    case ValueType::kZSet: return zset().encoding();
    case ValueType::kHash: return hash().encoding();
  }
  return "unknown";
}

}  // namespace vigil::node::store
