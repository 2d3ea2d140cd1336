// Reference Softmax / LogSoftmax: y = exp(x - max) / sum(exp(x - max)) along the axis
// (log: y = x - max - log(sum)).
#include <cmath>

#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf::cpu {

namespace {

Status run_softmax(const KernelArgs& a) {
  const Shape& shape = a.inputs[0].shape;
  const int64_t axis = a.node.attrs.int_or("axis", 0);
  const bool coerce = a.node.attrs.int_or("coerce_2d", 0) != 0;
  const bool log_form = a.node.op == "LogSoftmax";
  int64_t outer = 1, len = 1, inner = 1;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < axis)
      outer *= shape[d];
    else if (d == axis || coerce)
      len *= shape[d];
    else
      inner *= shape[d];
  }
  const float* x = a.inputs[0].as<float>();
  float* y = a.outputs[0].as<float>();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t k) { return (o * len + k) * inner + i; };
      float mx = -INFINITY;
      for (int64_t k = 0; k < len; ++k) mx = std::fmax(mx, x[at(k)]);
      double sum = 0;
      for (int64_t k = 0; k < len; ++k) sum += std::exp(static_cast<double>(x[at(k)] - mx));
      for (int64_t k = 0; k < len; ++k)
        y[at(k)] = log_form ? static_cast<float>(x[at(k)] - mx - std::log(sum))
                            : static_cast<float>(std::exp(static_cast<double>(x[at(k)] - mx)) / sum);
    }
  return Status::ok();
}

constexpr CpuKernel kKernels[] = {
    {"Softmax", run_softmax},
    {"LogSoftmax", run_softmax},
};

}  // namespace

std::span<const CpuKernel> softmax_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
