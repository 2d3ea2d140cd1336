#include "engine/activation_plan.h"

#include <gtest/gtest.h>

namespace fusedinf {
namespace {

// x -> Conv(c) -> a -> Relu -> b -> Reshape -> r -> Add(r, x2) -> y
struct ChainGraph {
  Graph g;
  int x, a, b, r, x2, y;
  ChainGraph() {
    x = g.add_tensor("x", DType::kFloat32, {1, 8});
    x2 = g.add_tensor("x2", DType::kFloat32, {8});
    a = g.add_tensor("a", DType::kFloat32, {1, 8});
    b = g.add_tensor("b", DType::kFloat32, {1, 8});
    r = g.add_tensor("r", DType::kFloat32, {8});
    y = g.add_tensor("y", DType::kFloat32, {8});
    g.inputs = {{"x", x}, {"x2", x2}};
    g.nodes.push_back(Node{"Conv", "conv", {x}, {a}, {}});
    g.nodes.push_back(Node{"Relu", "relu", {a}, {b}, {}});
    g.nodes.push_back(Node{"Reshape", "reshape", {b}, {r}, {}});
    g.nodes.push_back(Node{"Add", "add", {r, x2}, {y}, {}});
    g.outputs = {{"y", y}};
  }
};

TEST(ActivationPlanTest, ReshapeAliasesAndElementwiseRunsInPlace) {
  ChainGraph c;
  ActivationPlan plan = plan_activations(c.g);
  EXPECT_EQ(plan.buffer_of_tensor[c.b], plan.buffer_of_tensor[c.a]) << "Relu in place over its dying input";
  EXPECT_EQ(plan.buffer_of_tensor[c.r], plan.buffer_of_tensor[c.b]) << "Reshape aliases";
  EXPECT_EQ(plan.buffer_of_tensor[c.y], plan.buffer_of_tensor[c.r]) << "Add in place";
  EXPECT_NE(plan.buffer_of_tensor[c.a], plan.buffer_of_tensor[c.x]) << "Conv is not in place";
  EXPECT_LE(plan.memory.arena_size, plan.separate_bytes);
  EXPECT_GE(plan.memory.arena_size, plan.lower_bound);
}

TEST(ActivationPlanTest, NoInPlaceWhenInputLivesOn) {
  ChainGraph c;
  c.g.outputs.push_back({"a", c.a});  // a must survive: Relu may not overwrite it
  ActivationPlan plan = plan_activations(c.g);
  EXPECT_NE(plan.buffer_of_tensor[c.b], plan.buffer_of_tensor[c.a]);
}

TEST(ActivationPlanTest, NoInPlaceWhenAliasIsStillNeeded) {
  ChainGraph c;
  // Another reader of b after the Add keeps b's group (b, r) alive: Add may not write over r.
  int z = c.g.add_tensor("z", DType::kFloat32, {1, 8});
  c.g.nodes.push_back(Node{"Sigmoid", "late", {c.b}, {z}, {}});
  c.g.outputs.push_back({"z", z});
  ActivationPlan plan = plan_activations(c.g);
  EXPECT_NE(plan.buffer_of_tensor[c.y], plan.buffer_of_tensor[c.r]);
  // And no two buffers live together overlap.
  for (size_t i = 0; i < plan.buffers.size(); ++i)
    for (size_t j = i + 1; j < plan.buffers.size(); ++j) {
      const auto &p = plan.buffers[i], &q = plan.buffers[j];
      if (p.first_use <= q.last_use && q.first_use <= p.last_use) {
        EXPECT_TRUE(plan.memory.offsets[i] + p.size <= plan.memory.offsets[j] ||
                    plan.memory.offsets[j] + q.size <= plan.memory.offsets[i]);
      }
    }
}

TEST(ActivationPlanTest, WorkspaceLivesOnlyAtItsNodeAndOverlapsNothingLive) {
  ChainGraph c;
  const std::vector<uint64_t> workspace = {4096, 0, 0, 100};  // Conv and Add request scratch
  ActivationPlan plan = plan_activations(c.g, workspace);
  ASSERT_GE(plan.workspace_offset[0], 0);
  EXPECT_EQ(plan.workspace_offset[1], -1);
  ASSERT_GE(plan.workspace_offset[3], 0);
  EXPECT_EQ(plan.workspace_offset[0] % 64, 0);
  // At step 0 the input x and the Conv output a are live: the workspace overlaps neither.
  for (int t : {c.x, c.a}) {
    const uint64_t begin = plan.tensor_offset[t], end = begin + 32;
    const uint64_t ws = static_cast<uint64_t>(plan.workspace_offset[0]);
    EXPECT_TRUE(ws + 4096 <= begin || end <= ws) << c.g.tensors[t].name;
  }
  EXPECT_GE(plan.memory.arena_size, 4096u + 32u);
  EXPECT_GE(plan.memory.arena_size, plan.lower_bound);
}

}  // namespace
}  // namespace fusedinf
