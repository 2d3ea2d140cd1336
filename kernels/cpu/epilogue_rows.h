// The fused epilogue's activation over a contiguous row, for the CPU backend's fast kernels
// (conv_gemm.cpp, matmul_blas.cpp): the same results as apply_activation (engine/epilogue.h)
// element by element, with the kind chosen once per row. ReLU, Clip and HardSwish are written
// as compares the compiler vectorises (only the sign of an equal zero may differ from fmax/fmin):
// - ReLU: x < 0 ? 0 : x keeps a NaN x, as max(x, 0) does in ONNX (and onnxruntime);
// - Clip: v = x < lo ? lo : x; v > hi ? hi : v keeps a NaN x (both compares are false) and
//   ignores a NaN bound, as isnan(x) ? x : fmin(fmax(x, lo), hi) does;
// - HardSwish: t > 0 ? t : 0 is fmax(t, 0) for any t (a NaN t gives 0, as fmax does).
// The exp/erf kinds take apply_activation itself.
#pragma once

#include <cmath>
#include <cstdint>

#include "engine/epilogue.h"

namespace fusedinf::cpu {

inline void activate_row(const EpilogueParams& p, float* row, int64_t count) {
  switch (p.kind) {
    case Activation::kNone:
      return;
    case Activation::kRelu:
      for (int64_t i = 0; i < count; ++i) row[i] = row[i] < 0.f ? 0.f : row[i];
      return;
    case Activation::kClip:
      for (int64_t i = 0; i < count; ++i) {
        const float v = row[i] < p.min ? p.min : row[i];
        row[i] = v > p.max ? p.max : v;
      }
      return;
    case Activation::kHardSwish:
      for (int64_t i = 0; i < count; ++i) {
        const float t = row[i] / 6.f + 0.5f;
        const float lo = t > 0.f ? t : 0.f;
        row[i] = row[i] * (lo < 1.f ? lo : 1.f);
      }
      return;
    default:
      break;
  }
  for (int64_t i = 0; i < count; ++i) row[i] = apply_activation(p, row[i]);
}

}  // namespace fusedinf::cpu
