// ONNX -> Graph: reads the model, its initializers and inputs, then converts node after node
// (importer/ops/*), each emitted node shape-inferred and, when its inputs are constants,
// folded. Unused nodes and constants are dropped at the end.
#include "importer/onnx_importer.h"

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "engine/graph_rewrite.h"
#include "importer/node_context.h"
#include "importer/onnx_tensor.h"

namespace fusedinf::importer {

namespace fs = std::filesystem;

namespace {

constexpr int kMinOpset = 7;
constexpr int kMaxOpset = 21;

Status add_graph_input(ImportState& state, const onnx::ValueInfoProto& info) {
  const std::string what = "graph input '" + info.name() + "'";
  if (!info.type().has_tensor_type()) return Status::error(what + " is not a tensor");
  const auto& tensor_type = info.type().tensor_type();
  FI_ASSIGN_OR_RETURN(DType dtype, dtype_from_onnx(tensor_type.elem_type(), what));
  if (!tensor_type.has_shape()) return Status::error(what + " has an unknown rank (static shapes are required)");
  Shape shape;
  for (const auto& dim : tensor_type.shape().dim()) {
    if (dim.has_dim_value()) {
      if (dim.dim_value() < 0) return Status::error(what + " has a negative dimension");
      shape.push_back(dim.dim_value());
    } else {
      shape.push_back(state.options->batch_size);  // symbolic (dim_param) or unknown: the batch size
    }
  }
  if (!shape_within_limits(shape))
    return Status::error(what + " " + shape_to_string(shape) + " is over the limit of " +
                         std::to_string(kMaxTensorElements) + " elements or " + std::to_string(kMaxRank) +
                         " dimensions");
  const int t = state.graph.add_tensor(info.name(), dtype, shape);
  state.graph.inputs.push_back({info.name(), t});
  state.value_of[info.name()] = t;
  return Status::ok();
}

Status convert_node(ImportState& state, const onnx::NodeProto& proto, int index) {
  std::string name = proto.name();
  if (name.empty()) name.append("#").append(std::to_string(index));
  const std::string where = "node '" + name + "' (" + proto.op_type() + ", opset " + std::to_string(state.opset) + ")";
  if (!proto.domain().empty() && proto.domain() != "ai.onnx")
    return Status::error(where + ": op domain '" + proto.domain() + "' is not supported");
  for (const std::string& in : proto.input())
    if (!in.empty() && !state.value_of.count(in))
      return Status::error(where + ": input '" + in + "' is not defined before this node");
  const OnnxConverter* converter = find_converter(proto.op_type(), state.opset);
  if (!converter) {
    std::string ranges;
    for (const OnnxConverter* c : all_converters())
      if (c->onnx_op == proto.op_type())
        ranges += (ranges.empty() ? "" : ", ") + std::to_string(c->since_opset) + "-" + std::to_string(c->until_opset);
    if (ranges.empty())
      return Status::error("unsupported op '" + proto.op_type() + "' (opset " + std::to_string(state.opset) +
                           ") at node '" + name + "'");
    return Status::error("op '" + proto.op_type() + "' at node '" + name + "' is supported at opsets " + ranges +
                         ", not " + std::to_string(state.opset));
  }
  onnx::NodeProto named = proto;
  if (named.name().empty()) named.set_name(name);
  NodeContext context(state, named);
  FI_RETURN_IF_ERROR(converter->convert(context));
  FI_RETURN_IF_ERROR(context.check_attributes());
  for (const std::string& out : proto.output())
    if (!out.empty() && !state.value_of.count(out))
      return Status::error(where + ": the converter did not produce output '" + out + "'");
  return Status::ok();
}

}  // namespace

Result<Graph> import_onnx_bytes(const void* data, size_t size, const std::string& base_dir,
                                const ImportOptions& options) {
  if (size > static_cast<size_t>(std::numeric_limits<int>::max()))
    return Status::error("the model is larger than protobuf's 2 GiB limit");
  onnx::ModelProto model;
  if (!model.ParseFromArray(data, static_cast<int>(size)))
    return Status::error("not a valid ONNX model (protobuf parse failed)");
  if (!model.has_graph()) return Status::error("the ONNX model has no graph");
  if (options.batch_size <= 0) return Status::error("batch size must be positive");
  ImportState state;
  state.options = &options;
  state.base_dir = base_dir;
  for (const auto& op_set : model.opset_import())
    if (op_set.domain().empty() || op_set.domain() == "ai.onnx") state.opset = static_cast<int>(op_set.version());
  if (state.opset == 0) return Status::error("the model imports no default-domain opset");
  if (state.opset < kMinOpset || state.opset > kMaxOpset)
    return Status::error("opset " + std::to_string(state.opset) + " is not supported (supported: " +
                         std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) + ")");
  const onnx::GraphProto& g = model.graph();
  for (const auto& init : g.initializer()) {
    FI_ASSIGN_OR_RETURN(HostTensor t, tensor_from_proto(init, base_dir));
    if (state.value_of.count(init.name())) return Status::error("initializer '" + init.name() + "' is defined twice");
    state.value_of[init.name()] =
        state.graph.add_constant(init.name(), t.dtype, t.shape, Buffer::copy_of(t.bytes.data(), t.bytes.size()));
  }
  if (g.sparse_initializer_size() > 0) return Status::error("sparse initializers are not supported");
  for (const auto& input : g.input())
    if (!state.value_of.count(input.name())) FI_RETURN_IF_ERROR(add_graph_input(state, input));
  for (int i = 0; i < g.node_size(); ++i) FI_RETURN_IF_ERROR(convert_node(state, g.node(i), i));
  for (const auto& output : g.output()) {
    auto it = state.value_of.find(output.name());
    if (it == state.value_of.end()) return Status::error("graph output '" + output.name() + "' is never computed");
    state.graph.outputs.push_back({output.name(), it->second});
  }
  remove_dead_code(state.graph);
  state.graph.name = options.model_name.empty() ? g.name() : options.model_name;
  state.graph.history.push_back("import: " + std::to_string(g.node_size()) + " ONNX nodes (opset " +
                                std::to_string(state.opset) + ") -> " + std::to_string(state.graph.nodes.size()) +
                                " IR nodes after folding constants and dropping Identity/Dropout");
  FI_RETURN_IF_ERROR(state.graph.validate_structure());
  return std::move(state.graph);
}

Result<Graph> import_onnx_file(const std::string& path, const ImportOptions& options) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::error("cannot open '" + path + "'");
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  ImportOptions named = options;
  if (named.model_name.empty()) named.model_name = fs::path(path).stem().string();
  return import_onnx_bytes(bytes.data(), bytes.size(), fs::path(path).parent_path().string(), named);
}

}  // namespace fusedinf::importer
