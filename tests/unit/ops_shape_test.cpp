// Shape and data-movement ops: shape inference and the CPU reference kernels on IR nodes
// (hand-computed expectations), then the ONNX converters on one-node models (opset
// differences, attribute defaults, constant inputs folded into attributes, refusals).
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "engine/op_def.h"
#include "importer/onnx_importer.h"
#include "kernels/cpu/cpu_kernels.h"
#include "runtime/session.h"

namespace fusedinf {
namespace {

template <class T>
HostTensor make(Shape shape, std::vector<T> values) {
  HostTensor t = HostTensor::zeros(dtype_of<T>::value, std::move(shape));
  EXPECT_EQ(static_cast<int64_t>(values.size()), t.numel());
  for (size_t i = 0; i < values.size(); ++i) t.as<T>()[i] = values[i];
  return t;
}
HostTensor f32(Shape s, std::vector<float> v) { return make<float>(std::move(s), std::move(v)); }
HostTensor i64(Shape s, std::vector<int64_t> v) { return make<int64_t>(std::move(s), std::move(v)); }
HostTensor i32(Shape s, std::vector<int32_t> v) { return make<int32_t>(std::move(s), std::move(v)); }

// 0, 1, 2, ... in float32.
HostTensor iota(Shape s) {
  HostTensor t = HostTensor::zeros(DType::kFloat32, std::move(s));
  std::iota(t.as<float>(), t.as<float>() + t.numel(), 0.f);
  return t;
}

template <class T>
std::vector<T> values_of(const HostTensor& t) {
  return std::vector<T>(t.as<T>(), t.as<T>() + t.numel());
}

// Infers one IR node over `inputs` (constants when `constant` is set, so inference sees their
// values) and runs its CPU kernel. Returns the outputs, or the first error.
Result<std::vector<HostTensor>> run_op(const std::string& op, Attributes attrs, const std::vector<HostTensor>& inputs,
                                       int num_outputs = 1, bool constant = false) {
  Graph g;
  Node node;
  node.op = op;
  node.name = "n";
  node.attrs = std::move(attrs);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const HostTensor& t = inputs[i];
    const std::string name = "in" + std::to_string(i);
    node.inputs.push_back(constant
                              ? g.add_constant(name, t.dtype, t.shape, Buffer::copy_of(t.bytes.data(), t.bytes.size()))
                              : g.add_tensor(name, t.dtype, t.shape));
  }
  for (int i = 0; i < num_outputs; ++i)
    node.outputs.push_back(g.add_tensor("out" + std::to_string(i), DType::kFloat32, {}));
  FI_ASSIGN_OR_RETURN(std::vector<ValueInfo> infos, infer_node(g, node));
  std::vector<HostTensor> outs;
  for (const ValueInfo& v : infos) outs.push_back(HostTensor::zeros(v.dtype, v.shape));
  std::vector<ConstTensorView> in_views;
  for (const HostTensor& t : inputs) in_views.push_back(t.view());
  std::vector<TensorView> out_views;
  for (HostTensor& t : outs) out_views.push_back(t.mutable_view());
  FI_RETURN_IF_ERROR(cpu::run_cpu_node(node, in_views, out_views));
  return outs;
}

// One output, asserted to succeed.
HostTensor run1(const std::string& op, Attributes attrs, const std::vector<HostTensor>& inputs, bool constant = false) {
  auto r = run_op(op, std::move(attrs), inputs, 1, constant);
  EXPECT_TRUE(r.is_ok()) << op << ": " << r.status().message();
  return r.is_ok() ? (*r)[0] : HostTensor{};
}

void expect_error(const Status& s, const std::string& needle) {
  ASSERT_FALSE(s.is_ok()) << "expected an error containing '" << needle << "'";
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
}

Attributes attrs_of(std::initializer_list<std::pair<const char*, AttrValue>> list) {
  Attributes a;
  for (const auto& [k, v] : list) a.set(k, v);
  return a;
}

using I = std::vector<int64_t>;
using F = std::vector<float>;

// --- shape family, IR level ---

TEST(ShapeOpsTest, ReshapeCopiesAndChecksCount) {
  HostTensor y = run1("Reshape", attrs_of({{"shape", I{3, 2}}}), {iota({2, 3})});
  EXPECT_EQ(y.shape, (Shape{3, 2}));
  EXPECT_EQ(values_of<float>(y), (F{0, 1, 2, 3, 4, 5}));
  expect_error(run_op("Reshape", attrs_of({{"shape", I{4, 2}}}), {iota({2, 3})}).status(), "cannot reshape");
  expect_error(run_op("Reshape", attrs_of({{"shape", I{-1, -6}}}), {iota({2, 3})}).status(), "negative");
}

TEST(ShapeOpsTest, FlattenSplitsAtAxis) {
  EXPECT_EQ(run1("Flatten", attrs_of({{"axis", int64_t{2}}}), {iota({2, 3, 4})}).shape, (Shape{6, 4}));
  EXPECT_EQ(run1("Flatten", attrs_of({{"axis", int64_t{0}}}), {iota({2, 3, 4})}).shape, (Shape{1, 24}));
  EXPECT_EQ(run1("Flatten", attrs_of({{"axis", int64_t{3}}}), {iota({2, 3, 4})}).shape, (Shape{24, 1}));
  expect_error(run_op("Flatten", attrs_of({{"axis", int64_t{4}}}), {iota({2, 3, 4})}).status(), "axis");
}

TEST(ShapeOpsTest, SqueezeAndUnsqueeze) {
  EXPECT_EQ(run1("Squeeze", attrs_of({{"axes", I{0, 2}}}), {iota({1, 3, 1, 2})}).shape, (Shape{3, 2}));
  EXPECT_EQ(run1("Unsqueeze", attrs_of({{"axes", I{0, 3}}}), {iota({3, 2})}).shape, (Shape{1, 3, 2, 1}));
  expect_error(run_op("Squeeze", attrs_of({{"axes", I{1}}}), {iota({1, 3})}).status(), "cannot squeeze");
  expect_error(run_op("Unsqueeze", attrs_of({{"axes", I{4}}}), {iota({3, 2})}).status(), "out of range");
  expect_error(run_op("Unsqueeze", attrs_of({{"axes", I{0, 0}}}), {iota({3})}).status(), "repeated");
}

TEST(ShapeOpsTest, TransposeGathersByPerm) {
  // y[k, i, j] = x[i, j, k], x = iota({2, 2, 3}): x[i, j, k] = 6i + 3j + k.
  HostTensor y = run1("Transpose", attrs_of({{"perm", I{2, 0, 1}}}), {iota({2, 2, 3})});
  EXPECT_EQ(y.shape, (Shape{3, 2, 2}));
  EXPECT_EQ(values_of<float>(y), (F{0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11}));
  expect_error(run_op("Transpose", attrs_of({{"perm", I{0, 0, 1}}}), {iota({2, 2, 3})}).status(), "permutation");
}

TEST(ShapeOpsTest, ExpandBroadcastsBothWays) {
  // {3, 1} expanded by {2, 1, 4}: y[b, i, j] = x[i].
  HostTensor y = run1("Expand", attrs_of({{"shape", I{2, 1, 4}}}), {f32({3, 1}, {1, 2, 3})});
  EXPECT_EQ(y.shape, (Shape{2, 3, 4}));
  for (int64_t i = 0; i < y.numel(); ++i) EXPECT_EQ(y.as<float>()[i], float((i / 4) % 3 + 1)) << i;
  expect_error(run_op("Expand", attrs_of({{"shape", I{2}}}), {iota({3})}).status(), "broadcast");
}

TEST(ShapeOpsTest, TileRepeats) {
  HostTensor y = run1("Tile", attrs_of({{"repeats", I{2, 2}}}), {i64({1, 2}, {5, 6})});
  EXPECT_EQ(y.shape, (Shape{2, 4}));
  EXPECT_EQ(values_of<int64_t>(y), (I{5, 6, 5, 6, 5, 6, 5, 6}));
  EXPECT_EQ(run1("Tile", attrs_of({{"repeats", I{0, 1}}}), {iota({2, 2})}).shape, (Shape{0, 2}));
  expect_error(run_op("Tile", attrs_of({{"repeats", I{2}}}), {iota({2, 2})}).status(), "one entry per dimension");
}

TEST(ShapeOpsTest, ConstantOfShapeFills) {
  HostTensor y = run1("ConstantOfShape",
                      attrs_of({{"shape", I{2, 2}}, {"dtype", int64_t(DType::kInt32)}, {"value", int64_t{7}}}), {});
  EXPECT_EQ(y.dtype, DType::kInt32);
  EXPECT_EQ(values_of<int32_t>(y), (std::vector<int32_t>{7, 7, 7, 7}));
  HostTensor z = run1("ConstantOfShape", attrs_of({{"shape", I{3}}, {"dtype", int64_t{1}}, {"value", 0.5f}}), {});
  EXPECT_EQ(values_of<float>(z), (F{0.5f, 0.5f, 0.5f}));
  expect_error(run_op("ConstantOfShape", attrs_of({{"shape", I{2}}, {"dtype", int64_t{11}}}), {}).status(), "dtype");
}

TEST(ShapeOpsTest, RangeNeedsConstantsAndCountsByCeil) {
  HostTensor y = run1("Range", {}, {f32({}, {1}), f32({}, {2.5f}), f32({}, {0.5f})}, true);
  EXPECT_EQ(values_of<float>(y), (F{1, 1.5f, 2}));
  HostTensor z = run1("Range", {}, {i32({}, {10}), i32({}, {4}), i32({}, {-3})}, true);
  EXPECT_EQ(values_of<int32_t>(z), (std::vector<int32_t>{10, 7}));
  EXPECT_EQ(run1("Range", {}, {i64({}, {5}), i64({}, {1}), i64({}, {1})}, true).shape, (Shape{0}));
  // Integer lengths are exact even where doubles are not: 2^60 .. 2^60 + 10 by 3.
  const int64_t big = int64_t{1} << 60;
  EXPECT_EQ(values_of<int64_t>(run1("Range", {}, {i64({}, {big}), i64({}, {big + 10}), i64({}, {3})}, true)),
            (I{big, big + 3, big + 6, big + 9}));
  expect_error(run_op("Range", {}, {f32({}, {1}), f32({}, {2}), f32({}, {1})}).status(), "constants");
  expect_error(run_op("Range", {}, {f32({}, {1}), f32({}, {2}), f32({}, {0})}, 1, true).status(), "delta is zero");
}

// --- data movement, IR level ---

TEST(DataMovementOpsTest, ConcatAlongAxis) {
  HostTensor y = run1("Concat", attrs_of({{"axis", int64_t{1}}}), {f32({2, 1}, {1, 2}), f32({2, 2}, {3, 4, 5, 6})});
  EXPECT_EQ(y.shape, (Shape{2, 3}));
  EXPECT_EQ(values_of<float>(y), (F{1, 3, 4, 2, 5, 6}));
  expect_error(run_op("Concat", attrs_of({{"axis", int64_t{1}}}), {iota({2, 1}), iota({3, 1})}).status(), "differ");
}

TEST(DataMovementOpsTest, SplitBySizes) {
  auto r = run_op("Split", attrs_of({{"axis", int64_t{1}}, {"split", I{2, 3}}}), {iota({2, 5})}, 2);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(values_of<float>((*r)[0]), (F{0, 1, 5, 6}));
  EXPECT_EQ(values_of<float>((*r)[1]), (F{2, 3, 4, 7, 8, 9}));
  expect_error(run_op("Split", attrs_of({{"axis", int64_t{1}}, {"split", I{2, 2}}}), {iota({2, 5})}, 2).status(),
               "sum to 4");
}

TEST(DataMovementOpsTest, SliceWithNegativeSteps) {
  // x = iota({3, 4}); rows 2, 1, 0 and columns 3, 1 (already clamped attributes).
  HostTensor y =
      run1("Slice", attrs_of({{"starts", I{2, 3}}, {"ends", I{-1, 0}}, {"steps", I{-1, -2}}}), {iota({3, 4})});
  EXPECT_EQ(y.shape, (Shape{3, 2}));
  EXPECT_EQ(values_of<float>(y), (F{11, 9, 7, 5, 3, 1}));
  HostTensor z = run1("Slice", attrs_of({{"starts", I{1, 0}}, {"ends", I{3, 4}}, {"steps", I{1, 3}}}), {iota({3, 4})});
  EXPECT_EQ(values_of<float>(z), (F{4, 7, 8, 11}));
  expect_error(
      run_op("Slice", attrs_of({{"starts", I{0, 0}}, {"ends", I{5, 4}}, {"steps", I{1, 1}}}), {iota({3, 4})}).status(),
      "out of bounds");
}

TEST(DataMovementOpsTest, GatherAnyAxisNegativeIndices) {
  // data int64 {2, 3}, axis 1, int32 indices {{2, -3}}: y[i, 0, k] = x[i, idx[k]].
  HostTensor y =
      run1("Gather", attrs_of({{"axis", int64_t{1}}}), {i64({2, 3}, {1, 2, 3, 4, 5, 6}), i32({1, 2}, {2, -3})});
  EXPECT_EQ(y.shape, (Shape{2, 1, 2}));
  EXPECT_EQ(values_of<int64_t>(y), (I{3, 1, 6, 4}));
  HostTensor z = run1("Gather", attrs_of({{"axis", int64_t{0}}}), {iota({3, 2}), i64({}, {-1})});
  EXPECT_EQ(z.shape, (Shape{2}));
  EXPECT_EQ(values_of<float>(z), (F{4, 5}));
  // Out-of-range indices: refused by inference when constant, by the kernel otherwise.
  expect_error(run_op("Gather", attrs_of({{"axis", int64_t{0}}}), {iota({3}), i64({1}, {3})}, 1, true).status(),
               "out of range");
  expect_error(run_op("Gather", attrs_of({{"axis", int64_t{0}}}), {iota({3}), i64({1}, {-4})}).status(),
               "out of range");
  expect_error(run_op("Gather", attrs_of({{"axis", int64_t{0}}}), {iota({3}), f32({1}, {0})}).status(),
               "int64 or int32");
}

TEST(DataMovementOpsTest, GatherElementsPicksAlongTheAxis) {
  // x {{1, 2}, {3, 4}}, axis 1, idx {{0, 0}, {1, -2}} -> {{1, 1}, {4, 3}} (the ONNX example).
  HostTensor y =
      run1("GatherElements", attrs_of({{"axis", int64_t{1}}}), {f32({2, 2}, {1, 2, 3, 4}), i64({2, 2}, {0, 0, 1, -2})});
  EXPECT_EQ(y.shape, (Shape{2, 2}));
  EXPECT_EQ(values_of<float>(y), (F{1, 1, 4, 3}));
  // Indices smaller than data outside the axis: x {3, 3} rows 0..1, axis 0.
  HostTensor z = run1("GatherElements", attrs_of({{"axis", int64_t{0}}}), {iota({3, 3}), i32({2, 2}, {2, 0, 1, 2})});
  EXPECT_EQ(values_of<float>(z), (F{6, 1, 3, 7}));
  expect_error(run_op("GatherElements", attrs_of({{"axis", int64_t{0}}}), {iota({3, 3}), i64({3}, {0, 1, 2})}).status(),
               "must have the rank of data");
  expect_error(
      run_op("GatherElements", attrs_of({{"axis", int64_t{0}}}), {iota({3, 2}), i64({1, 3}, {0, 1, 2})}).status(),
      "outside the axis");
  expect_error(
      run_op("GatherElements", attrs_of({{"axis", int64_t{1}}}), {iota({2, 2}), i64({1, 1}, {2})}, 1, true).status(),
      "out of range");
  expect_error(run_op("GatherElements", attrs_of({{"axis", int64_t{1}}}), {iota({2, 2}), i64({1, 1}, {-3})}).status(),
               "out of range");
}

TEST(DataMovementOpsTest, TriluKeepsOneTriangleOfTheLastTwoDims) {
  // iota {2, 3, 3}: upper with k 1 keeps j - i >= 1 in each matrix.
  HostTensor up = run1("Trilu", attrs_of({{"upper", int64_t{1}}, {"k", int64_t{1}}}), {iota({2, 3, 3})});
  EXPECT_EQ(values_of<float>(up), (F{0, 1, 2, 0, 0, 5, 0, 0, 0, 0, 10, 11, 0, 0, 14, 0, 0, 0}));
  HostTensor low =
      run1("Trilu", attrs_of({{"upper", int64_t{0}}, {"k", int64_t{-1}}}), {i64({3, 2}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(values_of<int64_t>(low), (I{0, 0, 3, 0, 5, 6}));
  expect_error(run_op("Trilu", {}, {iota({4})}).status(), "rank >= 2");
}

TEST(DataMovementOpsTest, PadModes) {
  const HostTensor x = f32({3}, {1, 2, 3});
  auto pad = [&](const char* mode, I pads) {
    return run1("Pad", attrs_of({{"pads", pads}, {"mode", std::string(mode)}, {"value", 9.f}}), {x});
  };
  EXPECT_EQ(values_of<float>(pad("constant", {2, 2})), (F{9, 9, 1, 2, 3, 9, 9}));
  EXPECT_EQ(values_of<float>(pad("edge", {2, 2})), (F{1, 1, 1, 2, 3, 3, 3}));
  EXPECT_EQ(values_of<float>(pad("reflect", {2, 2})), (F{3, 2, 1, 2, 3, 2, 1}));
  EXPECT_EQ(values_of<float>(pad("constant", {-1, 1})), (F{2, 3, 9}));
  // 2-D: one row of zeros above, one column of edge copies to the right.
  HostTensor y = run1("Pad", attrs_of({{"pads", I{0, 0, 0, 1}}, {"mode", std::string("edge")}}), {iota({2, 2})});
  EXPECT_EQ(values_of<float>(y), (F{0, 1, 1, 2, 3, 3}));
  HostTensor z = run1("Pad", attrs_of({{"pads", I{1, 0, 0, 0}}, {"value", int64_t{-1}}}), {i64({1, 2}, {4, 5})});
  EXPECT_EQ(values_of<int64_t>(z), (I{-1, -1, 4, 5}));
  expect_error(run_op("Pad", attrs_of({{"pads", I{3, 0}}, {"mode", std::string("reflect")}}), {x}).status(), "smaller");
  expect_error(run_op("Pad", attrs_of({{"pads", I{1, 0}}, {"mode", std::string("wrap")}}), {x}).status(),
               "not supported");
  expect_error(run_op("Pad", attrs_of({{"pads", I{1}}}), {x}).status(), "two entries");
}

TEST(DataMovementOpsTest, DepthToSpaceModesAndSpaceToDepth) {
  // x {1, 8, 1, 1} = 0..7, blocksize 2, 2 output channels.
  // DCR: y[c, bi, bj] = x[(bi*2 + bj)*2 + c];  CRD: y[c, bi, bj] = x[c*4 + bi*2 + bj].
  HostTensor dcr =
      run1("DepthToSpace", attrs_of({{"blocksize", int64_t{2}}, {"mode", std::string("DCR")}}), {iota({1, 8, 1, 1})});
  EXPECT_EQ(dcr.shape, (Shape{1, 2, 2, 2}));
  EXPECT_EQ(values_of<float>(dcr), (F{0, 2, 4, 6, 1, 3, 5, 7}));
  HostTensor crd =
      run1("DepthToSpace", attrs_of({{"blocksize", int64_t{2}}, {"mode", std::string("CRD")}}), {iota({1, 8, 1, 1})});
  EXPECT_EQ(values_of<float>(crd), (F{0, 1, 2, 3, 4, 5, 6, 7}));
  // SpaceToDepth inverts DCR DepthToSpace.
  HostTensor back = run1("SpaceToDepth", attrs_of({{"blocksize", int64_t{2}}}), {dcr});
  EXPECT_EQ(back.shape, (Shape{1, 8, 1, 1}));
  EXPECT_EQ(values_of<float>(back), (F{0, 1, 2, 3, 4, 5, 6, 7}));
  // x {1, 1, 2, 4}: channel (bi*2 + bj) takes x[2h' + bi, 2w + bj].
  HostTensor s = run1("SpaceToDepth", attrs_of({{"blocksize", int64_t{2}}}), {iota({1, 1, 2, 4})});
  EXPECT_EQ(s.shape, (Shape{1, 4, 1, 2}));
  EXPECT_EQ(values_of<float>(s), (F{0, 2, 1, 3, 4, 6, 5, 7}));
  expect_error(run_op("SpaceToDepth", attrs_of({{"blocksize", int64_t{3}}}), {iota({1, 1, 2, 4})}).status(),
               "divisible");
}

// --- ONNX converters on one-node models ---

struct Input {
  std::string name;
  HostTensor value;
  bool initializer = false;  // else a graph input fed at run time
};

onnx::TensorProto to_proto(const std::string& name, const HostTensor& t) {
  onnx::TensorProto p;
  p.set_name(name);
  p.set_data_type(t.dtype == DType::kFloat32 ? onnx::TensorProto::FLOAT
                  : t.dtype == DType::kInt64 ? onnx::TensorProto::INT64
                  : t.dtype == DType::kInt32 ? onnx::TensorProto::INT32
                                             : onnx::TensorProto::BOOL);
  for (int64_t d : t.shape) p.add_dims(d);
  p.set_raw_data(std::string(t.bytes.begin(), t.bytes.end()));
  return p;
}

// A model of one node `op` at `opset`; `configure` adds attributes. Input names "" are absent.
onnx::ModelProto one_node(const std::string& op, int opset, const std::vector<Input>& inputs, int num_outputs,
                          const std::function<void(onnx::NodeProto&)>& configure = {}) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  auto* os = m.add_opset_import();
  os->set_domain("");
  os->set_version(opset);
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto* node = g->add_node();
  node->set_op_type(op);
  node->set_name("n");
  for (const Input& in : inputs) {
    node->add_input(in.name);
    if (in.name.empty()) continue;
    if (in.initializer) {
      *g->add_initializer() = to_proto(in.name, in.value);
      continue;
    }
    auto* vi = g->add_input();
    vi->set_name(in.name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(to_proto("", in.value).data_type());
    auto* shape = tt->mutable_shape();
    for (int64_t d : in.value.shape) shape->add_dim()->set_dim_value(d);
  }
  for (int i = 0; i < num_outputs; ++i) {
    node->add_output("y" + std::to_string(i));
    g->add_output()->set_name("y" + std::to_string(i));
  }
  if (configure) configure(*node);
  return m;
}

void set_ints(onnx::NodeProto& n, const std::string& name, const I& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
void set_int(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void set_string(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

// Imports (graph inputs in `freeze` given as static values), then runs with the other graph inputs.
Result<std::vector<HostTensor>> import_and_run(const onnx::ModelProto& m, const std::vector<Input>& inputs,
                                               const std::vector<std::string>& freeze = {}) {
  importer::ImportOptions o;
  o.evaluator = cpu::run_cpu_node;
  std::map<std::string, HostTensor> feeds;
  for (const Input& in : inputs) {
    if (in.name.empty() || in.initializer) continue;
    if (std::find(freeze.begin(), freeze.end(), in.name) != freeze.end())
      o.static_inputs[in.name] = in.value;
    else
      feeds[in.name] = in.value;
    o.input_shapes[in.name] = in.value.shape;  // a declared 0 (an empty input) is "unknown" at import
  }
  const std::string bytes = m.SerializeAsString();
  FI_ASSIGN_OR_RETURN(Graph g, importer::import_onnx_bytes(bytes.data(), bytes.size(), "", o));
  FI_ASSIGN_OR_RETURN(Session s, Session::create(std::move(g)));
  return s.run(feeds);
}

// Runs a one-node model whose non-"x" inputs are initializers; asserts success.
std::vector<HostTensor> convert_run(const std::string& op, int opset, std::vector<Input> inputs, int num_outputs = 1,
                                    const std::function<void(onnx::NodeProto&)>& configure = {}) {
  auto r = import_and_run(one_node(op, opset, inputs, num_outputs, configure), inputs);
  EXPECT_TRUE(r.is_ok()) << op << " opset " << opset << ": " << r.status().message();
  return r.is_ok() ? *r : std::vector<HostTensor>(num_outputs);
}

Status convert_status(const std::string& op, int opset, std::vector<Input> inputs, int num_outputs = 1,
                      const std::function<void(onnx::NodeProto&)>& configure = {}) {
  return import_and_run(one_node(op, opset, inputs, num_outputs, configure), inputs).status();
}

Input x_in(HostTensor v) { return {"x", std::move(v), false}; }
Input init(const std::string& name, HostTensor v) { return {name, std::move(v), true}; }

TEST(ShapeConvertersTest, ReshapeResolvesZeroAndMinusOne) {
  auto y = convert_run("Reshape", 13, {x_in(iota({2, 3, 4})), init("s", i64({3}, {0, -1, 2}))});
  EXPECT_EQ(y[0].shape, (Shape{2, 6, 2}));
  // allowzero: 0 is a zero dimension, not a copy.
  auto z = convert_run("Reshape", 14, {x_in(iota({0, 3})), init("s", i64({2}, {3, 0}))}, 1,
                       [](onnx::NodeProto& n) { set_int(n, "allowzero", 1); });
  EXPECT_EQ(z[0].shape, (Shape{3, 0}));
  expect_error(convert_status("Reshape", 13, {x_in(iota({6})), init("s", i64({2}, {-1, -1}))}), "more than one -1");
  // A shape fed as a graph input is frozen from its value.
  std::vector<Input> in = {x_in(iota({6})), {"s", i64({2}, {3, 2}), false}};
  auto r = import_and_run(one_node("Reshape", 13, in, 1), in, {"s"});
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ((*r)[0].shape, (Shape{3, 2}));
}

TEST(ShapeConvertersTest, SqueezeUnsqueezeAxesAttributeThenInput) {
  auto a =
      convert_run("Squeeze", 11, {x_in(iota({1, 3, 1}))}, 1, [](onnx::NodeProto& n) { set_ints(n, "axes", {-1}); });
  EXPECT_EQ(a[0].shape, (Shape{1, 3}));
  auto b = convert_run("Squeeze", 13, {x_in(iota({1, 3, 1})), init("axes", i64({1}, {0}))});
  EXPECT_EQ(b[0].shape, (Shape{3, 1}));
  auto c = convert_run("Squeeze", 13, {x_in(iota({1, 3, 1}))});  // no axes: every 1
  EXPECT_EQ(c[0].shape, (Shape{3}));
  auto d = convert_run("Unsqueeze", 13, {x_in(iota({3})), init("axes", i64({2}, {-1, 0}))});
  EXPECT_EQ(d[0].shape, (Shape{1, 3, 1}));
  auto e = convert_run("Unsqueeze", 9, {x_in(iota({3}))}, 1, [](onnx::NodeProto& n) { set_ints(n, "axes", {1}); });
  EXPECT_EQ(e[0].shape, (Shape{3, 1}));
}

TEST(ShapeConvertersTest, TransposeDefaultsToReversed) {
  auto y = convert_run("Transpose", 13, {x_in(iota({2, 3}))});
  EXPECT_EQ(y[0].shape, (Shape{3, 2}));
  EXPECT_EQ(values_of<float>(y[0]), (F{0, 3, 1, 4, 2, 5}));
}

TEST(ShapeConvertersTest, ShapeFoldsWithStartEnd) {
  auto y = convert_run("Shape", 15, {x_in(iota({2, 3, 4}))}, 1, [](onnx::NodeProto& n) { set_int(n, "start", -2); });
  EXPECT_EQ(values_of<int64_t>(y[0]), (I{3, 4}));
  auto z = convert_run("Shape", 13, {x_in(iota({2, 3, 4}))});
  EXPECT_EQ(values_of<int64_t>(z[0]), (I{2, 3, 4}));
}

TEST(ShapeConvertersTest, ConstantOfShapeDefaultsToFloatZero) {
  auto y = convert_run("ConstantOfShape", 9, {init("s", i64({2}, {2, 1}))});
  EXPECT_EQ(y[0].dtype, DType::kFloat32);
  EXPECT_EQ(values_of<float>(y[0]), (F{0, 0}));
}

TEST(ShapeConvertersTest, RangeRefusesNonConstantInputs) {
  auto y = convert_run("Range", 11, {init("a", f32({}, {0})), init("b", f32({}, {1})), init("c", f32({}, {0.25f}))});
  EXPECT_EQ(values_of<float>(y[0]), (F{0, 0.25f, 0.5f, 0.75f}));
  expect_error(convert_status("Range", 11, {x_in(f32({}, {0})), init("b", f32({}, {1})), init("c", f32({}, {1}))}),
               "constant");
}

TEST(DataMovementConvertersTest, SplitOpsetForms) {
  auto a = convert_run("Split", 11, {x_in(iota({6}))}, 3);  // equal parts
  EXPECT_EQ(values_of<float>(a[2]), (F{4, 5}));
  auto b = convert_run("Split", 11, {x_in(iota({6}))}, 2, [](onnx::NodeProto& n) { set_ints(n, "split", {1, 5}); });
  EXPECT_EQ(b[1].shape, (Shape{5}));
  auto c = convert_run("Split", 13, {x_in(iota({6})), init("s", i64({2}, {4, 2}))}, 2);
  EXPECT_EQ(values_of<float>(c[1]), (F{4, 5}));
  // opset 18: num_outputs with an uneven axis, the last part smaller.
  auto d = convert_run("Split", 18, {x_in(iota({7}))}, 3, [](onnx::NodeProto& n) { set_int(n, "num_outputs", 3); });
  EXPECT_EQ(d[0].shape, (Shape{3}));
  EXPECT_EQ(d[2].shape, (Shape{1}));
  expect_error(convert_status("Split", 13, {x_in(iota({7}))}, 2), "evenly");
}

TEST(DataMovementConvertersTest, SliceClampsPerSpec) {
  const int64_t big = std::numeric_limits<int64_t>::max(), small = std::numeric_limits<int64_t>::min();
  // Reverse everything with extreme bounds: start clamps to dim-1, end to -1.
  auto a = convert_run("Slice", 13,
                       {x_in(iota({4})), init("s", i64({1}, {big})), init("e", i64({1}, {small})),
                        init("ax", i64({1}, {0})), init("st", i64({1}, {-1}))});
  EXPECT_EQ(values_of<float>(a[0]), (F{3, 2, 1, 0}));
  // Negative axis and start from the end; the other axis untouched.
  auto b = convert_run(
      "Slice", 10,
      {x_in(iota({2, 4})), init("s", i64({1}, {-3})), init("e", i64({1}, {100})), init("ax", i64({1}, {-1}))});
  EXPECT_EQ(values_of<float>(b[0]), (F{1, 2, 3, 5, 6, 7}));
  // Opset 9: attributes.
  auto c = convert_run("Slice", 9, {x_in(iota({2, 4}))}, 1, [](onnx::NodeProto& n) {
    set_ints(n, "starts", {1});
    set_ints(n, "ends", {2});
    set_ints(n, "axes", {0});
  });
  EXPECT_EQ(values_of<float>(c[0]), (F{4, 5, 6, 7}));
  // Empty when the range is empty; an empty axis with a negative step.
  auto d = convert_run("Slice", 13,
                       {x_in(iota({0, 2})), init("s", i64({1}, {-1})), init("e", i64({1}, {small})),
                        init("ax", i64({1}, {0})), init("st", i64({1}, {-1}))});
  EXPECT_EQ(d[0].shape, (Shape{0, 2}));
  expect_error(convert_status("Slice", 13,
                              {x_in(iota({4})), init("s", i64({1}, {0})), init("e", i64({1}, {4})),
                               init("ax", i64({1}, {0})), init("st", i64({1}, {0}))}),
               "step 0");
}

TEST(DataMovementConvertersTest, PadOpsetForms) {
  auto a = convert_run("Pad", 7, {x_in(iota({2}))}, 1, [](onnx::NodeProto& n) {
    set_ints(n, "pads", {1, 0});
    auto* v = n.add_attribute();
    v->set_name("value");
    v->set_type(onnx::AttributeProto::FLOAT);
    v->set_f(-1.f);
  });
  EXPECT_EQ(values_of<float>(a[0]), (F{-1, 0, 1}));
  auto b = convert_run("Pad", 11, {x_in(iota({2})), init("p", i64({2}, {0, 2})), init("v", f32({}, {7}))});
  EXPECT_EQ(values_of<float>(b[0]), (F{0, 1, 7, 7}));
  // Opset 18 axes: pads only for axis -1 of a {2, 2} input, edge mode.
  auto c = convert_run("Pad", 18,
                       {x_in(iota({2, 2})), init("p", i64({2}, {1, 0})), {"", {}, false}, init("ax", i64({1}, {-1}))},
                       1, [](onnx::NodeProto& n) { set_string(n, "mode", "edge"); });
  EXPECT_EQ(values_of<float>(c[0]), (F{0, 0, 1, 2, 2, 3}));
  expect_error(convert_status("Pad", 19, {x_in(iota({2})), init("p", i64({2}, {1, 1}))}, 1,
                              [](onnx::NodeProto& n) { set_string(n, "mode", "wrap"); }),
               "wrap");
  expect_error(
      convert_status(
          "Pad", 18,
          {x_in(iota({2, 2})), init("p", i64({4}, {1, 1, 0, 0})), {"", {}, false}, init("ax", i64({2}, {0, -2}))}),
      "repeated");
}

TEST(DataMovementConvertersTest, DepthToSpaceDefaultsToDcr) {
  auto y = convert_run("DepthToSpace", 13, {x_in(iota({1, 8, 1, 1}))}, 1,
                       [](onnx::NodeProto& n) { set_int(n, "blocksize", 2); });
  EXPECT_EQ(values_of<float>(y[0]), (F{0, 2, 4, 6, 1, 3, 5, 7}));
  expect_error(convert_status("DepthToSpace", 13, {x_in(iota({1, 8, 1, 1}))}), "blocksize is required");
}

TEST(DataMovementConvertersTest, ConcatAndGatherNegativeAxis) {
  auto y = convert_run("Concat", 13, {x_in(iota({1, 2})), init("b", f32({1, 1}, {9}))}, 1,
                       [](onnx::NodeProto& n) { set_int(n, "axis", -1); });
  EXPECT_EQ(values_of<float>(y[0]), (F{0, 1, 9}));
  auto g = convert_run("Gather", 13, {x_in(iota({2, 3})), init("i", i64({2}, {-1, 0}))}, 1,
                       [](onnx::NodeProto& n) { set_int(n, "axis", -1); });
  EXPECT_EQ(g[0].shape, (Shape{2, 2}));
  EXPECT_EQ(values_of<float>(g[0]), (F{2, 0, 5, 3}));
}

// Not a shape op, but the same one-node harness: a NaN anywhere in a max-pool window wins,
// first or last (the CUDA kernels are held to the same rule by the backend harness).
TEST(PoolKernelTest, MaxPoolPropagatesNaNWhereverItIsInTheWindow) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Attributes a = attrs_of({{"kernel_shape", I{2}}, {"strides", I{2}}, {"dilations", I{1}}, {"pads", I{0, 0}}});
  HostTensor y = run1("MaxPool", a, {f32({1, 1, 6}, {nan, 1, 2, nan, 3, 4})});
  ASSERT_EQ(y.numel(), 3);
  EXPECT_TRUE(std::isnan(y.as<float>()[0])) << "NaN first in its window";
  EXPECT_TRUE(std::isnan(y.as<float>()[1])) << "NaN last in its window";
  EXPECT_EQ(y.as<float>()[2], 4.f);
  HostTensor g = run1("GlobalMaxPool", {}, {f32({1, 1, 3}, {nan, 5, 1})});
  EXPECT_TRUE(std::isnan(g.as<float>()[0]));
}

// --- ops helper block (issue 11): IR ops with hand-computed values, then their converters ---

void expect_near(const HostTensor& t, const F& want, float tol = 1e-5f) {
  ASSERT_EQ(t.numel(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(t.as<float>()[i], want[i], tol) << "element " << i;
}
std::vector<bool> bools_of(const HostTensor& t) { return std::vector<bool>(t.as<bool>(), t.as<bool>() + t.numel()); }
void set_float(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

TEST(Issue11OpsTest, GeluBothForms) {
  const HostTensor x = f32({4}, {-1, 0, 1, 2});
  expect_near(run1("Gelu", attrs_of({{"approximate", std::string("none")}}), {x}),
              F{-0.15865525f, 0, 0.84134475f, 1.95449974f});
  expect_near(run1("Gelu", attrs_of({{"approximate", std::string("tanh")}}), {x}),
              F{-0.15880801f, 0, 0.84119199f, 1.95459769f});
  expect_error(run_op("Gelu", attrs_of({{"approximate", std::string("fast")}}), {x}).status(), "approximate");
  auto y = convert_run("Gelu", 20, {x_in(x)}, 1, [](onnx::NodeProto& n) { set_string(n, "approximate", "tanh"); });
  expect_near(y[0], F{-0.15880801f, 0, 0.84119199f, 1.95459769f});
  expect_error(convert_status("Gelu", 19, {x_in(x)}), "not 19");
}

TEST(Issue11OpsTest, IsNaNIsInfAndCastLike) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const HostTensor x = f32({4}, {1, nan, inf, -inf});
  EXPECT_EQ(run1("IsNaN", {}, {x}).dtype, DType::kBool);
  EXPECT_EQ(bools_of(run1("IsNaN", {}, {x})), (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(bools_of(run1("IsInf", {}, {x})), (std::vector<bool>{false, false, true, true}));
  auto neg = convert_run("IsInf", 20, {x_in(x)}, 1, [](onnx::NodeProto& n) { set_int(n, "detect_positive", 0); });
  EXPECT_EQ(bools_of(neg[0]), (std::vector<bool>{false, false, false, true}));
  auto c = convert_run("CastLike", 21, {x_in(f32({3}, {1.7f, -2.5f, 3})), init("like", i32({1}, {0}))});
  EXPECT_EQ(c[0].dtype, DType::kInt32);
  EXPECT_EQ(values_of<int32_t>(c[0]), (std::vector<int32_t>{1, -2, 3}));
}

TEST(Issue11OpsTest, CumSumForms) {
  const HostTensor x = f32({4}, {1, 2, 3, 4});
  auto cum = [&](int64_t exclusive, int64_t reverse) {
    return values_of<float>(
        run1("CumSum", attrs_of({{"axis", int64_t{0}}, {"exclusive", exclusive}, {"reverse", reverse}}), {x}));
  };
  EXPECT_EQ(cum(0, 0), (F{1, 3, 6, 10}));
  EXPECT_EQ(cum(1, 0), (F{0, 1, 3, 6}));
  EXPECT_EQ(cum(0, 1), (F{10, 9, 7, 4}));
  EXPECT_EQ(cum(1, 1), (F{9, 7, 4, 0}));
  auto y = convert_run("CumSum", 14, {x_in(i64({2, 3}, {1, 2, 3, 4, 5, 6})), init("axis", i32({}, {-1}))});
  EXPECT_EQ(values_of<int64_t>(y[0]), (I{1, 3, 6, 4, 9, 15}));
  expect_error(convert_status("CumSum", 14, {x_in(x), {"axis", i64({}, {0}), false}}), "must be a constant");
}

TEST(Issue11OpsTest, GroupNormalizationPerChannelAndOpset18PerGroup) {
  // x = 0..7 as [1, 4, 1, 2], 2 groups of 2 channels: each group {a, a+1, a+2, a+3}, var 1.25.
  const F unit = {-1.34164079f, -0.44721360f, 0.44721360f, 1.34164079f};
  const F want = {unit[0],         unit[1],         unit[2],         unit[3],
                  2 * unit[0] + 1, 2 * unit[1] + 1, 2 * unit[2] + 1, 2 * unit[3] + 1};
  expect_near(run1("GroupNormalization", attrs_of({{"num_groups", int64_t{2}}, {"epsilon", 0.f}}),
                   {iota({1, 4, 1, 2}), f32({4}, {1, 1, 2, 2}), f32({4}, {0, 0, 1, 1})}),
              want);
  auto eps0 = [](onnx::NodeProto& n) {
    set_int(n, "num_groups", 2);
    set_float(n, "epsilon", 0.f);
  };
  auto y21 = convert_run(
      "GroupNormalization", 21,
      {x_in(iota({1, 4, 1, 2})), init("s", f32({4}, {1, 1, 2, 2})), init("b", f32({4}, {0, 0, 1, 1}))}, 1, eps0);
  expect_near(y21[0], want);
  auto y18 = convert_run("GroupNormalization", 18,
                         {x_in(iota({1, 4, 1, 2})), init("s", f32({2}, {1, 2})), init("b", f32({2}, {0, 1}))}, 1, eps0);
  expect_near(y18[0], want);
  expect_error(convert_status("GroupNormalization", 18,
                              {
                                  x_in(iota({1, 4, 1, 2})),
                                  init("s", f32({4}, {1, 1, 2, 2})),
                                  init("b", f32({4}, {0, 0, 0, 0})),
                              },
                              1, eps0),
               "[num_groups]");
  expect_error(run_op("GroupNormalization", attrs_of({{"num_groups", int64_t{3}}}),
                      {iota({1, 4, 2}), f32({4}, {1, 1, 1, 1}), f32({4}, {0, 0, 0, 0})})
                   .status(),
               "divide");
}

TEST(Issue11OpsTest, ReduceNoopWithEmptyAxesIsReadWhenAxesAreGiven) {
  auto keep = [](onnx::NodeProto& n) {
    set_int(n, "noop_with_empty_axes", 1);
    set_int(n, "keepdims", 0);
  };
  auto y = convert_run("ReduceSum", 13, {x_in(iota({2, 3})), init("a", i64({1}, {1}))}, 1, keep);
  EXPECT_EQ(values_of<float>(y[0]), (F{3, 12}));
  auto noop = convert_run("ReduceMax", 18, {x_in(iota({2, 3}))}, 1, keep);
  EXPECT_EQ(noop[0].shape, (Shape{2, 3}));
}

TEST(Issue11OpsTest, TopKTiesGoToTheLowerIndex) {
  auto r = run_op("TopK", attrs_of({{"axis", int64_t{0}}, {"k", int64_t{3}}}), {f32({5}, {3, 1, 3, 2, 1})}, 2);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(values_of<float>((*r)[0]), (F{3, 3, 2}));
  EXPECT_EQ(values_of<int64_t>((*r)[1]), (I{0, 2, 3}));
  auto s = convert_run("TopK", 11, {x_in(f32({1, 5}, {3, 1, 3, 2, 1})), init("k", i64({1}, {2}))}, 2,
                       [](onnx::NodeProto& n) { set_int(n, "largest", 0); });
  EXPECT_EQ(values_of<float>(s[0]), (F{1, 1}));
  EXPECT_EQ(values_of<int64_t>(s[1]), (I{1, 4}));
  expect_error(convert_status("TopK", 11, {x_in(iota({5})), init("k", i64({1}, {6}))}, 2), "K 6");
}

TEST(Issue11OpsTest, GatherNDTheSpecExamples) {
  const HostTensor x = iota({2, 2});
  EXPECT_EQ(values_of<float>(run1("GatherND", {}, {x, i64({2, 2}, {0, 0, 1, 1})})), (F{0, 3}));
  HostTensor rows = run1("GatherND", {}, {x, i64({2, 1}, {1, 0})});
  EXPECT_EQ(rows.shape, (Shape{2, 2}));
  EXPECT_EQ(values_of<float>(rows), (F{2, 3, 0, 1}));
  HostTensor batch = run1("GatherND", attrs_of({{"batch_dims", int64_t{1}}}), {iota({2, 2, 2}), i64({2, 1}, {1, 0})});
  EXPECT_EQ(batch.shape, (Shape{2, 2}));
  EXPECT_EQ(values_of<float>(batch), (F{2, 3, 4, 5}));
  expect_error(run_op("GatherND", {}, {x, i64({1, 2}, {2, 0})}, 1, true).status(), "out of range");
  expect_error(run_op("GatherND", {}, {x, i64({1, 3}, {0, 0, 0})}).status(), "exceeds");
}

TEST(Issue11OpsTest, ScatterNDAndScatterElements) {
  HostTensor y = run1("ScatterND", {}, {iota({8}), i64({4, 1}, {4, 3, 1, 7}), f32({4}, {9, 10, 11, 12})});
  EXPECT_EQ(values_of<float>(y), (F{0, 11, 2, 10, 9, 5, 6, 12}));
  HostTensor add = run1("ScatterND", attrs_of({{"reduction", std::string("add")}}),
                        {f32({4}, {1, 2, 3, 4}), i64({2, 1}, {0, -4}), f32({2}, {5, 6})});
  EXPECT_EQ(values_of<float>(add), (F{12, 2, 3, 4}));
  HostTensor e = run1("ScatterElements", attrs_of({{"axis", int64_t{1}}}),
                      {f32({1, 5}, {1, 2, 3, 4, 5}), i64({1, 2}, {1, -2}), f32({1, 2}, {1.1f, 2.1f})});
  EXPECT_EQ(values_of<float>(e), (F{1, 1.1f, 3, 2.1f, 5}));
  HostTensor mx = run1("ScatterElements", attrs_of({{"axis", int64_t{0}}, {"reduction", std::string("max")}}),
                       {f32({2, 1}, {1, 5}), i64({3, 1}, {0, 0, 1}), f32({3, 1}, {4, 2, 3})});
  EXPECT_EQ(values_of<float>(mx), (F{4, 5}));
  expect_error(run_op("ScatterND", {}, {iota({3}), i64({1, 1}, {3}), f32({1}, {0})}).status(), "out of range");
  expect_error(convert_status("ScatterND", 15, {x_in(iota({3})), init("i", i64({1, 1}, {0})), init("u", f32({1}, {1}))},
                              1, [](onnx::NodeProto& n) { set_string(n, "reduction", "add"); }),
               "not defined at this opset");
  auto g = convert_run("ScatterElements", 18,
                       {x_in(f32({3}, {1, 1, 1})), init("i", i64({2}, {2, 2})), init("u", f32({2}, {3, 4}))}, 1,
                       [](onnx::NodeProto& n) { set_string(n, "reduction", "mul"); });
  EXPECT_EQ(values_of<float>(g[0]), (F{1, 1, 12}));
}

TEST(Issue11OpsTest, ResizeAxesPoliciesAndCropAndResize) {
  const HostTensor x = iota({1, 1, 2, 4});
  auto sizes88 = [](const char* policy) {
    return [policy](onnx::NodeProto& n) {
      set_ints(n, "axes", I{2, 3});
      set_string(n, "keep_aspect_ratio_policy", policy);
    };
  };
  const std::vector<Input> in = {x_in(x), {"", {}, false}, {"", {}, false}, init("sizes", i64({2}, {4, 4}))};
  EXPECT_EQ(convert_run("Resize", 18, in, 1, sizes88("not_larger"))[0].shape, (Shape{1, 1, 2, 4}));
  EXPECT_EQ(convert_run("Resize", 18, in, 1, sizes88("not_smaller"))[0].shape, (Shape{1, 1, 4, 8}));
  // roi [0.5, 1.5] on the last axis, 3 outputs, linear: sources 1.5, 3, 4.5 (outside: 9).
  auto crop = convert_run(
      "Resize", 18,
      {x_in(iota({1, 4})), init("roi", f32({2}, {0.5f, 1.5f})), {"", {}, false}, init("sizes", i64({1}, {3}))}, 1,
      [](onnx::NodeProto& n) {
        set_ints(n, "axes", I{1});
        set_string(n, "mode", "linear");
        set_string(n, "coordinate_transformation_mode", "tf_crop_and_resize");
        set_float(n, "extrapolation_value", 9.f);
      });
  expect_near(crop[0], F{1.5f, 3, 9});
  expect_error(
      convert_status("Resize", 18,
                     {x_in(iota({1, 4})), init("roi", f32({2}, {0.f, 1.f})), init("scales", f32({1}, {2.f}))}, 1,
                     [](onnx::NodeProto& n) {
                       set_ints(n, "axes", I{1});
                       set_string(n, "coordinate_transformation_mode", "tf_crop_and_resize");
                     }),
      "give sizes");
}

TEST(Issue11OpsTest, OpsetsUpTo28) {
  auto y = convert_run("Relu", 28, {x_in(f32({2}, {-1, 2}))});
  EXPECT_EQ(values_of<float>(y[0]), (F{0, 2}));
  expect_error(convert_status("Relu", 29, {x_in(f32({2}, {-1, 2}))}), "opset");
  expect_error(convert_status("SpaceToDepth", 28, {x_in(iota({1, 1, 2, 2}))}, 1,
                              [](onnx::NodeProto& n) {
                                set_int(n, "blocksize", 2);
                                set_string(n, "mode", "CRD");
                              }),
               "only DCR");
}

TEST(Issue11OpsTest, ModOnFloatsWithFmod0FromOpset28) {
  const float inf = std::numeric_limits<float>::infinity();
  auto y =
      convert_run("Mod", 28, {x_in(f32({6}, {5, -5, 5, -0.f, 3, -3})), init("b", f32({6}, {3, 3, -3, 2, inf, inf}))});
  EXPECT_EQ(values_of<float>(y[0]), (F{2, 1, -1, 0, 3, inf}));
  EXPECT_FALSE(std::signbit(y[0].as<float>()[3])) << "a zero takes the divisor's sign";
  expect_error(convert_status("Mod", 27, {x_in(f32({1}, {5})), init("b", f32({1}, {3}))}), "from opset 28");
}

TEST(Issue11OpsTest, DataDependentShapesAreRefusedWithTheReason) {
  expect_error(
      convert_status("NonMaxSuppression", 11, {x_in(f32({1, 1, 4}, {0, 0, 1, 1})), init("s", f32({1, 1, 1}, {0.5f}))}),
      "size depends on the input values");
}

}  // namespace
}  // namespace fusedinf
