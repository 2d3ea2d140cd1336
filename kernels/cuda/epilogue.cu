// The fused epilogue kernel (see epilogue.cuh): one thread per output element.
#include <string>
#include <utility>

#include "kernels/cuda/epilogue.cuh"

namespace fusedinf::cuda {

namespace {

// The same view with fewer dims: drops size-1 dims and merges neighbours whose strides are
// contiguous with each other (outer stride == inner stride * inner size, which includes two
// broadcast dims). The row-major linear index of y decomposes the same way over the result.
Dims coalesce(const Dims& d) {
  Dims r;  // built innermost first, reversed at the end
  for (int i = d.rank - 1; i >= 0; --i) {
    if (d.size[i] == 1) continue;
    if (r.rank > 0 && d.stride[i] == r.stride[r.rank - 1] * r.size[r.rank - 1]) {
      r.size[r.rank - 1] *= d.size[i];
      continue;
    }
    r.size[r.rank] = d.size[i];
    r.stride[r.rank] = d.stride[i];
    ++r.rank;
  }
  for (int i = 0; i < r.rank / 2; ++i) {
    std::swap(r.size[i], r.size[r.rank - 1 - i]);
    std::swap(r.stride[i], r.stride[r.rank - 1 - i]);
  }
  return r;
}

template <int kTerms>
__global__ void epilogue_kernel(float* y, Epilogue e, const float* t0, const float* t1) {
  FI_CUDA_FOR(i, e.numel) {
    float v = y[i];
    // Explicit roundings: no fused multiply-add, as the CPU computes it.
    if constexpr (kTerms >= 1) v = __fadd_rn(v, __fmul_rn(e.scale[0], t0[strided_offset(i, e.term[0])]));
    if constexpr (kTerms >= 2) v = __fadd_rn(v, __fmul_rn(e.scale[1], t1[strided_offset(i, e.term[1])]));
    y[i] = cuda::apply_activation(e.act, v);  // qualified: ADL would also find the host one
  }
}

}  // namespace

Status Epilogue::add_broadcast(const Shape& t, const Shape& y, float s) {
  if (num_terms >= kMaxEpilogueTerms) return Status::error("epilogue: too many terms");
  FI_RETURN_IF_ERROR(check_rank(y, "epilogue output"));
  if (t.size() > y.size())
    return Status::error("epilogue: " + shape_to_string(t) + " does not broadcast to " + shape_to_string(y));
  const size_t offset = y.size() - t.size();
  for (size_t i = 0; i < t.size(); ++i)
    if (t[i] != 1 && t[i] != y[offset + i])
      return Status::error("epilogue: " + shape_to_string(t) + " does not broadcast to " + shape_to_string(y));
  term[num_terms] = coalesce(broadcast_dims(t, y));
  scale[num_terms] = s;
  ++num_terms;
  return Status::ok();
}

Status Epilogue::add_channel_bias(int axis, const Shape& y) {
  if (axis < 0 || axis >= static_cast<int>(y.size())) return Status::error("epilogue: bad channel axis");
  Shape t(y.size() - axis, 1);  // [C, 1, ..., 1] aligned with y's dims from `axis` on
  t[0] = y[axis];
  return add_broadcast(t, y);
}

Status run_epilogue(const Epilogue& e, float* y, const std::array<const float*, kMaxEpilogueTerms>& terms,
                    cudaStream_t stream) {
  if (e.empty() || e.numel == 0) return Status::ok();
  const unsigned grid = grid_for(e.numel);
  switch (e.num_terms) {
    case 0:
      epilogue_kernel<0><<<grid, kThreads, 0, stream>>>(y, e, nullptr, nullptr);
      break;
    case 1:
      epilogue_kernel<1><<<grid, kThreads, 0, stream>>>(y, e, terms[0], nullptr);
      break;
    default:
      epilogue_kernel<2><<<grid, kThreads, 0, stream>>>(y, e, terms[0], terms[1]);
      break;
  }
  return check_launch("epilogue_kernel");
}

}  // namespace fusedinf::cuda
