#include "runtime/session.h"

#include <cstdlib>
#include <cstring>

#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf {

namespace {
constexpr uint64_t kArenaAlignment = 64;
}

Status check_input(const Graph& graph, const GraphIo& io, const HostTensor& tensor) {
  const Tensor& expected = graph.tensors[io.tensor];
  if (tensor.dtype != expected.dtype || tensor.shape != expected.shape)
    return Status::error("input '" + io.name + "': expected " + std::string(dtype_name(expected.dtype)) + " " +
                         shape_to_string(expected.shape) + ", got " + std::string(dtype_name(tensor.dtype)) + " " +
                         shape_to_string(tensor.shape));
  if (tensor.bytes.size() != static_cast<size_t>(tensor.numel()) * dtype_size(tensor.dtype))
    return Status::error("input '" + io.name + "': holds " + std::to_string(tensor.bytes.size()) +
                         " bytes, its shape needs " + std::to_string(tensor.numel() * dtype_size(tensor.dtype)));
  return Status::ok();
}

uint64_t Session::arena_bytes(const Graph& graph) {
  return std::max<uint64_t>(
      plan_activations(graph, cpu::cpu_workspace_per_node(graph), kArenaAlignment).memory.arena_size, kArenaAlignment);
}

Result<Session> Session::create(Graph graph) { return create(std::move(graph), nullptr); }

Result<Session> Session::create(Graph graph, uint8_t* external_arena) {
  FI_RETURN_IF_ERROR(graph.validate_structure());
  for (const Node& node : graph.nodes)
    if (!cpu::find_cpu_kernel(node.op))
      return Status::error("node '" + node.name + "': the CPU backend has no kernel for op '" + node.op + "'");
  Session session(std::move(graph));
  const std::vector<uint64_t> workspace = cpu::cpu_workspace_per_node(session.graph_);
  session.plan_ = plan_activations(session.graph_, workspace, kArenaAlignment);
  const uint64_t bytes = std::max<uint64_t>(session.plan_.memory.arena_size, kArenaAlignment);
  if (external_arena) {
    session.arena_ = std::unique_ptr<uint8_t[], void (*)(void*)>(external_arena, [](void*) {});
  } else {
    void* arena = std::aligned_alloc(kArenaAlignment, bytes);
    if (!arena) return Status::error("cannot allocate the " + std::to_string(bytes) + "-byte activation arena");
    std::memset(arena, 0, bytes);
    session.arena_ = std::unique_ptr<uint8_t[], void (*)(void*)>(static_cast<uint8_t*>(arena), std::free);
  }
  session.tensor_data_.assign(session.graph_.tensors.size(), nullptr);
  for (size_t t = 0; t < session.graph_.tensors.size(); ++t)
    if (session.plan_.buffer_of_tensor[t] >= 0)
      session.tensor_data_[t] = session.arena_.get() + session.plan_.tensor_offset[t];
  const Graph& g = session.graph_;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const Node& node = g.nodes[n];
    // An aliasing op whose output already shares its input's bytes has nothing to do.
    if (is_alias_op(node.op) && node.inputs[0] >= 0 &&
        session.view(node.inputs[0]).data == session.tensor_data_[node.outputs[0]])
      continue;
    BoundNode bound{n, cpu::find_cpu_kernel(node.op)->run, {}, {}, {}};
    for (int t : node.inputs) bound.inputs.push_back(session.view(t));
    for (int t : node.outputs)
      bound.outputs.push_back(TensorView{session.tensor_data_[t], g.tensors[t].dtype, g.tensors[t].shape});
    if (session.plan_.workspace_offset[n] >= 0)
      bound.workspace = {session.arena_.get() + session.plan_.workspace_offset[n],
                         static_cast<size_t>(session.plan_.workspace_bytes[n])};
    session.bound_.push_back(std::move(bound));
  }
  return session;
}

ConstTensorView Session::view(int t) const {
  if (t < 0) return ConstTensorView{};
  const Tensor& tensor = graph_.tensors[t];
  if (tensor.is_constant()) return graph_.constant_view(t);
  return ConstTensorView{tensor_data_[t], tensor.dtype, tensor.shape};
}

Result<std::vector<HostTensor>> Session::run(const std::map<std::string, HostTensor>& inputs) {
  for (const auto& [name, tensor] : inputs) {
    bool known = false;
    for (const GraphIo& io : graph_.inputs) known |= io.name == name;
    if (!known) return Status::error("'" + name + "' is not an input of model '" + graph_.name + "'");
  }
  for (const GraphIo& io : graph_.inputs) {
    auto it = inputs.find(io.name);
    if (it == inputs.end()) return Status::error("input '" + io.name + "' was not given");
    FI_RETURN_IF_ERROR(check_input(graph_, io, it->second));
    if (!it->second.bytes.empty() && tensor_data_[io.tensor])
      std::memcpy(tensor_data_[io.tensor], it->second.bytes.data(), it->second.bytes.size());
  }
  for (const BoundNode& b : bound_) {
    const Node& node = graph_.nodes[b.node];
    Status status = b.run(cpu::KernelArgs{node, b.inputs, b.outputs, b.workspace});
    if (!status.is_ok()) return status.with_context("node '" + node.name + "' (" + node.op + ")");
  }
  std::vector<HostTensor> outputs;
  for (const GraphIo& io : graph_.outputs) {
    ConstTensorView v = view(io.tensor);
    HostTensor out = HostTensor::zeros(v.dtype, v.shape);
    out.name = io.name;
    if (v.bytes()) std::memcpy(out.bytes.data(), v.data, v.bytes());
    outputs.push_back(std::move(out));
  }
  return outputs;
}

}  // namespace fusedinf
