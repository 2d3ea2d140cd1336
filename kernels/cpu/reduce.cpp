// Reference reductions: every input element is folded into the output element it maps to
// (reduced coordinates dropped), accumulating in double.
#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

namespace {

// For input element i, the output element it reduces into.
struct ReduceMap {
  std::vector<int64_t> out_stride;  // per input dim; 0 on reduced dims
  Shape in_shape;
  ReduceMap(const Shape& x, const std::vector<int64_t>& axes) : out_stride(x.size(), 0), in_shape(x) {
    int64_t stride = 1;
    for (size_t d = x.size(); d-- > 0;) {
      const bool reduced = axes.empty() || std::find(axes.begin(), axes.end(), static_cast<int64_t>(d)) != axes.end();
      if (!reduced) {
        out_stride[d] = stride;
        stride *= x[d];
      }
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
  const ReduceMap map(a.inputs[0].shape, a.node.attrs.get_ints("axes"));
  const int64_t n_out = a.outputs[0].numel(), n_in = a.inputs[0].numel();
  const double init = kind == ReduceKind::kMax    ? -INFINITY
                      : kind == ReduceKind::kMin  ? INFINITY
                      : kind == ReduceKind::kProd ? 1.0
                                                  : 0.0;
  std::vector<double> acc(static_cast<size_t>(n_out), init);
  return dispatch_dtype(a.inputs[0].dtype, [&]<class T>() {
    const T* x = a.inputs[0].as<T>();
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
          r += std::exp(v);
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
      else if (kind == ReduceKind::kLogSum || kind == ReduceKind::kLogSumExp)
        r = std::log(r);
      y[o] = static_cast<T>(r);
    }
    return Status::ok();
  });
}

Status run_argmax(const KernelArgs& a) {
  const int64_t axis = a.node.attrs.get_int("axis", 0);
  const bool last = a.node.attrs.get_int("select_last_index", 0) != 0;
  const bool is_min = a.node.op == "ArgMin";
  const Shape& xs = a.inputs[0].shape;
  const int64_t dim = xs[axis], inner = num_elements(Shape(xs.begin() + axis + 1, xs.end()));
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

constexpr CpuKernel kKernels[] = {
    {"ReduceMean", run_reduce},      {"ReduceSum", run_reduce},       {"ReduceMax", run_reduce},
    {"ReduceMin", run_reduce},       {"ReduceProd", run_reduce},      {"ReduceL2", run_reduce},
    {"ReduceL1", run_reduce},        {"ReduceSumSquare", run_reduce}, {"ReduceLogSum", run_reduce},
    {"ReduceLogSumExp", run_reduce}, {"ArgMax", run_argmax},          {"ArgMin", run_argmax},
};

}  // namespace

std::span<const CpuKernel> reduce_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
