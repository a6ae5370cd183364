// actcheck sweep and merge from the command line: exit statuses, budgets, shards merged equal to
// the whole run, and messages that say what was wrong.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "run_command.hpp"
#include "temp_path.hpp"

namespace {

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::string temp(const std::string& name) { return actcheck::testing::temp_path(name); }

// A hard-case file whose third line is not a number.
std::string junk_file() {
  const std::string path = temp("junk.txt");
  std::ofstream(path) << "# provenance: a test\n0x1p+0\n0x1.8p+1x\n";
  return path;
}

TEST(CliSweep, BudgetDecidesTheExitStatus) {
  // The naive softplus overflows to inf for x > 88.7 in float32: a non-finite mismatch.
  const Outcome over =
      run("sweep -f softplus -b naive --format f32 --pass forward "
          "--inputs special --max-ulp 4 --threads 1");
  EXPECT_EQ(over.status, 1) << over.output;
  EXPECT_NE(over.output.find("OVER BUDGET: naive"), std::string::npos) << over.output;
  // Without a budget the same sweep only reports.
  const Outcome none =
      run("sweep -f softplus -b naive --format f32 --pass forward "
          "--inputs special --threads 1");
  EXPECT_EQ(none.status, 0) << none.output;
  EXPECT_NE(none.output.find("non-finite"), std::string::npos) << none.output;
}

TEST(CliSweep, BadInputExitsTwoAndSaysWhat) {
  const std::pair<std::string, std::string> cases[] = {
      {"sweep -f nosuch", "nosuch"},
      {"sweep -f tanh -b nosuch", "unknown backend"},
      {"sweep -f tanh --format f8", "f8"},
      {"sweep -f tanh --pass sideways", "sideways"},
      {"sweep -f tanh --inputs sample:x", "sample:x"},
      {"sweep -f tanh --inputs file:/nonexistent", "/nonexistent"},
      {"sweep -f tanh --shard 4/3", "4/3"},
      {"sweep -f softmax --inputs exhaustive --format f16", "exhaustive"},
      {"merge --json /dev/null /nonexistent.json", "/nonexistent.json"},
      {"sweep -f tanh --inputs file:" + junk_file(), "junk.txt:3"},
  };
  for (const auto& [args, mention] : cases) {
    const Outcome r = run(args);
    EXPECT_EQ(r.status, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(mention), std::string::npos) << args << "\n" << r.output;
  }
}

TEST(CliSweep, MergedShardsEqualTheWholeRun) {
  const std::string base = "sweep -f sigmoid,gelu -b naive,libm --format bf16 --threads 2";
  ASSERT_EQ(run(base + " --json " + temp("whole.json")).status, 0);
  std::string parts;
  for (int i = 1; i <= 3; ++i) {
    const std::string part = temp("part" + std::to_string(i) + ".json");
    ASSERT_EQ(run(base + " --shard " + std::to_string(i) + "/3 --json " + part).status, 0);
    parts += " " + part;
  }
  const Outcome merged = run("merge --json " + temp("merged.json") + parts);
  ASSERT_EQ(merged.status, 0) << merged.output;
  const nlohmann::json whole = read_json(temp("whole.json"));
  const nlohmann::json joined = read_json(temp("merged.json"));
  ASSERT_EQ(whole["results"].size(), joined["results"].size());
  for (std::size_t i = 0; i < whole["results"].size(); ++i) {
    EXPECT_EQ(whole["results"][i]["backends"], joined["results"][i]["backends"]) << i;
    EXPECT_EQ(whole["results"][i]["input_count"], joined["results"][i]["input_count"]);
  }
  // Two shards out of three are refused, naming the missing one.
  const Outcome missing =
      run("merge --json " + temp("bad.json") + " " + temp("part1.json") + " " + temp("part2.json"));
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.output.find("3/3 is missing"), std::string::npos) << missing.output;
}

}  // namespace
