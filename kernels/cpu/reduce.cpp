// Reference reductions: every input element is folded into the output element it maps to
// (reduced coordinates dropped), accumulating in double.
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

namespace {

// For input element i, the output element it reduces into. `out_stride` (one per input dim,
// 0 on reduced dims) lives in the kernel's workspace.
struct ReduceMap {
  std::span<const int64_t> in_shape;
  std::span<int64_t> out_stride;
  ReduceMap(std::span<const int64_t> x, std::span<const int64_t> axes, std::span<int64_t> strides)
      : in_shape(x), out_stride(strides) {
    int64_t stride = 1;
    for (size_t d = x.size(); d-- > 0;) {
      const bool reduced = axes.empty() || std::find(axes.begin(), axes.end(), static_cast<int64_t>(d)) != axes.end();
      out_stride[d] = reduced ? 0 : stride;
      if (!reduced) stride *= x[d];
    }
  }
  int64_t operator()(int64_t i) const {
    int64_t o = 0;
    for (size_t d = in_shape.size(); d-- > 0;) {
      o += (i % in_shape[d]) * out_stride[d];
      i /= in_shape[d];
    }
    return o;
  }
};

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

// acc = fold of the elements (sum, max, ...); then the finishing map (mean, sqrt, log).
Status run_reduce(const KernelArgs& a) {
  const ReduceKind kind = reduce_kind(a.node.op);
  const int64_t n_out = a.outputs[0].numel(), n_in = a.inputs[0].numel();
  // In the planned workspace (reduce_workspace): one accumulator per output element, and the
  // map's output strides.
  Scratch scratch(a.workspace);
  const std::span<double> acc = scratch.take<double>(n_out);
  const std::span<int64_t> out_stride = scratch.take<int64_t>(a.inputs[0].shape.size());
  // LogSumExp: log(sum(exp(x - m))) + m with m the max of its inputs (0 when that is infinite
  // or NaN), so that exp does not overflow (x > 709 in double).
  const std::span<double> shift = scratch.take<double>(kind == ReduceKind::kLogSumExp ? n_out : 0);
  FI_RETURN_IF_ERROR(scratch.status());
  const ReduceMap map(a.inputs[0].shape, a.node.attrs.ints("axes"), out_stride);
  const double init = kind == ReduceKind::kMax    ? -INFINITY
                      : kind == ReduceKind::kMin  ? INFINITY
                      : kind == ReduceKind::kProd ? 1.0
                                                  : 0.0;
  std::fill(acc.begin(), acc.end(), init);
  return dispatch_dtype(a.inputs[0].dtype, [&]<class T>() {
    const T* x = a.inputs[0].as<T>();
    if (kind == ReduceKind::kLogSumExp) {
      std::fill(shift.begin(), shift.end(), -INFINITY);
      for (int64_t i = 0; i < n_in; ++i) {
        double& m = shift[map(i)];
        const double v = static_cast<double>(x[i]);
        m = std::isnan(v) || v > m ? v : m;
      }
      for (double& m : shift) m = std::isfinite(m) ? m : 0.0;
    }
    for (int64_t i = 0; i < n_in; ++i) {
      double& r = acc[map(i)];
      const double v = static_cast<double>(x[i]);
      switch (kind) {
        case ReduceKind::kMax:
          r = std::isnan(v) || v > r ? v : r;
          break;
        case ReduceKind::kMin:
          r = std::isnan(v) || v < r ? v : r;
          break;
        case ReduceKind::kProd:
          r *= v;
          break;
        case ReduceKind::kL1:
          r += std::fabs(v);
          break;
        case ReduceKind::kL2:
        case ReduceKind::kSumSquare:
          r += v * v;
          break;
        case ReduceKind::kLogSumExp:
          r += std::exp(v - shift[map(i)]);
          break;
        default:
          r += v;
          break;  // Sum, Mean, LogSum
      }
    }
    const double count = n_out ? static_cast<double>(n_in) / static_cast<double>(n_out) : 1.0;
    T* y = a.outputs[0].as<T>();
    for (int64_t o = 0; o < n_out; ++o) {
      double r = acc[o];
      if (kind == ReduceKind::kMean)
        r /= count;
      else if (kind == ReduceKind::kL2)
        r = std::sqrt(r);
      else if (kind == ReduceKind::kLogSum)
        r = std::log(r);
      else if (kind == ReduceKind::kLogSumExp)
        r = std::log(r) + shift[o];
      y[o] = static_cast<T>(r);
    }
    return Status::ok();
  });
}

Status run_argmax(const KernelArgs& a) {
  const int64_t axis = a.node.attrs.int_or("axis", 0);
  const bool last = a.node.attrs.int_or("select_last_index", 0) != 0;
  const bool is_min = a.node.op == "ArgMin";
  const Shape& xs = a.inputs[0].shape;
  const int64_t dim = xs[axis], inner = product(std::span<const int64_t>(xs).subspan(axis + 1));
  const int64_t outer = dim ? a.inputs[0].numel() / (dim * std::max<int64_t>(inner, 1)) : 0;
  int64_t* y = a.outputs[0].as<int64_t>();
  return dispatch_dtype(a.inputs[0].dtype, [&]<class T>() {
    const T* x = a.inputs[0].as<T>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t in = 0; in < inner; ++in) {
        int64_t best = 0;
        for (int64_t k = 1; k < dim; ++k) {
          const T v = x[(o * dim + k) * inner + in], b = x[(o * dim + best) * inner + in];
          if ((is_min ? v < b : v > b) || (last && v == b)) best = k;
        }
        y[o * inner + in] = best;
      }
    return Status::ok();
  });
}

uint64_t reduce_workspace(const Node& node, std::span<const Shape> inputs, std::span<const Shape> outputs) {
  const int64_t n_out = num_elements(outputs[0]);
  return Scratch::bytes<double>(n_out) + Scratch::bytes<int64_t>(inputs[0].size()) +
         (node.op == "ReduceLogSumExp" ? Scratch::bytes<double>(n_out) : 0);
}

// CumSum: each line along the axis is summed in order (from its end when reverse), in the
// element type; exclusive writes the sum before adding the element.
Status run_cumsum(const KernelArgs& a) {
  const Shape& xs = a.inputs[0].shape;
  const int64_t axis = a.node.attrs.int_or("axis", 0);
  const bool exclusive = a.node.attrs.int_or("exclusive", 0) != 0, reverse = a.node.attrs.int_or("reverse", 0) != 0;
  const int64_t len = xs[axis], inner = product(std::span<const int64_t>(xs).subspan(axis + 1));
  const int64_t outer = len * inner != 0 ? a.inputs[0].numel() / (len * inner) : 0;
  return dispatch_dtype(a.inputs[0].dtype, [&]<class T>() {
    if constexpr (!std::is_same_v<T, bool>) {
      const T* x = a.inputs[0].as<T>();
      T* y = a.outputs[0].as<T>();
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t in = 0; in < inner; ++in) {
          T sum = 0;
          for (int64_t k = 0; k < len; ++k) {
            const int64_t at = (o * len + (reverse ? len - 1 - k : k)) * inner + in;
            if (exclusive) {
              y[at] = sum;
              sum = T(sum + x[at]);
            } else {
              sum = T(sum + x[at]);
              y[at] = sum;
            }
          }
        }
      return Status::ok();
    }
    return Status::error("bool input is not supported");
  });
}

constexpr CpuKernel kKernels[] = {
    {"ReduceMean", run_reduce, reduce_workspace},
    {"ReduceSum", run_reduce, reduce_workspace},
    {"ReduceMax", run_reduce, reduce_workspace},
    {"ReduceMin", run_reduce, reduce_workspace},
    {"ReduceProd", run_reduce, reduce_workspace},
    {"ReduceL2", run_reduce, reduce_workspace},
    {"ReduceL1", run_reduce, reduce_workspace},
    {"ReduceSumSquare", run_reduce, reduce_workspace},
    {"ReduceLogSum", run_reduce, reduce_workspace},
    {"ReduceLogSumExp", run_reduce, reduce_workspace},
    {"ArgMax", run_argmax},
    {"ArgMin", run_argmax},
    {"CumSum", run_cumsum},
};

}  // namespace

std::span<const CpuKernel> reduce_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
