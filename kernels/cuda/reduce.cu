// CUDA reductions, mirroring kernels/cpu/reduce.cpp: "axes" (non-negative, empty = all; the
// importer already turned the axes input and noop_with_empty_axes into this attribute),
// accumulation in double, then the finishing map (mean, sqrt, log); float32, int64, int32.
// Each output element folds the reduced sub-space (its own Dims) in row-major order: one
// thread per output, or, for float32, one block per output when the reduced sub-space is large
// or contiguous (then partial folds are combined; max/min propagate NaN either way). Integer
// inputs always fold in the CPU's order: their double sums are inexact past 2^53 (int64 values,
// long int32 sums), so another order could change the integer result.
// ArgMax / ArgMin: one thread per output element, scanning the axis like the CPU (int64 output).
#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/cuda_util.cuh"

namespace fusedinf::cuda {

namespace {

constexpr int kWarp = 32;

std::string where(const Node& node) { return node.op + " '" + node.name + "': "; }

enum class ReduceKind { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kSumSquare, kLogSum, kLogSumExp };

ReduceKind reduce_kind(const std::string& op) {
  if (op == "ReduceMean") return ReduceKind::kMean;
  if (op == "ReduceMax") return ReduceKind::kMax;
  if (op == "ReduceMin") return ReduceKind::kMin;
  if (op == "ReduceProd") return ReduceKind::kProd;
  if (op == "ReduceL1") return ReduceKind::kL1;
  if (op == "ReduceL2") return ReduceKind::kL2;
  if (op == "ReduceSumSquare") return ReduceKind::kSumSquare;
  if (op == "ReduceLogSum") return ReduceKind::kLogSum;
  if (op == "ReduceLogSumExp") return ReduceKind::kLogSumExp;
  return ReduceKind::kSum;
}

struct ReduceParams {
  ReduceKind kind = ReduceKind::kSum;
  Dims kept, red;  // output index -> input offset; reduced index -> offset from there
  int64_t n_out = 0, n_red = 0;
};

__device__ inline double reduce_init(ReduceKind k) {
  return k == ReduceKind::kMax ? -INFINITY : k == ReduceKind::kMin ? INFINITY : k == ReduceKind::kProd ? 1.0 : 0.0;
}

// Folds a (transformed) value or a partial result b into a.
__device__ inline double reduce_combine(ReduceKind k, double a, double b) {
  switch (k) {
    case ReduceKind::kMax:
      return isnan(b) || b > a ? b : a;
    case ReduceKind::kMin:
      return isnan(b) || b < a ? b : a;
    case ReduceKind::kProd:
      return a * b;
    default:
      return a + b;
  }
}

__device__ inline double reduce_transform(ReduceKind k, double v) {
  switch (k) {
    case ReduceKind::kL1:
      return fabs(v);
    case ReduceKind::kL2:
    case ReduceKind::kSumSquare:
      return __dmul_rn(v, v);  // rounded on its own, as the CPU: no fused multiply-add into the sum
    case ReduceKind::kLogSumExp:
      return exp(v);
    default:
      return v;
  }
}

__device__ inline double reduce_finish(ReduceKind k, double r, int64_t n_red) {
  if (k == ReduceKind::kMean) return r / static_cast<double>(n_red);
  if (k == ReduceKind::kL2) return sqrt(r);
  if (k == ReduceKind::kLogSum || k == ReduceKind::kLogSumExp) return log(r);
  return r;
}

// The double result as the output dtype, as the CPU's static_cast<T>(double) gives it on x86-64
// (cvttsd2si): truncation in range; NaN and out-of-range values (an integer sum or product
// that overflowed, an int64 near 2^63 rounded up) give the type's minimum, where CUDA's
// conversion would saturate (and map NaN to 0).
template <class T>
__device__ inline T to_output(double r) {
  if constexpr (std::is_integral_v<T>) {
    constexpr double kLimit = sizeof(T) == 8 ? 9223372036854775808.0 : 2147483648.0;  // 2^63, 2^31
    if (!(r >= -kLimit && r < kLimit)) {
      if constexpr (sizeof(T) == 8) return INT64_MIN;
      return INT32_MIN;
    }
  }
  return static_cast<T>(r);
}

// LogSumExp sums exp(x - m) and adds m back, m the max of its inputs (0 when that is infinite
// or NaN), as the CPU does: exp does not overflow for x > 709. Other kinds: m = 0, unused.
__device__ inline double lse_shift(double max) { return isfinite(max) ? max : 0.0; }

template <class T>
__global__ void reduce_thread_kernel(const T* x, T* y, ReduceParams p) {
  FI_CUDA_FOR(o, p.n_out) {
    const T* base = x + strided_offset(o, p.kept);
    double shift = 0.0;
    if (p.kind == ReduceKind::kLogSumExp) {
      double m = -INFINITY;
      for (int64_t j = 0; j < p.n_red; ++j)
        m = reduce_combine(ReduceKind::kMax, m, static_cast<double>(base[strided_offset(j, p.red)]));
      shift = lse_shift(m);
    }
    double r = reduce_init(p.kind);
    for (int64_t j = 0; j < p.n_red; ++j)
      r = reduce_combine(p.kind, r,
                         reduce_transform(p.kind, static_cast<double>(base[strided_offset(j, p.red)]) - shift));
    r = reduce_finish(p.kind, r, p.n_red);
    y[o] = to_output<T>(p.kind == ReduceKind::kLogSumExp ? r + shift : r);
  }
}

__device__ inline double warp_combine(ReduceKind k, double v) {
  for (int m = kWarp / 2; m > 0; m /= 2) v = reduce_combine(k, v, __shfl_xor_sync(0xffffffffu, v, m));
  return v;
}

// One block per output element (the output index is uniform across a block).
template <class T>
__global__ void reduce_block_kernel(const T* x, T* y, ReduceParams p) {
  __shared__ double shared[kWarp];
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
  for (int64_t o = blockIdx.x; o < p.n_out; o += gridDim.x) {
    const T* base = x + strided_offset(o, p.kept);
    double shift = 0.0;
    if (p.kind == ReduceKind::kLogSumExp) {  // the block's max first (see lse_shift)
      double m = -INFINITY;
      for (int64_t j = threadIdx.x; j < p.n_red; j += blockDim.x)
        m = reduce_combine(ReduceKind::kMax, m, static_cast<double>(base[strided_offset(j, p.red)]));
      m = warp_combine(ReduceKind::kMax, m);
      if (lane == 0) shared[warp] = m;
      __syncthreads();
      if (warp == 0) {
        m = lane < static_cast<int>(blockDim.x / kWarp) ? shared[lane] : -INFINITY;
        m = warp_combine(ReduceKind::kMax, m);
        if (lane == 0) shared[0] = m;
      }
      __syncthreads();
      shift = lse_shift(shared[0]);
      __syncthreads();  // shared is reused by the sum
    }
    double r = reduce_init(p.kind);
    for (int64_t j = threadIdx.x; j < p.n_red; j += blockDim.x)
      r = reduce_combine(p.kind, r,
                         reduce_transform(p.kind, static_cast<double>(base[strided_offset(j, p.red)]) - shift));
    r = warp_combine(p.kind, r);
    if (lane == 0) shared[warp] = r;
    __syncthreads();
    if (warp == 0) {
      r = lane < static_cast<int>(blockDim.x / kWarp) ? shared[lane] : reduce_init(p.kind);
      r = warp_combine(p.kind, r);
      r = reduce_finish(p.kind, r, p.n_red);
      if (lane == 0) y[o] = to_output<T>(p.kind == ReduceKind::kLogSumExp ? r + shift : r);
    }
    __syncthreads();  // shared is reused by the next output
  }
}

// Drops size-1 dims and merges neighbours that are contiguous with each other (the row-major
// enumeration order, and so the CPU's accumulation order, is unchanged).
Dims coalesce(const Dims& in) {
  Dims out;
  for (int i = 0; i < in.rank; ++i) {
    if (in.size[i] == 1) continue;
    if (out.rank > 0 && out.stride[out.rank - 1] == in.stride[i] * in.size[i]) {
      out.size[out.rank - 1] *= in.size[i];
      out.stride[out.rank - 1] = in.stride[i];
      continue;
    }
    out.size[out.rank] = in.size[i];
    out.stride[out.rank] = in.stride[i];
    ++out.rank;
  }
  return out;
}

struct ReduceState : NodeState {
  ReduceParams p;
  bool per_block = false;
};

Status check_dtype(const Node& node, DType t) {
  if (t == DType::kFloat32 || t == DType::kInt64 || t == DType::kInt32) return Status::ok();
  return Status::error(where(node) + "input dtype " + std::string(dtype_name(t)) + " is not supported");
}

Result<Prepared> prepare_reduce(const PrepareArgs& a) {
  const Node& node = a.node;
  const Tensor& x = a.graph.tensors[node.inputs[0]];
  FI_RETURN_IF_ERROR(check_dtype(node, x.dtype));
  FI_RETURN_IF_ERROR(check_rank(x.shape, (where(node) + "input").c_str()));
  const std::vector<int64_t> axes = node.attrs.get_ints("axes");
  const int rank = static_cast<int>(x.shape.size());
  for (int64_t axis : axes)
    if (axis < 0 || axis >= rank) return Status::error(where(node) + "axis " + std::to_string(axis) + " out of range");
  const std::vector<int64_t> strides = contiguous_strides(x.shape);
  Dims kept, red;
  for (int d = 0; d < rank; ++d) {
    const bool reduced = axes.empty() || std::find(axes.begin(), axes.end(), d) != axes.end();
    Dims& dims = reduced ? red : kept;
    dims.size[dims.rank] = x.shape[d];
    dims.stride[dims.rank] = strides[d];
    ++dims.rank;
  }
  auto state = std::make_unique<ReduceState>();
  ReduceParams& p = state->p;
  p.kind = reduce_kind(node.op);
  p.n_out = num_elements(a.graph.tensors[node.outputs[0]].shape);
  p.n_red = 1;
  for (int i = 0; i < red.rank; ++i) p.n_red *= red.size[i];
  p.kept = coalesce(kept);
  p.red = coalesce(red);
  const bool contiguous = p.red.rank > 0 && p.red.stride[p.red.rank - 1] == 1;
  state->per_block = x.dtype == DType::kFloat32 && (p.n_red >= 1024 || (contiguous && p.n_red >= 64));
  return Prepared{std::move(state), 0};
}

Status run_reduce(const KernelArgs& a) {
  const auto& s = *static_cast<const ReduceState*>(a.state);
  if (s.p.n_out == 0) return Status::ok();
  return dispatch_dtype(a.inputs[0].dtype, [&]<class T>() {
    const T* x = a.inputs[0].as<T>();
    T* y = a.outputs[0].as<T>();
    if (s.per_block) {
      const unsigned blocks = static_cast<unsigned>(std::min<int64_t>(s.p.n_out, 65535LL * 8));
      reduce_block_kernel<T><<<blocks, kThreads, 0, a.handles.stream>>>(x, y, s.p);
      return check_launch("reduce_block_kernel");
    }
    reduce_thread_kernel<T><<<grid_for(s.p.n_out), kThreads, 0, a.handles.stream>>>(x, y, s.p);
    return check_launch("reduce_thread_kernel");
  });
}

// x viewed as [outer, dim, inner] around `axis`: a kernel walks the outer * inner lines of
// length dim. Checks the axis; outer is 0 when x is empty.
struct AxisLines {
  int64_t outer = 0, dim = 0, inner = 1;
};

Result<AxisLines> axis_lines(const Node& node, const Shape& shape, int64_t axis) {
  if (axis < 0 || axis >= static_cast<int64_t>(shape.size()))
    return Status::error(where(node) + "axis " + std::to_string(axis) + " out of range");
  AxisLines l;
  l.dim = shape[axis];
  l.inner = num_elements(Shape(shape.begin() + axis + 1, shape.end()));
  l.outer = l.dim * l.inner != 0 ? num_elements(shape) / (l.dim * l.inner) : 0;
  return l;
}

struct ArgState : NodeState, AxisLines {
  bool is_min = false, last = false;
};

template <class T>
__global__ void arg_kernel(const T* x, int64_t* y, int64_t outer, int64_t dim, int64_t inner, bool is_min, bool last) {
  FI_CUDA_FOR(idx, outer * inner) {
    const int64_t o = idx / inner, in = idx % inner;
    const T* base = x + o * dim * inner + in;
    int64_t best = 0;
    T b = base[0];
    for (int64_t k = 1; k < dim; ++k) {
      const T v = base[k * inner];
      if ((is_min ? v < b : v > b) || (last && v == b)) {
        best = k;
        b = v;
      }
    }
    y[idx] = best;
  }
}

Result<Prepared> prepare_arg(const PrepareArgs& a) {
  const Node& node = a.node;
  const Tensor& x = a.graph.tensors[node.inputs[0]];
  FI_RETURN_IF_ERROR(check_dtype(node, x.dtype));
  FI_ASSIGN_OR_RETURN(AxisLines lines, axis_lines(node, x.shape, node.attrs.get_int("axis", 0)));
  auto s = std::make_unique<ArgState>();
  static_cast<AxisLines&>(*s) = lines;
  s->is_min = node.op == "ArgMin";
  s->last = node.attrs.get_int("select_last_index", 0) != 0;
  return Prepared{std::move(s), 0};
}

Status run_arg(const KernelArgs& a) {
  const auto& s = *static_cast<const ArgState*>(a.state);
  if (s.outer * s.inner == 0) return Status::ok();
  return dispatch_dtype(a.inputs[0].dtype, [&]<class T>() {
    arg_kernel<T><<<grid_for(s.outer * s.inner), kThreads, 0, a.handles.stream>>>(
        a.inputs[0].as<T>(), a.outputs[0].as<int64_t>(), s.outer, s.dim, s.inner, s.is_min, s.last);
    return check_launch("arg_kernel");
  });
}

struct CumSumState : NodeState, AxisLines {
  bool exclusive = false, reverse = false;
};

// CumSum: one thread per line along the axis, summed in order in the element type, as the CPU.
template <class T>
__global__ void cumsum_kernel(const T* x, T* y, int64_t outer, int64_t dim, int64_t inner, bool exclusive,
                              bool reverse) {
  FI_CUDA_FOR(idx, outer * inner) {
    const int64_t o = idx / inner, in = idx % inner;
    T sum = 0;
    for (int64_t k = 0; k < dim; ++k) {
      const int64_t at = (o * dim + (reverse ? dim - 1 - k : k)) * inner + in;
      const T v = x[at];
      if (exclusive) y[at] = sum;
      sum = static_cast<T>(sum + v);
      if (!exclusive) y[at] = sum;
    }
  }
}

Result<Prepared> prepare_cumsum(const PrepareArgs& a) {
  const Node& node = a.node;
  const Tensor& x = a.graph.tensors[node.inputs[0]];
  FI_RETURN_IF_ERROR(check_dtype(node, x.dtype));
  FI_ASSIGN_OR_RETURN(AxisLines lines, axis_lines(node, x.shape, node.attrs.get_int("axis", 0)));
  auto s = std::make_unique<CumSumState>();
  static_cast<AxisLines&>(*s) = lines;
  s->exclusive = node.attrs.get_int("exclusive", 0) != 0;
  s->reverse = node.attrs.get_int("reverse", 0) != 0;
  return Prepared{std::move(s), 0};
}

Status run_cumsum(const KernelArgs& a) {
  const auto& s = *static_cast<const CumSumState*>(a.state);
  if (s.outer * s.inner == 0) return Status::ok();
  return dispatch_dtype(a.inputs[0].dtype, [&]<class T>() -> Status {
    if constexpr (std::is_same_v<T, bool>) {
      return Status::error("bool CumSum");  // refused by prepare
    } else {
      cumsum_kernel<T><<<grid_for(s.outer * s.inner), kThreads, 0, a.handles.stream>>>(
          a.inputs[0].as<T>(), a.outputs[0].as<T>(), s.outer, s.dim, s.inner, s.exclusive, s.reverse);
      return check_launch("cumsum_kernel");
    }
  });
}

constexpr CudaKernel kKernels[] = {
    {"ReduceMean", run_reduce, prepare_reduce},
    {"ReduceSum", run_reduce, prepare_reduce},
    {"ReduceMax", run_reduce, prepare_reduce},
    {"ReduceMin", run_reduce, prepare_reduce},
    {"ReduceProd", run_reduce, prepare_reduce},
    {"ReduceL2", run_reduce, prepare_reduce},
    {"ReduceL1", run_reduce, prepare_reduce},
    {"ReduceSumSquare", run_reduce, prepare_reduce},
    {"ReduceLogSum", run_reduce, prepare_reduce},
    {"ReduceLogSumExp", run_reduce, prepare_reduce},
    {"ArgMax", run_arg, prepare_arg},
    {"ArgMin", run_arg, prepare_arg},
    {"CumSum", run_cumsum, prepare_cumsum},
};

}  // namespace

std::span<const CudaKernel> reduce_kernels() { return kKernels; }

}  // namespace fusedinf::cuda
