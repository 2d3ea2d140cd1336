// Reference TopK: per line along the axis, the k first elements in the order "better value
// first, then lower index" (onnxruntime's tie rule), better = larger (largest) or smaller.
// NaN counts as larger than every number. sorted=0 is free to use any order; this gives
// the sorted one. The line's index array lives in the planned workspace.
#include <algorithm>
#include <cmath>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

namespace {

// a > b with NaN above every number (a strict weak order on floats with NaN).
template <class T>
bool greater(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return !std::isnan(b);
    if (std::isnan(b)) return false;
  }
  return a > b;
}

Status run_topk(const KernelArgs& a) {
  const Shape& xs = a.inputs[0].shape;
  const int64_t axis = a.node.attrs.int_or("axis", -1), k = a.node.attrs.int_or("k", 0);
  const bool largest = a.node.attrs.int_or("largest", 1) != 0;
  const int64_t len = xs[axis], inner = product(std::span<const int64_t>(xs).subspan(axis + 1));
  const int64_t outer = len * inner != 0 ? a.inputs[0].numel() / (len * inner) : 0;
  Scratch scratch(a.workspace);
  std::span<int64_t> order = scratch.take<int64_t>(len);
  FI_RETURN_IF_ERROR(scratch.status());
  return dispatch_dtype(a.inputs[0].dtype, [&]<class T>() {
    const T* x = a.inputs[0].as<T>();
    T* values = a.outputs[0].as<T>();
    int64_t* indices = a.outputs[1].as<int64_t>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t in = 0; in < inner; ++in) {
        const T* line = x + o * len * inner + in;
        for (int64_t j = 0; j < len; ++j) order[j] = j;
        std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t i, int64_t j) {
          const T u = line[i * inner], v = line[j * inner];
          if (largest ? greater(u, v) : greater(v, u)) return true;
          if (largest ? greater(v, u) : greater(u, v)) return false;
          return i < j;
        });
        for (int64_t j = 0; j < k; ++j) {
          const int64_t at = (o * k + j) * inner + in;
          values[at] = line[order[j] * inner];
          indices[at] = order[j];
        }
      }
    return Status::ok();
  });
}

uint64_t topk_workspace(const Node& node, std::span<const Shape> inputs, std::span<const Shape>) {
  const int64_t axis = node.attrs.int_or("axis", -1);
  return Scratch::bytes<int64_t>(static_cast<uint64_t>(inputs[0][axis]));
}

constexpr CpuKernel kKernels[] = {
    {"TopK", run_topk, topk_workspace},
};

}  // namespace

std::span<const CpuKernel> selection_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
