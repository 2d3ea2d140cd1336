#include "importer/node_context.h"

#include <algorithm>

#include "engine/op_def.h"
#include "importer/onnx_tensor.h"

namespace fusedinf::importer {

const onnx::AttributeProto* NodeContext::find_attr(std::string_view name) const {
  read_.emplace(name);
  for (const auto& a : proto_.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

const onnx::AttributeProto* NodeContext::find_typed(std::string_view name,
                                                    onnx::AttributeProto::AttributeType type) const {
  const onnx::AttributeProto* a = find_attr(name);
  if (!a || a->type() == type) return a;
  if (type_error_.empty())
    type_error_ = "attribute '" + std::string(name) + "' is " + onnx::AttributeProto::AttributeType_Name(a->type()) +
                  ", expected " + onnx::AttributeProto::AttributeType_Name(type);
  return nullptr;
}

int64_t NodeContext::attr_int(std::string_view name, int64_t fallback) const {
  const auto* a = find_typed(name, onnx::AttributeProto::INT);
  return a ? a->i() : fallback;
}

float NodeContext::attr_float(std::string_view name, float fallback) const {
  const auto* a = find_typed(name, onnx::AttributeProto::FLOAT);
  return a ? a->f() : fallback;
}

std::string NodeContext::attr_string(std::string_view name, const std::string& fallback) const {
  const auto* a = find_typed(name, onnx::AttributeProto::STRING);
  return a ? a->s() : fallback;
}

std::vector<int64_t> NodeContext::attr_ints(std::string_view name, std::vector<int64_t> fallback) const {
  const auto* a = find_typed(name, onnx::AttributeProto::INTS);
  if (!a) return fallback;
  return {a->ints().begin(), a->ints().end()};
}

std::vector<float> NodeContext::attr_floats(std::string_view name, std::vector<float> fallback) const {
  const auto* a = find_typed(name, onnx::AttributeProto::FLOATS);
  if (!a) return fallback;
  return {a->floats().begin(), a->floats().end()};
}

std::vector<std::string> NodeContext::attr_strings(std::string_view name, std::vector<std::string> fallback) const {
  const auto* a = find_typed(name, onnx::AttributeProto::STRINGS);
  if (!a) return fallback;
  return {a->strings().begin(), a->strings().end()};
}

Result<HostTensor> NodeContext::attr_tensor(std::string_view name) const {
  const auto* a = find_typed(name, onnx::AttributeProto::TENSOR);
  if (!a) return fail("attribute '" + std::string(name) + "' is absent or not a tensor");
  Result<HostTensor> t = tensor_from_proto(a->t(), state_.base_dir);
  if (!t.is_ok()) return fail(t.status().message());
  return t;
}

std::vector<std::string> NodeContext::attr_names() const {
  std::vector<std::string> names;
  for (const auto& a : proto_.attribute()) names.push_back(a.name());
  return names;
}

void NodeContext::ignore_attrs(std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) read_.emplace(name);
}

Status NodeContext::check_attributes() const {
  if (!type_error_.empty()) return fail(type_error_);
  for (const auto& a : proto_.attribute())
    if (!read_.count(a.name()))
      return fail("attribute '" + a.name() + "' is not supported (it is refused rather than ignored)");
  return Status::ok();
}

int NodeContext::input(int i) const {
  if (!has_input(i)) return -1;
  auto it = state_.value_of.find(proto_.input(i));
  return it == state_.value_of.end() ? -1 : it->second;
}

Result<ConstTensorView> NodeContext::constant_input(int i) const {
  if (!has_input(i)) return fail("input " + std::to_string(i) + " is required as a constant but absent");
  const int t = input(i);
  Tensor& tensor = state_.graph.tensors[t];
  if (!tensor.is_constant()) {
    // A graph input whose value the caller supplied may be frozen into a constant.
    auto frozen = state_.options->static_inputs.find(proto_.input(i));
    auto is_graph_input = std::find_if(state_.graph.inputs.begin(), state_.graph.inputs.end(),
                                       [&](const GraphIo& io) { return io.tensor == t; });
    if (frozen == state_.options->static_inputs.end() || is_graph_input == state_.graph.inputs.end())
      return fail("input " + std::to_string(i) + " ('" + proto_.input(i) +
                  "') must be a constant (fusedinf needs static shapes and parameters)");
    const HostTensor& value = frozen->second;
    if (value.dtype != tensor.dtype || value.shape != tensor.shape)
      return fail("value given for input '" + proto_.input(i) + "' does not match its declared type");
    state_.graph.buffers.push_back(Buffer::copy_of(value.bytes.data(), value.bytes.size()));
    tensor.buffer = static_cast<int>(state_.graph.buffers.size()) - 1;
    state_.graph.inputs.erase(is_graph_input);
  }
  return state_.graph.constant_view(t);
}

Result<std::vector<int64_t>> NodeContext::constant_ints(int i) const {
  FI_ASSIGN_OR_RETURN(ConstTensorView v, constant_input(i));
  std::vector<int64_t> values(static_cast<size_t>(v.numel()));
  if (v.dtype == DType::kInt64)
    std::copy(v.as<int64_t>(), v.as<int64_t>() + v.numel(), values.begin());
  else if (v.dtype == DType::kInt32)
    std::copy(v.as<int32_t>(), v.as<int32_t>() + v.numel(), values.begin());
  else
    return fail("input " + std::to_string(i) + " must be int64 or int32, is " + std::string(dtype_name(v.dtype)));
  return values;
}

int NodeContext::num_outputs() const {
  int n = 0;
  for (const std::string& out : proto_.output()) n += !out.empty();
  return n;
}

Status NodeContext::add_node(Node node) {
  Result<std::vector<ValueInfo>> inferred = infer_node(state_.graph, node);
  if (!inferred.is_ok()) return fail(inferred.status().message());
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    Tensor& t = state_.graph.tensors[node.outputs[o]];
    t.dtype = (*inferred)[o].dtype;
    t.shape = (*inferred)[o].shape;
  }
  bool all_constant = static_cast<bool>(state_.options->evaluator) &&
                      node_output_bytes(state_.graph, node) <= state_.options->max_folded_bytes;
  for (int t : node.inputs) all_constant = all_constant && (t < 0 || state_.graph.tensors[t].is_constant());
  if (!all_constant) {
    state_.graph.nodes.push_back(std::move(node));
    return Status::ok();
  }
  std::vector<ConstTensorView> in;
  for (int t : node.inputs) in.push_back(t < 0 ? ConstTensorView{} : state_.graph.constant_view(t));
  std::vector<HostTensor> results;
  for (int t : node.outputs)
    results.push_back(HostTensor::zeros(state_.graph.tensors[t].dtype, state_.graph.tensors[t].shape));
  std::vector<TensorView> out;
  for (HostTensor& r : results) out.push_back(r.mutable_view());
  Status s = state_.options->evaluator(node, in, out);
  if (!s.is_ok()) return fail("folding constants: " + s.message());
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    state_.graph.buffers.push_back(Buffer::copy_of(results[o].bytes.data(), results[o].bytes.size()));
    state_.graph.tensors[node.outputs[o]].buffer = static_cast<int>(state_.graph.buffers.size()) - 1;
  }
  return Status::ok();
}

Status NodeContext::emit(const std::string& op, std::vector<int> inputs, Attributes attrs) {
  Node node{op, name_(), std::move(inputs), {}, std::move(attrs)};
  int last = proto_.output_size() - 1;  // the last present output
  while (last >= 0 && proto_.output(last).empty()) --last;
  for (int o = 0; o <= last; ++o) {
    const std::string& out = proto_.output(o);
    if (out.empty()) {  // absent before a present one: an internal tensor nothing reads
      node.outputs.push_back(state_.graph.add_tensor(
          name_() + "/unused_output_" + std::to_string(o) + "_" + std::to_string(state_.counter++), DType::kFloat32,
          {}));
      continue;
    }
    if (state_.value_of.count(out)) return fail("output '" + out + "' is already defined");
    node.outputs.push_back(state_.graph.add_tensor(out, DType::kFloat32, {}));
  }
  const std::vector<int> outputs = node.outputs;
  FI_RETURN_IF_ERROR(add_node(std::move(node)));
  for (size_t o = 0; o < outputs.size(); ++o)
    if (!proto_.output(static_cast<int>(o)).empty()) state_.value_of[proto_.output(static_cast<int>(o))] = outputs[o];
  return Status::ok();
}

Result<int> NodeContext::emit_intermediate(const std::string& op, std::vector<int> inputs, Attributes attrs) {
  const int out =
      state_.graph.add_tensor(name_() + "/" + op + "_" + std::to_string(state_.counter++), DType::kFloat32, {});
  FI_RETURN_IF_ERROR(add_node(Node{op, name_(), std::move(inputs), {out}, std::move(attrs)}));
  return out;
}

int NodeContext::add_constant(DType dtype, Shape shape, const void* bytes) {
  const size_t size = static_cast<size_t>(num_elements(shape)) * dtype_size(dtype);
  return state_.graph.add_constant(name_() + "/const_" + std::to_string(state_.counter++), dtype, std::move(shape),
                                   Buffer::copy_of(bytes, size));
}

Status NodeContext::alias_output(int i, int tensor) {
  if (i < 0 || i >= proto_.output_size() || proto_.output(i).empty()) return fail("no output " + std::to_string(i));
  if (state_.value_of.count(proto_.output(i))) return fail("output '" + proto_.output(i) + "' is already defined");
  if (tensor < 0 || tensor >= static_cast<int>(state_.graph.tensors.size()))
    return fail("output '" + proto_.output(i) + "' would be an absent input");
  state_.value_of[proto_.output(i)] = tensor;
  return Status::ok();
}

}  // namespace fusedinf::importer
