#include <fmt/format.h>

#include <map>

#include "backends/backend.hpp"
#include "engine/metrics_json.hpp"
#include "engine/text.hpp"
#include "reports/report.hpp"

namespace actcheck::reports {
namespace {

using engine::InputError;
using nlohmann::json;

json job_json(const engine::JobResult& r) {
  const Activation& a = activation(r.job.fn);
  json params = json::object();
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    params[std::string(a.params[i].name)] = r.job.params[i];
  }
  json backends = json::array();
  for (const engine::BackendResult& b : r.backends) {
    backends.push_back({{"backend", b.backend},
                        {"supported", b.supported},
                        {"metrics", b.supported ? engine::to_json(b.metrics) : json(nullptr)}});
  }
  return {{"function", a.name},
          {"params", params},
          {"format", spec(r.job.format).name},
          {"pass", backends::to_string(r.job.pass)},
          {"inputs", r.job.inputs.text()},
          {"seed", r.job.inputs.seed},
          {"input_description", r.input_description},
          {"first_input", r.first_input},
          {"input_count", r.inputs},
          {"backends", backends}};
}

engine::JobResult job_from_json(const json& j, std::string_view where) {
  engine::JobResult r;
  const std::string function = j.at("function").get<std::string>();
  const Activation* a = find_activation(function);
  if (!a) throw InputError(fmt::format("{}: unknown function \"{}\"", where, function));
  r.job.fn = a->id;
  r.job.params = default_params(a->id);
  for (const auto& [name, value] : j.at("params").items()) {
    const std::optional<std::size_t> i = find_param(a->id, name);
    if (!i) throw InputError(fmt::format("{}: {} has no parameter {}", where, function, name));
    r.job.params.values[*i] = value.get<double>();
  }
  const std::string format = j.at("format").get<std::string>();
  const std::optional<Format> f = parse_format(format);
  if (!f) throw InputError(fmt::format("{}: unknown format \"{}\"", where, format));
  r.job.format = *f;
  const std::string pass = j.at("pass").get<std::string>();
  const std::optional<backends::Pass> p = backends::parse_pass(pass);
  if (!p) throw InputError(fmt::format("{}: unknown pass \"{}\"", where, pass));
  r.job.pass = *p;
  r.job.inputs = engine::parse_input_spec(j.at("inputs").get<std::string>());
  r.job.inputs.seed = j.at("seed").get<std::uint64_t>();
  r.input_description = j.at("input_description").get<std::string>();
  r.first_input = j.at("first_input").get<std::uint64_t>();
  r.inputs = j.at("input_count").get<std::uint64_t>();
  for (const json& b : j.at("backends")) {
    engine::BackendResult br{b.at("backend").get<std::string>(), b.at("supported").get<bool>(), {}};
    if (br.supported) br.metrics = engine::metrics_from_json(b.at("metrics"), where);
    r.backends.push_back(std::move(br));
  }
  return r;
}

}  // namespace

json to_json(const Report& r) {
  json backends = json::array();
  for (const BackendInfo& b : r.backends) {
    backends.push_back({{"name", b.name}, {"description", b.description}});
  }
  json results = json::array();
  for (const engine::JobResult& job : r.results) results.push_back(job_json(job));
  return {{"schema", kSchema},
          {"tool", {{"name", "actcheck"}, {"version", r.tool_version}}},
          {"command", r.command},
          {"date", r.date},
          {"machine", r.machine},
          {"shard", r.shard},
          {"elapsed_seconds", r.elapsed_seconds},
          {"ulp_definition",
           "|y - v| / ulp(v), ulp(v) = 2^(max(e, emin) - p + 1) for 2^e <= |v| < 2^(e+1), v the "
           "exact value rounded to 40 significant bits; steps: values of the format between y and "
           "the correctly rounded v"},
          {"backends", backends},
          {"results", results}};
}

Report report_from_json(const json& j, std::string_view where) {
  try {
    if (j.at("schema").get<std::string>() != kSchema) {
      throw InputError(fmt::format("{}: schema \"{}\", expected \"{}\"", where,
                                   j.at("schema").get<std::string>(), kSchema));
    }
    Report r;
    r.tool_version = j.at("tool").at("version").get<std::string>();
    r.command = j.at("command").get<std::string>();
    r.date = j.at("date").get<std::string>();
    r.machine = j.at("machine");
    r.shard = j.at("shard").get<std::string>();
    r.elapsed_seconds = j.at("elapsed_seconds").get<double>();
    for (const json& b : j.at("backends")) {
      r.backends.push_back(
          {b.at("name").get<std::string>(), b.at("description").get<std::string>()});
    }
    for (const json& job : j.at("results")) r.results.push_back(job_from_json(job, where));
    return r;
  } catch (const json::exception& e) {
    throw InputError(fmt::format("{}: not an actcheck report ({})", where, e.what()));
  }
}

Report merge(const std::vector<Report>& shards) {
  if (shards.empty()) throw InputError("merge: no reports given");
  const engine::Shard first = engine::Shard::parse(shards[0].shard);
  std::vector<bool> seen(first.count, false);
  for (const Report& r : shards) {
    const engine::Shard s = engine::Shard::parse(r.shard);
    if (s.count != first.count) {
      throw InputError(fmt::format("merge: shard {} and shard {} come from different splits",
                                   shards[0].shard, r.shard));
    }
    if (seen[s.index]) throw InputError(fmt::format("merge: shard {} given twice", r.shard));
    seen[s.index] = true;
  }
  for (unsigned i = 0; i < first.count; ++i) {
    if (!seen[i]) {
      throw InputError(fmt::format("merge: shard {}/{} is missing", i + 1, first.count));
    }
  }

  Report whole = shards[0];
  whole.shard = "1/1";
  whole.elapsed_seconds = 0;
  std::map<std::string, std::vector<const engine::JobResult*>> parts;
  for (const Report& r : shards) {
    whole.elapsed_seconds += r.elapsed_seconds;
    for (const engine::JobResult& job : r.results) parts[job.job.key()].push_back(&job);
  }
  for (engine::JobResult& job : whole.results) {
    std::vector<const engine::JobResult*>& p = parts[job.job.key()];
    if (p.size() != first.count) {
      throw InputError(fmt::format("merge: {} is in {} of the {} shards (an interrupted shard?)",
                                   job.job.key(), p.size(), first.count));
    }
    std::sort(p.begin(), p.end(), [](auto* a, auto* b) { return a->first_input < b->first_input; });
    job.first_input = 0;
    job.inputs = 0;
    for (auto& b : job.backends) b.metrics = {};
    for (const engine::JobResult* part : p) {
      if (part->first_input != job.inputs) {
        throw InputError(fmt::format("merge: the shards of {} do not cover its inputs in one piece",
                                     job.job.key()));
      }
      job.inputs += part->inputs;
      for (std::size_t k = 0; k < job.backends.size(); ++k) {
        job.backends[k].metrics.merge(part->backends.at(k).metrics);
      }
    }
  }
  return whole;
}

}  // namespace actcheck::reports
