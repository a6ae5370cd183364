// Metrics as JSON, losslessly: doubles as hex floats (with a decimal beside them for people), the
// exact ULP sum as its fixed-point digits. A journal or a shard's report read back merges to the
// same figures as the run that wrote it.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/metrics.hpp"

namespace actcheck::engine {

nlohmann::json to_json(const Metrics& m);
// Throws InputError (with `where`) on a malformed record.
Metrics metrics_from_json(const nlohmann::json& j, std::string_view where);

std::string hex(double v);  // "0x1.8p+1", "-0x0p+0", "inf", "nan"

}  // namespace actcheck::engine
