// CUDA TopK, mirroring kernels/cpu/selection.cpp: one thread per line along the axis picks
// its k elements one after the other, each the best element strictly after the previous one
// in the total order (better value first, NaN above every number, then lower index). No
// scratch; O(k * len) per line, meant for the small k of detection and decoding heads.
#include <cmath>
#include <string>
#include <type_traits>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/cuda_util.cuh"

namespace fusedinf::cuda {

namespace {

template <class T>
__device__ bool greater(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (isnan(a)) return !isnan(b);
    if (isnan(b)) return false;
  }
  return a > b;
}

// Whether (u, i) comes before (v, j) in the output order.
template <class T>
__device__ bool before(T u, int64_t i, T v, int64_t j, bool largest) {
  if (largest ? greater(u, v) : greater(v, u)) return true;
  if (largest ? greater(v, u) : greater(u, v)) return false;
  return i < j;
}

struct TopKParams {
  int64_t outer = 0, len = 0, inner = 1, k = 0;
  bool largest = true;
};

template <class T>
__global__ void topk_kernel(const T* x, T* values, int64_t* indices, TopKParams p) {
  FI_CUDA_FOR(line_index, p.outer * p.inner) {
    const int64_t o = line_index / p.inner, in = line_index % p.inner;
    const T* line = x + o * p.len * p.inner + in;
    int64_t prev = -1;
    for (int64_t j = 0; j < p.k; ++j) {
      int64_t best = -1;
      for (int64_t i = 0; i < p.len; ++i) {
        const T v = line[i * p.inner];
        if (prev >= 0 && !before(line[prev * p.inner], prev, v, i, p.largest)) continue;  // not after prev
        if (best < 0 || before(v, i, line[best * p.inner], best, p.largest)) best = i;
      }
      const int64_t at = (o * p.k + j) * p.inner + in;
      values[at] = line[best * p.inner];
      indices[at] = best;
      prev = best;
    }
  }
}

struct TopKState : NodeState {
  TopKParams p;
};

Result<Prepared> prepare_topk(const PrepareArgs& a) {
  const Tensor& x = a.graph.tensors[a.node.inputs[0]];
  if (x.dtype == DType::kBool) return refuse(a.node, "bool input");
  const int64_t axis = a.node.attrs.get_int("axis", -1);
  if (axis < 0 || axis >= static_cast<int64_t>(x.shape.size())) return refuse(a.node, "axis out of range");
  auto s = std::make_unique<TopKState>();
  s->p.len = x.shape[axis];
  s->p.inner = num_elements(Shape(x.shape.begin() + axis + 1, x.shape.end()));
  s->p.outer = s->p.len * s->p.inner != 0 ? num_elements(x.shape) / (s->p.len * s->p.inner) : 0;
  s->p.k = a.node.attrs.get_int("k", 0);
  s->p.largest = a.node.attrs.get_int("largest", 1) != 0;
  return Prepared{std::move(s), 0};
}

Status run_topk(const KernelArgs& a) {
  const TopKParams& p = static_cast<const TopKState*>(a.state)->p;
  if (p.outer * p.inner == 0 || p.k == 0) return Status::ok();
  return dispatch_dtype(a.inputs[0].dtype, [&]<class T>() -> Status {
    if constexpr (std::is_same_v<T, bool>) {
      return Status::error("bool TopK");  // refused by prepare
    } else {
      topk_kernel<T><<<grid_for(p.outer * p.inner), kThreads, 0, a.handles.stream>>>(
          a.inputs[0].as<T>(), a.outputs[0].as<T>(), a.outputs[1].as<int64_t>(), p);
      return check_launch("topk_kernel");
    }
  });
}

constexpr CudaKernel kKernels[] = {
    {"TopK", run_topk, prepare_topk},
};

}  // namespace

std::span<const CudaKernel> selection_kernels() { return kKernels; }

}  // namespace fusedinf::cuda
