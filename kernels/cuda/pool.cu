// CUDA pooling, mirroring kernels/cpu/pool.cpp (fp32, N-d over the dims after N and C):
// one thread per output element walks its window in row-major order. MaxPool propagates NaN;
// AveragePool divides by the window's elements inside the input (count_include_pad=0) or inside
// input plus explicit padding (count_include_pad=1); window parts beyond that (ceil_mode) never
// count. GlobalAverage/MaxPool: one warp per (n, c) plane, warp-shuffle reduction.
#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/cuda_util.cuh"

namespace fusedinf::cuda {

namespace {

constexpr int kWarp = 32;
constexpr int kMaxSpatial = kMaxRank - 2;

std::string where(const Node& node) { return node.op + " '" + node.name + "': "; }

struct PoolParams {
  int n = 0;  // spatial dims
  int64_t in_sp[kMaxSpatial] = {}, out_sp[kMaxSpatial] = {}, in_stride[kMaxSpatial] = {};
  int64_t k[kMaxSpatial] = {}, s[kMaxSpatial] = {}, d[kMaxSpatial] = {}, pb[kMaxSpatial] = {}, pe[kMaxSpatial] = {};
  int64_t planes = 0, in_size = 0, out_size = 0, window = 0;
  bool is_max = false, include_pad = false, global = false;
};

struct PoolState : NodeState {
  PoolParams p;
};

// max that propagates NaN: once a NaN is met it stays, whatever follows.
__device__ inline float max_nan(float acc, float v) { return isnan(v) ? v : isnan(acc) ? acc : fmaxf(acc, v); }

__global__ void pool_kernel(const float* x, float* y, PoolParams p) {
  FI_CUDA_FOR(idx, p.planes * p.out_size) {
    const int64_t plane = idx / p.out_size;
    int64_t rest = idx % p.out_size;
    int64_t start[kMaxSpatial];  // window origin per dim: o * s - pb
    for (int i = p.n - 1; i >= 0; --i) {
      start[i] = (rest % p.out_sp[i]) * p.s[i] - p.pb[i];
      rest /= p.out_sp[i];
    }
    const float* xp = x + plane * p.in_size;
    float acc = p.is_max ? -INFINITY : 0.f;
    int64_t count = 0;
    for (int64_t w = 0; w < p.window; ++w) {
      int64_t kw = w, off = 0;
      bool inside = true, in_padded = true;
      for (int i = p.n - 1; i >= 0; --i) {
        const int64_t c = start[i] + (kw % p.k[i]) * p.d[i];
        kw /= p.k[i];
        inside = inside && c >= 0 && c < p.in_sp[i];
        in_padded = in_padded && c >= -p.pb[i] && c < p.in_sp[i] + p.pe[i];
        off += c * p.in_stride[i];
      }
      if (inside) {
        const float v = xp[off];
        acc = p.is_max ? max_nan(acc, v) : acc + v;
      }
      count += p.include_pad ? in_padded : inside;
    }
    y[idx] = p.is_max ? acc : (count ? acc / static_cast<float>(count) : 0.f);
  }
}

// One warp per plane of in_size elements (the plane index is uniform across a warp).
__global__ void global_pool_kernel(const float* x, float* y, int64_t planes, int64_t in_size, bool is_max) {
  const int lane = threadIdx.x % kWarp;
  const int64_t warps_per_block = blockDim.x / kWarp;
  const int64_t warp_step = warps_per_block * gridDim.x;
  for (int64_t plane = blockIdx.x * warps_per_block + threadIdx.x / kWarp; plane < planes; plane += warp_step) {
    const float* xp = x + plane * in_size;
    float acc = is_max ? -INFINITY : 0.f;
    for (int64_t i = lane; i < in_size; i += kWarp) acc = is_max ? max_nan(acc, xp[i]) : acc + xp[i];
    for (int m = kWarp / 2; m > 0; m /= 2) {
      const float other = __shfl_xor_sync(0xffffffffu, acc, m);
      acc = is_max ? max_nan(acc, other) : acc + other;
    }
    if (lane == 0) y[plane] = is_max ? acc : (in_size ? acc / static_cast<float>(in_size) : 0.f);
  }
}

Result<Prepared> prepare_pool(const PrepareArgs& a) {
  const Node& node = a.node;
  const Tensor& x = a.graph.tensors[node.inputs[0]];
  const Shape& ys = a.graph.tensors[node.outputs[0]].shape;
  if (x.dtype != DType::kFloat32)
    return Status::error(where(node) + "input dtype " + std::string(dtype_name(x.dtype)) +
                         " is not supported (float32 only)");
  const Shape& xs = x.shape;
  if (xs.size() < 3) return Status::error(where(node) + "X must have rank >= 3");
  FI_RETURN_IF_ERROR(check_rank(xs, (where(node) + "X").c_str()));
  if (ys.size() != xs.size()) return Status::error(where(node) + "output rank does not match X");
  auto state = std::make_unique<PoolState>();
  PoolParams& p = state->p;
  const size_t n = xs.size() - 2;
  p.n = static_cast<int>(n);
  p.global = node.op == "GlobalAveragePool" || node.op == "GlobalMaxPool";
  p.is_max = node.op == "MaxPool" || node.op == "GlobalMaxPool";
  p.include_pad = node.attrs.get_int("count_include_pad", 0) != 0;
  std::vector<int64_t> k(xs.begin() + 2, xs.end()), s(n, 1), d(n, 1), pads(2 * n, 0);
  if (!p.global) {
    k = node.attrs.get_ints("kernel_shape");
    s = node.attrs.get_ints("strides");
    d = node.attrs.get_ints("dilations");
    pads = node.attrs.get_ints("pads");
    if (k.size() != n || s.size() != n || d.size() != n || pads.size() != 2 * n)
      return Status::error(where(node) + "kernel_shape/strides/dilations/pads do not match " + std::to_string(n) +
                           " spatial dims");
  }
  p.planes = xs[0] * xs[1];
  p.in_size = 1;
  p.out_size = 1;
  p.window = 1;
  for (size_t i = n; i-- > 0;) {
    p.in_sp[i] = xs[i + 2];
    p.out_sp[i] = ys[i + 2];
    p.in_stride[i] = p.in_size;
    p.in_size *= xs[i + 2];
    p.out_size *= ys[i + 2];
    p.k[i] = k[i];
    p.s[i] = s[i];
    p.d[i] = d[i];
    p.pb[i] = pads[i];
    p.pe[i] = pads[i + n];
    p.window *= k[i];
  }
  return Prepared{std::move(state), 0};
}

Status run_pool(const KernelArgs& a) {
  const PoolParams& p = static_cast<const PoolState*>(a.state)->p;
  const float* x = a.inputs[0].as<float>();
  float* y = a.outputs[0].as<float>();
  if (p.planes * p.out_size == 0) return Status::ok();
  if (p.global) {
    global_pool_kernel<<<grid_for(p.planes * kWarp), kThreads, 0, a.handles.stream>>>(x, y, p.planes, p.in_size,
                                                                                      p.is_max);
    return check_launch("global_pool_kernel");
  }
  pool_kernel<<<grid_for(p.planes * p.out_size), kThreads, 0, a.handles.stream>>>(x, y, p);
  return check_launch("pool_kernel");
}

constexpr CudaKernel kKernels[] = {
    {"MaxPool", run_pool, prepare_pool},
    {"AveragePool", run_pool, prepare_pool},
    {"GlobalAveragePool", run_pool, prepare_pool},
    {"GlobalMaxPool", run_pool, prepare_pool},
};

}  // namespace

std::span<const CudaKernel> pool_kernels() { return kKernels; }

}  // namespace fusedinf::cuda
