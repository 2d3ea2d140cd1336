// CPU reference kernels: deliberately naive, one file per op family, the oracle that every
// other backend is tested against. A kernel may assume its node passed shape inference
// (engine/op_def.h): dtypes, shapes and attributes are valid; outputs are allocated with the
// inferred shapes. Absent optional inputs have data == nullptr.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"
#include "engine/tensor_view.h"

namespace fusedinf::cpu {

struct KernelArgs {
  const Node& node;  // attributes
  std::span<const ConstTensorView> inputs;
  std::span<const TensorView> outputs;
};

using KernelFn = Status (*)(const KernelArgs& args);

struct CpuKernel {
  std::string_view op;
  KernelFn run;
};

// Family tables, one per kernels/cpu/<family>.cpp.
std::span<const CpuKernel> conv_kernels();
std::span<const CpuKernel> pool_kernels();
std::span<const CpuKernel> normalization_kernels();
std::span<const CpuKernel> elementwise_kernels();
std::span<const CpuKernel> matmul_kernels();
std::span<const CpuKernel> softmax_kernels();
std::span<const CpuKernel> reduce_kernels();
std::span<const CpuKernel> shape_kernels();
std::span<const CpuKernel> data_movement_kernels();
std::span<const CpuKernel> resize_kernels();
std::span<const CpuKernel> fused_kernels();

// nullptr when no CPU kernel implements `op`.
const CpuKernel* find_cpu_kernel(std::string_view op);
std::vector<const CpuKernel*> all_cpu_kernels();

// Runs `node` with its CPU kernel (a NodeEvaluator, see engine/evaluator.h).
Status run_cpu_node(const Node& node, std::span<const ConstTensorView> inputs, std::span<const TensorView> outputs);

}  // namespace fusedinf::cpu
