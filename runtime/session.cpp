#include "runtime/session.h"

#include <cstring>

#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf {

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

Result<Session> Session::create(Graph graph) {
  FI_RETURN_IF_ERROR(graph.validate_structure());
  for (const Node& node : graph.nodes)
    if (!cpu::find_cpu_kernel(node.op))
      return Status::error("node '" + node.name + "': the CPU backend has no kernel for op '" + node.op + "'");
  Session session(std::move(graph));
  session.storage_.resize(session.graph_.tensors.size());
  for (size_t t = 0; t < session.graph_.tensors.size(); ++t) {
    const Tensor& tensor = session.graph_.tensors[t];
    if (tensor.is_constant()) continue;
    session.storage_[t].assign(static_cast<size_t>(num_elements(tensor.shape)) * dtype_size(tensor.dtype), 0);
  }
  return session;
}

Result<std::vector<HostTensor>> Session::run(const std::map<std::string, HostTensor>& inputs) {
  for (const GraphIo& io : graph_.inputs) {
    auto it = inputs.find(io.name);
    if (it == inputs.end()) return Status::error("input '" + io.name + "' was not given");
    FI_RETURN_IF_ERROR(check_input(graph_, io, it->second));
    if (!it->second.bytes.empty()) std::memcpy(storage_[io.tensor].data(), it->second.bytes.data(), it->second.bytes.size());
  }
  for (const auto& [name, tensor] : inputs) {
    bool known = false;
    for (const GraphIo& io : graph_.inputs) known |= io.name == name;
    if (!known) return Status::error("'" + name + "' is not an input of model '" + graph_.name + "'");
  }
  auto view_of = [&](int t) -> ConstTensorView {
    if (t < 0) return ConstTensorView{};
    const Tensor& tensor = graph_.tensors[t];
    if (tensor.is_constant()) return graph_.constant_view(t);
    return ConstTensorView{storage_[t].data(), tensor.dtype, tensor.shape};
  };
  std::vector<ConstTensorView> in_views;
  std::vector<TensorView> out_views;
  for (const Node& node : graph_.nodes) {
    in_views.clear();
    out_views.clear();
    for (int t : node.inputs) in_views.push_back(view_of(t));
    for (int t : node.outputs)
      out_views.push_back(TensorView{storage_[t].data(), graph_.tensors[t].dtype, graph_.tensors[t].shape});
    FI_RETURN_IF_ERROR(cpu::run_cpu_node(node, in_views, out_views));
  }
  std::vector<HostTensor> outputs;
  for (const GraphIo& io : graph_.outputs) {
    ConstTensorView v = view_of(io.tensor);
    HostTensor out = HostTensor::zeros(v.dtype, v.shape);
    out.name = io.name;
    if (v.bytes()) std::memcpy(out.bytes.data(), v.data, v.bytes());
    outputs.push_back(std::move(out));
  }
  return outputs;
}

}  // namespace fusedinf
