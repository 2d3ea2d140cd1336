#include <algorithm>

#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf::cpu {

std::vector<const CpuKernel*> all_cpu_kernels() {
  // The one visible table of CPU kernel families.
  // clang-format off
  const std::span<const CpuKernel> families[] = {
      conv_kernels(),          pool_kernels(),    normalization_kernels(), elementwise_kernels(),
      matmul_kernels(),        softmax_kernels(), reduce_kernels(),        shape_kernels(),
      data_movement_kernels(), resize_kernels(),  fused_kernels(),
      recurrent_kernels(),
      scatter_gather_kernels(), selection_kernels(),  // ops helper block (issue 11)
  };
  // clang-format on
  std::vector<const CpuKernel*> kernels;
  for (auto family : families)
    for (const CpuKernel& k : family) kernels.push_back(&k);
  return kernels;
}

const CpuKernel* find_cpu_kernel(std::string_view op) {
  static const std::vector<const CpuKernel*> kernels = all_cpu_kernels();
  auto it = std::find_if(kernels.begin(), kernels.end(), [&](const CpuKernel* k) { return k->op == op; });
  return it == kernels.end() ? nullptr : *it;
}

Status run_reference_kernel(const KernelArgs& args) {
  const CpuKernel* kernel = find_cpu_kernel(args.node.op);
  if (!kernel) return Status::error("no reference CPU kernel for op '" + args.node.op + "'");
  return kernel->run(args);
}

const CpuKernel* find_cpu_backend_kernel(std::string_view op) {
  for (auto family : {fast_conv_kernels(), fast_matmul_kernels(), fast_pool_kernels(), fast_elementwise_kernels(),
                      fast_recurrent_kernels(),
                      fast_resize_kernels()})  // the last: ops helper block (issue 11)
    for (const CpuKernel& k : family)
      if (k.op == op) return &k;
  return find_cpu_kernel(op);
}

namespace {
uint64_t workspace_of(const CpuKernel& kernel, const Node& node, std::span<const ConstTensorView> inputs,
                      std::span<const TensorView> outputs) {
  if (!kernel.workspace) return 0;
  std::vector<Shape> in, out;
  for (const ConstTensorView& v : inputs) in.push_back(v.shape);
  for (const TensorView& v : outputs) out.push_back(v.shape);
  return kernel.workspace(node, in, out);
}
}  // namespace

std::vector<uint64_t> cpu_workspace_per_node(const Graph& graph) {
  std::vector<uint64_t> bytes(graph.nodes.size(), 0);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& node = graph.nodes[n];
    const CpuKernel* kernel = find_cpu_backend_kernel(node.op);
    if (!kernel || !kernel->workspace) continue;
    std::vector<Shape> in, out;
    for (int t : node.inputs) in.push_back(t >= 0 ? graph.tensors[t].shape : Shape{});
    for (int t : node.outputs) out.push_back(graph.tensors[t].shape);
    bytes[n] = kernel->workspace(node, in, out);
  }
  return bytes;
}

Status run_cpu_node_in(const Node& node, std::span<const ConstTensorView> inputs, std::span<const TensorView> outputs,
                       std::span<uint8_t> workspace) {
  const CpuKernel* kernel = find_cpu_kernel(node.op);
  if (!kernel) return Status::error("no CPU kernel for op '" + node.op + "' (node '" + node.name + "')");
  if (workspace.size() < workspace_of(*kernel, node, inputs, outputs))
    return Status::error("node '" + node.name + "' (" + node.op + "): workspace too small");
  Status s = kernel->run(KernelArgs{node, inputs, outputs, workspace});
  return s.with_context("node '" + node.name + "' (" + node.op + ")");
}

Status run_cpu_node(const Node& node, std::span<const ConstTensorView> inputs, std::span<const TensorView> outputs) {
  const CpuKernel* kernel = find_cpu_kernel(node.op);
  if (!kernel) return Status::error("no CPU kernel for op '" + node.op + "' (node '" + node.name + "')");
  std::vector<uint8_t> workspace(workspace_of(*kernel, node, inputs, outputs));
  return run_cpu_node_in(node, inputs, outputs, workspace);
}

}  // namespace fusedinf::cpu
