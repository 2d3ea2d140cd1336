// The importer's state while it walks an ONNX graph, and the ConvertContext one node sees.
#pragma once

#include <onnx/onnx_pb.h>

#include <map>
#include <set>
#include <string>

#include "engine/graph.h"
#include "importer/convert_context.h"
#include "importer/onnx_importer.h"

namespace fusedinf::importer {

struct ImportState {
  Graph graph;
  std::map<std::string, int> value_of;  // ONNX value name -> tensor
  const ImportOptions* options = nullptr;
  std::string base_dir;
  int opset = 0;
  int counter = 0;  // for names of intermediate tensors
};

class NodeContext final : public ConvertContext {
 public:
  NodeContext(ImportState& state, const onnx::NodeProto& proto) : state_(state), proto_(proto) {}

  const std::string& op_type() const override { return proto_.op_type(); }
  const std::string& node_name() const override { return name_(); }
  int opset() const override { return state_.opset; }

  bool has_attr(std::string_view name) const override { return find_attr(name) != nullptr; }
  int64_t attr_int(std::string_view name, int64_t fallback) const override;
  float attr_float(std::string_view name, float fallback) const override;
  std::string attr_string(std::string_view name, const std::string& fallback) const override;
  std::vector<int64_t> attr_ints(std::string_view name, std::vector<int64_t> fallback) const override;
  std::vector<float> attr_floats(std::string_view name, std::vector<float> fallback) const override;
  std::vector<std::string> attr_strings(std::string_view name, std::vector<std::string> fallback) const override;
  Result<HostTensor> attr_tensor(std::string_view name) const override;
  std::vector<std::string> attr_names() const override;
  void ignore_attrs(std::initializer_list<std::string_view> names) override;
  // After the converter succeeded: an attribute of the wrong type, or one the converter
  // never looked at, fails the node.
  Status check_attributes() const;

  int num_inputs() const override { return proto_.input_size(); }
  bool has_input(int i) const override { return i >= 0 && i < proto_.input_size() && !proto_.input(i).empty(); }
  int input(int i) const override;
  const Graph& graph() const override { return state_.graph; }
  Result<ConstTensorView> constant_input(int i) const override;
  Result<std::vector<int64_t>> constant_ints(int i) const override;
  int num_outputs() const override;

  Status emit(const std::string& op, std::vector<int> inputs, Attributes attrs) override;
  Result<int> emit_intermediate(const std::string& op, std::vector<int> inputs, Attributes attrs) override;
  int add_constant(DType dtype, Shape shape, const void* bytes) override;
  Status alias_output(int i, int tensor) override;

 private:
  const std::string& name_() const { return proto_.name().empty() ? proto_.op_type() : proto_.name(); }
  // The attribute `name` (nullptr when absent), marked as read.
  const onnx::AttributeProto* find_attr(std::string_view name) const;
  // The same when it has `type`; when present with another type, records the mismatch.
  const onnx::AttributeProto* find_typed(std::string_view name, onnx::AttributeProto::AttributeType type) const;
  // Adds `node`, infers its outputs, and folds it when every input is a constant.
  Status add_node(Node node);

  ImportState& state_;
  const onnx::NodeProto& proto_;
  mutable std::set<std::string, std::less<>> read_;  // attributes the converter looked at
  mutable std::string type_error_;                   // the first attribute read with a wrong type
};

}  // namespace fusedinf::importer
