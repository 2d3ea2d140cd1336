// Fused epilogues: FusedConv, FusedGemm and FusedMatMul compute
//   y = activation(base(inputs) + addend)
// where base is Conv, Gemm or MatMul with the node's own attributes, `addend` is an optional
// tensor broadcast (unidirectionally) to y (a MatMul bias, a ResNet block's residual), and
// activation is one of the kinds below, with parameters in the node's attributes.
//
// IR layout of a fused node: the base op's inputs (padded with -1 to the base op's maximum
// input count), then the addend (-1 when none). Attributes: the base op's, plus
// "activation" (string) and, per kind, "activation_alpha", "activation_min", "activation_max".
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <string_view>

#include "engine/attributes.h"

namespace fusedinf {

enum class Activation { kNone, kRelu, kClip, kSigmoid, kHardSwish, kSilu, kLeakyRelu, kGeluErf };

struct EpilogueParams {
  Activation kind = Activation::kNone;
  float alpha = 0.01f;                    // LeakyRelu
  float min = -INFINITY, max = INFINITY;  // Clip
};

std::optional<Activation> activation_from_name(std::string_view name);
std::string_view activation_name(Activation kind);
EpilogueParams epilogue_from_attrs(const Attributes& attrs);
void epilogue_to_attrs(const EpilogueParams& params, Attributes& attrs);

// The base op of a fused op ("FusedConv" -> "Conv"), or "" when `op` is not fused.
std::string_view fused_base_op(std::string_view op);

inline float apply_activation(const EpilogueParams& p, float x) {
  switch (p.kind) {
    case Activation::kNone:
      return x;
    case Activation::kRelu:
      return x < 0.f ? 0.f : x;  // NaN stays NaN, as max(x, 0)
    case Activation::kClip:      // as the Clip op: NaN stays NaN
      return std::isnan(x) ? x : std::fmin(std::fmax(x, p.min), p.max);
    case Activation::kSigmoid:
      return 1.f / (1.f + std::exp(-x));
    case Activation::kHardSwish:
      return x * std::fmin(std::fmax(x / 6.f + 0.5f, 0.f), 1.f);
    case Activation::kSilu:
      return x / (1.f + std::exp(-x));
    case Activation::kLeakyRelu:
      return x >= 0.f ? x : p.alpha * x;
    case Activation::kGeluErf:
      return 0.5f * x * (1.f + std::erf(x / std::sqrt(2.f)));
  }
  return x;
}

}  // namespace fusedinf
