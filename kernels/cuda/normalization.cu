// CUDA normalizations, mirroring kernels/cpu/normalization.cpp (fp32):
//   BatchNormalization:    y = (x - mean[c]) * (scale[c] / sqrt(var[c] + eps)) + B[c]; one thread per element
//   InstanceNormalization: per (n, c) row over the spatial dims: y = (x - mu) / sqrt(var + eps) * scale[c] + B[c]
//   LayerNormalization:    per row of the dims >= axis: y = (x - mu) / sqrt(var + eps) * Scale + B (broadcast),
//                          optional outputs Mean and InvStdDev = 1 / sqrt(var + eps) per row
//   GroupNormalization:    per (n, group) row of C / G channels: as InstanceNorm, scale/B per channel
//   LRN:                   y = x / (bias + alpha / size * sum_{c' near c} x[c']^2) ^ beta; one thread per element
// Instance/LayerNorm: one block per row, two passes (mean, then variance) reduced in double as
// the CPU does.
#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/cuda_util.cuh"

namespace fusedinf::cuda {

namespace {

constexpr int kWarp = 32;

std::string where(const Node& node) { return node.op + " '" + node.name + "': "; }

// Sum of `v` over the block (blockDim.x a multiple of 32, at most 1024); every thread gets it.
__device__ double block_sum(double v, double* shared) {
  for (int m = kWarp / 2; m > 0; m /= 2) v += __shfl_xor_sync(0xffffffffu, v, m);
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < static_cast<int>(blockDim.x / kWarp) ? shared[lane] : 0.0;
    for (int m = kWarp / 2; m > 0; m /= 2) v += __shfl_xor_sync(0xffffffffu, v, m);
    if (lane == 0) shared[0] = v;
  }
  __syncthreads();
  v = shared[0];
  __syncthreads();  // shared is reused by the next call
  return v;
}

// Scale and bias of element i of row g: per channel (g % channels) when channels > 0, else
// broadcast over the normalized dims (identity: same shape as the row).
struct NormParams {
  const float* scale = nullptr;
  const float* bias = nullptr;  // nullptr: 0
  int64_t channels = 0;
  int64_t num_groups = 0, spatial = 1;  // GroupNormalization: channel = g % num_groups * (C / G) + i / spatial
  bool scale_identity = true, bias_identity = true;
  Dims scale_dims, bias_dims;

  __device__ int64_t group_channel(int64_t g, int64_t i) const {
    return g % num_groups * (channels / num_groups) + i / spatial;
  }
  __device__ float scale_at(int64_t g, int64_t i) const {
    if (num_groups > 0) return scale[group_channel(g, i)];
    if (channels > 0) return scale[g % channels];
    return scale[scale_identity ? i : strided_offset(i, scale_dims)];
  }
  __device__ float bias_at(int64_t g, int64_t i) const {
    if (!bias) return 0.f;
    if (num_groups > 0) return bias[group_channel(g, i)];
    if (channels > 0) return bias[g % channels];
    return bias[bias_identity ? i : strided_offset(i, bias_dims)];
  }
};

__global__ void normalize_rows_kernel(const float* x, float* y, int64_t groups, int64_t len, float eps, NormParams p,
                                      float* row_mean, float* row_inv_std) {
  __shared__ double shared[kWarp];
  for (int64_t g = blockIdx.x; g < groups; g += gridDim.x) {
    const float* xr = x + g * len;
    double part = 0;
    for (int64_t i = threadIdx.x; i < len; i += blockDim.x) part += xr[i];
    const double mean = block_sum(part, shared) / static_cast<double>(len);
    part = 0;
    for (int64_t i = threadIdx.x; i < len; i += blockDim.x) part += (xr[i] - mean) * (xr[i] - mean);
    const double var = block_sum(part, shared) / static_cast<double>(len);
    const double inv = 1.0 / sqrt(var + eps);
    if (threadIdx.x == 0) {
      if (row_mean) row_mean[g] = static_cast<float>(mean);
      if (row_inv_std) row_inv_std[g] = static_cast<float>(inv);
    }
    for (int64_t i = threadIdx.x; i < len; i += blockDim.x)
      y[g * len + i] = static_cast<float>((xr[i] - mean) * inv * p.scale_at(g, i) + p.bias_at(g, i));
  }
}

struct RowNormState : NodeState {
  int64_t groups = 0, len = 0, channels = 0, num_groups = 0, spatial = 1;
  float eps = 1e-5f;
  bool scale_identity = true, bias_identity = true;
  Dims scale_dims, bias_dims;
};

Status check_float_inputs(const PrepareArgs& a) {
  for (int t : a.node.inputs)
    if (t >= 0 && a.graph.tensors[t].dtype != DType::kFloat32)
      return Status::error(where(a.node) + "input dtype " + std::string(dtype_name(a.graph.tensors[t].dtype)) +
                           " is not supported (float32 only)");
  return Status::ok();
}

Result<Prepared> prepare_instancenorm(const PrepareArgs& a) {
  FI_RETURN_IF_ERROR(check_float_inputs(a));
  const Shape& xs = a.graph.tensors[a.node.inputs[0]].shape;
  if (xs.size() < 2) return Status::error(where(a.node) + "X must have rank >= 2");
  auto s = std::make_unique<RowNormState>();
  s->channels = xs[1];
  s->groups = xs[0] * xs[1];
  s->len = num_elements(xs) / std::max<int64_t>(1, s->groups);
  s->eps = a.node.attrs.get_float("epsilon", 1e-5f);
  return Prepared{std::move(s), 0};
}

Result<Prepared> prepare_groupnorm(const PrepareArgs& a) {
  FI_RETURN_IF_ERROR(check_float_inputs(a));
  const Shape& xs = a.graph.tensors[a.node.inputs[0]].shape;
  if (xs.size() < 2) return Status::error(where(a.node) + "X must have rank >= 2");
  auto s = std::make_unique<RowNormState>();
  s->channels = xs[1];
  s->num_groups = a.node.attrs.get_int("num_groups", 1);
  if (s->num_groups < 1 || xs[1] % s->num_groups != 0) return Status::error(where(a.node) + "bad num_groups");
  s->spatial = num_elements(xs) / std::max<int64_t>(1, xs[0] * xs[1]);
  s->groups = xs[0] * s->num_groups;
  s->len = xs[1] / s->num_groups * s->spatial;
  s->eps = a.node.attrs.get_float("epsilon", 1e-5f);
  return Prepared{std::move(s), 0};
}

Result<Prepared> prepare_layernorm(const PrepareArgs& a) {
  FI_RETURN_IF_ERROR(check_float_inputs(a));
  const Node& node = a.node;
  const Shape& xs = a.graph.tensors[node.inputs[0]].shape;
  const int64_t axis = node.attrs.get_int("axis", -1);
  if (axis < 0 || axis >= static_cast<int64_t>(xs.size()))
    return Status::error(where(node) + "axis " + std::to_string(axis) + " is out of range");
  const Shape normalized(xs.begin() + axis, xs.end());
  FI_RETURN_IF_ERROR(check_rank(normalized, (where(node) + "normalized dims").c_str()));
  auto s = std::make_unique<RowNormState>();
  s->len = num_elements(normalized);
  s->groups = s->len ? num_elements(xs) / s->len : 0;
  s->eps = node.attrs.get_float("epsilon", 1e-5f);
  const Shape& scale = a.graph.tensors[node.inputs[1]].shape;
  FI_RETURN_IF_ERROR(check_rank(scale, (where(node) + "Scale").c_str()));
  s->scale_identity = scale == normalized;
  s->scale_dims = broadcast_dims(scale, normalized);
  if (node.inputs.size() > 2 && node.inputs[2] >= 0) {
    const Shape& bias = a.graph.tensors[node.inputs[2]].shape;
    FI_RETURN_IF_ERROR(check_rank(bias, (where(node) + "B").c_str()));
    s->bias_identity = bias == normalized;
    s->bias_dims = broadcast_dims(bias, normalized);
  }
  return Prepared{std::move(s), 0};
}

Status run_row_norm(const KernelArgs& a) {
  const auto& s = *static_cast<const RowNormState*>(a.state);
  NormParams p;
  p.scale = a.inputs[1].as<float>();
  p.bias = a.inputs.size() > 2 && a.inputs[2].present() ? a.inputs[2].as<float>() : nullptr;
  p.channels = s.channels;
  p.num_groups = s.num_groups;
  p.spatial = s.spatial;
  p.scale_identity = s.scale_identity;
  p.bias_identity = s.bias_identity;
  p.scale_dims = s.scale_dims;
  p.bias_dims = s.bias_dims;
  float* row_mean = a.outputs.size() > 1 ? a.outputs[1].as<float>() : nullptr;
  float* row_inv_std = a.outputs.size() > 2 ? a.outputs[2].as<float>() : nullptr;
  if (s.groups == 0 || s.len == 0) return Status::ok();
  const unsigned blocks = static_cast<unsigned>(std::min<int64_t>(s.groups, 65535LL * 8));
  normalize_rows_kernel<<<blocks, kThreads, 0, a.handles.stream>>>(a.inputs[0].as<float>(), a.outputs[0].as<float>(),
                                                                   s.groups, s.len, s.eps, p, row_mean, row_inv_std);
  return check_launch("normalize_rows_kernel");
}

__global__ void batchnorm_kernel(const float* x, const float* scale, const float* b, const float* mean,
                                 const float* var, float* y, int64_t n, int64_t channels, int64_t inner, float eps) {
  FI_CUDA_FOR(i, n) {
    const int64_t c = (i / inner) % channels;
    const float s = scale[c] / sqrtf(var[c] + eps);
    y[i] = (x[i] - mean[c]) * s + b[c];
  }
}

Result<Prepared> prepare_batchnorm(const PrepareArgs& a) {
  FI_RETURN_IF_ERROR(check_float_inputs(a));
  if (a.graph.tensors[a.node.inputs[0]].shape.size() < 2) return Status::error(where(a.node) + "X must have rank >= 2");
  return Prepared{};
}

Status run_batchnorm(const KernelArgs& a) {
  const Shape& xs = a.inputs[0].shape;
  const int64_t n = a.inputs[0].numel();
  if (n == 0) return Status::ok();
  const int64_t inner = n / (xs[0] * xs[1]);
  batchnorm_kernel<<<grid_for(n), kThreads, 0, a.handles.stream>>>(
      a.inputs[0].as<float>(), a.inputs[1].as<float>(), a.inputs[2].as<float>(), a.inputs[3].as<float>(),
      a.inputs[4].as<float>(), a.outputs[0].as<float>(), n, xs[1], inner, a.node.attrs.float_or("epsilon", 1e-5f));
  return check_launch("batchnorm_kernel");
}

__global__ void lrn_kernel(const float* x, float* y, int64_t n, int64_t channels, int64_t inner, int64_t before,
                           int64_t after, float alpha_over_size, float beta, float bias) {
  FI_CUDA_FOR(i, n) {
    const int64_t in = i % inner, c = (i / inner) % channels, b = i / (inner * channels);
    const int64_t lo = c - before > 0 ? c - before : 0, hi = c + after < channels - 1 ? c + after : channels - 1;
    float sum = 0.f;
    for (int64_t cc = lo; cc <= hi; ++cc) {
      const float v = x[(b * channels + cc) * inner + in];
      sum += v * v;
    }
    y[i] = x[i] / powf(bias + alpha_over_size * sum, beta);
  }
}

Result<Prepared> prepare_lrn(const PrepareArgs& a) {
  FI_RETURN_IF_ERROR(check_float_inputs(a));
  if (a.graph.tensors[a.node.inputs[0]].shape.size() < 3) return Status::error(where(a.node) + "X must have rank >= 3");
  if (a.node.attrs.get_int("size", 1) < 1) return Status::error(where(a.node) + "size must be >= 1");
  return Prepared{};
}

Status run_lrn(const KernelArgs& a) {
  const Shape& xs = a.inputs[0].shape;
  const Attributes& at = a.node.attrs;
  const int64_t n = a.inputs[0].numel();
  if (n == 0) return Status::ok();
  const float alpha = at.float_or("alpha", 1e-4f), beta = at.float_or("beta", 0.75f), bias = at.float_or("bias", 1.f);
  const int64_t size = at.int_or("size", 1), inner = n / (xs[0] * xs[1]);
  const int64_t before = (size - 1) / 2, after = size - 1 - before;  // floor and ceil of (size-1)/2
  lrn_kernel<<<grid_for(n), kThreads, 0, a.handles.stream>>>(a.inputs[0].as<float>(), a.outputs[0].as<float>(), n,
                                                             xs[1], inner, before, after,
                                                             alpha / static_cast<float>(size), beta, bias);
  return check_launch("lrn_kernel");
}

constexpr CudaKernel kKernels[] = {
    {"BatchNormalization", run_batchnorm, prepare_batchnorm},
    {"InstanceNormalization", run_row_norm, prepare_instancenorm},
    {"LayerNormalization", run_row_norm, prepare_layernorm},
    {"LRN", run_lrn, prepare_lrn},
    {"GroupNormalization", run_row_norm, prepare_groupnorm},
};

}  // namespace

std::span<const CudaKernel> normalization_kernels() { return kKernels; }

}  // namespace fusedinf::cuda
