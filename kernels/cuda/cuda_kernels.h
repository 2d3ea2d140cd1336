// CUDA kernels: one file per op family (kernels/cuda/<family>.cu), each exporting a table like
// the CPU's (kernels/cpu/cpu_kernels.h), and one visible registry (registry.cpp).
//
// Contract, in two phases:
// - prepare (optional), when a plan is compiled: validates what the CPU kernel does not need to
//   (rank limits, dtypes the CUDA kernel lacks), builds descriptors, picks algorithms, and
//   returns the node's device workspace size. It may allocate host objects and library
//   descriptors; it must not allocate device memory (the workspace is planned in the arena).
// - run, many times: enqueues the node on handles.stream. No allocation, no host
//   synchronisation, no implicit copies (cudaMemcpy without Async, pageable host memory) and no
//   validation: a run may be captured in a CUDA graph. Launch errors are returned as a Status.
// Every op the CPU backend accepts has a CUDA kernel; results are fp32 unless options say
// otherwise (TF32 off by default).
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"
#include "engine/tensor_view.h"

namespace fusedinf::cuda {

struct Options {
  bool allow_tf32 = false;  // cuBLAS/cuDNN may use TF32 tensor cores for fp32
  // Bias and activation inside the cuDNN/cuBLASLt call where the library fuses them (else our
  // epilogue kernel after it). Off: always the epilogue kernel (for comparisons and tests).
  bool library_epilogues = true;
};

// Library handles of one backend, all bound to its compute stream.
struct Handles {
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
  cublasLtHandle_t cublaslt = nullptr;
  cudnnHandle_t cudnn = nullptr;
  Options options;
  // Device address of the queue's data-error word (host memory mapped into the device): 0,
  // or 1 + the index of the first node whose kernel met bad data (report_data_error).
  unsigned long long* data_error = nullptr;
};

// What a kernel builds for one node when the plan is compiled and reads on every run.
struct NodeState {
  virtual ~NodeState() = default;
  // What prepare chose (library, algorithm, fused epilogue), for --explain; "" if nothing.
  virtual std::string describe() const { return ""; }
};

struct PrepareArgs {
  const Graph& graph;  // shapes and dtypes: graph.tensors[node.inputs[i]] (input -1: absent)
  const Node& node;
  const Handles& handles;
};

struct Prepared {
  std::unique_ptr<NodeState> state;  // may be null
  uint64_t workspace_bytes = 0;      // device scratch, planned in the arena, live at this node only
};

struct KernelArgs {
  const Node& node;
  std::span<const ConstTensorView> inputs;  // device pointers; data == nullptr: absent optional input
  std::span<const TensorView> outputs;      // device pointers, shapes as inferred
  std::span<uint8_t> workspace;             // device memory, Prepared::workspace_bytes long
  const Handles& handles;
  const NodeState* state;  // what prepare returned (nullptr when none)
  int64_t node_index = 0;  // the node's place in the graph, for report_data_error
};

using PrepareFn = Result<Prepared> (*)(const PrepareArgs& args);
using KernelFn = Status (*)(const KernelArgs& args);

struct CudaKernel {
  std::string_view op;
  KernelFn run;
  PrepareFn prepare = nullptr;  // nullptr: no state, no workspace
};

// Family tables, one per kernels/cuda/<family>.cu.
std::span<const CudaKernel> conv_kernels();           // Conv, ConvTranspose, FusedConv (cuDNN)
std::span<const CudaKernel> matmul_kernels();         // Gemm, MatMul, FusedGemm, FusedMatMul (cuBLAS)
std::span<const CudaKernel> elementwise_kernels();    // unary, binary, variadic, Cast, Where, PRelu
std::span<const CudaKernel> softmax_kernels();        // Softmax, LogSoftmax
std::span<const CudaKernel> normalization_kernels();  // BatchNormalization, Instance/LayerNorm, LRN
std::span<const CudaKernel> pool_kernels();           // Max/AveragePool, GlobalAverage/MaxPool
std::span<const CudaKernel> reduce_kernels();         // Reduce*, ArgMax, ArgMin
std::span<const CudaKernel> data_movement_kernels();  // Concat, Split, Slice, Gather(Elements), Pad, Trilu, ...
std::span<const CudaKernel> shape_kernels();          // Reshape & co, Transpose, Expand, Tile, Range, ...
std::span<const CudaKernel> resize_kernels();         // Resize
std::span<const CudaKernel> recurrent_kernels();      // LSTM, GRU, RNN (cuBLAS + gate kernel)
// ops helper block (issue 11)
std::span<const CudaKernel> scatter_gather_kernels();  // GatherND, ScatterND, ScatterElements
std::span<const CudaKernel> selection_kernels();       // TopK

// nullptr when no CUDA kernel implements `op`.
const CudaKernel* find_cuda_kernel(std::string_view op);
std::vector<const CudaKernel*> all_cuda_kernels();

}  // namespace fusedinf::cuda
