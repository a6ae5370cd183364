// Accuracy reports. The JSON form is the canonical record (versioned schema: what was run, on
// which machine, when, on which inputs, and every metric losslessly); the Markdown form is for
// people, laid out like the tables of the "Accuracy of Mathematical Functions" papers: a row per
// function, a column per backend, each cell the max ULP error and its worst input.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/sweep.hpp"

namespace actcheck::reports {

inline constexpr std::string_view kSchema = "actcheck-report/1";

struct BackendInfo {
  std::string name;
  std::string description;
};

struct Report {
  std::string tool_version;
  std::string command;  // the command line that made it
  std::string date;     // UTC, ISO 8601
  nlohmann::json machine;
  std::string shard = "1/1";
  double elapsed_seconds = 0;
  std::vector<BackendInfo> backends;
  std::vector<engine::JobResult> results;
};

// What is known about this machine and build: CPU, cores, OS, compiler, library versions.
nlohmann::json describe_machine();
std::string utc_now();

nlohmann::json to_json(const Report& r);
// Throws engine::InputError (naming `where`) on anything that is not a report of this schema.
Report report_from_json(const nlohmann::json& j, std::string_view where);

// Shards of one sweep combined: the figures of the whole run. Throws engine::InputError when the
// parts are not the N shards of one sweep, each exactly once.
Report merge(const std::vector<Report>& shards);

std::string markdown(const Report& r);

// Writes `text` to `path` through a temporary file, so that a crash never leaves half a report.
void write_file(const std::string& path, const std::string& text);

}  // namespace actcheck::reports
