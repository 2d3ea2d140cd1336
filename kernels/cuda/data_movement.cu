// CUDA data-movement kernels, by index mapping as in kernels/cpu/data_movement.cpp. Pure data
// movement is typed by element size only (1, 4 or 8 bytes), so every dtype shares one kernel.
#include <cstring>
#include <string>
#include <vector>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/cuda_util.cuh"

namespace fusedinf::cuda {

namespace {

// y[o * dst_pitch + j] = x[o * src_pitch + j] for o < rows, j < width (pointers pre-offset).
template <class T>
__global__ void copy_rows(const T* x, T* y, int64_t rows, int64_t width, int64_t src_pitch, int64_t dst_pitch) {
  FI_CUDA_FOR(i, rows * width) {
    const int64_t o = i / width, j = i % width;
    y[o * dst_pitch + j] = x[o * src_pitch + j];
  }
}

// y[i] = x[base + strided_offset(i, d)].
template <class T>
__global__ void gather_strided(const T* x, T* y, int64_t n, int64_t base, Dims d) {
  FI_CUDA_FOR(i, n) { y[i] = x[base + strided_offset(i, d)]; }
}

// Product of the dims of `s` in [begin, end).
int64_t product(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= s[i];
  return p;
}

// Concat and Split: one strided row copy per input (Concat) or output (Split) along `axis`.
// Rows are the `outer` blocks before the axis; offsets and widths are in elements.
struct ConcatSplitState : NodeState {
  int64_t outer = 0, whole_pitch = 0;
  std::vector<int64_t> offset, width;  // per part
};

Result<Prepared> prepare_concat_split(const PrepareArgs& p) {
  const bool concat = p.node.op == "Concat";
  const std::vector<int>& parts = concat ? p.node.inputs : p.node.outputs;
  const Shape& whole = p.graph.tensors[concat ? p.node.outputs[0] : p.node.inputs[0]].shape;
  const int64_t axis = p.node.attrs.get_int("axis", 0);
  if (axis < 0 || axis >= static_cast<int64_t>(whole.size())) return refuse(p.node, "axis out of range");
  const int64_t inner = product(whole, static_cast<size_t>(axis) + 1, whole.size());
  auto state = std::make_unique<ConcatSplitState>();
  state->outer = product(whole, 0, static_cast<size_t>(axis));
  state->whole_pitch = whole[axis] * inner;
  int64_t offset = 0;
  for (int t : parts) {
    if (t < 0) return refuse(p.node, "absent input");
    const Shape& s = p.graph.tensors[t].shape;
    if (s.size() != whole.size()) return refuse(p.node, "parts differ in rank");
    state->offset.push_back(offset);
    state->width.push_back(s[axis] * inner);
    offset += s[axis] * inner;
  }
  if (offset != state->whole_pitch) return refuse(p.node, "parts do not add up to the whole along the axis");
  return Prepared{std::move(state), 0};
}

Status run_concat_split(const KernelArgs& a) {
  const auto& s = *static_cast<const ConcatSplitState*>(a.state);
  const bool concat = a.node.op == "Concat";
  const size_t esize = dtype_size(concat ? a.outputs[0].dtype : a.inputs[0].dtype);
  for (size_t p = 0; p < s.width.size(); ++p) {
    const int64_t width = s.width[p], n = s.outer * width;
    if (n == 0) continue;
    FI_RETURN_IF_ERROR(by_element_size(esize, [&]<class T>() {
      if (concat)
        copy_rows<T><<<grid_for(n), kThreads, 0, a.handles.stream>>>(static_cast<const T*>(a.inputs[p].data),
                                                                     a.outputs[0].as<T>() + s.offset[p], s.outer, width,
                                                                     width, s.whole_pitch);
      else
        copy_rows<T><<<grid_for(n), kThreads, 0, a.handles.stream>>>(
            static_cast<const T*>(a.inputs[0].data) + s.offset[p], a.outputs[p].as<T>(), s.outer, width, s.whole_pitch,
            width);
      return check_launch(concat ? "Concat" : "Split");
    }));
  }
  return Status::ok();
}

// Slice: offset = sum (starts[d] + c[d] * steps[d]) * in_stride[d] = base + sum c[d] * stride'[d].
struct SliceState : NodeState {
  int64_t base = 0;
  Dims dims;
};

Result<Prepared> prepare_slice(const PrepareArgs& p) {
  const Shape& xs = p.graph.tensors[p.node.inputs[0]].shape;
  const Shape& ys = p.graph.tensors[p.node.outputs[0]].shape;
  FI_RETURN_IF_ERROR(check_node_rank(p.node, xs));
  const auto starts = p.node.attrs.get_ints("starts"), steps = p.node.attrs.get_ints("steps");
  if (starts.size() != xs.size() || steps.size() != xs.size() || ys.size() != xs.size())
    return refuse(p.node, "starts/steps need one entry per dimension");
  auto state = std::make_unique<SliceState>();
  const auto in_strides = contiguous_strides(xs);
  state->dims.rank = static_cast<int>(xs.size());
  for (size_t d = 0; d < xs.size(); ++d) {
    state->base += starts[d] * in_strides[d];
    state->dims.size[d] = ys[d];
    state->dims.stride[d] = steps[d] * in_strides[d];
  }
  return Prepared{std::move(state), 0};
}

Status run_slice(const KernelArgs& a) {
  const auto& s = *static_cast<const SliceState*>(a.state);
  const int64_t n = a.outputs[0].numel();
  if (n == 0) return Status::ok();
  return by_element_size(dtype_size(a.outputs[0].dtype), [&]<class T>() {
    gather_strided<T><<<grid_for(n), kThreads, 0, a.handles.stream>>>(static_cast<const T*>(a.inputs[0].data),
                                                                      a.outputs[0].as<T>(), n, s.base, s.dims);
    return check_launch("Slice");
  });
}

// What Gather and GatherElements write for an index outside [-dim, dim), which the CPU kernel
// returns as an error: all-ones bytes (NaN for float32, -1 for integers), or true for bool
// (0xFF is not a valid bool). The index is also reported through the queue's data-error word,
// so the run fails naming the node.
template <class T>
__device__ inline T bad_index_value() {
  return sizeof(T) == 1 ? T{1} : static_cast<T>(~T{0});
}

// Gather: y[o, k, in] = x[o, idx[k] (+ dim when negative), in].
template <class T, class I>
__global__ void gather_axis(const T* x, const I* idx, T* y, int64_t n, int64_t dim, int64_t count, int64_t inner,
                            unsigned long long* data_error, int64_t node_index) {
  FI_CUDA_FOR(i, n) {
    const int64_t in = i % inner, rest = i / inner, k = rest % count, o = rest / count;
    int64_t v = static_cast<int64_t>(idx[k]);
    if (v < -dim || v >= dim) {
      y[i] = bad_index_value<T>();
      report_data_error(data_error, node_index);
      continue;
    }
    if (v < 0) v += dim;
    y[i] = x[(o * dim + v) * inner + in];
  }
}

struct GatherState : NodeState {
  int64_t dim = 0, count = 0, inner = 0;
};

Result<Prepared> prepare_gather(const PrepareArgs& p) {
  const Shape& xs = p.graph.tensors[p.node.inputs[0]].shape;
  const Tensor& indices = p.graph.tensors[p.node.inputs[1]];
  if (indices.dtype != DType::kInt64 && indices.dtype != DType::kInt32)
    return refuse(p.node, "indices must be int64 or int32");
  const int64_t axis = p.node.attrs.get_int("axis", 0);
  if (axis < 0 || axis >= static_cast<int64_t>(xs.size())) return refuse(p.node, "axis out of range");
  auto state = std::make_unique<GatherState>();
  state->dim = xs[axis];
  state->count = num_elements(indices.shape);
  state->inner = product(xs, static_cast<size_t>(axis) + 1, xs.size());
  return Prepared{std::move(state), 0};
}

Status run_gather(const KernelArgs& a) {
  const auto& s = *static_cast<const GatherState*>(a.state);
  const int64_t n = a.outputs[0].numel();
  if (n == 0) return Status::ok();
  return by_element_size(dtype_size(a.outputs[0].dtype), [&]<class T>() {
    const T* x = static_cast<const T*>(a.inputs[0].data);
    if (a.inputs[1].dtype == DType::kInt64)
      gather_axis<T, int64_t>
          <<<grid_for(n), kThreads, 0, a.handles.stream>>>(x, a.inputs[1].as<int64_t>(), a.outputs[0].as<T>(), n, s.dim,
                                                           s.count, s.inner, a.handles.data_error, a.node_index);
    else
      gather_axis<T, int32_t>
          <<<grid_for(n), kThreads, 0, a.handles.stream>>>(x, a.inputs[1].as<int32_t>(), a.outputs[0].as<T>(), n, s.dim,
                                                           s.count, s.inner, a.handles.data_error, a.node_index);
    return check_launch("Gather");
  });
}

// Pad: output coordinate c maps to p = c - pads_begin; outside [0, n) it is the constant
// value (constant), the clamped edge (edge) or the mirror without repeating the edge (reflect).
enum class PadMode : int { kConstant, kEdge, kReflect };

struct PadParams {
  Dims out;  // output sizes; stride: input strides (contiguous)
  int64_t in_size[kMaxRank] = {};
  int64_t begin[kMaxRank] = {};
  PadMode mode = PadMode::kConstant;
};

struct PadState : NodeState {
  PadParams params;
  uint64_t value_bits = 0;  // the constant value, in the output dtype's bytes
};

template <class T>
__global__ void pad_kernel(const T* x, T* y, int64_t n, PadParams p, T value) {
  FI_CUDA_FOR(i, n) {
    int64_t rest = i, off = 0;
    bool inside = true;
    for (int d = p.out.rank - 1; d >= 0; --d) {
      const int64_t c = rest % p.out.size[d];
      rest /= p.out.size[d];
      const int64_t xn = p.in_size[d];
      int64_t q = c - p.begin[d];
      if (q < 0 || q >= xn) {
        if (p.mode == PadMode::kConstant) {
          inside = false;
        } else if (p.mode == PadMode::kEdge) {
          q = q < 0 ? 0 : xn - 1;
        } else {
          const int64_t period = 2 * (xn - 1);
          q = period == 0 ? 0 : ((q % period) + period) % period;
          if (q >= xn) q = period - q;
        }
      }
      off += q * p.out.stride[d];
    }
    y[i] = inside ? x[off] : value;
  }
}

Result<Prepared> prepare_pad(const PrepareArgs& p) {
  const Tensor& x = p.graph.tensors[p.node.inputs[0]];
  const Shape& ys = p.graph.tensors[p.node.outputs[0]].shape;
  FI_RETURN_IF_ERROR(check_node_rank(p.node, x.shape));
  const auto pads = p.node.attrs.get_ints("pads");
  const std::string mode = p.node.attrs.get_string("mode", "constant");
  const size_t rank = x.shape.size();
  if (pads.size() != 2 * rank || ys.size() != rank) return refuse(p.node, "pads need two entries per dimension");
  auto state = std::make_unique<PadState>();
  PadParams& pp = state->params;
  if (mode == "constant")
    pp.mode = PadMode::kConstant;
  else if (mode == "edge")
    pp.mode = PadMode::kEdge;
  else if (mode == "reflect")
    pp.mode = PadMode::kReflect;
  else
    return refuse(p.node, "mode '" + mode + "' is not supported");
  const auto in_strides = contiguous_strides(x.shape);
  pp.out.rank = static_cast<int>(rank);
  for (size_t d = 0; d < rank; ++d) {
    pp.out.size[d] = ys[d];
    pp.out.stride[d] = in_strides[d];
    pp.in_size[d] = x.shape[d];
    pp.begin[d] = pads[d];
  }
  state->value_bits = value_attr_bits(p.node.attrs, x.dtype);
  return Prepared{std::move(state), 0};
}

Status run_pad(const KernelArgs& a) {
  const auto& s = *static_cast<const PadState*>(a.state);
  const int64_t n = a.outputs[0].numel();
  if (n == 0) return Status::ok();
  return by_element_size(dtype_size(a.outputs[0].dtype), [&]<class T>() {
    T value;
    std::memcpy(&value, &s.value_bits, sizeof(T));
    pad_kernel<T><<<grid_for(n), kThreads, 0, a.handles.stream>>>(static_cast<const T*>(a.inputs[0].data),
                                                                  a.outputs[0].as<T>(), n, s.params, value);
    return check_launch("Pad");
  });
}

// DepthToSpace (DCR or CRD) and SpaceToDepth on NCHW, the CPU kernel's index math.
struct DepthSpace {
  int64_t b, xc, xh, xw, yc, yh, yw;
  bool to_space, crd;
};

template <class T>
__global__ void depth_space_kernel(const T* x, T* y, int64_t n, DepthSpace p) {
  FI_CUDA_FOR(i, n) {
    const int64_t w = i % p.yw, h = (i / p.yw) % p.yh, c = (i / (p.yw * p.yh)) % p.yc, nn = i / (p.yw * p.yh * p.yc);
    const int64_t b = p.b;
    int64_t ic, ih, iw;
    if (p.to_space) {
      const int64_t bi = h % b, bj = w % b;
      ih = h / b;
      iw = w / b;
      ic = p.crd ? c * b * b + bi * b + bj : (bi * b + bj) * p.yc + c;
    } else {
      const int64_t blk = c / p.xc;
      ic = c % p.xc;
      ih = h * b + blk / b;
      iw = w * b + blk % b;
    }
    y[i] = x[((nn * p.xc + ic) * p.xh + ih) * p.xw + iw];
  }
}

struct DepthSpaceState : NodeState {
  DepthSpace params{};
};

Result<Prepared> prepare_depth_space(const PrepareArgs& p) {
  const Shape& xs = p.graph.tensors[p.node.inputs[0]].shape;
  const Shape& ys = p.graph.tensors[p.node.outputs[0]].shape;
  if (xs.size() != 4 || ys.size() != 4) return refuse(p.node, "needs a 4-D input");
  const int64_t b = p.node.attrs.get_int("blocksize", 1);
  if (b < 1) return refuse(p.node, "blocksize must be >= 1");
  auto state = std::make_unique<DepthSpaceState>();
  state->params = {b,
                   xs[1],
                   xs[2],
                   xs[3],
                   ys[1],
                   ys[2],
                   ys[3],
                   p.node.op == "DepthToSpace",
                   p.node.attrs.get_string("mode", "DCR") == "CRD"};
  return Prepared{std::move(state), 0};
}

Status run_depth_space(const KernelArgs& a) {
  const auto& s = *static_cast<const DepthSpaceState*>(a.state);
  const int64_t n = a.outputs[0].numel();
  if (n == 0) return Status::ok();
  return by_element_size(dtype_size(a.outputs[0].dtype), [&]<class T>() {
    depth_space_kernel<T><<<grid_for(n), kThreads, 0, a.handles.stream>>>(static_cast<const T*>(a.inputs[0].data),
                                                                          a.outputs[0].as<T>(), n, s.params);
    return check_launch(s.params.to_space ? "DepthToSpace" : "SpaceToDepth");
  });
}

// GatherElements: y[i] = x[the coordinates of i in y (the indices' shape), with idx[i]
// (+ dim when negative) on the axis]. An index out of range is handled like Gather's.
struct GatherElementsParams {
  Dims out;  // sizes: the indices' (= y's) shape; stride: x's row-major strides
  int axis = 0;
  int64_t dim = 0;  // x's size on the axis
};

template <class T, class I>
__global__ void gather_elements_kernel(const T* x, const I* idx, T* y, int64_t n, GatherElementsParams p,
                                       unsigned long long* data_error, int64_t node_index) {
  FI_CUDA_FOR(i, n) {
    int64_t v = static_cast<int64_t>(idx[i]);
    if (v < -p.dim || v >= p.dim) {
      y[i] = bad_index_value<T>();
      report_data_error(data_error, node_index);
      continue;
    }
    if (v < 0) v += p.dim;
    int64_t rest = i, offset = 0;
    for (int d = p.out.rank - 1; d >= 0; --d) {
      const int64_t c = rest % p.out.size[d];
      rest /= p.out.size[d];
      offset += (d == p.axis ? v : c) * p.out.stride[d];
    }
    y[i] = x[offset];
  }
}

struct GatherElementsState : NodeState {
  GatherElementsParams params;
  bool int64_indices = true;
};

Result<Prepared> prepare_gather_elements(const PrepareArgs& p) {
  const Shape& xs = p.graph.tensors[p.node.inputs[0]].shape;
  const Tensor& indices = p.graph.tensors[p.node.inputs[1]];
  FI_RETURN_IF_ERROR(check_node_rank(p.node, xs));
  if (indices.dtype != DType::kInt64 && indices.dtype != DType::kInt32)
    return refuse(p.node, "indices must be int64 or int32");
  const int64_t axis = p.node.attrs.get_int("axis", 0);
  if (axis < 0 || axis >= static_cast<int64_t>(xs.size())) return refuse(p.node, "axis out of range");
  auto state = std::make_unique<GatherElementsState>();
  const Dims x_dims = contiguous_dims(xs);
  state->params.out = contiguous_dims(indices.shape);
  for (int d = 0; d < x_dims.rank; ++d) state->params.out.stride[d] = x_dims.stride[d];
  state->params.axis = static_cast<int>(axis);
  state->params.dim = xs[axis];
  state->int64_indices = indices.dtype == DType::kInt64;
  return Prepared{std::move(state), 0};
}

Status run_gather_elements(const KernelArgs& a) {
  const auto& s = *static_cast<const GatherElementsState*>(a.state);
  const int64_t n = a.outputs[0].numel();
  if (n == 0) return Status::ok();
  return by_element_size(dtype_size(a.outputs[0].dtype), [&]<class T>() {
    const T* x = static_cast<const T*>(a.inputs[0].data);
    if (s.int64_indices)
      gather_elements_kernel<T, int64_t><<<grid_for(n), kThreads, 0, a.handles.stream>>>(
          x, a.inputs[1].as<int64_t>(), a.outputs[0].as<T>(), n, s.params, a.handles.data_error, a.node_index);
    else
      gather_elements_kernel<T, int32_t><<<grid_for(n), kThreads, 0, a.handles.stream>>>(
          x, a.inputs[1].as<int32_t>(), a.outputs[0].as<T>(), n, s.params, a.handles.data_error, a.node_index);
    return check_launch("GatherElements");
  });
}

// Trilu: y = x where column j and row i of the last two dims have j - i >= k (upper) or
// j - i <= k (lower), else 0 (all-zero bytes: 0, 0.0f or false).
template <class T>
__global__ void trilu_kernel(const T* x, T* y, int64_t n, int64_t rows, int64_t cols, int64_t k, bool upper) {
  FI_CUDA_FOR(i, n) {
    const int64_t j_minus_i = i % cols - (i / cols) % rows;
    y[i] = (upper ? j_minus_i >= k : j_minus_i <= k) ? x[i] : T{0};
  }
}

struct TriluState : NodeState {
  int64_t rows = 0, cols = 0, k = 0;
  bool upper = true;
};

Result<Prepared> prepare_trilu(const PrepareArgs& p) {
  const Shape& xs = p.graph.tensors[p.node.inputs[0]].shape;
  if (xs.size() < 2) return refuse(p.node, "input must have rank >= 2");
  auto state = std::make_unique<TriluState>();
  state->rows = xs[xs.size() - 2];
  state->cols = xs[xs.size() - 1];
  state->k = p.node.attrs.get_int("k", 0);
  state->upper = p.node.attrs.get_int("upper", 1) != 0;
  return Prepared{std::move(state), 0};
}

Status run_trilu(const KernelArgs& a) {
  const auto& s = *static_cast<const TriluState*>(a.state);
  const int64_t n = a.outputs[0].numel();
  if (n == 0) return Status::ok();
  return by_element_size(dtype_size(a.outputs[0].dtype), [&]<class T>() {
    trilu_kernel<T><<<grid_for(n), kThreads, 0, a.handles.stream>>>(
        static_cast<const T*>(a.inputs[0].data), a.outputs[0].as<T>(), n, s.rows, s.cols, s.k, s.upper);
    return check_launch("Trilu");
  });
}

constexpr CudaKernel kKernels[] = {
    {"Concat", run_concat_split, prepare_concat_split},
    {"Split", run_concat_split, prepare_concat_split},
    {"Slice", run_slice, prepare_slice},
    {"Gather", run_gather, prepare_gather},
    {"GatherElements", run_gather_elements, prepare_gather_elements},
    {"Trilu", run_trilu, prepare_trilu},
    {"Pad", run_pad, prepare_pad},
    {"DepthToSpace", run_depth_space, prepare_depth_space},
    {"SpaceToDepth", run_depth_space, prepare_depth_space},
};

}  // namespace

std::span<const CudaKernel> data_movement_kernels() { return kKernels; }

}  // namespace fusedinf::cuda
