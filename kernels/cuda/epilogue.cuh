// The fused epilogue on the GPU (engine/epilogue.h), for the conv and matmul families when
// cuDNN/cuBLAS cannot fuse it: in place on an fp32 output y,
//   y = activation(y + scale_0 * t_0 + scale_1 * t_1)
// where each term t is a tensor read through broadcasting to y: a per-channel bias (channel
// axis 1 for conv, the last axis for Gemm), Gemm's C (scale beta), a residual addend. Terms are
// added in order, one rounding each, as the CPU reference does.
// Build an Epilogue in prepare (host, by value); run_epilogue only launches one kernel.
#pragma once

#include <array>
#include <cmath>

#include "engine/epilogue.h"
#include "engine/shape.h"
#include "engine/status.h"
#include "kernels/cuda/cuda_util.cuh"

namespace fusedinf::cuda {

// apply_activation of engine/epilogue.h, the same expressions in float on the device. Call it
// qualified (cuda::apply_activation): argument-dependent lookup also finds the host one.
__device__ inline float apply_activation(const EpilogueParams& p, float x) {
  switch (p.kind) {
    case Activation::kNone:
      return x;
    case Activation::kRelu:
      return x < 0.f ? 0.f : x;  // NaN stays NaN
    case Activation::kClip:      // as the Clip op: NaN stays NaN
      return isnan(x) ? x : fminf(fmaxf(x, p.min), p.max);
    case Activation::kSigmoid:
      return 1.f / (1.f + expf(-x));
    case Activation::kHardSwish:
      return x * fminf(fmaxf(x / 6.f + 0.5f, 0.f), 1.f);
    case Activation::kSilu:
      return x / (1.f + expf(-x));
    case Activation::kLeakyRelu:
      return x >= 0.f ? x : p.alpha * x;
    case Activation::kGeluErf:
      return 0.5f * x * (1.f + erff(x / sqrtf(2.f)));
  }
  return x;
}

constexpr int kMaxEpilogueTerms = 2;

// What to do to y after the base op. Plain data: passed to the kernel by value.
struct Epilogue {
  int64_t numel = 0;  // elements of y
  int num_terms = 0;
  Dims term[kMaxEpilogueTerms];  // each term read through broadcasting to y (coalesced)
  float scale[kMaxEpilogueTerms] = {};
  EpilogueParams act;

  Epilogue() = default;
  Epilogue(const Shape& y, const EpilogueParams& activation) : numel(num_elements(y)), act(activation) {}

  // Nothing to do: no term and no activation.
  bool empty() const { return num_terms == 0 && act.kind == Activation::kNone; }

  // Adds a tensor of shape `t` broadcast (numpy, right-aligned) to `y`, times `s`.
  // y's rank must be <= kMaxRank (check_rank in prepare); at most kMaxEpilogueTerms terms.
  Status add_broadcast(const Shape& t, const Shape& y, float s = 1.f);
  // Adds a vector of y.shape[axis] elements along `axis` of y (a per-channel bias).
  Status add_channel_bias(int axis, const Shape& y);
};

// y = act(y + terms...), enqueued on `stream`; terms[i] is the device pointer of term i.
Status run_epilogue(const Epilogue& e, float* y, const std::array<const float*, kMaxEpilogueTerms>& terms,
                    cudaStream_t stream);

}  // namespace fusedinf::cuda
