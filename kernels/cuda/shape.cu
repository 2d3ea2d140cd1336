// CUDA shape kernels, as kernels/cpu/shape.cpp: Reshape-like ops copy bytes (the executor
// skips them when the memory plan aliases output and input); Transpose, Expand and Tile gather
// by index (typed by element size only); ConstantOfShape fills; Range computes start + i * delta.
#include <cstring>
#include <string>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/cuda_util.cuh"

namespace fusedinf::cuda {

namespace {

Status run_copy(const KernelArgs& a) {
  const size_t bytes = a.inputs[0].bytes();
  if (a.outputs[0].data == a.inputs[0].data || bytes == 0) return Status::ok();
  return check_cuda(
      cudaMemcpyAsync(a.outputs[0].data, a.inputs[0].data, bytes, cudaMemcpyDeviceToDevice, a.handles.stream),
      "Reshape-like copy");
}

// y[i] = x[strided_offset(i, d)]: Transpose (permuted strides) and Expand (broadcast strides).
template <class T>
__global__ void gather_strided(const T* x, T* y, int64_t n, Dims d) {
  FI_CUDA_FOR(i, n) { y[i] = x[strided_offset(i, d)]; }
}

struct DimsState : NodeState {
  Dims dims;
};

Result<Prepared> prepare_transpose(const PrepareArgs& p) {
  const Shape& xs = p.graph.tensors[p.node.inputs[0]].shape;
  const Shape& ys = p.graph.tensors[p.node.outputs[0]].shape;
  FI_RETURN_IF_ERROR(check_node_rank(p.node, xs));
  const auto perm = p.node.attrs.get_ints("perm");
  if (perm.size() != xs.size() || ys.size() != xs.size()) return refuse(p.node, "perm has the wrong length");
  const auto in_strides = contiguous_strides(xs);
  auto state = std::make_unique<DimsState>();
  state->dims.rank = static_cast<int>(ys.size());
  for (size_t d = 0; d < ys.size(); ++d) {
    if (perm[d] < 0 || perm[d] >= static_cast<int64_t>(xs.size())) return refuse(p.node, "perm out of range");
    state->dims.size[d] = ys[d];
    state->dims.stride[d] = in_strides[perm[d]];
  }
  return Prepared{std::move(state), 0};
}

Result<Prepared> prepare_expand(const PrepareArgs& p) {
  const Shape& xs = p.graph.tensors[p.node.inputs[0]].shape;
  const Shape& ys = p.graph.tensors[p.node.outputs[0]].shape;
  FI_RETURN_IF_ERROR(check_node_rank(p.node, ys));
  if (xs.size() > ys.size()) return refuse(p.node, "input rank above output rank");
  auto state = std::make_unique<DimsState>();
  state->dims = broadcast_dims(xs, ys);
  return Prepared{std::move(state), 0};
}

Status run_gather_strided(const KernelArgs& a) {
  const auto& s = *static_cast<const DimsState*>(a.state);
  const int64_t n = a.outputs[0].numel();
  if (n == 0) return Status::ok();
  return by_element_size(dtype_size(a.outputs[0].dtype), [&]<class T>() {
    gather_strided<T><<<grid_for(n), kThreads, 0, a.handles.stream>>>(static_cast<const T*>(a.inputs[0].data),
                                                                      a.outputs[0].as<T>(), n, s.dims);
    return check_launch(a.node.op == "Transpose" ? "Transpose" : "Expand");
  });
}

// Tile: output coordinate c reads input coordinate c % x_size per dim.
struct TileParams {
  Dims out;  // output sizes; stride: input strides (contiguous)
  int64_t in_size[kMaxRank] = {};
};

struct TileState : NodeState {
  TileParams params;
};

template <class T>
__global__ void tile_kernel(const T* x, T* y, int64_t n, TileParams p) {
  FI_CUDA_FOR(i, n) {
    int64_t rest = i, off = 0;
    for (int d = p.out.rank - 1; d >= 0; --d) {
      off += ((rest % p.out.size[d]) % p.in_size[d]) * p.out.stride[d];
      rest /= p.out.size[d];
    }
    y[i] = x[off];
  }
}

Result<Prepared> prepare_tile(const PrepareArgs& p) {
  const Shape& xs = p.graph.tensors[p.node.inputs[0]].shape;
  const Shape& ys = p.graph.tensors[p.node.outputs[0]].shape;
  FI_RETURN_IF_ERROR(check_node_rank(p.node, xs));
  if (ys.size() != xs.size()) return refuse(p.node, "output rank differs from input rank");
  const auto in_strides = contiguous_strides(xs);
  auto state = std::make_unique<TileState>();
  TileParams& tp = state->params;
  tp.out.rank = static_cast<int>(ys.size());
  for (size_t d = 0; d < ys.size(); ++d) {
    tp.out.size[d] = ys[d];
    tp.out.stride[d] = in_strides[d];
    tp.in_size[d] = xs[d];
  }
  return Prepared{std::move(state), 0};
}

Status run_tile(const KernelArgs& a) {
  const auto& s = *static_cast<const TileState*>(a.state);
  const int64_t n = a.outputs[0].numel();
  if (n == 0) return Status::ok();  // also covers an empty input dim (no modulo by zero)
  return by_element_size(dtype_size(a.outputs[0].dtype), [&]<class T>() {
    tile_kernel<T><<<grid_for(n), kThreads, 0, a.handles.stream>>>(static_cast<const T*>(a.inputs[0].data),
                                                                   a.outputs[0].as<T>(), n, s.params);
    return check_launch("Tile");
  });
}

// ConstantOfShape: the "value" attribute as the CPU's fill_with_value_attr reads it (a float
// for float32, an int otherwise), stored as the output dtype's bytes.
template <class T>
__global__ void fill_kernel(T* y, int64_t n, T value) {
  FI_CUDA_FOR(i, n) { y[i] = value; }
}

struct FillState : NodeState {
  uint64_t value_bits = 0;
};

Result<Prepared> prepare_constant_of_shape(const PrepareArgs& p) {
  auto state = std::make_unique<FillState>();
  state->value_bits = value_attr_bits(p.node.attrs, p.graph.tensors[p.node.outputs[0]].dtype);
  return Prepared{std::move(state), 0};
}

Status run_constant_of_shape(const KernelArgs& a) {
  const auto& s = *static_cast<const FillState*>(a.state);
  const int64_t n = a.outputs[0].numel();
  if (n == 0) return Status::ok();
  return by_element_size(dtype_size(a.outputs[0].dtype), [&]<class T>() {
    T value;
    std::memcpy(&value, &s.value_bits, sizeof(T));
    fill_kernel<T><<<grid_for(n), kThreads, 0, a.handles.stream>>>(a.outputs[0].as<T>(), n, value);
    return check_launch("ConstantOfShape");
  });
}

// Range: y[i] = start + T(i) * delta, start and delta read from their (device) scalars. For
// float32 the product and sum are rounded separately (no fused multiply-add), as on the CPU.
__device__ inline float range_value(float start, int64_t i, float delta) {
  return __fadd_rn(start, __fmul_rn(static_cast<float>(i), delta));
}
template <class T>
__device__ inline T range_value(T start, int64_t i, T delta) {
  return static_cast<T>(start + static_cast<T>(i) * delta);
}

template <class T>
__global__ void range_kernel(const T* start, const T* delta, T* y, int64_t n) {
  const T s = *start, d = *delta;
  FI_CUDA_FOR(i, n) { y[i] = range_value(s, i, d); }
}

Result<Prepared> prepare_range(const PrepareArgs& p) {
  const DType t = p.graph.tensors[p.node.outputs[0]].dtype;
  if (t != DType::kFloat32 && t != DType::kInt64 && t != DType::kInt32)
    return refuse(p.node, "dtype " + std::string(dtype_name(t)) + " is not supported");
  return Prepared{};
}

Status run_range(const KernelArgs& a) {
  const int64_t n = a.outputs[0].numel();
  if (n == 0) return Status::ok();
  auto launch = [&]<class T>() {
    range_kernel<T><<<grid_for(n), kThreads, 0, a.handles.stream>>>(a.inputs[0].as<T>(), a.inputs[2].as<T>(),
                                                                    a.outputs[0].as<T>(), n);
    return check_launch("Range");
  };
  switch (a.outputs[0].dtype) {
    case DType::kInt64:
      return launch.template operator()<int64_t>();
    case DType::kInt32:
      return launch.template operator()<int32_t>();
    default:
      return launch.template operator()<float>();
  }
}

constexpr CudaKernel kKernels[] = {
    {"Reshape", run_copy},
    {"Flatten", run_copy},
    {"Squeeze", run_copy},
    {"Unsqueeze", run_copy},
    {"Transpose", run_gather_strided, prepare_transpose},
    {"Expand", run_gather_strided, prepare_expand},
    {"Tile", run_tile, prepare_tile},
    {"ConstantOfShape", run_constant_of_shape, prepare_constant_of_shape},
    {"Range", run_range, prepare_range},
};

}  // namespace

std::span<const CudaKernel> shape_kernels() { return kKernels; }

}  // namespace fusedinf::cuda
