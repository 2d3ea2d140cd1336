#include <algorithm>

#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf::cpu {

std::vector<const CpuKernel*> all_cpu_kernels() {
  // The one visible table of CPU kernel families.
  const std::span<const CpuKernel> families[] = {
      conv_kernels(),          pool_kernels(),    normalization_kernels(), elementwise_kernels(),
      matmul_kernels(),        softmax_kernels(), reduce_kernels(),        shape_kernels(),
      data_movement_kernels(), resize_kernels(),  fused_kernels(),
  };
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

Status run_cpu_node(const Node& node, std::span<const ConstTensorView> inputs, std::span<const TensorView> outputs) {
  const CpuKernel* kernel = find_cpu_kernel(node.op);
  if (!kernel) return Status::error("no CPU kernel for op '" + node.op + "' (node '" + node.name + "')");
  Status s = kernel->run(KernelArgs{node, inputs, outputs});
  return s.with_context("node '" + node.name + "' (" + node.op + ")");
}

}  // namespace fusedinf::cpu
