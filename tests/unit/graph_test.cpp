#include "engine/graph.h"

#include <gtest/gtest.h>

namespace fusedinf {
namespace {

TEST(GraphTest, ValidateRejectsUseBeforeProduce) {
  Graph g;
  int a = g.add_tensor("a", DType::kFloat32, {2});
  int b = g.add_tensor("b", DType::kFloat32, {2});
  g.nodes.push_back(Node{"Relu", "r", {b}, {a}, {}});
  g.outputs.push_back({"a", a});
  Status s = g.validate_structure();
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("not produced before use"), std::string::npos) << s.message();
}

TEST(GraphTest, ValidateAcceptsSimpleChain) {
  Graph g;
  int x = g.add_tensor("x", DType::kFloat32, {2});
  int y = g.add_tensor("y", DType::kFloat32, {2});
  g.inputs.push_back({"x", x});
  g.nodes.push_back(Node{"Relu", "r", {x}, {y}, {}});
  g.outputs.push_back({"y", y});
  EXPECT_TRUE(g.validate_structure().is_ok());
}

TEST(GraphTest, ValidateRejectsWrongConstantSize) {
  Graph g;
  float v[3] = {1, 2, 3};
  g.add_constant("c", DType::kFloat32, {2}, Buffer::copy_of(v, sizeof(v)));
  EXPECT_FALSE(g.validate_structure().is_ok());
}

}  // namespace
}  // namespace fusedinf
