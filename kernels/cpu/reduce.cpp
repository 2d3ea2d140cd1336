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

Status run_reduce(const KernelArgs& a) {
  const std::string& op = a.node.op;
  const ReduceMap map(a.inputs[0].shape, a.node.attrs.get_ints("axes"));
  const int64_t n_out = a.outputs[0].numel(), n_in = a.inputs[0].numel();
  const double init = op == "ReduceMax" ? -INFINITY : op == "ReduceMin" ? INFINITY : op == "ReduceProd" ? 1.0 : 0.0;
  std::vector<double> acc(static_cast<size_t>(n_out), init);
  return dispatch_dtype(a.inputs[0].dtype, [&]<class T>() {
    const T* x = a.inputs[0].as<T>();
    for (int64_t i = 0; i < n_in; ++i) {
      double& r = acc[map(i)];
      const double v = static_cast<double>(x[i]);
      if (op == "ReduceMax")
        r = std::isnan(v) || v > r ? v : r;
      else if (op == "ReduceMin")
        r = std::isnan(v) || v < r ? v : r;
      else if (op == "ReduceProd")
        r *= v;
      else if (op == "ReduceL2")
        r += v * v;
      else
        r += v;  // Sum, Mean
    }
    const double count = n_out ? static_cast<double>(n_in) / static_cast<double>(n_out) : 1.0;
    T* y = a.outputs[0].as<T>();
    for (int64_t o = 0; o < n_out; ++o) {
      double r = acc[o];
      if (op == "ReduceMean")
        r /= count;
      else if (op == "ReduceL2")
        r = std::sqrt(r);
      y[o] = static_cast<T>(r);
    }
    return Status::ok();
  });
}

Status run_argmax(const KernelArgs& a) {
  const int64_t axis = a.node.attrs.get_int("axis", 0);
  const bool last = a.node.attrs.get_int("select_last_index", 0) != 0;
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
          if (v > b || (last && v == b)) best = k;
        }
        y[o * inner + in] = best;
      }
    return Status::ok();
  });
}

constexpr CpuKernel kKernels[] = {
    {"ReduceMean", run_reduce}, {"ReduceSum", run_reduce}, {"ReduceMax", run_reduce}, {"ReduceMin", run_reduce},
    {"ReduceProd", run_reduce}, {"ReduceL2", run_reduce},  {"ArgMax", run_argmax},
};

}  // namespace

std::span<const CpuKernel> reduce_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
