// CUDA GatherND, ScatterND, ScatterElements, mirroring kernels/cpu/scatter_gather.cpp.
// GatherND: one thread per output element. The scatters copy x to y, then apply updates in
// the CPU's order so that results are the same with repeated indices and every reduction:
// ScatterND runs one thread per element of a slice, looping over the index tuples in order;
// ScatterElements one thread per line along the axis (indices' coordinates off the axis),
// looping along it. An index out of range is reported like Gather's (report_data_error).
#include <algorithm>
#include <string>
#include <type_traits>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/cuda_util.cuh"

namespace fusedinf::cuda {

namespace {

enum class Reduction : uint8_t { kNone, kAdd, kMul, kMax, kMin };

Result<Reduction> reduction_of(const Node& node) {
  const std::string r = node.attrs.get_string("reduction", "none");
  if (r == "none") return Reduction::kNone;
  if (r == "add") return Reduction::kAdd;
  if (r == "mul") return Reduction::kMul;
  if (r == "max") return Reduction::kMax;
  if (r == "min") return Reduction::kMin;
  return refuse(node, "reduction '" + r + "'");
}

template <class T>
__device__ T combine(Reduction r, T y, T u) {
  if constexpr (std::is_same_v<T, bool>) {
    return u;  // bool takes no reduction (refused by inference)
  } else {
    switch (r) {
      case Reduction::kAdd:
        return static_cast<T>(y + u);
      case Reduction::kMul:
        return static_cast<T>(y * u);
      case Reduction::kMax:
        return y < u ? u : y;  // std::max(y, u)
      case Reduction::kMin:
        return u < y ? u : y;  // std::min(y, u)
      case Reduction::kNone:
        break;
    }
    return u;
  }
}

// Index tuple geometry: k values index dims first..first+k-1 of x.
struct TupleParams {
  int k = 0;
  int64_t dim[kMaxRank] = {};     // x's sizes of the indexed dims
  int64_t stride[kMaxRank] = {};  // x's strides of the indexed dims
};

// Offset of tuple p in x, or -1 when an index is out of range.
template <class I>
__device__ int64_t tuple_offset(const I* idx, int64_t p, const TupleParams& t) {
  int64_t offset = 0;
  for (int j = 0; j < t.k; ++j) {
    int64_t v = static_cast<int64_t>(idx[p * t.k + j]);
    if (v < -t.dim[j] || v >= t.dim[j]) return -1;
    if (v < 0) v += t.dim[j];
    offset += v * t.stride[j];
  }
  return offset;
}

TupleParams tuple_params(const Shape& x, int64_t first, int64_t k) {
  TupleParams t;
  t.k = static_cast<int>(k);
  const Dims d = contiguous_dims(x);
  for (int64_t j = 0; j < k; ++j) {
    t.dim[j] = x[first + j];
    t.stride[j] = d.stride[first + j];
  }
  return t;
}

// What the kernels read, by value.
struct Params {
  TupleParams tuple;
  Reduction reduction = Reduction::kNone;
  int64_t slice = 1, tuples = 0, per_batch = 1, batch_stride = 0;  // GatherND, ScatterND
  // ScatterElements: lines of the indices' shape (axis removed), each `len` long on the axis.
  Dims line_dims;  // indices' shape with the axis size set to 1; strides: x's
  int64_t lines = 0, len = 0, idx_axis_stride = 0, x_axis_stride = 0, x_dim = 0;
  Dims idx_line_dims;  // the same lines addressed in the indices (their own strides)
};

struct ScatterGatherState : NodeState {
  Params p;
  bool int64_indices = true;
};

template <class F>
Status by_index_type(bool int64_indices, F&& f) {
  return int64_indices ? f.template operator()<int64_t>() : f.template operator()<int32_t>();
}

Status check_common(const PrepareArgs& p, ScatterGatherState& s) {
  for (int t : p.node.inputs) FI_RETURN_IF_ERROR(check_node_rank(p.node, p.graph.tensors[t].shape));
  const DType it = p.graph.tensors[p.node.inputs[1]].dtype;
  if (it != DType::kInt64 && it != DType::kInt32) return refuse(p.node, "indices must be int64 or int32");
  s.int64_indices = it == DType::kInt64;
  return Status::ok();
}

// ---- GatherND: y[p * slice + j] = x[batch(p) * batch_stride + offset(tuple p) + j].
template <class T, class I>
__global__ void gather_nd_kernel(const T* x, const I* idx, T* y, int64_t n, Params s, unsigned long long* data_error,
                                 int64_t node_index) {
  FI_CUDA_FOR(i, n) {
    const int64_t p = i / s.slice, j = i % s.slice;
    const int64_t offset = tuple_offset(idx, p, s.tuple);
    if (offset < 0) {
      y[i] = T{};
      report_data_error(data_error, node_index);
      continue;
    }
    y[i] = x[(p / s.per_batch) * s.batch_stride + offset + j];
  }
}

Result<Prepared> prepare_gather_nd(const PrepareArgs& p) {
  auto s = std::make_unique<ScatterGatherState>();
  FI_RETURN_IF_ERROR(check_common(p, *s));
  const Shape &xs = p.graph.tensors[p.node.inputs[0]].shape, &is = p.graph.tensors[p.node.inputs[1]].shape;
  const int64_t b = p.node.attrs.get_int("batch_dims", 0), k = is.back();
  s->p.tuple = tuple_params(xs, b, k);
  s->p.slice = num_elements(Shape(xs.begin() + b + k, xs.end()));
  s->p.batch_stride = num_elements(Shape(xs.begin() + b, xs.end()));
  s->p.tuples = num_elements(is) / k;
  const int64_t batches = num_elements(Shape(xs.begin(), xs.begin() + b));
  s->p.per_batch = std::max<int64_t>(1, batches ? s->p.tuples / batches : 1);
  return Prepared{std::move(s), 0};
}

Status run_gather_nd(const KernelArgs& a) {
  const auto& state = *static_cast<const ScatterGatherState*>(a.state);
  const Params& s = state.p;
  const int64_t n = a.outputs[0].numel();
  if (n == 0) return Status::ok();
  return dispatch_dtype(a.outputs[0].dtype, [&]<class T>() {
    return by_index_type(state.int64_indices, [&]<class I>() {
      gather_nd_kernel<T, I><<<grid_for(n), kThreads, 0, a.handles.stream>>>(
          a.inputs[0].as<T>(), a.inputs[1].as<I>(), a.outputs[0].as<T>(), n, s, a.handles.data_error, a.node_index);
      return check_launch("gather_nd_kernel");
    });
  });
}

Status copy_data(const KernelArgs& a) {
  const size_t bytes = a.inputs[0].numel() * dtype_size(a.inputs[0].dtype);
  if (bytes == 0 || a.outputs[0].data == a.inputs[0].data) return Status::ok();
  return check_cuda(
      cudaMemcpyAsync(a.outputs[0].data, a.inputs[0].data, bytes, cudaMemcpyDeviceToDevice, a.handles.stream),
      "scatter copy");
}

// ---- ScatterND: thread j of the slice applies updates[p * slice + j] for p = 0, 1, ...
template <class T, class I>
__global__ void scatter_nd_kernel(const I* idx, const T* u, T* y, Params s, unsigned long long* data_error,
                                  int64_t node_index) {
  FI_CUDA_FOR(j, s.slice) {
    for (int64_t p = 0; p < s.tuples; ++p) {
      const int64_t offset = tuple_offset(idx, p, s.tuple);
      if (offset < 0) {
        report_data_error(data_error, node_index);
        continue;
      }
      y[offset + j] = combine(s.reduction, y[offset + j], u[p * s.slice + j]);
    }
  }
}

Result<Prepared> prepare_scatter_nd(const PrepareArgs& p) {
  auto s = std::make_unique<ScatterGatherState>();
  FI_RETURN_IF_ERROR(check_common(p, *s));
  FI_ASSIGN_OR_RETURN(s->p.reduction, reduction_of(p.node));
  const Shape &xs = p.graph.tensors[p.node.inputs[0]].shape, &is = p.graph.tensors[p.node.inputs[1]].shape;
  const int64_t k = is.back();
  s->p.tuple = tuple_params(xs, 0, k);
  s->p.slice = num_elements(Shape(xs.begin() + k, xs.end()));
  s->p.tuples = num_elements(is) / k;
  return Prepared{std::move(s), 0};
}

Status run_scatter_nd(const KernelArgs& a) {
  const auto& state = *static_cast<const ScatterGatherState*>(a.state);
  const Params& s = state.p;
  FI_RETURN_IF_ERROR(copy_data(a));
  if (s.slice == 0 || s.tuples == 0) return Status::ok();
  return dispatch_dtype(a.outputs[0].dtype, [&]<class T>() {
    return by_index_type(state.int64_indices, [&]<class I>() {
      scatter_nd_kernel<T, I><<<grid_for(s.slice), kThreads, 0, a.handles.stream>>>(
          a.inputs[1].as<I>(), a.inputs[2].as<T>(), a.outputs[0].as<T>(), s, a.handles.data_error, a.node_index);
      return check_launch("scatter_nd_kernel");
    });
  });
}

// ---- ScatterElements: one thread per line (the indices' coordinates off the axis), in order
// along the axis: y[line's x offset + idx * x_axis_stride] (op)= u[line's offset + k * stride].
template <class T, class I>
__global__ void scatter_elements_kernel(const I* idx, const T* u, T* y, Params s, unsigned long long* data_error,
                                        int64_t node_index) {
  FI_CUDA_FOR(line, s.lines) {
    const int64_t x_base = strided_offset(line, s.line_dims), i_base = strided_offset(line, s.idx_line_dims);
    for (int64_t k = 0; k < s.len; ++k) {
      const int64_t at = i_base + k * s.idx_axis_stride;
      int64_t v = static_cast<int64_t>(idx[at]);
      if (v < -s.x_dim || v >= s.x_dim) {
        report_data_error(data_error, node_index);
        continue;
      }
      if (v < 0) v += s.x_dim;
      T& target = y[x_base + v * s.x_axis_stride];
      target = combine(s.reduction, target, u[at]);
    }
  }
}

Result<Prepared> prepare_scatter_elements(const PrepareArgs& p) {
  auto s = std::make_unique<ScatterGatherState>();
  FI_RETURN_IF_ERROR(check_common(p, *s));
  FI_ASSIGN_OR_RETURN(s->p.reduction, reduction_of(p.node));
  const Shape &xs = p.graph.tensors[p.node.inputs[0]].shape, &is = p.graph.tensors[p.node.inputs[1]].shape;
  const int64_t axis = p.node.attrs.get_int("axis", 0);
  if (axis < 0 || axis >= static_cast<int64_t>(xs.size())) return refuse(p.node, "axis out of range");
  const Dims x_dims = contiguous_dims(xs), i_dims = contiguous_dims(is);
  s->p.line_dims = i_dims;
  s->p.idx_line_dims = i_dims;
  for (int d = 0; d < x_dims.rank; ++d) s->p.line_dims.stride[d] = x_dims.stride[d];
  s->p.line_dims.size[axis] = s->p.idx_line_dims.size[axis] = 1;
  s->p.len = is[axis];
  s->p.lines = s->p.len ? num_elements(is) / s->p.len : 0;
  s->p.idx_axis_stride = i_dims.stride[axis];
  s->p.x_axis_stride = x_dims.stride[axis];
  s->p.x_dim = xs[axis];
  return Prepared{std::move(s), 0};
}

Status run_scatter_elements(const KernelArgs& a) {
  const auto& state = *static_cast<const ScatterGatherState*>(a.state);
  const Params& s = state.p;
  FI_RETURN_IF_ERROR(copy_data(a));
  if (s.lines == 0) return Status::ok();
  return dispatch_dtype(a.outputs[0].dtype, [&]<class T>() {
    return by_index_type(state.int64_indices, [&]<class I>() {
      scatter_elements_kernel<T, I><<<grid_for(s.lines), kThreads, 0, a.handles.stream>>>(
          a.inputs[1].as<I>(), a.inputs[2].as<T>(), a.outputs[0].as<T>(), s, a.handles.data_error, a.node_index);
      return check_launch("scatter_elements_kernel");
    });
  });
}

constexpr CudaKernel kKernels[] = {
    {"GatherND", run_gather_nd, prepare_gather_nd},
    {"ScatterND", run_scatter_nd, prepare_scatter_nd},
    {"ScatterElements", run_scatter_elements, prepare_scatter_elements},
};

}  // namespace

std::span<const CudaKernel> scatter_gather_kernels() { return kKernels; }

}  // namespace fusedinf::cuda
