// The catalog's rows are consistent with each other and with the design's list.
#include "catalog/catalog.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace actcheck {
namespace {

TEST(Catalog, HasTheDesignsThirtyThreeEntries) {
  EXPECT_EQ(kNumActivations, 33u);
  std::set<std::string_view> names;
  for (const Activation& a : kCatalog) names.insert(a.name);
  EXPECT_EQ(names.size(), kNumActivations) << "ids must be unique";
  for (const char* id : {"step",       "linear",      "sigmoid",   "tanh",       "relu",
                         "leaky_relu", "prelu",       "elu",       "selu",       "silu",
                         "swish",      "softplus",    "softsign",  "threshold",  "thresholded_relu",
                         "gelu",       "gelu_tanh",   "mish",      "softmax",    "log_softmax",
                         "softmin",    "maxout",      "glu",       "swiglu",     "hardtanh",
                         "relu6",      "hardsigmoid", "hardswish", "logsigmoid", "celu",
                         "softshrink", "hardshrink",  "tanhshrink"}) {
    EXPECT_TRUE(names.count(id)) << id;
  }
}

TEST(Catalog, RowsAreIndexedByTheirId) {
  for (std::size_t i = 0; i < kNumActivations; ++i) {
    EXPECT_EQ(static_cast<std::size_t>(kCatalog[i].id), i) << kCatalog[i].name;
    EXPECT_EQ(find_activation(kCatalog[i].name), &kCatalog[i]);
  }
  EXPECT_EQ(find_activation("no_such_function"), nullptr);
}

TEST(Catalog, ParametricKindMeansElementwiseWithParameters) {
  for (const Activation& a : kCatalog) {
    if (a.kind == Kind::kElementwise) {
      EXPECT_TRUE(a.params.empty()) << a.name;
    }
    if (a.kind == Kind::kParametric) {
      EXPECT_FALSE(a.params.empty()) << a.name;
    }
    if (a.learnable_param >= 0) {
      EXPECT_LT(static_cast<std::size_t>(a.learnable_param), a.params.size()) << a.name;
    }
    for (const Kink& k : a.kinks) EXPECT_LT(k.at.param, static_cast<int>(a.params.size()));
  }
}

TEST(Catalog, PyTorchDefaults) {
  EXPECT_EQ(default_params(Fn::leaky_relu)[0], 0.01);
  EXPECT_EQ(default_params(Fn::prelu)[0], 0.25);
  EXPECT_EQ(default_params(Fn::elu)[0], 1.0);
  EXPECT_EQ(default_params(Fn::softplus)[0], 1.0);
  EXPECT_EQ(default_params(Fn::hardtanh)[0], -1.0);
  EXPECT_EQ(default_params(Fn::hardtanh)[1], 1.0);
  EXPECT_EQ(default_params(Fn::softshrink)[0], 0.5);
  EXPECT_EQ(default_params(Fn::hardshrink)[0], 0.5);
  EXPECT_EQ(*find_param(Fn::hardtanh, "max_val"), 1u);
  EXPECT_FALSE(find_param(Fn::elu, "beta").has_value());
}

}  // namespace
}  // namespace actcheck
