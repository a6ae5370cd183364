// The actcheck command: exit statuses and messages on good and bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "run_command.hpp"
#include "temp_path.hpp"

namespace {

TEST(Cli, ListPrintsEveryEntryWithDefaults) {
  const Outcome r = run("list");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.output.find("leaky_relu"), std::string::npos);
  EXPECT_NE(r.output.find("negative_slope=0.01"), std::string::npos);
  EXPECT_NE(r.output.find("tanhshrink"), std::string::npos);
}

TEST(Cli, EvalPrintsExactAndRoundedValues) {
  const Outcome r = run("eval --function gelu --format f16 --x 0x1.8p+1");
  EXPECT_EQ(r.status, 0) << r.output;
  // gelu(3) = 3·Φ(3) = 2.99595030590510971642…, Φ(3) from the normal table 0.998650101968…
  EXPECT_NE(r.output.find("2.995950305905109716420044555697215067867"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("0x1.7f8p+1"), std::string::npos) << r.output;  // nearest float16
}

TEST(Cli, EvalTakesParameters) {
  const Outcome r =
      run("eval --function leaky_relu --format f32 --x -2 --param negative_slope=0.5");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("-0x1p+0"), std::string::npos) << r.output;
}

TEST(Cli, BadInputExitsTwoAndSaysWhat) {
  struct Case {
    const char* args;
    const char* message;
  };
  for (const Case& c : {
           Case{"eval --function nope --x 1", "unknown function \"nope\""},
           Case{"eval --function gelu --format f8 --x 1", "unknown format \"f8\""},
           Case{"eval --function gelu --x 1.2.3", "\"1.2.3\" is not a number"},
           Case{"eval --function elu --x 1 --param beta=2", "no parameter \"beta\""},
           Case{"eval --function elu --x 1 --param alpha", "name=value"},
           Case{"eval --function elu --x 1 --param alpha=x", "\"x\" is not a number"},
           Case{"eval --function glu --x 1,2,3", "odd"},
           Case{"eval --function softmax --x 1,,3", "element 2"},
           Case{"eval --function gelu", "--x is required"},
           Case{"frobnicate", ""},
       }) {
    const Outcome r = run(c.args);
    EXPECT_EQ(r.status, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << "\n" << r.output;
  }
}

TEST(Cli, PropertiesOnTheReferencePass) {
  const Outcome r =
      run("properties --backend reference --format f32 --function tanh,sigmoid --count 50");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("PASS tanh_from_sigmoid tanh (50 cases)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("PASS sigmoid_derivative sigmoid"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("FAIL"), std::string::npos) << r.output;
}

TEST(Cli, PropertiesFailureExitsOneWithTheCounterexample) {
  // libm's tanh is within 2.2 ULP: trusted to 0.01 ULP, tanh = 2σ(2x) − 1 cannot hold.
  const Outcome r = run("properties --backend libm --function tanh --budget 0.01 --seed 7");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("FAIL tanh_from_sigmoid tanh x="), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("> tolerance"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(seed 7)"), std::string::npos) << r.output;
}

TEST(Cli, GradcheckWritesItsOutcomesAsJson) {
  const std::string json = actcheck::testing::temp_path("gradcheck.json");
  const Outcome r =
      run("gradcheck --backend reference --function tanh,prelu --count 20 --json " + json);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("PASS central_difference tanh (20 cases)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("PASS param_gradient prelu"), std::string::npos) << r.output;
  std::ifstream in(json);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"checks\": \"gradients\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"property\": \"central_difference\""), std::string::npos) << text;
}

TEST(Cli, PropertiesBadInputExitsTwoAndSaysWhat) {
  struct Case {
    const char* args;
    const char* message;
  };
  for (const Case& c : {
           Case{"properties --function tanh,nope", "unknown function \"nope\""},
           Case{"properties --backend torch", "unknown backend \"torch\""},
           Case{"properties --format f64", "\"f64\" is not f32, f16 or bf16"},
           Case{"properties --count many", "--count"},
           Case{"properties --count 0", "--count: 0"},
           Case{"properties --backend libm --budget -1", "--budget: -1"},
       }) {
    const Outcome r = run(c.args);
    EXPECT_EQ(r.status, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << "\n" << r.output;
  }
}

TEST(Cli, HelpExitsZero) { EXPECT_EQ(run("--help").status, 0); }

}  // namespace
