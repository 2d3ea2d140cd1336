// ONNX -> Graph: reads the model, its initializers and inputs, then converts node after node
// (importer/ops/*), each emitted node shape-inferred and, when its inputs are constants,
// folded; an If whose condition folds is replaced by its taken branch (if_inline.cpp).
// Unused nodes and constants are dropped at the end.
#include "importer/onnx_importer.h"

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "engine/graph_rewrite.h"
#include "importer/convert_node.h"
#include "importer/graph_inputs.h"
#include "importer/node_context.h"
#include "importer/onnx_tensor.h"

namespace fusedinf::importer {

namespace fs = std::filesystem;

namespace {

constexpr int kMinOpset = 7;
constexpr int kMaxOpset = 28;  // onnx 1.23: each converter states its own range

// Ops refused on purpose, with the reason the user gets (ops helper block, issue 11).
const char* refusal_reason(const std::string& op) {
  if (op == "NonMaxSuppression" || op == "NonZero" || op == "Unique" || op == "Compress")
    return "its output's size depends on the input values, and fusedinf's IR has static shapes (run it after the "
           "model, or export the model without it)";
  return nullptr;
}

}  // namespace

Status convert_node(ImportState& state, const onnx::NodeProto& proto, const std::string& fallback_name) {
  const std::string name = proto.name().empty() ? fallback_name : proto.name();
  const std::string where = "node '" + name + "' (" + proto.op_type() + ", opset " + std::to_string(state.opset) + ")";
  if (!proto.domain().empty() && proto.domain() != "ai.onnx")
    return Status::error(where + ": op domain '" + proto.domain() + "' is not supported");
  for (const std::string& in : proto.input())
    if (!in.empty() && !state.value_of.count(in))
      return Status::error(where + ": input '" + in + "' is not defined before this node");
  onnx::NodeProto named = proto;
  if (named.name().empty()) named.set_name(name);
  const OnnxConverter* converter = find_converter(proto.op_type(), state.opset);
  if (!converter) {
    std::string ranges;
    for (const OnnxConverter* c : all_converters())
      if (c->onnx_op == proto.op_type())
        ranges += (ranges.empty() ? "" : ", ") + std::to_string(c->since_opset) + "-" + std::to_string(c->until_opset);
    if (ranges.empty()) {
      const char* reason = refusal_reason(proto.op_type());
      return Status::error("unsupported op '" + proto.op_type() + "' (opset " + std::to_string(state.opset) +
                           ") at node '" + name + "'" + (reason ? std::string(": ") + reason : std::string()));
    }
    return Status::error("op '" + proto.op_type() + "' at node '" + name + "' is supported at opsets " + ranges +
                         ", not " + std::to_string(state.opset));
  }
  if (proto.op_type() == "If") return inline_if(state, named);
  NodeContext context(state, named);
  FI_RETURN_IF_ERROR(converter->convert(context));
  FI_RETURN_IF_ERROR(context.check_attributes());
  for (const std::string& out : proto.output())
    if (!out.empty() && !state.value_of.count(out))
      return Status::error(where + ": the converter did not produce output '" + out + "'");
  return Status::ok();
}

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
  FI_RETURN_IF_ERROR(check_input_options(g, options));
  for (const auto& input : g.input())
    if (!state.value_of.count(input.name())) FI_RETURN_IF_ERROR(add_graph_input(state, input));
  for (int i = 0; i < g.node_size(); ++i) FI_RETURN_IF_ERROR(convert_node(state, g.node(i), "#" + std::to_string(i)));
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
