// CUDA Softmax / LogSoftmax, mirroring kernels/cpu/softmax.cpp: along "axis" (non-negative),
// or with "coerce_2d" over all dims from "axis" on; per row
//   mx = max(x) (NaN ignored, as fmax), sum = sum(exp(double(x - mx))),
//   y = exp(x - mx) / sum, or log: y = x - mx - log(sum).
// Rows whose elements are contiguous (inner == 1): one warp per row, warp-shuffle reductions.
// Otherwise (softmax over a middle axis): one thread per (outer, inner) column, coalesced
// across inner, looping over the axis like the CPU.
#include <cmath>
#include <string>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/cuda_util.cuh"

namespace fusedinf::cuda {

namespace {

constexpr int kWarp = 32;

struct SoftmaxState : NodeState {
  int64_t outer = 1, len = 1, inner = 1;
  bool log_form = false;
};

__device__ inline float warp_max(float v) {
  for (int m = kWarp / 2; m > 0; m /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, m));
  return v;
}

__device__ inline double warp_sum(double v) {
  for (int m = kWarp / 2; m > 0; m /= 2) v += __shfl_xor_sync(0xffffffffu, v, m);
  return v;
}

__device__ inline float softmax_value(float x, float mx, double sum, double log_sum, bool log_form) {
  const float shifted = x - mx;
  return log_form ? static_cast<float>(static_cast<double>(shifted) - log_sum)
                  : static_cast<float>(exp(static_cast<double>(shifted)) / sum);
}

// One warp per contiguous row of `len` elements (the row index is uniform across a warp).
__global__ void softmax_rows_kernel(const float* x, float* y, int64_t rows, int64_t len, bool log_form) {
  const int lane = threadIdx.x % kWarp;
  const int64_t warps_per_block = blockDim.x / kWarp;
  const int64_t warp_step = warps_per_block * gridDim.x;
  for (int64_t r = blockIdx.x * warps_per_block + threadIdx.x / kWarp; r < rows; r += warp_step) {
    const float* xr = x + r * len;
    float* yr = y + r * len;
    float mx = -INFINITY;
    for (int64_t k = lane; k < len; k += kWarp) mx = fmaxf(mx, xr[k]);
    mx = warp_max(mx);
    double sum = 0;
    for (int64_t k = lane; k < len; k += kWarp) sum += exp(static_cast<double>(xr[k] - mx));
    sum = warp_sum(sum);
    const double log_sum = log(sum);
    for (int64_t k = lane; k < len; k += kWarp) yr[k] = softmax_value(xr[k], mx, sum, log_sum, log_form);
  }
}

// One thread per (outer, inner) column; the axis has stride `inner`.
__global__ void softmax_columns_kernel(const float* x, float* y, int64_t outer, int64_t len, int64_t inner,
                                       bool log_form) {
  FI_CUDA_FOR(c, outer * inner) {
    const int64_t o = c / inner, i = c % inner;
    const int64_t base = o * len * inner + i;
    float mx = -INFINITY;
    for (int64_t k = 0; k < len; ++k) mx = fmaxf(mx, x[base + k * inner]);
    double sum = 0;
    for (int64_t k = 0; k < len; ++k) sum += exp(static_cast<double>(x[base + k * inner] - mx));
    const double log_sum = log(sum);
    for (int64_t k = 0; k < len; ++k)
      y[base + k * inner] = softmax_value(x[base + k * inner], mx, sum, log_sum, log_form);
  }
}

Result<Prepared> prepare_softmax(const PrepareArgs& a) {
  const Node& node = a.node;
  if (node.inputs.empty() || node.inputs[0] < 0 || node.outputs.empty())
    return Status::error(node.op + " '" + node.name + "': needs one input and one output");
  const Tensor& x = a.graph.tensors[node.inputs[0]];
  if (x.dtype != DType::kFloat32)
    return Status::error(node.op + " '" + node.name + "': input dtype " + std::string(dtype_name(x.dtype)) +
                         " is not supported (float32 only)");
  const int64_t axis = node.attrs.get_int("axis", 0);
  const bool coerce = node.attrs.get_int("coerce_2d", 0) != 0;
  auto state = std::make_unique<SoftmaxState>();
  state->log_form = node.op == "LogSoftmax";
  for (int64_t d = 0; d < static_cast<int64_t>(x.shape.size()); ++d) {
    if (d < axis)
      state->outer *= x.shape[d];
    else if (d == axis || coerce)
      state->len *= x.shape[d];
    else
      state->inner *= x.shape[d];
  }
  return Prepared{std::move(state), 0};
}

Status run_softmax(const KernelArgs& a) {
  const auto& s = *static_cast<const SoftmaxState*>(a.state);
  const float* x = a.inputs[0].as<float>();
  float* y = a.outputs[0].as<float>();
  if (s.outer * s.len * s.inner == 0) return Status::ok();
  if (s.inner == 1) {
    const int64_t rows = s.outer;
    softmax_rows_kernel<<<grid_for(rows * kWarp), kThreads, 0, a.handles.stream>>>(x, y, rows, s.len, s.log_form);
    return check_launch("softmax_rows_kernel");
  }
  softmax_columns_kernel<<<grid_for(s.outer * s.inner), kThreads, 0, a.handles.stream>>>(x, y, s.outer, s.len, s.inner,
                                                                                         s.log_form);
  return check_launch("softmax_columns_kernel");
}

constexpr CudaKernel kKernels[] = {
    {"Softmax", run_softmax, prepare_softmax},
    {"LogSoftmax", run_softmax, prepare_softmax},
};

}  // namespace

std::span<const CudaKernel> softmax_kernels() { return kKernels; }

}  // namespace fusedinf::cuda
