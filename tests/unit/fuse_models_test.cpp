// Multi-model fusion on small MLP-like graphs: what is shared and what is not, and that a
// fused group computes, bit for bit, what each member computes alone.
#include "engine/fuse_models.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "engine/fim_graph.h"
#include "runtime/session.h"
#include "tests/unit/test_util.h"

namespace fusedinf {
namespace {

// input [1,8] -> MatMul(w1 [8,16]) -> Relu -> MatMul(head [16,4]) -> logits
// The backbone weights come from `backbone_seed`, the head from `head_seed`.
Graph make_mlp(uint32_t backbone_seed, uint32_t head_seed, int64_t in_features = 8) {
  Graph g;
  g.name = "mlp";
  const int x = g.add_tensor("input", DType::kFloat32, {1, in_features});
  auto w1 = testing::seeded_normal(static_cast<size_t>(in_features) * 16, backbone_seed, 0.5f);
  auto w2 = testing::seeded_normal(16 * 4, head_seed, 0.5f);
  const int c1 = g.add_constant("w1", DType::kFloat32, {in_features, 16}, Buffer::copy_of(w1.data(), w1.size() * 4));
  const int c2 = g.add_constant("head", DType::kFloat32, {16, 4}, Buffer::copy_of(w2.data(), w2.size() * 4));
  const int h = g.add_tensor("h", DType::kFloat32, {1, 16});
  const int r = g.add_tensor("r", DType::kFloat32, {1, 16});
  const int y = g.add_tensor("logits", DType::kFloat32, {1, 4});
  g.inputs = {{"input", x}};
  g.nodes.push_back(Node{"MatMul", "fc1", {x, c1}, {h}, {}});
  g.nodes.push_back(Node{"Relu", "relu", {h}, {r}, {}});
  g.nodes.push_back(Node{"MatMul", "head", {r, c2}, {y}, {}});
  g.outputs = {{"logits", y}};
  return g;
}

HostTensor random_input(int64_t features, uint32_t seed) {
  HostTensor t = HostTensor::zeros(DType::kFloat32, {1, features});
  auto v = testing::seeded_normal(static_cast<size_t>(features), seed, 0.5f);
  std::memcpy(t.bytes.data(), v.data(), v.size() * 4);
  return t;
}

std::vector<HostTensor> run(const Graph& g, const std::map<std::string, HostTensor>& inputs) {
  Result<Session> s = Session::create(g);
  EXPECT_TRUE(s.is_ok()) << s.status().message();
  Result<std::vector<HostTensor>> out = s->run(inputs);
  EXPECT_TRUE(out.is_ok()) << out.status().message();
  return out.is_ok() ? *out : std::vector<HostTensor>{};
}

const HostTensor& output(const std::vector<HostTensor>& outs, const std::string& name) {
  for (const HostTensor& t : outs)
    if (t.name == name) return t;
  ADD_FAILURE() << "no output " << name;
  return outs.front();
}

TEST(FuseModelsTest, SameModelTwiceStoresWeightsOnceAndRunsOnceWithSharedInput) {
  FuseOptions shared;
  shared.share_same_named_inputs = true;
  FuseReport report;
  Result<Graph> group = fuse_models({{"a", make_mlp(1, 2)}, {"b", make_mlp(1, 2)}}, shared, &report);
  ASSERT_TRUE(group.is_ok()) << group.status().message();
  EXPECT_EQ(report.nodes_before, 6);
  EXPECT_EQ(group->nodes.size(), 3u) << "identical models on one input run once";
  EXPECT_EQ(report.weight_bytes_after * 2, report.weight_bytes_before);
  HostTensor x = random_input(8, 9);
  auto outs = run(*group, {{"input", x}});
  auto alone = run(make_mlp(1, 2), {{"input", x}});
  EXPECT_EQ(output(outs, "a/logits").bytes, alone[0].bytes);
  EXPECT_EQ(output(outs, "b/logits").bytes, alone[0].bytes);

  // Without a shared input: weights still stored once, but both run (different inputs).
  Result<Graph> apart = fuse_models({{"a", make_mlp(1, 2)}, {"b", make_mlp(1, 2)}}, FuseOptions{}, &report);
  ASSERT_TRUE(apart.is_ok());
  EXPECT_EQ(apart->nodes.size(), 6u);
  EXPECT_EQ(report.weight_bytes_after * 2, report.weight_bytes_before);
  EXPECT_EQ(apart->inputs.size(), 2u);
}

TEST(FuseModelsTest, FineTunesShareTheBackboneButNotTheHeads) {
  FuseOptions shared;
  shared.share_same_named_inputs = true;
  FuseReport report;
  Result<Graph> group = fuse_models({{"cats", make_mlp(1, 2)}, {"dogs", make_mlp(1, 3)}}, shared, &report);
  ASSERT_TRUE(group.is_ok()) << group.status().message();
  EXPECT_EQ(group->nodes.size(), 4u) << "fc1 + relu once, two heads";
  EXPECT_EQ(report.shared_nodes, 2);
  HostTensor x = random_input(8, 11);
  auto outs = run(*group, {{"input", x}});
  EXPECT_EQ(output(outs, "cats/logits").bytes, run(make_mlp(1, 2), {{"input", x}})[0].bytes);
  EXPECT_EQ(output(outs, "dogs/logits").bytes, run(make_mlp(1, 3), {{"input", x}})[0].bytes);
}

TEST(FuseModelsTest, OneDifferingWeightByteKeepsPathsApart) {
  Graph b = make_mlp(1, 2);
  // Flip one byte of b's first weight.
  const Tensor& w1 = b.tensors[1];
  std::vector<uint8_t> bytes(b.buffers[w1.buffer].data, b.buffers[w1.buffer].data + b.buffers[w1.buffer].size);
  bytes[5] ^= 1;
  b.buffers[w1.buffer] = Buffer::copy_of(bytes.data(), bytes.size());
  FuseOptions shared;
  shared.share_same_named_inputs = true;
  FuseReport report;
  Result<Graph> group = fuse_models({{"a", make_mlp(1, 2)}, {"b", std::move(b)}}, shared, &report);
  ASSERT_TRUE(group.is_ok());
  EXPECT_EQ(group->nodes.size(), 6u) << "nothing may be shared above a differing weight";
  EXPECT_EQ(report.shared_nodes, 0);
  EXPECT_EQ(report.shared_constants, 1) << "only the identical head is stored once";
}

TEST(FuseModelsTest, UnrelatedModelsShareNothing) {
  FuseOptions shared;
  shared.share_same_named_inputs = true;
  FuseReport report;
  Result<Graph> group = fuse_models({{"a", make_mlp(1, 2)}, {"b", make_mlp(5, 6)}}, shared, &report);
  ASSERT_TRUE(group.is_ok());
  EXPECT_EQ(group->nodes.size(), 6u);
  EXPECT_EQ(report.weight_bytes_after, report.weight_bytes_before);
}

TEST(FuseModelsTest, SubsetRunsOnlyWhatItNeeds) {
  FuseOptions shared;
  shared.share_same_named_inputs = true;
  Result<Graph> group = fuse_models({{"cats", make_mlp(1, 2)}, {"dogs", make_mlp(1, 3)}}, shared);
  ASSERT_TRUE(group.is_ok());
  Result<Graph> dogs = select_members(*group, {"dogs"});
  ASSERT_TRUE(dogs.is_ok()) << dogs.status().message();
  EXPECT_EQ(dogs->nodes.size(), 3u);
  ASSERT_EQ(dogs->outputs.size(), 1u);
  EXPECT_EQ(dogs->outputs[0].name, "dogs/logits");
  HostTensor x = random_input(8, 12);
  EXPECT_EQ(run(*dogs, {{"input", x}})[0].bytes, run(make_mlp(1, 3), {{"input", x}})[0].bytes);
  EXPECT_FALSE(select_members(*group, {"birds"}).is_ok());
}

TEST(FuseModelsTest, RefusesIncompatibleSharedInputs) {
  FuseOptions shared;
  shared.share_same_named_inputs = true;
  Result<Graph> group = fuse_models({{"a", make_mlp(1, 2, 8)}, {"b", make_mlp(1, 2, 12)}}, shared);
  ASSERT_FALSE(group.is_ok());
  EXPECT_NE(group.status().message().find("cannot share input 'input'"), std::string::npos) << group.status().message();
  FuseOptions bad;
  bad.shared_inputs = {{"frame", {"a/input", "c/input"}}};
  EXPECT_FALSE(fuse_models({{"a", make_mlp(1, 2)}, {"b", make_mlp(1, 2)}}, bad).is_ok());
}

}  // namespace
}  // namespace fusedinf
