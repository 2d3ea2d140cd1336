// Each pass keeps what a graph computes (to float rounding) and does the rewrite it claims.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "engine/epilogue.h"
#include "engine/passes/pass.h"
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/epilogue_rows.h"
#include "runtime/session.h"

namespace fusedinf {
namespace {

std::vector<float> randoms(size_t n, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

int constant(Graph& g, const std::string& name, Shape shape, const std::vector<float>& v) {
  return g.add_constant(name, DType::kFloat32, std::move(shape), Buffer::copy_of(v.data(), v.size() * 4));
}

int scalar(Graph& g, const std::string& name, float v) { return constant(g, name, {}, {v}); }

int add_node(Graph& g, const std::string& op, std::vector<int> inputs, Shape out_shape, Attributes attrs = {}) {
  const int out = g.add_tensor(op + std::to_string(g.nodes.size()), DType::kFloat32, std::move(out_shape));
  g.nodes.push_back(Node{op, op + std::to_string(g.nodes.size()), std::move(inputs), {out}, std::move(attrs)});
  return out;
}

Attributes conv_attrs() {
  Attributes a;
  a.set("kernel_shape", std::vector<int64_t>{3, 3});
  a.set("strides", std::vector<int64_t>{1, 1});
  a.set("dilations", std::vector<int64_t>{1, 1});
  a.set("pads", std::vector<int64_t>{1, 1, 1, 1});
  a.set("group", int64_t{1});
  return a;
}

// Every output of `g` on one seeded random input shaped like `shape_of`'s first input.
std::vector<HostTensor> run_on_random_input(const Graph& g, const Graph& shape_of) {
  HostTensor x = HostTensor::zeros(DType::kFloat32, shape_of.tensors[shape_of.inputs[0].tensor].shape);
  auto v = randoms(static_cast<size_t>(x.numel()), 5);
  std::memcpy(x.bytes.data(), v.data(), x.bytes.size());
  Result<Session> s = Session::create(g);
  EXPECT_TRUE(s.is_ok()) << s.status().message();
  if (!s.is_ok()) return {};
  auto out = s->run({{g.inputs[0].name, x}});
  EXPECT_TRUE(out.is_ok()) << out.status().message();
  return out.is_ok() ? *out : std::vector<HostTensor>{};
}

// ||a - b|| / ||a|| over float32 values.
double relative_l2(const HostTensor& a, const HostTensor& b) {
  double diff = 0, norm = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    diff += std::pow(a.as<float>()[i] - b.as<float>()[i], 2);
    norm += std::pow(a.as<float>()[i], 2);
  }
  return std::sqrt(diff / norm);
}

// Relative L2 distance between the first outputs of `a` and `b` on the same random input.
double run_and_compare(const Graph& a, const Graph& b) {
  const std::vector<HostTensor> ya = run_on_random_input(a, a), yb = run_on_random_input(b, a);
  EXPECT_FALSE(ya.empty() || yb.empty());
  if (ya.empty() || yb.empty()) return INFINITY;
  return relative_l2(ya[0], yb[0]);
}

std::vector<std::string> ops_of(const Graph& g) {
  std::vector<std::string> ops;
  for (const Node& n : g.nodes) ops.push_back(n.op);
  return ops;
}

Graph optimized(Graph g) {
  auto reports = run_passes(g, "default", PassContext{cpu::run_cpu_node});
  EXPECT_TRUE(reports.is_ok()) << reports.status().message();
  return g;
}

TEST(PassesTest, ConvBatchNormReluBecomesOneFusedConv) {
  Graph g;
  const int x = g.add_tensor("x", DType::kFloat32, {1, 3, 6, 6});
  g.inputs = {{"x", x}};
  const int w = constant(g, "w", {4, 3, 3, 3}, randoms(108, 1));
  const int c = add_node(g, "Conv", {x, w}, {1, 4, 6, 6}, conv_attrs());
  Attributes eps;
  eps.set("epsilon", 1e-3f);
  const int bn = add_node(g, "BatchNormalization",
                          {c, constant(g, "scale", {4}, randoms(4, 2, 0.5f, 2.f)), constant(g, "B", {4}, randoms(4, 3)),
                           constant(g, "mean", {4}, randoms(4, 4)), constant(g, "var", {4}, randoms(4, 6, 0.1f, 2.f))},
                          {1, 4, 6, 6}, eps);
  const int y = add_node(g, "Relu", {bn}, {1, 4, 6, 6});
  g.outputs = {{"y", y}};
  const Graph opt = optimized(g);
  EXPECT_EQ(ops_of(opt), std::vector<std::string>{"FusedConv"});
  EXPECT_EQ(opt.nodes[0].attrs.get_string("activation", ""), "relu");
  EXPECT_LT(run_and_compare(g, opt), 1e-5);
}

TEST(PassesTest, ResidualAddAndReluFuseIntoConv) {
  Graph g;
  const int x = g.add_tensor("x", DType::kFloat32, {1, 4, 5, 5});
  g.inputs = {{"x", x}};
  const int c =
      add_node(g, "Conv", {x, constant(g, "w", {4, 4, 3, 3}, randoms(144, 7)), constant(g, "b", {4}, randoms(4, 8))},
               {1, 4, 5, 5}, conv_attrs());
  const int s = add_node(g, "Add", {c, x}, {1, 4, 5, 5});
  const int y = add_node(g, "Relu", {s}, {1, 4, 5, 5});
  g.outputs = {{"y", y}};
  const Graph opt = optimized(g);
  EXPECT_EQ(ops_of(opt), std::vector<std::string>{"FusedConv"});
  EXPECT_LT(run_and_compare(g, opt), 1e-6);
}

TEST(PassesTest, MatMulBiasGeluAndSiluFuse) {
  for (const std::string act : {"gelu", "silu"}) {
    Graph g;
    const int x = g.add_tensor("x", DType::kFloat32, {2, 8});
    g.inputs = {{"x", x}};
    const int m = add_node(g, "MatMul", {x, constant(g, "w", {8, 6}, randoms(48, 9))}, {2, 6});
    const int h = add_node(g, "Add", {m, constant(g, "b", {6}, randoms(6, 10))}, {2, 6});
    int y;
    if (act == "gelu") {  // 0.5 * h * (1 + erf(h / sqrt(2))), as torch exports it
      const int d = add_node(g, "Div", {h, scalar(g, "sqrt2", 1.4142135381698608f)}, {2, 6});
      const int e = add_node(g, "Erf", {d}, {2, 6});
      const int f = add_node(g, "Add", {e, scalar(g, "one", 1.f)}, {2, 6});
      const int p = add_node(g, "Mul", {h, f}, {2, 6});
      y = add_node(g, "Mul", {p, scalar(g, "half", 0.5f)}, {2, 6});
    } else {
      y = add_node(g, "Mul", {h, add_node(g, "Sigmoid", {h}, {2, 6})}, {2, 6});
    }
    g.outputs = {{"y", y}};
    const Graph opt = optimized(g);
    EXPECT_EQ(ops_of(opt), std::vector<std::string>{"FusedMatMul"}) << act;
    EXPECT_LT(run_and_compare(g, opt), 1e-6) << act;
  }
}

TEST(PassesTest, NoFusionWhenTheIntermediateHasAnotherReader) {
  Graph g;
  const int x = g.add_tensor("x", DType::kFloat32, {2, 8});
  g.inputs = {{"x", x}};
  const int m = add_node(g, "MatMul", {x, constant(g, "w", {8, 6}, randoms(48, 11))}, {2, 6});
  const int r = add_node(g, "Relu", {m}, {2, 6});
  g.outputs = {{"r", r}, {"m", m}};
  const Graph opt = optimized(g);
  EXPECT_EQ(ops_of(opt), (std::vector<std::string>{"MatMul", "Relu"}));
}

TEST(PassesTest, ReshapeChainsMergeAndNoOpsVanish) {
  Graph g;
  const int x = g.add_tensor("x", DType::kFloat32, {2, 3, 4});
  g.inputs = {{"x", x}};
  Attributes s1, s2, s3, perm;
  s1.set("shape", std::vector<int64_t>{6, 4});
  s2.set("shape", std::vector<int64_t>{24});
  s3.set("shape", std::vector<int64_t>{24});
  perm.set("perm", std::vector<int64_t>{0});
  const int a = add_node(g, "Reshape", {x}, {6, 4}, s1);
  const int b = add_node(g, "Reshape", {a}, {24}, s2);
  const int c = add_node(g, "Reshape", {b}, {24}, s3);      // no-op
  const int t = add_node(g, "Transpose", {c}, {24}, perm);  // identity
  const int y = add_node(g, "Relu", {t}, {24});
  g.outputs = {{"y", y}};
  const Graph opt = optimized(g);
  EXPECT_EQ(ops_of(opt), (std::vector<std::string>{"Reshape", "Relu"}));
  EXPECT_LT(run_and_compare(g, opt), 1e-7);
}

// torch exports AvgPool2d as a Pad of zeros and an AveragePool: the Pad goes, a real one stays.
TEST(PassesTest, ZeroPadVanishesRealPadStays) {
  Graph g;
  const int x = g.add_tensor("x", DType::kFloat32, {1, 2, 4, 4});
  g.inputs = {{"x", x}};
  Attributes zero, one;
  zero.set("pads", std::vector<int64_t>{0, 0, 0, 0, 0, 0, 0, 0});
  zero.set("mode", std::string("constant"));
  one.set("pads", std::vector<int64_t>{0, 0, 1, 0, 0, 0, 0, 1});
  one.set("mode", std::string("constant"));
  const int a = add_node(g, "Pad", {x}, {1, 2, 4, 4}, zero);
  const int b = add_node(g, "Relu", {a}, {1, 2, 4, 4});
  const int y = add_node(g, "Pad", {b}, {1, 2, 5, 5}, one);
  g.outputs = {{"y", y}};
  const Graph opt = optimized(g);
  EXPECT_EQ(ops_of(opt), (std::vector<std::string>{"Relu", "Pad"}));
  EXPECT_LT(run_and_compare(g, opt), 1e-7);
}

TEST(PassesTest, PerChannelMulAddAndBatchNormFoldIntoEveryProducer) {
  Attributes eps;
  eps.set("epsilon", 1e-3f);
  auto bn_inputs = [&](Graph& g, int x, int64_t c) {
    return std::vector<int>{x, constant(g, "s", {c}, randoms(c, 21, 0.5f, 2.f)), constant(g, "B", {c}, randoms(c, 22)),
                            constant(g, "m", {c}, randoms(c, 23)), constant(g, "v", {c}, randoms(c, 24, 0.1f, 2.f))};
  };
  {  // Conv -> Mul([C,1,1]) -> Add([C,1,1])
    Graph g;
    const int x = g.add_tensor("x", DType::kFloat32, {1, 3, 5, 5});
    g.inputs = {{"x", x}};
    const int c =
        add_node(g, "Conv", {x, constant(g, "w", {4, 3, 3, 3}, randoms(108, 12))}, {1, 4, 5, 5}, conv_attrs());
    const int m = add_node(g, "Mul", {c, constant(g, "k", {4, 1, 1}, randoms(4, 13))}, {1, 4, 5, 5});
    const int y = add_node(g, "Add", {m, constant(g, "a", {4, 1, 1}, randoms(4, 14))}, {1, 4, 5, 5});
    g.outputs = {{"y", y}};
    const Graph opt = optimized(g);
    EXPECT_EQ(ops_of(opt), std::vector<std::string>{"Conv"});
    EXPECT_LT(run_and_compare(g, opt), 1e-5);
  }
  {  // ConvTranspose (2 groups) -> BatchNormalization
    Graph g;
    const int x = g.add_tensor("x", DType::kFloat32, {1, 4, 3, 3});
    g.inputs = {{"x", x}};
    Attributes ct = conv_attrs();
    ct.set("group", int64_t{2});
    ct.set("output_padding", std::vector<int64_t>{0, 0});
    const int c = add_node(g, "ConvTranspose", {x, constant(g, "w", {4, 3, 3, 3}, randoms(108, 15))}, {1, 6, 3, 3}, ct);
    const int y = add_node(g, "BatchNormalization", bn_inputs(g, c, 6), {1, 6, 3, 3}, eps);
    g.outputs = {{"y", y}};
    const Graph opt = optimized(g);
    EXPECT_EQ(ops_of(opt), std::vector<std::string>{"ConvTranspose"});
    EXPECT_LT(run_and_compare(g, opt), 1e-5);
  }
  {  // Gemm(transB) -> BatchNormalization, MatMul -> Mul([N])
    Graph g;
    const int x = g.add_tensor("x", DType::kFloat32, {3, 8});
    g.inputs = {{"x", x}};
    Attributes gemm;
    gemm.set("transB", int64_t{1});
    const int a = add_node(
        g, "Gemm", {x, constant(g, "w", {5, 8}, randoms(40, 16)), constant(g, "b", {5}, randoms(5, 17))}, {3, 5}, gemm);
    const int bn = add_node(g, "BatchNormalization", bn_inputs(g, a, 5), {3, 5}, eps);
    const int m = add_node(g, "MatMul", {bn, constant(g, "w2", {5, 4}, randoms(20, 18))}, {3, 4});
    const int y = add_node(g, "Mul", {m, constant(g, "k", {4}, randoms(4, 19))}, {3, 4});
    g.outputs = {{"y", y}};
    const Graph opt = optimized(g);
    EXPECT_EQ(ops_of(opt), (std::vector<std::string>{"Gemm", "MatMul"}));
    EXPECT_LT(run_and_compare(g, opt), 1e-5);
  }
}

// Relative L2 distance between every output of `a` and `b` (the largest), on the same random input.
double run_and_compare_all(const Graph& a, const Graph& b) {
  const std::vector<HostTensor> ya = run_on_random_input(a, a), yb = run_on_random_input(b, a);
  EXPECT_EQ(ya.size(), yb.size());
  double worst = 0;
  for (size_t o = 0; o < std::min(ya.size(), yb.size()); ++o) {
    EXPECT_EQ(ya[o].name, yb[o].name);
    worst = std::max(worst, relative_l2(ya[o], yb[o]));
  }
  return worst;
}

// Hard-swish written as arithmetic after a folded BatchNormalization (as Paddle exports it):
// y = BN(Conv(x)) has two readers once the BN is folded, so Add(y, 3) must not fold into the
// Conv (issue 11: stale use counts after the first fold did that).
TEST(PassesTest, FoldedTensorWithTwoReadersTakesNoSecondFold) {
  Graph g;
  const int x = g.add_tensor("x", DType::kFloat32, {1, 3, 6, 6});
  g.inputs = {{"x", x}};
  const int c = add_node(g, "Conv", {x, constant(g, "w", {4, 3, 3, 3}, randoms(108, 31))}, {1, 4, 6, 6}, conv_attrs());
  const int y = add_node(g, "BatchNormalization",
                         {c, constant(g, "s", {4}, randoms(4, 32, 0.5f, 2.f)), constant(g, "B", {4}, randoms(4, 33)),
                          constant(g, "m", {4}, randoms(4, 34)), constant(g, "v", {4}, randoms(4, 35, 0.1f, 2.f))},
                         {1, 4, 6, 6});
  const int a = add_node(g, "Add", {y, scalar(g, "three", 3.f)}, {1, 4, 6, 6});
  Attributes clip;
  clip.set("min", 0.f);
  clip.set("max", 6.f);
  const int k = add_node(g, "Clip", {a}, {1, 4, 6, 6}, clip);
  const int p = add_node(g, "Mul", {y, k}, {1, 4, 6, 6});
  const int z = add_node(g, "Div", {p, scalar(g, "six", 6.f)}, {1, 4, 6, 6});
  g.outputs = {{"z", z}};
  const Graph opt = optimized(g);
  EXPECT_LT(run_and_compare_all(g, opt), 1e-5);
}

// A folded tensor that is also a graph output keeps its value and name: the Add after it stays.
TEST(PassesTest, FoldedTensorThatIsAGraphOutputTakesNoSecondFold) {
  Graph g;
  const int x = g.add_tensor("x", DType::kFloat32, {1, 3, 5, 5});
  g.inputs = {{"x", x}};
  const int c = add_node(g, "Conv", {x, constant(g, "w", {4, 3, 3, 3}, randoms(108, 41))}, {1, 4, 5, 5}, conv_attrs());
  const int y = add_node(g, "Mul", {c, constant(g, "k", {4, 1, 1}, randoms(4, 42))}, {1, 4, 5, 5});
  const int z = add_node(g, "Add", {y, constant(g, "a", {4, 1, 1}, randoms(4, 43))}, {1, 4, 5, 5});
  g.outputs = {{"y", y}, {"z", z}};
  const Graph opt = optimized(g);
  EXPECT_EQ(ops_of(opt), (std::vector<std::string>{"Conv", "Add"}));
  EXPECT_EQ(opt.tensors[opt.outputs[0].tensor].name, g.tensors[y].name);
  EXPECT_LT(run_and_compare_all(g, opt), 1e-5);
}

// Gemm's C broadcasts to [M, N]: a [M, 1] bias is per row, not per output channel, even when
// it holds N values (M == N); folding a per-channel Mul must not treat it as one.
TEST(PassesTest, GemmBiasPerRowIsNotFoldedAsPerChannel) {
  Graph g;
  const int x = g.add_tensor("x", DType::kFloat32, {4, 8});
  g.inputs = {{"x", x}};
  const int a = add_node(
      g, "Gemm", {x, constant(g, "w", {8, 4}, randoms(32, 51)), constant(g, "b", {4, 1}, randoms(4, 52))}, {4, 4});
  const int y = add_node(g, "Add", {a, constant(g, "t", {4}, randoms(4, 53))}, {4, 4});
  const int z = add_node(g, "Mul", {y, constant(g, "k", {4}, randoms(4, 54))}, {4, 4});
  g.outputs = {{"z", z}};
  const Graph opt = optimized(g);
  EXPECT_LT(run_and_compare_all(g, opt), 1e-5);
}

// Graph outputs the passes rewire keep their names and values: two equal nodes that are both
// outputs (CSE), and a no-op Reshape from the input to an output (simplify-shapes).
TEST(PassesTest, MergedAndBypassedGraphOutputsKeepNamesAndValues) {
  Graph g;
  const int x = g.add_tensor("x", DType::kFloat32, {2, 6});
  g.inputs = {{"x", x}};
  const int a = add_node(g, "Sigmoid", {x}, {2, 6});
  const int b = add_node(g, "Sigmoid", {x}, {2, 6});
  Attributes same;
  same.set("shape", std::vector<int64_t>{2, 6});
  const int r = add_node(g, "Reshape", {x}, {2, 6}, same);
  const int c = add_node(g, "Add", {a, b}, {2, 6});
  g.outputs = {{"a", a}, {"b", b}, {"r", r}, {"c", c}};
  const Graph opt = optimized(g);
  EXPECT_EQ(ops_of(opt), (std::vector<std::string>{"Sigmoid", "Add"}));
  ASSERT_EQ(opt.outputs.size(), 4u);
  EXPECT_EQ(opt.outputs[1].name, "b");
  EXPECT_EQ(opt.outputs[2].tensor, opt.inputs[0].tensor);
  EXPECT_LT(run_and_compare_all(g, opt), 1e-7);
}

TEST(PassesTest, UnknownPassNameIsAnError) {
  Graph g;
  auto r = run_passes(g, "cse,teleport", PassContext{});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("unknown pass 'teleport'"), std::string::npos);
}

// fuse-epilogues turns Clip, Relu, LeakyRelu and HardSwish nodes into activations: the fused
// activation (apply_activation, and the CPU backend's activate_row) must give what the op's
// kernel gives on every value, NaN and infinities included (Clip keeps a NaN).
TEST(PassesTest, FusedActivationsMatchTheirOps) {
  const std::vector<float> values = {NAN, -INFINITY, -7.f, -1.f, -0.f, 0.f, 0.5f, 3.f, 6.f, 7.f, INFINITY};
  struct Case {
    const char* op;
    EpilogueParams params;
    Attributes attrs;
  };
  Attributes clip;
  clip.set("min", 0.f);
  clip.set("max", 6.f);
  Attributes leaky;
  leaky.set("alpha", 0.1f);
  const Case cases[] = {{"Clip", {Activation::kClip, 0.01f, 0.f, 6.f}, clip},
                        {"Relu", {Activation::kRelu}, {}},
                        {"LeakyRelu", {Activation::kLeakyRelu, 0.1f}, leaky},
                        {"HardSwish", {Activation::kHardSwish}, {}}};
  for (const Case& c : cases) {
    Node node{c.op, "n", {0}, {1}, c.attrs};
    std::vector<float> want(values.size());
    const Shape shape{static_cast<int64_t>(values.size())};
    const ConstTensorView in{values.data(), DType::kFloat32, shape};
    const TensorView out{want.data(), DType::kFloat32, shape};
    ASSERT_TRUE(cpu::run_cpu_node(node, {&in, 1}, {&out, 1}).is_ok()) << c.op;
    std::vector<float> row = values;
    cpu::activate_row(c.params, row.data(), static_cast<int64_t>(row.size()));
    for (size_t i = 0; i < values.size(); ++i) {
      const float fused = apply_activation(c.params, values[i]);
      if (std::isnan(want[i])) {
        EXPECT_TRUE(std::isnan(fused)) << c.op << "(" << values[i] << ")";
        EXPECT_TRUE(std::isnan(row[i])) << c.op << "(" << values[i] << ")";
      } else {
        EXPECT_EQ(fused, want[i]) << c.op << "(" << values[i] << ")";
        EXPECT_EQ(row[i], want[i]) << c.op << "(" << values[i] << ")";
      }
    }
  }
}

}  // namespace
}  // namespace fusedinf
