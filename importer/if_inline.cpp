// If at import: fusedinf's IR has no control flow, so an If must be decided while importing.
// Its condition is a constant by then when it comes from a folded chain (a shape test), a
// --constant-input (silero-vad's `If(Equal(sr, 16000))`) or a frozen static input. The
// taken branch (a GraphProto with no inputs, reading outer values by name) is converted in
// place; its outputs become the If's outputs, in order.
#include <algorithm>
#include <set>

#include "importer/convert_node.h"
#include "importer/onnx_tensor.h"

namespace fusedinf::importer {

namespace {

// Names of the graph inputs that tensor `t` depends on, through the nodes emitted so far.
std::vector<std::string> inputs_reaching(const Graph& g, int t) {
  std::vector<int> producer(g.tensors.size(), -1);
  for (size_t n = 0; n < g.nodes.size(); ++n)
    for (int out : g.nodes[n].outputs) producer[out] = static_cast<int>(n);
  std::set<int> seen{t};
  std::vector<int> stack{t};
  while (!stack.empty()) {
    const int cur = stack.back();
    stack.pop_back();
    if (producer[cur] < 0) continue;
    for (int in : g.nodes[producer[cur]].inputs)
      if (in >= 0 && seen.insert(in).second) stack.push_back(in);
  }
  std::vector<std::string> names;
  for (const GraphIo& io : g.inputs)
    if (seen.count(io.tensor)) names.push_back(io.name);
  return names;
}

Result<bool> condition_value(ImportState& state, const onnx::NodeProto& proto, const std::string& where) {
  if (proto.input_size() != 1 || proto.input(0).empty())
    return Status::error(where + ": expected one input (the condition)");
  const std::string& cond = proto.input(0);
  const int t = state.value_of.at(cond);
  const Tensor& tensor = state.graph.tensors[t];
  if (!tensor.is_constant() && !state.options->static_inputs.count(cond)) {
    std::string from;
    for (const std::string& name : inputs_reaching(state.graph, t)) from += (from.empty() ? "'" : ", '") + name + "'";
    return Status::error(where + ": the condition '" + cond +
                         "' is not a constant at import (fusedinf has no control flow; it inlines an If only "
                         "when its condition folds)" +
                         (from.empty() ? std::string()
                                       : "; it depends on graph input(s) " + from +
                                             ": --constant-input NAME=VALUE binds an input to a constant"));
  }
  NodeContext context(state, proto);  // freezes a static input, or views the constant
  Result<ConstTensorView> value = context.constant_input(0);
  if (!value.is_ok()) return value.status();
  if (value->dtype != DType::kBool || value->numel() != 1)
    return Status::error(where + ": the condition must be one bool, is " + std::string(dtype_name(value->dtype)) + " " +
                         shape_to_string(value->shape));
  return value->as<bool>()[0];
}

}  // namespace

Status inline_if(ImportState& state, const onnx::NodeProto& proto) {
  const std::string where = "node '" + proto.name() + "' (If, opset " + std::to_string(state.opset) + ")";
  const onnx::GraphProto* branches[2] = {nullptr, nullptr};  // else, then
  for (const auto& a : proto.attribute()) {
    if (a.name() != "then_branch" && a.name() != "else_branch")
      return Status::error(where + ": attribute '" + a.name() + "' is not supported");
    if (a.type() != onnx::AttributeProto::GRAPH)
      return Status::error(where + ": attribute '" + a.name() + "' is not a graph");
    branches[a.name() == "then_branch"] = &a.g();
  }
  if (!branches[0] || !branches[1]) return Status::error(where + ": needs both then_branch and else_branch");
  FI_ASSIGN_OR_RETURN(const bool taken, condition_value(state, proto, where));
  const onnx::GraphProto& branch = *branches[taken];
  const std::string scope = proto.name() + (taken ? "/then" : "/else");
  const std::string in_branch = where + ", " + (taken ? "then" : "else") + " branch";
  if (branch.input_size() > 0) return Status::error(in_branch + ": a branch with inputs is not valid ONNX");
  if (branch.sparse_initializer_size() > 0) return Status::error(in_branch + ": sparse initializers are not supported");
  if (branch.output_size() != proto.output_size())
    return Status::error(in_branch + " has " + std::to_string(branch.output_size()) + " outputs, the If " +
                         std::to_string(proto.output_size()));

  // The branch's own names live in a scope over the outer ones, dropped afterwards.
  const std::map<std::string, int> outer = state.value_of;
  std::vector<int> results;
  Status converted = [&]() -> Status {
    for (const auto& init : branch.initializer()) {
      Result<HostTensor> t = tensor_from_proto(init, state.base_dir);
      if (!t.is_ok()) return t.status().with_context(in_branch);
      state.value_of[init.name()] = state.graph.add_constant(scope + "/" + init.name(), t->dtype, t->shape,
                                                             Buffer::copy_of(t->bytes.data(), t->bytes.size()));
    }
    for (int i = 0; i < branch.node_size(); ++i)
      FI_RETURN_IF_ERROR(convert_node(state, branch.node(i), scope + "#" + std::to_string(i)));
    for (const auto& out : branch.output()) {
      auto it = state.value_of.find(out.name());
      if (it == state.value_of.end())
        return Status::error(in_branch + ": output '" + out.name() + "' is never computed");
      results.push_back(it->second);
    }
    return Status::ok();
  }();
  state.value_of = outer;
  FI_RETURN_IF_ERROR(converted);
  for (int o = 0; o < proto.output_size(); ++o) {
    const std::string& out = proto.output(o);
    if (out.empty()) continue;
    if (state.value_of.count(out)) return Status::error(where + ": output '" + out + "' is already defined");
    state.value_of[out] = results[o];
  }
  return Status::ok();
}

}  // namespace fusedinf::importer
