// Graph inputs at import (importer/graph_inputs.h) and If inlining (importer/if_inline.cpp)
// on small hand-built ONNX models: shapes from --shape / --batch / test data, unknown dims
// refused by name, inputs bound to constants, the taken branch of a constant If.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>

#include "importer/graph_inputs.h"
#include "importer/onnx_importer.h"
#include "kernels/cpu/cpu_kernels.h"
#include "runtime/session.h"

namespace fusedinf::importer {
namespace {

// A dim as written in a ValueInfoProto: a value, a symbol, or absent (std::monostate-like "").
struct Dim {
  Dim(int v)
      : value(v),
        has_value(true) {}  // NOLINT (an int, so that 0 is not a null char*)  // NOLINT: implicit for brace lists
  Dim(const char* s) : param(s) {}  // NOLINT; "" is a dim with neither
  int64_t value = 0;
  bool has_value = false;
  std::string param;
};

void set_type(onnx::ValueInfoProto* info, const std::string& name, int elem_type, const std::vector<Dim>* dims) {
  info->set_name(name);
  auto* t = info->mutable_type()->mutable_tensor_type();
  t->set_elem_type(elem_type);
  if (!dims) return;  // unknown rank
  auto* shape = t->mutable_shape();
  for (const Dim& d : *dims) {
    auto* dim = shape->add_dim();
    if (d.has_value)
      dim->set_dim_value(d.value);
    else if (!d.param.empty())
      dim->set_dim_param(d.param);
  }
}

void add_input(onnx::GraphProto* g, const std::string& name, int elem_type, std::vector<Dim> dims) {
  set_type(g->add_input(), name, elem_type, &dims);
}

onnx::NodeProto* add_node(onnx::GraphProto* g, const std::string& op, std::vector<std::string> in,
                          std::vector<std::string> out, const std::string& name = "") {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : in) n->add_input(i);
  for (const auto& o : out) n->add_output(o);
  return n;
}

void add_float_init(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims, std::vector<float> v) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float x : v) t->add_float_data(x);
}

void add_int64_init(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims, std::vector<int64_t> v) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : dims) t->add_dims(d);
  for (int64_t x : v) t->add_int64_data(x);
}

onnx::ModelProto model_of(onnx::GraphProto g, int opset = 17) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  *m.mutable_graph() = std::move(g);
  return m;
}

// x (dims as given) -> Relu -> y.
onnx::ModelProto relu_of(std::vector<Dim> dims) {
  onnx::GraphProto g;
  g.set_name("g");
  add_input(&g, "x", onnx::TensorProto::FLOAT, std::move(dims));
  add_node(&g, "Relu", {"x"}, {"y"}, "relu");
  g.add_output()->set_name("y");
  return model_of(std::move(g));
}

ImportOptions options() {
  ImportOptions o;
  o.evaluator = cpu::run_cpu_node;
  return o;
}

Result<Graph> import(const onnx::ModelProto& m, const ImportOptions& o = options()) {
  const std::string bytes = m.SerializeAsString();
  return import_onnx_bytes(bytes.data(), bytes.size(), "", o);
}

void expect_error(const Result<Graph>& g, std::initializer_list<std::string> needles) {
  ASSERT_FALSE(g.is_ok()) << "expected an error";
  for (const std::string& needle : needles)
    EXPECT_NE(g.status().message().find(needle), std::string::npos)
        << "'" << needle << "' not in " << g.status().message();
}

Shape input_shape(const Graph& g, size_t i = 0) { return g.tensors[g.inputs[i].tensor].shape; }

TEST(ImportInputsTest, BatchSetsOnlyTheFirstUnknownDim) {
  ImportOptions o = options();
  o.batch_size = 4;
  Result<Graph> g = import(relu_of({"N", 3, 5}), o);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(input_shape(*g), (Shape{4, 3, 5}));
  // An OCR detector's [N,3,H,W]: H and W are not the batch; the error names input, dims and --shape.
  expect_error(import(relu_of({"N", 3, "H", "W"}), o),
               {"graph input 'x'", "unknown dims 2 (symbolic 'H'), 3 (symbolic 'W')", "--shape x=D0,D1,..."});
}

TEST(ImportInputsTest, MinusOneZeroAndMissingDimsAreUnknown) {
  EXPECT_EQ(input_shape(*import(relu_of({-1, 3}))), (Shape{1, 3}));
  EXPECT_EQ(input_shape(*import(relu_of({0, 3}))), (Shape{1, 3}));
  EXPECT_EQ(input_shape(*import(relu_of({"", 3}))), (Shape{1, 3}));
  expect_error(import(relu_of({2, -1})), {"'x'", "unknown dim 1 (-1)", "--shape"});
  expect_error(import(relu_of({2, 0})), {"'x'", "unknown dim 1 (0)", "--shape"});
  expect_error(import(relu_of({2, ""})), {"'x'", "unknown dim 1 (no value)", "--shape"});
  onnx::ModelProto no_rank = relu_of({});
  no_rank.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  expect_error(import(no_rank), {"'x'", "unknown rank", "--shape x="});
  ImportOptions o = options();
  o.input_shapes["x"] = {2, 7};
  Result<Graph> g = import(no_rank, o);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(input_shape(*g), (Shape{2, 7}));
}

TEST(ImportInputsTest, ShapeOptionGivesTheWholeShapeAndMustAgree) {
  ImportOptions o = options();
  o.batch_size = 8;  // --shape wins over --batch
  o.input_shapes["x"] = {2, 3, 640, 480};
  Result<Graph> g = import(relu_of({"N", 3, "H", "W"}), o);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(input_shape(*g), (Shape{2, 3, 640, 480}));
  EXPECT_EQ(g->tensors[g->outputs[0].tensor].shape, (Shape{2, 3, 640, 480}));
  o.input_shapes["x"] = {2, 4, 640, 480};
  expect_error(import(relu_of({"N", 3, "H", "W"}), o), {"--shape", "'x'", "dim 1 to 4", "fixes it at 3"});
  o.input_shapes["x"] = {2, 3, 640};
  expect_error(import(relu_of({"N", 3, "H", "W"}), o), {"--shape", "'x'", "rank 3", "declares rank 4 [?,3,?,?]"});
  o.input_shapes = {{"y", {1}}};
  expect_error(import(relu_of({1, 3}), o), {"--shape names 'y', which is not an input of the model (inputs: 'x')"});
}

TEST(ImportInputsTest, OptionsNamingAWeightAreRefused) {
  onnx::ModelProto m = relu_of({1, 3});
  add_float_init(m.mutable_graph(), "x", {1, 3}, {1, 2, 3});  // an input with a default value
  ImportOptions o = options();
  o.input_shapes["x"] = {1, 3};
  expect_error(import(m, o), {"--shape names 'x', an initializer"});
  o.input_shapes.clear();
  o.constant_inputs["x"] = {"1", "2", "3"};
  expect_error(import(m, o), {"--constant-input names 'x', an initializer"});
}

TEST(ImportInputsTest, TestDataFixesTheShape) {
  ImportOptions o = options();
  HostTensor value = HostTensor::zeros(DType::kFloat32, {2, 3, 4, 6});
  o.static_inputs["x"] = value;
  Result<Graph> g = import(relu_of({"N", 3, "H", "W"}), o);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(input_shape(*g), (Shape{2, 3, 4, 6}));
  o.static_inputs["x"] = HostTensor::zeros(DType::kFloat32, {2, 5, 4, 6});
  expect_error(import(relu_of({"N", 3, "H", "W"}), o), {"the value given", "'x'", "fixes it at 3"});
}

// y = x + c, c a second graph input [3] (or as declared).
onnx::ModelProto add_of(std::vector<Dim> c_dims, int c_type = onnx::TensorProto::FLOAT) {
  onnx::GraphProto g;
  add_input(&g, "x", onnx::TensorProto::FLOAT, {2, 3});
  add_input(&g, "c", c_type, std::move(c_dims));
  add_node(&g, "Add", {"x", "c"}, {"y"}, "add");
  g.add_output()->set_name("y");
  return model_of(std::move(g));
}

TEST(ImportInputsTest, ConstantInputFoldsAndLeavesTheSignature) {
  ImportOptions o = options();
  o.constant_inputs["c"] = {"1", "-2.5", "1e3"};
  for (auto dims : {std::vector<Dim>{3}, std::vector<Dim>{"n"}, std::vector<Dim>{-1}}) {
    Result<Graph> g = import(add_of(dims), o);
    ASSERT_TRUE(g.is_ok()) << g.status().message();
    ASSERT_EQ(g->inputs.size(), 1u);
    EXPECT_EQ(g->inputs[0].name, "x");
    Result<Session> s = Session::create(*g);
    ASSERT_TRUE(s.is_ok()) << s.status().message();
    HostTensor x = HostTensor::zeros(DType::kFloat32, {2, 3});
    for (int i = 0; i < 6; ++i) x.as<float>()[i] = static_cast<float>(i);
    auto out = s->run({{"x", x}});
    ASSERT_TRUE(out.is_ok()) << out.status().message();
    const float want[6] = {1, -1.5f, 1002, 4, 1.5f, 1005};
    for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ((*out)[0].as<float>()[i], want[i]);
  }
  o.constant_inputs["c"] = {"1", "2"};
  expect_error(import(add_of({3}), o), {"--constant-input c has 2 values, its shape [3] holds 3"});
  o.constant_inputs["c"] = {"1", "two", "3"};
  expect_error(import(add_of({3}), o), {"--constant-input c", "value 'two' is not a valid float32"});
  o.constant_inputs["c"] = {"1", "2", "3"};
  expect_error(import(add_of({3, "k"}), o), {"'c'", "unknown dim 1 (symbolic 'k')", "--shape c="});
  o.input_shapes["c"] = {3, 1};
  expect_error(import(add_of({3, "k"}), o), {"Add"});  // [2,3] + [3,1] does not broadcast
  o.input_shapes["c"] = {1, 3};
  EXPECT_EQ(import(add_of({"m", "k"}), o).status().message(), "");
  o.input_shapes.clear();
  o.constant_inputs = {{"zz", {"1"}}};
  expect_error(import(add_of({3}), o),
               {"--constant-input names 'zz', which is not an input of the model (inputs: 'x', 'c')"});
}

TEST(ImportInputsTest, ValuesParseInTheDeclaredType) {
  int64_t i64 = 0;
  ASSERT_TRUE(parse_value("-9223372036854775808", DType::kInt64, &i64).is_ok());
  EXPECT_EQ(i64, INT64_MIN);
  EXPECT_FALSE(parse_value("1.5", DType::kInt64, &i64).is_ok());
  ASSERT_TRUE(parse_value("+7", DType::kInt64, &i64).is_ok());
  EXPECT_EQ(i64, 7);
  EXPECT_FALSE(parse_value("+-7", DType::kInt64, &i64).is_ok());
  EXPECT_FALSE(parse_value("+", DType::kInt64, &i64).is_ok());
  EXPECT_FALSE(parse_value("9223372036854775808", DType::kInt64, &i64).is_ok());
  int32_t i32 = 0;
  EXPECT_FALSE(parse_value("3000000000", DType::kInt32, &i32).is_ok());
  ASSERT_TRUE(parse_value("16000", DType::kInt32, &i32).is_ok());
  EXPECT_EQ(i32, 16000);
  bool b = false;
  ASSERT_TRUE(parse_value("true", DType::kBool, &b).is_ok());
  EXPECT_TRUE(b);
  ASSERT_TRUE(parse_value("0", DType::kBool, &b).is_ok());
  EXPECT_FALSE(b);
  EXPECT_FALSE(parse_value("2", DType::kBool, &b).is_ok());
  float f = 0;
  ASSERT_TRUE(parse_value("-0.25", DType::kFloat32, &f).is_ok());
  EXPECT_EQ(f, -0.25f);
  ASSERT_TRUE(parse_value("-inf", DType::kFloat32, &f).is_ok());
  EXPECT_TRUE(std::isinf(f) && f < 0);
  EXPECT_FALSE(parse_value("1e40", DType::kFloat32, &f).is_ok());
  EXPECT_FALSE(parse_value("", DType::kFloat32, &f).is_ok());
  EXPECT_FALSE(parse_value("1.0x", DType::kFloat32, &f).is_ok());
}

void add_graph_attr(onnx::NodeProto* n, const std::string& name, onnx::GraphProto g) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::GRAPH);
  *a->mutable_g() = std::move(g);
}

// silero-vad's pattern: y = If(sr == 16000,
//   then: If(sr > 8000, Relu(x * w) , Neg(x * w))   (w a then-branch initializer; nested If)
//   else: x + x)
// x [1,3] float input, sr an int64 scalar input.
onnx::ModelProto if_model() {
  onnx::GraphProto inner_then, inner_else, then_g, else_g, g;
  add_node(&inner_then, "Relu", {"xw"}, {"r"});
  inner_then.add_output()->set_name("r");
  add_node(&inner_else, "Neg", {"xw"}, {"r"});  // the same local name in the other branch
  inner_else.add_output()->set_name("r");
  add_float_init(&then_g, "w", {3}, {2, -3, 4});
  add_int64_init(&then_g, "k8000", {}, {8000});
  add_node(&then_g, "Mul", {"x", "w"}, {"xw"});
  add_node(&then_g, "Greater", {"sr", "k8000"}, {"gt"});
  onnx::NodeProto* nested = add_node(&then_g, "If", {"gt"}, {"t"}, "nested");
  add_graph_attr(nested, "then_branch", inner_then);
  add_graph_attr(nested, "else_branch", inner_else);
  then_g.add_output()->set_name("t");
  add_node(&else_g, "Add", {"x", "x"}, {"e"});
  else_g.add_output()->set_name("e");
  add_input(&g, "x", onnx::TensorProto::FLOAT, {1, 3});
  add_input(&g, "sr", onnx::TensorProto::INT64, {});
  add_int64_init(&g, "k16000", {}, {16000});
  add_node(&g, "Equal", {"sr", "k16000"}, {"is16k"});
  onnx::NodeProto* top = add_node(&g, "If", {"is16k"}, {"y"}, "choose");
  add_graph_attr(top, "then_branch", then_g);
  add_graph_attr(top, "else_branch", else_g);
  g.add_output()->set_name("y");
  return model_of(std::move(g));
}

std::vector<float> run_xy(const Graph& graph) {
  Result<Session> s = Session::create(graph);
  EXPECT_TRUE(s.is_ok()) << s.status().message();
  HostTensor x = HostTensor::zeros(DType::kFloat32, {1, 3});
  const float xs[3] = {1, 2, -1};
  std::copy(xs, xs + 3, x.as<float>());
  auto out = s->run({{"x", x}});
  EXPECT_TRUE(out.is_ok()) << out.status().message();
  if (!out.is_ok()) return {};
  return {(*out)[0].as<float>(), (*out)[0].as<float>() + (*out)[0].numel()};
}

TEST(ImportIfTest, TakenBranchIsInlinedWithNestedIfs) {
  // x * w = [2, -6, -4].
  const std::pair<const char*, std::vector<float>> cases[] = {
      {"16000", {2, 0, 0}},  // then, nested then: relu
      {"8000", {2, 4, -2}},  // else: x + x
  };
  for (const auto& [sr, want] : cases) {
    ImportOptions o = options();
    o.constant_inputs["sr"] = {sr};
    Result<Graph> g = import(if_model(), o);
    ASSERT_TRUE(g.is_ok()) << g.status().message();
    ASSERT_EQ(g->inputs.size(), 1u);
    for (const Node& n : g->nodes) EXPECT_NE(n.op, "If");
    EXPECT_EQ(run_xy(*g), want) << "sr=" << sr;
  }
}

TEST(ImportIfTest, NestedElseBranch) {
  // sr = 16000 takes the outer then branch; the nested condition sr > 20000 is false: neg.
  onnx::ModelProto m = if_model();
  auto* then_g = m.mutable_graph()->mutable_node(1)->mutable_attribute(0)->mutable_g();
  then_g->mutable_initializer(1)->set_int64_data(0, 20000);
  ImportOptions o = options();
  o.constant_inputs["sr"] = {"16000"};
  Result<Graph> g = import(m, o);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(run_xy(*g), (std::vector<float>{-2, 6, 4}));
}

TEST(ImportIfTest, ConditionInputGivenAsTestDataIsFrozen) {
  // ONNX's test_if: the condition is itself a graph input; conformance gives its value.
  onnx::ModelProto m = if_model();
  auto* g = m.mutable_graph();
  add_input(g, "cond", onnx::TensorProto::BOOL, {});
  g->mutable_node(1)->set_input(0, "cond");
  ImportOptions o = options();
  o.constant_inputs["sr"] = {"16000"};
  HostTensor cond = HostTensor::zeros(DType::kBool, {});
  o.static_inputs["cond"] = cond;  // false: else
  Result<Graph> graph = import(m, o);
  ASSERT_TRUE(graph.is_ok()) << graph.status().message();
  ASSERT_EQ(graph->inputs.size(), 1u);  // cond frozen, sr bound
  EXPECT_EQ(run_xy(*graph), (std::vector<float>{2, 4, -2}));
  o.static_inputs.clear();
  expect_error(import(m, o), {"the condition 'cond' is not a constant", "graph input(s) 'cond'"});
}

TEST(ImportIfTest, ConditionFoldedFromAShapeChain) {
  // If(Shape(x)[0] == 1) with a static x: the condition folds without any option.
  onnx::ModelProto m = if_model();
  auto* g = m.mutable_graph();
  g->mutable_node(0)->set_input(0, "n");
  onnx::GraphProto rest = *g;
  g->clear_node();
  add_node(g, "Shape", {"x"}, {"shape"});
  add_int64_init(g, "zero", {}, {0});
  add_node(g, "Gather", {"shape", "zero"}, {"n0"});
  add_int64_init(g, "k16000_minus", {}, {15999});
  add_node(g, "Add", {"n0", "k16000_minus"}, {"n"});  // n = 1 + 15999 = 16000 -> then
  for (const auto& node : rest.node()) *g->add_node() = node;
  ImportOptions o = options();
  o.constant_inputs["sr"] = {"16000"};  // for the nested If
  Result<Graph> graph = import(m, o);
  ASSERT_TRUE(graph.is_ok()) << graph.status().message();
  EXPECT_EQ(run_xy(*graph), (std::vector<float>{2, 0, 0}));
}

TEST(ImportIfTest, DataDependentConditionIsRefusedByName) {
  expect_error(import(if_model()), {"node 'choose' (If, opset 17)", "the condition 'is16k' is not a constant",
                                    "graph input(s) 'sr'", "--constant-input"});
}

TEST(ImportIfTest, BranchNamesDoNotLeakAndBranchErrorsAreNamed) {
  {  // A node after the If reading a then-branch local value.
    onnx::ModelProto m = if_model();
    add_node(m.mutable_graph(), "Relu", {"xw"}, {"z"}, "after");
    ImportOptions o = options();
    o.constant_inputs["sr"] = {"16000"};
    expect_error(import(m, o), {"node 'after'", "input 'xw' is not defined"});
  }
  {  // A branch output never computed.
    onnx::ModelProto m = if_model();
    m.mutable_graph()->mutable_node(1)->mutable_attribute(1)->mutable_g()->mutable_output(0)->set_name("nowhere");
    ImportOptions o = options();
    o.constant_inputs["sr"] = {"8000"};
    expect_error(import(m, o), {"node 'choose' (If, opset 17), else branch: output 'nowhere' is never computed"});
  }
  {  // An unsupported op inside the taken branch names the branch node.
    onnx::ModelProto m = if_model();
    m.mutable_graph()->mutable_node(1)->mutable_attribute(1)->mutable_g()->mutable_node(0)->set_op_type("Fancy");
    ImportOptions o = options();
    o.constant_inputs["sr"] = {"8000"};
    expect_error(import(m, o), {"unsupported op 'Fancy'", "'choose/else#0'"});
    o.constant_inputs["sr"] = {"16000"};  // the untaken branch is never looked at
    EXPECT_TRUE(import(m, o).is_ok());
  }
  {  // A non-bool condition.
    onnx::ModelProto m = if_model();
    m.mutable_graph()->mutable_node(1)->set_input(0, "k16000");
    expect_error(import(m), {"node 'choose'", "the condition must be one bool, is int64 []"});
  }
}

}  // namespace
}  // namespace fusedinf::importer
