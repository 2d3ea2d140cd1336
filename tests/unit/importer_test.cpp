// The importer on small hand-built ONNX models, good and malformed: errors name what and
// where, and nothing crashes.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "importer/onnx_importer.h"
#include "kernels/cpu/cpu_kernels.h"
#include "runtime/session.h"

namespace fusedinf::importer {
namespace {

namespace fs = std::filesystem;

onnx::ModelProto relu_model(int opset = 13) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto* in = g->add_input();
  in->set_name("x");
  auto* t = in->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  t->mutable_shape()->add_dim()->set_dim_param("batch");
  t->mutable_shape()->add_dim()->set_dim_value(3);
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(3);
  for (float v : {1.f, -2.f, 0.5f}) w->add_float_data(v);
  auto* add = g->add_node();
  add->set_op_type("Add");
  add->set_name("add");
  add->add_input("x");
  add->add_input("w");
  add->add_output("a");
  auto* relu = g->add_node();
  relu->set_op_type("Relu");
  relu->set_name("relu");
  relu->add_input("a");
  relu->add_output("y");
  g->add_output()->set_name("y");
  return m;
}

ImportOptions options() {
  ImportOptions o;
  o.evaluator = cpu::run_cpu_node;
  return o;
}

Result<Graph> import(const onnx::ModelProto& m, const ImportOptions& o = options(), const std::string& dir = "") {
  const std::string bytes = m.SerializeAsString();
  return import_onnx_bytes(bytes.data(), bytes.size(), dir, o);
}

void expect_error(const Result<Graph>& g, const std::string& needle) {
  ASSERT_FALSE(g.is_ok()) << "expected an error containing '" << needle << "'";
  EXPECT_NE(g.status().message().find(needle), std::string::npos) << g.status().message();
}

TEST(ImporterTest, ImportsAndRunsWithSymbolicBatch) {
  ImportOptions o = options();
  o.batch_size = 2;
  Result<Graph> g = import(relu_model(), o);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(g->tensors[g->inputs[0].tensor].shape, (Shape{2, 3}));
  Result<Session> s = Session::create(*g);
  ASSERT_TRUE(s.is_ok());
  HostTensor x = HostTensor::zeros(DType::kFloat32, {2, 3});
  for (int i = 0; i < 6; ++i) x.as<float>()[i] = static_cast<float>(i) - 2.f;
  auto out = s->run({{"x", x}});
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  const float want[6] = {0, 0, 0.5f, 2, 0, 3.5f};  // relu(x + [1, -2, 0.5])
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ((*out)[0].as<float>()[i], want[i]);
}

TEST(ImporterTest, ConstantIdentityAndDropoutDisappear) {
  onnx::ModelProto m = relu_model();
  auto* g = m.mutable_graph();
  g->mutable_node(1)->set_input(0, "d");
  auto* dropout = g->add_node();
  dropout->set_op_type("Dropout");
  dropout->add_input("i");
  dropout->add_output("d");
  auto* identity = g->add_node();
  identity->set_op_type("Identity");
  identity->add_input("a");
  identity->add_output("i");
  // Keep topological order: move Relu last.
  g->mutable_node()->SwapElements(1, 3);
  Result<Graph> graph = import(m);
  ASSERT_TRUE(graph.is_ok()) << graph.status().message();
  ASSERT_EQ(graph->nodes.size(), 2u);
  EXPECT_EQ(graph->nodes[0].op, "Add");
  EXPECT_EQ(graph->nodes[1].op, "Relu");
}

TEST(ImporterTest, RawAndExternalInitializers) {
  const fs::path dir = fs::temp_directory_path() / "fusedinf_importer_ext";
  fs::create_directories(dir);
  const float w[3] = {4.f, 5.f, 6.f};
  std::ofstream(dir / "w.bin", std::ios::binary).write(reinterpret_cast<const char*>(w), sizeof w);
  onnx::ModelProto m = relu_model();
  auto* init = m.mutable_graph()->mutable_initializer(0);
  init->clear_float_data();
  init->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* loc = init->add_external_data();
  loc->set_key("location");
  loc->set_value("w.bin");
  Result<Graph> g = import(m, options(), dir.string());
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  // Escaping the folder, or a missing file, is refused.
  loc->set_value("../w.bin");
  expect_error(import(m, options(), dir.string()), "leaves the model's folder");
  loc->set_value("/etc/passwd");
  expect_error(import(m, options(), dir.string()), "leaves the model's folder");
  loc->set_value("missing.bin");
  expect_error(import(m, options(), dir.string()), "cannot open external data");
  // Raw data of the wrong size.
  onnx::ModelProto raw = relu_model();
  auto* r = raw.mutable_graph()->mutable_initializer(0);
  r->clear_float_data();
  r->set_raw_data(std::string(8, '\0'));
  expect_error(import(raw), "raw_data has 8 bytes");
}

TEST(ImporterTest, UnsupportedOpNamesOpOpsetAndNode) {
  onnx::ModelProto m = relu_model();
  m.mutable_graph()->mutable_node(1)->set_op_type("FancyOp");
  expect_error(import(m), "unsupported op 'FancyOp' (opset 13) at node 'relu'");
}

TEST(ImporterTest, OpsetsOutsideSevenToTwentyEightAreRefused) {
  expect_error(import(relu_model(6)), "opset 6 is not supported");
  expect_error(import(relu_model(29)), "opset 29 is not supported");
}

TEST(ImporterTest, UnsupportedDtypeIsNamed) {
  onnx::ModelProto m = relu_model();
  m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::DOUBLE);
  expect_error(import(m), "graph input 'x' has element type DOUBLE");
}

void add_int_attr(onnx::NodeProto* node, const std::string& name, int64_t value) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void add_float_attr(onnx::NodeProto* node, const std::string& name, float value) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

// relu_model() with its second node turned into `op`.
onnx::ModelProto model_with_op(const std::string& op) {
  onnx::ModelProto m = relu_model();
  m.mutable_graph()->mutable_node(1)->set_op_type(op);
  return m;
}

TEST(ImporterTest, UnknownAndWrongTypedAttributesAreRefusedNotIgnored) {
  {  // An attribute no converter reads (Relu has none).
    onnx::ModelProto m = model_with_op("Relu");
    add_float_attr(m.mutable_graph()->mutable_node(1), "alpha", 0.1f);
    expect_error(import(m), "node 'relu' (Relu, opset 13): attribute 'alpha' is not supported");
  }
  {  // LeakyRelu's alpha given as an INT instead of a FLOAT: not silently the default 0.01.
    onnx::ModelProto m = model_with_op("LeakyRelu");
    add_int_attr(m.mutable_graph()->mutable_node(1), "alpha", 2);
    expect_error(import(m), "node 'relu' (LeakyRelu, opset 13): attribute 'alpha' is INT, expected FLOAT");
  }
  {  // Softmax reads its axis; an extra unknown attribute is still refused.
    onnx::ModelProto m = model_with_op("Softmax");
    onnx::NodeProto* node = m.mutable_graph()->mutable_node(1);
    add_int_attr(node, "axis", 1);
    add_float_attr(node, "temperature", 2.f);
    expect_error(import(m), "attribute 'temperature' is not supported");
    node->mutable_attribute()->RemoveLast();
    EXPECT_TRUE(import(m).is_ok());
  }
  {  // Attributes that cannot change an inference result are accepted (Dropout's seed).
    onnx::ModelProto m = model_with_op("Dropout");
    add_int_attr(m.mutable_graph()->mutable_node(1), "seed", 7);
    EXPECT_TRUE(import(m).is_ok());
  }
}

TEST(ImporterTest, UndefinedInputAndMissingOutput) {
  onnx::ModelProto m = relu_model();
  m.mutable_graph()->mutable_node(1)->set_input(0, "nowhere");
  expect_error(import(m), "input 'nowhere' is not defined");
  onnx::ModelProto n = relu_model();
  n.mutable_graph()->mutable_output(0)->set_name("zz");
  expect_error(import(n), "graph output 'zz' is never computed");
}

TEST(ImporterTest, NonConstantShapeInputIsRefused) {
  onnx::ModelProto m = relu_model();
  auto* g = m.mutable_graph();
  auto* in = g->add_input();
  in->set_name("shape");
  auto* t = in->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::INT64);
  t->mutable_shape()->add_dim()->set_dim_value(1);
  auto* reshape = g->add_node();
  reshape->set_op_type("Reshape");
  reshape->add_input("y");
  reshape->add_input("shape");
  reshape->add_output("z");
  g->mutable_output(0)->set_name("z");
  expect_error(import(m), "must be a constant");
}

// Clip whose bounds are computed (a mel spectrogram clips at its own max - 80 dB): lowered
// to Max/Min, run against hand-computed values. y = Clip(x, max(x) - 3), z = Clip(x, lo, max(x) - 1).
TEST(ImporterTest, ClipWithComputedBoundsRuns) {
  onnx::ModelProto m = relu_model();
  auto* g = m.mutable_graph();
  g->clear_node();
  g->clear_output();
  auto* c = g->add_initializer();
  c->set_name("c");
  c->set_data_type(onnx::TensorProto::FLOAT);
  c->add_float_data(3.f);
  auto* one = g->add_initializer();
  one->set_name("one");
  one->set_data_type(onnx::TensorProto::FLOAT);
  one->add_float_data(1.f);
  auto node = [&](const char* op, std::vector<std::string> ins, const char* out) {
    auto* n = g->add_node();
    n->set_op_type(op);
    for (const std::string& i : ins) n->add_input(i);
    n->add_output(out);
    return n;
  };
  add_int_attr(node("ReduceMax", {"x"}, "m"), "keepdims", 0);
  node("Sub", {"m", "c"}, "lo");
  node("Sub", {"m", "one"}, "hi");
  node("Clip", {"x", "lo"}, "y");
  node("Clip", {"x", "lo", "hi"}, "z");
  g->add_output()->set_name("y");
  g->add_output()->set_name("z");
  Result<Graph> graph = import(m);
  ASSERT_TRUE(graph.is_ok()) << graph.status().message();
  int max_min = 0;
  for (const Node& n : graph->nodes) max_min += n.op == "Max" || n.op == "Min";
  EXPECT_EQ(max_min, 3);  // y: Max; z: Max then Min
  Result<Session> s = Session::create(*graph);
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  HostTensor x = HostTensor::zeros(DType::kFloat32, {1, 3});
  const float xs[3] = {-1.f, 4.f, 2.5f};  // max 4: lo 1, hi 3
  for (int i = 0; i < 3; ++i) x.as<float>()[i] = xs[i];
  auto out = s->run({{"x", x}});
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  const float want_y[3] = {1.f, 4.f, 2.5f}, want_z[3] = {1.f, 3.f, 2.5f};
  for (int i = 0; i < 3; ++i) {
    EXPECT_FLOAT_EQ((*out)[0].as<float>()[i], want_y[i]);
    EXPECT_FLOAT_EQ((*out)[1].as<float>()[i], want_z[i]);
  }
}

TEST(ImporterTest, GarbageAndTruncatedBytesNeverCrash) {
  const std::string good = relu_model().SerializeAsString();
  for (size_t len = 0; len < good.size(); ++len) {
    Result<Graph> g = import_onnx_bytes(good.data(), len, "", options());
    (void)g;  // an error or, rarely, a smaller valid model; never a crash
  }
  std::mt19937 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    std::string bytes = good;
    for (int k = 0; k < 4; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    Result<Graph> g = import_onnx_bytes(bytes.data(), bytes.size(), "", options());
    if (g.is_ok()) {
      EXPECT_TRUE(g->validate_structure().is_ok());
    }
  }
  const std::string noise = "this is not an onnx model at all";
  EXPECT_FALSE(import_onnx_bytes(noise.data(), noise.size(), "", options()).is_ok());
  EXPECT_FALSE(import_onnx_file("/nonexistent.onnx", options()).is_ok());
}

TEST(ImporterTest, TensorPbFilesAreRead) {
  onnx::TensorProto t;
  t.set_name("v");
  t.set_data_type(onnx::TensorProto::INT64);
  t.add_dims(2);
  t.add_int64_data(7);
  t.add_int64_data(-1);
  const fs::path p = fs::temp_directory_path() / "fusedinf_tensor.pb";
  std::ofstream(p, std::ios::binary) << t.SerializeAsString();
  Result<HostTensor> h = read_tensor_pb_file(p.string());
  ASSERT_TRUE(h.is_ok()) << h.status().message();
  EXPECT_EQ(h->as<int64_t>()[1], -1);
  std::ofstream(p, std::ios::binary) << "garbage\xff\xff\xff";
  EXPECT_FALSE(read_tensor_pb_file(p.string()).is_ok());
}

}  // namespace
}  // namespace fusedinf::importer
