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
  std::span<uint8_t> workspace = {};  // CpuKernel::workspace bytes, 64-byte aligned, planned in the arena
};

using KernelFn = Status (*)(const KernelArgs& args);
// Scratch bytes a kernel needs for a node with these input and output shapes (its prepare
// step); the memory planner places them in the arena, live only while the node runs.
using WorkspaceFn = uint64_t (*)(const Node& node, std::span<const Shape> inputs, std::span<const Shape> outputs);

struct CpuKernel {
  std::string_view op;
  KernelFn run;
  WorkspaceFn workspace = nullptr;  // nullptr: no workspace
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
std::span<const CpuKernel> recurrent_kernels();
// ops helper block (issue 11)
std::span<const CpuKernel> scatter_gather_kernels();  // GatherND, ScatterND, ScatterElements
std::span<const CpuKernel> selection_kernels();       // TopK
// Faster kernels the CPU backend prefers to the reference kernel of the same op, through
// OpenBLAS: Conv and FusedConv (conv_gemm.cpp), Gemm, MatMul and their fused forms
// (matmul_blas.cpp); and without OpenBLAS, 2-d MaxPool and AveragePool (pool_2d.cpp) and fp32
// Add/Sub/Mul/Div/Relu (elementwise_fast.cpp). Tested against the reference kernels, which stay
// the oracle and the constant folder (run_cpu_node).
std::span<const CpuKernel> fast_conv_kernels();
std::span<const CpuKernel> fast_matmul_kernels();
std::span<const CpuKernel> fast_pool_kernels();
std::span<const CpuKernel> fast_elementwise_kernels();
std::span<const CpuKernel> fast_recurrent_kernels();  // LSTM, GRU, RNN (recurrent_fast.cpp, OpenBLAS)
std::span<const CpuKernel> fast_resize_kernels();  // ops helper block (issue 11): Resize (resize_fast.cpp)

// nullptr when no CPU kernel implements `op`.
const CpuKernel* find_cpu_kernel(std::string_view op);
std::vector<const CpuKernel*> all_cpu_kernels();

// The kernel the CPU backend runs for `op`: the fast one when there is one, else the reference.
const CpuKernel* find_cpu_backend_kernel(std::string_view op);
// Runs the reference kernel of args.node.op: where a fast kernel hands over a case it does not
// take (another rank or dtype, an edge of the arithmetic).
Status run_reference_kernel(const KernelArgs& args);

// Workspace bytes of the CPU backend's kernel for every node of `graph` (0 where none), for
// plan_activations.
std::vector<uint64_t> cpu_workspace_per_node(const Graph& graph);

// Runs `node` with its CPU kernel in the given workspace (at least its workspace bytes).
Status run_cpu_node_in(const Node& node, std::span<const ConstTensorView> inputs, std::span<const TensorView> outputs,
                       std::span<uint8_t> workspace);
// Same, allocating the workspace itself: a NodeEvaluator for folding (engine/evaluator.h).
Status run_cpu_node(const Node& node, std::span<const ConstTensorView> inputs, std::span<const TensorView> outputs);

}  // namespace fusedinf::cpu
