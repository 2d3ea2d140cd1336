// LSTM, GRU, RNN: shape inference and its errors (engine/ops/recurrent.cpp), and the converter's
// normalisation (importer/ops/recurrent.cpp): defaults written, activation lists with
// onnxruntime's alpha/beta consumption, absent outputs before present ones, opset 7's missing
// layout. The arithmetic is checked against onnxruntime (tests/recurrent_vs_ort.py) and across
// backends (backend_ops_test.cpp).
#include "engine/recurrent.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/op_def.h"
#include "importer/onnx_importer.h"
#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf {
namespace {

// A graph with one recurrent node over tensors of the given shapes (-1: absent input).
struct OneNode {
  Graph g;
  Node node;
};

OneNode make_node(const std::string& op, std::vector<Shape> inputs, Attributes attrs, int outputs) {
  OneNode r;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i] == Shape{-1}) {
      r.node.inputs.push_back(-1);
      continue;
    }
    const DType dtype = i == 4 ? DType::kInt32 : DType::kFloat32;
    r.node.inputs.push_back(r.g.add_tensor("in" + std::to_string(i), dtype, inputs[i]));
  }
  for (int o = 0; o < outputs; ++o)
    r.node.outputs.push_back(r.g.add_tensor("out" + std::to_string(o), DType::kFloat32, {}));
  r.node.op = op;
  r.node.name = "n";
  r.node.attrs = std::move(attrs);
  return r;
}

Attributes lstm_attrs(const std::string& direction, int64_t hidden, int64_t layout, const std::string& acts) {
  Attributes a;
  a.set("direction", direction);
  a.set("hidden_size", hidden);
  a.set("layout", layout);
  a.set("activations", acts);
  const size_t count = static_cast<size_t>(std::count(acts.begin(), acts.end(), ',') + 1);
  a.set("activation_alpha", std::vector<float>(count, 0.f));
  a.set("activation_beta", std::vector<float>(count, 0.f));
  return a;
}

TEST(RecurrentShapeTest, BidirectionalLstmLayouts) {
  // layout 0: X [T=5, N=3, I=4]
  OneNode n = make_node("LSTM", {{5, 3, 4}, {2, 24, 4}, {2, 24, 6}, {2, 48}, {3}, {2, 3, 6}, {2, 3, 6}, {2, 18}},
                        lstm_attrs("bidirectional", 6, 0, "Sigmoid,Tanh,Tanh,Sigmoid,Tanh,Tanh"), 3);
  Result<std::vector<ValueInfo>> out = infer_node(n.g, n.node);
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  EXPECT_EQ((*out)[0].shape, (Shape{5, 2, 3, 6}));
  EXPECT_EQ((*out)[1].shape, (Shape{2, 3, 6}));
  EXPECT_EQ((*out)[2].shape, (Shape{2, 3, 6}));
  // layout 1: X [N=3, T=5, I=4]
  n = make_node("GRU", {{3, 5, 4}, {1, 18, 4}, {1, 18, 6}, {-1}, {-1}, {3, 1, 6}},
                lstm_attrs("reverse", 6, 1, "Sigmoid,Tanh"), 2);
  out = infer_node(n.g, n.node);
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  EXPECT_EQ((*out)[0].shape, (Shape{3, 5, 1, 6}));
  EXPECT_EQ((*out)[1].shape, (Shape{3, 1, 6}));
}

TEST(RecurrentShapeTest, ErrorsNameTheInputOrAttribute) {
  auto error_of = [](OneNode n) {
    Result<std::vector<ValueInfo>> out = infer_node(n.g, n.node);
    return out.is_ok() ? std::string("ok") : out.status().message();
  };
  EXPECT_NE(error_of(make_node("RNN", {{5, 3, 4}, {1, 7, 4}, {1, 6, 6}}, lstm_attrs("forward", 6, 0, "Tanh"), 1))
                .find("W must be [1,6,4]"),
            std::string::npos);
  EXPECT_NE(error_of(make_node("RNN", {{5, 3, 4}, {1, 6, 4}, {1, 6, 6}}, lstm_attrs("forward", 6, 0, "Tanh,Tanh"), 1))
                .find("activation_alpha and activation_beta must have one value per activation (1)"),
            std::string::npos);
  EXPECT_NE(error_of(make_node("RNN", {{5, 3, 4}, {1, 6, 4}, {1, 6, 6}}, lstm_attrs("forward", 6, 0, "Gelu"), 1))
                .find("got 'Gelu'"),
            std::string::npos);
  EXPECT_NE(
      error_of(make_node("GRU", {{5, 3, 4}, {1, 18, 4}, {1, 18, 6}}, lstm_attrs("sideways", 6, 0, "Sigmoid,Tanh"), 2))
          .find("direction must be"),
      std::string::npos);
  EXPECT_NE(error_of(make_node("LSTM", {{5, 3, 4}, {1, 24, 4}, {1, 24, 6}, {-1}, {3}, {1, 2, 6}},
                               lstm_attrs("forward", 6, 0, "Sigmoid,Tanh,Tanh"), 1))
                .find("initial_h must be [1,3,6]"),
            std::string::npos);
  Attributes clip = lstm_attrs("forward", 6, 0, "Tanh");
  clip.set("clip", -1.f);
  EXPECT_NE(error_of(make_node("RNN", {{5, 3, 4}, {1, 6, 4}, {1, 6, 6}}, clip, 1)).find("clip must be > 0"),
            std::string::npos);
}

// ---- The converter.

void add_float_tensor(onnx::TensorProto* t, const std::string& name, std::vector<int64_t> dims) {
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  int64_t n = 1;
  for (int64_t d : dims) t->add_dims(d), n *= d;
  for (int64_t i = 0; i < n; ++i) t->add_float_data(0.01f * static_cast<float>(i % 7));
}

// RNN forward, hidden 2, over X [3, 1, 2]; outputs as given ("" for absent).
onnx::ModelProto rnn_model(int opset, std::vector<std::string> outputs) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  auto* os = m.add_opset_import();
  os->set_domain("");
  os->set_version(opset);
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto* in = g->add_input();
  in->set_name("X");
  auto* t = in->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {3, 1, 2}) t->mutable_shape()->add_dim()->set_dim_value(d);
  add_float_tensor(g->add_initializer(), "W", {1, 2, 2});
  add_float_tensor(g->add_initializer(), "R", {1, 2, 2});
  auto* node = g->add_node();
  node->set_op_type("RNN");
  node->set_name("rnn");
  for (const char* name : {"X", "W", "R"}) node->add_input(name);
  for (const std::string& o : outputs) {
    node->add_output(o);
    if (!o.empty()) g->add_output()->set_name(o);
  }
  return m;
}

onnx::AttributeProto* add_attr(onnx::ModelProto& m, const std::string& name, onnx::AttributeProto::AttributeType type) {
  auto* a = m.mutable_graph()->mutable_node(0)->add_attribute();
  a->set_name(name);
  a->set_type(type);
  return a;
}

Result<Graph> import(const onnx::ModelProto& m) {
  importer::ImportOptions o;
  o.evaluator = cpu::run_cpu_node;
  const std::string bytes = m.SerializeAsString();
  return importer::import_onnx_bytes(bytes.data(), bytes.size(), "", o);
}

const Node* find(const Graph& g, const std::string& op) {
  for (const Node& n : g.nodes)
    if (n.op == op) return &n;
  return nullptr;
}

TEST(RecurrentImportTest, DefaultsAndAbsentYBeforeYh) {
  Result<Graph> g = import(rnn_model(14, {"", "Y_h"}));
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  const Node* n = find(*g, "RNN");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->outputs.size(), 2u);  // Y is an internal tensor nothing reads
  EXPECT_EQ(n->attrs.get_string("direction", ""), "forward");
  EXPECT_EQ(n->attrs.get_int("hidden_size", 0), 2);  // from R
  EXPECT_EQ(n->attrs.get_string("activations", ""), "Tanh");
  EXPECT_EQ(g->tensors[n->outputs[1]].shape, (Shape{1, 1, 2}));
}

TEST(RecurrentImportTest, ActivationsTakeAlphaAndBetaInOrder) {
  onnx::ModelProto m = rnn_model(14, {"Y"});
  // The schema's default list for RNN (two) on a forward layer: the first is used.
  auto* acts = add_attr(m, "activations", onnx::AttributeProto::STRINGS);
  acts->add_strings("leakyrelu");
  acts->add_strings("Tanh");
  add_attr(m, "activation_alpha", onnx::AttributeProto::FLOATS)->add_floats(0.3f);
  Result<Graph> g = import(m);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  const Node* n = find(*g, "RNN");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->attrs.get_string("activations", ""), "LeakyRelu");
  EXPECT_EQ(n->attrs.get_floats("activation_alpha"), std::vector<float>{0.3f});
  EXPECT_EQ(n->attrs.get_floats("activation_beta"), std::vector<float>{0.f});

  onnx::ModelProto hs = rnn_model(14, {"Y"});  // HardSigmoid with no lists: onnxruntime's 0.2, 0.5
  add_attr(hs, "activations", onnx::AttributeProto::STRINGS)->add_strings("HardSigmoid");
  g = import(hs);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  n = find(*g, "RNN");
  EXPECT_EQ(n->attrs.get_floats("activation_alpha"), std::vector<float>{0.2f});
  EXPECT_EQ(n->attrs.get_floats("activation_beta"), std::vector<float>{0.5f});
}

TEST(RecurrentImportTest, RefusesWhatItCannotRun) {
  onnx::ModelProto bad = rnn_model(14, {"Y"});
  add_attr(bad, "activations", onnx::AttributeProto::STRINGS)->add_strings("Gelu");
  Result<Graph> g = import(bad);
  ASSERT_FALSE(g.is_ok());
  EXPECT_NE(g.status().message().find("activation 'Gelu' is not supported"), std::string::npos) << g.status().message();

  onnx::ModelProto old = rnn_model(7, {"Y"});  // opset 7 has no layout: an unknown attribute
  add_attr(old, "layout", onnx::AttributeProto::INT)->set_i(1);
  g = import(old);
  ASSERT_FALSE(g.is_ok());
  EXPECT_NE(g.status().message().find("layout"), std::string::npos) << g.status().message();
}

}  // namespace
}  // namespace fusedinf
