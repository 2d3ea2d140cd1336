// Session::run allocates nothing per node (issue 3): kernels read attributes without copying
// and take index scratch from their planned workspace. Its own executable (tests/CMakeLists.txt)
// because it replaces the global operator new and delete with counting versions, which must
// not touch the other unit tests or the sanitizer builds.
//
// What is counted: every operator new (any form) called during one Session::run, the third
// run of a session (the first two warm up what is made once: the kernel table, a recording).
// What is expected: exactly as many as the same run of a graph with the same inputs and
// outputs but trivial nodes makes (same_io_trivial_nodes: Session::run's bookkeeping per input
// and output, and its returned outputs), so the graph's own nodes add none.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <new>
#include <string>
#include <vector>

#include "engine/op_def.h"
#include "runtime/session.h"
#include "test_util.h"

namespace {

std::atomic<bool> g_counting{false};
std::atomic<int64_t> g_allocations{0};

void* counted_alloc(std::size_t size, std::size_t alignment) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;
  if (alignment <= alignof(std::max_align_t)) return std::malloc(size);
  return std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
}

void* checked(void* p) {
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

void* operator new(std::size_t size) { return checked(counted_alloc(size, 0)); }
void* operator new[](std::size_t size) { return checked(counted_alloc(size, 0)); }
void* operator new(std::size_t size, std::align_val_t al) {
  return checked(counted_alloc(size, static_cast<size_t>(al)));
}
void* operator new[](std::size_t size, std::align_val_t al) {
  return checked(counted_alloc(size, static_cast<size_t>(al)));
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted_alloc(size, 0); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted_alloc(size, 0); }
void* operator new(std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
  return counted_alloc(size, static_cast<size_t>(al));
}
void* operator new[](std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
  return counted_alloc(size, static_cast<size_t>(al));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

namespace fusedinf {
namespace {

using I = std::vector<int64_t>;
using F = std::vector<float>;

Attributes attrs(std::initializer_list<std::pair<const char*, AttrValue>> list) {
  Attributes a;
  for (const auto& [k, v] : list) a.set(k, v);
  return a;
}

Attributes pool_attrs(I kernel, I strides, I pads, I dilations = {1, 1}) {
  return attrs({{"kernel_shape", kernel}, {"strides", strides}, {"pads", pads}, {"dilations", dilations}});
}

Attributes conv_attrs(I kernel, I strides, I pads, I dilations, int64_t group = 1) {
  Attributes a = pool_attrs(std::move(kernel), std::move(strides), std::move(pads), std::move(dilations));
  a.set("group", group);
  return a;
}

// Builds an IR graph node by node, each node's output shapes from its shape inference.
class Builder {
 public:
  Graph g;
  Status status;  // the first error

  int input(const std::string& name, Shape shape) {
    const int t = g.add_tensor(name, DType::kFloat32, std::move(shape));
    g.inputs.push_back({name, t});
    return t;
  }
  int weight(Shape shape, float stddev = 0.3f) {
    const std::vector<float> v = testing::seeded_normal(static_cast<size_t>(num_elements(shape)), seed_++, stddev);
    return g.add_constant("w" + std::to_string(seed_), DType::kFloat32, std::move(shape),
                          Buffer::copy_of(v.data(), v.size() * sizeof(float)));
  }
  int positive(Shape shape) {  // 0.5 .. 1.5, for variances and scales
    std::vector<float> v(static_cast<size_t>(num_elements(shape)));
    for (size_t i = 0; i < v.size(); ++i) v[i] = 0.5f + static_cast<float>(i % 11) / 10.f;
    return g.add_constant("p" + std::to_string(seed_++), DType::kFloat32, std::move(shape),
                          Buffer::copy_of(v.data(), v.size() * sizeof(float)));
  }
  int indices(I values) {
    return g.add_constant("i" + std::to_string(seed_++), DType::kInt64, {static_cast<int64_t>(values.size())},
                          Buffer::copy_of(values.data(), values.size() * sizeof(int64_t)));
  }
  std::vector<int> node(const std::string& op, std::vector<int> inputs, Attributes a = {}, int num_outputs = 1) {
    Node n{op, op + "_" + std::to_string(g.nodes.size()), std::move(inputs), {}, std::move(a)};
    for (int i = 0; i < num_outputs; ++i)
      n.outputs.push_back(g.add_tensor(n.name + "_out" + std::to_string(i), DType::kFloat32, {}));
    Result<std::vector<ValueInfo>> infos = infer_node(g, n);
    if (!infos.is_ok()) {
      if (status.is_ok()) status = infos.status();
      return std::vector<int>(num_outputs, n.inputs.empty() ? -1 : n.inputs[0]);
    }
    for (int i = 0; i < num_outputs; ++i) {
      g.tensors[n.outputs[i]].dtype = (*infos)[i].dtype;
      g.tensors[n.outputs[i]].shape = (*infos)[i].shape;
    }
    g.nodes.push_back(n);
    return n.outputs;
  }
  int op(const std::string& op, std::vector<int> inputs, Attributes a = {}) {
    return node(op, std::move(inputs), std::move(a))[0];
  }
  void output(int t) { g.outputs.push_back({g.tensors[t].name, t}); }

 private:
  uint32_t seed_ = 1;
};

std::map<std::string, HostTensor> random_inputs(const Graph& g) {
  std::map<std::string, HostTensor> feeds;
  uint32_t seed = 100;
  for (const GraphIo& io : g.inputs) {
    HostTensor t = HostTensor::zeros(g.tensors[io.tensor].dtype, g.tensors[io.tensor].shape);
    if (t.dtype == DType::kFloat32) {
      const std::vector<float> v = testing::seeded_normal(static_cast<size_t>(t.numel()), seed++, 1.f);
      std::copy(v.begin(), v.end(), t.as<float>());
    }
    feeds[io.name] = std::move(t);
  }
  return feeds;
}

// A graph with the inputs and outputs of `g` (names, dtypes, shapes) but trivial nodes: a
// Relu reads each input, a ConstantOfShape makes each output. Running it costs Session::run's
// own bookkeeping (per input and output) and its returned outputs; its two kernels are single
// loops that allocate nothing, before and after issue 3.
Graph same_io_trivial_nodes(const Graph& g) {
  Graph base;
  base.name = g.name + "_baseline";
  for (const GraphIo& io : g.inputs) {
    const Tensor& t = g.tensors[io.tensor];
    const int in = base.add_tensor(t.name, t.dtype, t.shape);
    base.inputs.push_back({io.name, in});
    const int dead = base.add_tensor(t.name + "_relu", t.dtype, t.shape);
    base.nodes.push_back(Node{"Relu", t.name + "_relu", {in}, {dead}, {}});
  }
  for (const GraphIo& io : g.outputs) {
    const Tensor& t = g.tensors[io.tensor];
    const int out = base.add_tensor(t.name, t.dtype, t.shape);
    base.nodes.push_back(Node{"ConstantOfShape",
                              t.name,
                              {},
                              {out},
                              attrs({{"shape", t.shape}, {"dtype", int64_t{static_cast<uint8_t>(t.dtype)}}})});
    base.outputs.push_back({io.name, out});
  }
  return base;
}

struct Counts {
  int64_t run = -1;       // allocations in the measured run of the graph
  int64_t baseline = -1;  // the same for same_io_trivial_nodes(graph)
};

// Allocations in the third Session::run of `g` on `feeds`.
int64_t allocations_of_third_run(const Graph& g, const std::map<std::string, HostTensor>& feeds) {
  Result<Session> s = Session::create(g);
  EXPECT_TRUE(s.is_ok()) << s.status().message();
  if (!s.is_ok()) return -1;
  for (int i = 0; i < 2; ++i) {
    Result<std::vector<HostTensor>> warm = s->run(feeds);
    EXPECT_TRUE(warm.is_ok()) << warm.status().message();
  }
  g_allocations = 0;
  g_counting = true;
  Result<std::vector<HostTensor>> out = s->run(feeds);
  g_counting = false;
  EXPECT_TRUE(out.is_ok()) << out.status().message();
  return g_allocations.load();
}

Counts count(const Builder& b) {
  EXPECT_TRUE(b.status.is_ok()) << b.status.message();
  if (!b.status.is_ok()) return {};
  std::map<std::string, HostTensor> feeds = random_inputs(b.g);
  Counts c;
  c.run = allocations_of_third_run(b.g, feeds);
  const Graph base = same_io_trivial_nodes(b.g);
  const std::map<std::string, HostTensor> base_feeds = random_inputs(base);
  c.baseline = allocations_of_third_run(base, base_feeds);
  std::printf("%s: %zu nodes, %lld allocations per run, %lld with trivial nodes\n", b.g.name.c_str(), b.g.nodes.size(),
              static_cast<long long>(c.run), static_cast<long long>(c.baseline));
  return c;
}

// Convolutions (padding, stride, dilation, groups, transposed), pooling, normalisations,
// DepthToSpace/SpaceToDepth, Resize, Gemm and the fused ops.
Builder conv_net() {
  Builder b;
  b.g.name = "conv_net";
  const int x = b.input("x", {1, 4, 10, 10});
  const int c1 =
      b.op("Conv", {x, b.weight({8, 4, 3, 3}), b.weight({8})}, conv_attrs({3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}));
  const int dw = b.op("Conv", {c1, b.weight({8, 1, 3, 3})}, conv_attrs({3, 3}, {1, 1}, {2, 2, 2, 2}, {2, 2}, 8));
  Attributes fused = conv_attrs({1, 1}, {1, 1}, {0, 0, 0, 0}, {1, 1});
  fused.set("activation", std::string("relu"));
  const int f1 = b.op("FusedConv", {dw, b.weight({8, 8, 1, 1}), b.weight({8}), c1}, fused);
  Attributes clip = conv_attrs({3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 2);
  clip.set("activation", std::string("clip"));
  clip.set("activation_min", 0.f);
  clip.set("activation_max", 6.f);
  const int f2 = b.op("FusedConv", {f1, b.weight({8, 4, 3, 3}), -1, -1}, clip);
  const int mp = b.op("MaxPool", {f2}, pool_attrs({3, 3}, {2, 2}, {1, 1, 1, 1}));
  Attributes avg = pool_attrs({3, 3}, {1, 1}, {1, 1, 1, 1});
  avg.set("count_include_pad", int64_t{1});
  const int ap = b.op("AveragePool", {f2}, avg);
  Attributes up = conv_attrs({2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1});
  up.set("output_padding", I{0, 0});
  const int ct = b.op("ConvTranspose", {mp, b.weight({8, 4, 2, 2}), b.weight({4})}, up);
  const int bn = b.op("BatchNormalization", {ap, b.positive({8}), b.weight({8}), b.weight({8}), b.positive({8})},
                      attrs({{"epsilon", 1e-5f}}));
  const int in = b.op("InstanceNormalization", {bn, b.positive({8}), b.weight({8})}, attrs({{"epsilon", 1e-5f}}));
  const int lrn = b.op("LRN", {in}, attrs({{"size", int64_t{3}}, {"alpha", 1e-3f}, {"beta", 0.75f}, {"bias", 1.f}}));
  const int d2s = b.op("DepthToSpace", {lrn}, attrs({{"blocksize", int64_t{2}}, {"mode", std::string("CRD")}}));
  const int s2d = b.op("SpaceToDepth", {d2s}, attrs({{"blocksize", int64_t{2}}}));
  const int lin = b.op("Resize", {ct},
                       attrs({{"sizes", I{1, 4, 9, 9}},
                              {"scales", F{1, 1, 1.5f, 1.5f}},
                              {"mode", std::string("linear")},
                              {"coordinate_transformation_mode", std::string("pytorch_half_pixel")}}));
  const int near = b.op("Resize", {lin},
                        attrs({{"sizes", I{1, 4, 18, 18}},
                               {"scales", F{1, 1, 2, 2}},
                               {"mode", std::string("nearest")},
                               {"coordinate_transformation_mode", std::string("asymmetric")},
                               {"nearest_mode", std::string("round_prefer_floor")}}));
  const int gap = b.op("GlobalAveragePool", {s2d});
  const int gmp = b.op("GlobalMaxPool", {near});
  const int flat = b.op("Flatten", {gap}, attrs({{"axis", int64_t{1}}}));
  const int gemm = b.op("Gemm", {flat, b.weight({6, 8}), b.weight({6})},
                        attrs({{"transB", int64_t{1}}, {"alpha", 0.5f}, {"beta", 2.f}}));
  Attributes leaky = attrs({{"activation", std::string("leaky_relu")}, {"activation_alpha", 0.1f}});
  const int fg = b.op("FusedGemm", {flat, b.weight({8, 6}), -1, gemm}, leaky);
  b.output(b.op("Softmax", {fg}, attrs({{"axis", int64_t{1}}})));
  b.output(gmp);
  return b;
}

// MatMul/FusedMatMul, LayerNormalization, Softmax, reductions, Transpose, Concat, Slice,
// Gather, Pad, Split, Tile, Expand, Where, Cast and broadcasting elementwise ops.
Builder sequence_net() {
  Builder b;
  b.g.name = "sequence_net";
  const int x = b.input("x", {2, 4, 8});
  const int ln = b.op("LayerNormalization", {x, b.positive({8}), b.weight({8})},
                      attrs({{"axis", int64_t{2}}, {"epsilon", 1e-5f}}));
  const int mm = b.op("MatMul", {ln, b.weight({8, 8})});
  const int add = b.op("Add", {mm, b.weight({8})});
  const int fmm =
      b.op("FusedMatMul", {add, b.weight({8, 8}), b.weight({8})}, attrs({{"activation", std::string("gelu_erf")}}));
  const int tr = b.op("Transpose", {fmm}, attrs({{"perm", I{0, 2, 1}}}));
  const int scores = b.op("MatMul", {fmm, tr});
  const int sm = b.op("Softmax", {scores}, attrs({{"axis", int64_t{2}}}));
  const int lsm = b.op("LogSoftmax", {scores}, attrs({{"axis", int64_t{2}}}));
  const int mean = b.op("ReduceMean", {sm}, attrs({{"axes", I{2}}, {"keepdims", int64_t{1}}}));
  const int div = b.op("Div", {sm, mean});
  const int cat = b.op("Concat", {div, lsm}, attrs({{"axis", int64_t{1}}}));
  const int sl = b.op("Slice", {cat}, attrs({{"starts", I{0, 1, 0}}, {"ends", I{2, 8, 4}}, {"steps", I{1, 2, 1}}}));
  const int ga = b.op("Gather", {cat, b.indices({0, -1, 2})}, attrs({{"axis", int64_t{1}}}));
  const int pr = b.op("Pad", {ga}, attrs({{"pads", I{0, 1, 1, 0, 1, 1}}, {"mode", std::string("reflect")}}));
  const int pe = b.op("Pad", {sl}, attrs({{"pads", I{0, 1, 1, 0, 0, 1}}, {"mode", std::string("edge")}}));
  const int pc =
      b.op("Pad", {pe}, attrs({{"pads", I{0, 0, 1, 0, 0, 1}}, {"mode", std::string("constant")}, {"value", 0.5f}}));
  const std::vector<int> parts = b.node("Split", {pc}, attrs({{"axis", int64_t{2}}, {"split", I{3, 5}}}), 2);
  const int tile = b.op("Tile", {parts[0]}, attrs({{"repeats", I{1, 1, 2}}}));
  const int ex = b.op("Expand", {b.weight({1, 8})}, attrs({{"shape", I{2, 4, 8}}}));
  const int gt = b.op("Greater", {mm, add});
  const int wh = b.op("Where", {gt, mm, ex});
  const int pw = b.op("Pow", {b.op("Abs", {wh}), b.positive({1})});
  const int mx = b.op("Max", {pw, add, fmm});
  const int mn = b.op("Min", {mx, b.weight({4, 1})});
  const int su = b.op("Sum", {mn, mx, b.weight({8})});
  const int me = b.op("Mean", {su, b.weight({2, 1, 8})});
  const int sub = b.op("Sub", {me, b.op("Sigmoid", {me})});
  const int mul = b.op("Mul", {b.op("Tanh", {sub}), b.op("HardSwish", {sub})});
  const int clip = b.op("Clip", {mul}, attrs({{"min", -1.f}, {"max", 1.f}}));
  const int leaky = b.op("LeakyRelu", {clip}, attrs({{"alpha", 0.2f}}));
  const int erf = b.op("Erf", {b.op("Sqrt", {b.op("Exp", {leaky})})});
  const int as_int = b.op("Cast", {b.op("Mul", {erf, b.positive({1})})}, attrs({{"to", int64_t{2}}}));
  const int back = b.op("Cast", {as_int}, attrs({{"to", int64_t{1}}}));
  b.output(b.op("ReduceSum", {back}, attrs({{"axes", I{}}, {"keepdims", int64_t{0}}})));
  b.output(b.op("ReduceMax", {fmm}, attrs({{"axes", I{1}}, {"keepdims", int64_t{0}}})));
  b.output(b.op("ReduceL2", {tile}, attrs({{"axes", I{0, 2}}, {"keepdims", int64_t{1}}})));
  b.output(b.op("ArgMax", {pr}, attrs({{"axis", int64_t{2}}, {"keepdims", int64_t{0}}})));
  b.output(parts[1]);
  return b;
}

// ResNet-18's shape after import with the default passes (BatchNormalization folded, Relu
// and residual Add fused): FusedConv stem, MaxPool, 8 basic blocks, GlobalAveragePool,
// Flatten, Gemm; on a 32x32 image to keep the naive kernels quick.
Builder resnet18_like() {
  Builder b;
  b.g.name = "resnet18_like";
  auto conv = [&](int in, int64_t cin, int64_t cout, int64_t k, int64_t stride, int addend, bool relu) {
    Attributes a = conv_attrs({k, k}, {stride, stride}, {k / 2, k / 2, k / 2, k / 2}, {1, 1});
    if (!relu && addend < 0) return b.op("Conv", {in, b.weight({cout, cin, k, k}, 0.05f), b.weight({cout})}, a);
    a.set("activation", std::string(relu ? "relu" : "none"));
    return b.op("FusedConv", {in, b.weight({cout, cin, k, k}, 0.05f), b.weight({cout}), addend}, a);
  };
  int t = conv(b.input("input", {1, 3, 32, 32}), 3, 64, 7, 2, -1, true);
  t = b.op("MaxPool", {t}, pool_attrs({3, 3}, {2, 2}, {1, 1, 1, 1}));
  int64_t channels = 64;
  for (int64_t width : {64, 128, 256, 512})
    for (int block = 0; block < 2; ++block) {
      const int64_t stride = block == 0 && width != 64 ? 2 : 1;
      const int shortcut = stride == 1 ? t : conv(t, channels, width, 1, stride, -1, false);
      const int h = conv(t, channels, width, 3, stride, -1, true);
      t = conv(h, width, width, 3, 1, shortcut, true);
      channels = width;
    }
  t = b.op("Flatten", {b.op("GlobalAveragePool", {t})}, attrs({{"axis", int64_t{1}}}));
  b.output(b.op("Gemm", {t, b.weight({10, 512}, 0.05f), b.weight({10})}, attrs({{"transB", int64_t{1}}})));
  return b;
}

// LSTM, GRU and RNN (CPU: OpenBLAS products and gate loops in the planned workspace): every
// direction, sequence_lens, batch 1 (matrix-vector path) and 3.
Builder recurrent_net() {
  Builder b;
  b.g.name = "recurrent_net";
  auto rnn_attrs = [](const char* direction, int64_t hidden, const char* acts, size_t count) {
    return attrs({{"direction", std::string(direction)},
                  {"hidden_size", hidden},
                  {"layout", int64_t{0}},
                  {"activations", std::string(acts)},
                  {"activation_alpha", std::vector<float>(count, 0.f)},
                  {"activation_beta", std::vector<float>(count, 0.f)}});
  };
  const std::vector<int32_t> lens_values = {5, 2, 4};
  const int lens = b.g.add_constant("lens", DType::kInt32, {3},
                                    Buffer::copy_of(lens_values.data(), lens_values.size() * sizeof(int32_t)));
  const int x = b.input("x", {5, 3, 4});
  Attributes lstm = rnn_attrs("bidirectional", 6, "Sigmoid,Tanh,Tanh,Sigmoid,Tanh,Tanh", 6);
  lstm.set("input_forget", int64_t{0});
  const std::vector<int> l = b.node(
      "LSTM", {x, b.weight({2, 24, 4}), b.weight({2, 24, 6}), b.weight({2, 48}), lens, -1, -1, b.weight({2, 18})}, lstm,
      3);
  Attributes gru = rnn_attrs("reverse", 5, "Sigmoid,Tanh", 2);
  gru.set("linear_before_reset", int64_t{0});
  const std::vector<int> g =
      b.node("GRU", {b.input("x1", {6, 1, 4}), b.weight({1, 15, 4}), b.weight({1, 15, 5}), b.weight({1, 30})}, gru, 2);
  b.output(l[0]);
  b.output(l[2]);
  b.output(g[1]);
  b.output(b.op("RNN", {x, b.weight({1, 3, 4}), b.weight({1, 3, 3})}, rnn_attrs("forward", 3, "Tanh", 1)));
  return b;
}

TEST(RunAllocationsTest, RecurrentNetNodesAllocateNothing) {
  const Counts c = count(recurrent_net());
  EXPECT_EQ(c.run, c.baseline);
}

TEST(RunAllocationsTest, ConvNetNodesAllocateNothing) {
  const Counts c = count(conv_net());
  EXPECT_EQ(c.run, c.baseline);
}

TEST(RunAllocationsTest, SequenceNetNodesAllocateNothing) {
  const Counts c = count(sequence_net());
  EXPECT_EQ(c.run, c.baseline);
}

TEST(RunAllocationsTest, ResNet18LikeNodesAllocateNothing) {
  const Counts c = count(resnet18_like());
  EXPECT_EQ(c.run, c.baseline);
}

std::vector<int>* volatile g_sink = nullptr;  // keeps the compiler from eliding the allocations

// The counter itself works: it sees a vector's two blocks, and a run's returned outputs.
TEST(RunAllocationsTest, CounterSeesAllocations) {
  g_allocations = 0;
  g_counting = true;
  g_sink = new std::vector<int>(100);
  g_counting = false;
  delete g_sink;
  EXPECT_EQ(g_allocations.load(), 2);
  const Counts c = count(conv_net());
  EXPECT_GT(c.baseline, 0) << "the returned outputs are allocated";
}

}  // namespace
}  // namespace fusedinf
