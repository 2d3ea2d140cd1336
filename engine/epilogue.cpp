#include "engine/epilogue.h"

#include <array>
#include <utility>

namespace fusedinf {

namespace {
constexpr std::array<std::pair<Activation, std::string_view>, 8> kNames = {{
    {Activation::kNone, "none"},
    {Activation::kRelu, "relu"},
    {Activation::kClip, "clip"},
    {Activation::kSigmoid, "sigmoid"},
    {Activation::kHardSwish, "hardswish"},
    {Activation::kSilu, "silu"},
    {Activation::kLeakyRelu, "leaky_relu"},
    {Activation::kGeluErf, "gelu_erf"},
}};
}  // namespace

std::optional<Activation> activation_from_name(std::string_view name) {
  for (const auto& [kind, n] : kNames)
    if (n == name) return kind;
  return std::nullopt;
}

std::string_view activation_name(Activation kind) {
  for (const auto& [k, n] : kNames)
    if (k == kind) return n;
  return "none";
}

EpilogueParams epilogue_from_attrs(const Attributes& attrs) {
  EpilogueParams p;
  // Lookups that do not allocate: kernels call this inside runs.
  p.kind = activation_from_name(attrs.string_or("activation", "none")).value_or(Activation::kNone);
  p.alpha = attrs.float_or("activation_alpha", 0.01f);
  p.min = attrs.float_or("activation_min", -INFINITY);
  p.max = attrs.float_or("activation_max", INFINITY);
  return p;
}

void epilogue_to_attrs(const EpilogueParams& params, Attributes& attrs) {
  attrs.set("activation", std::string(activation_name(params.kind)));
  if (params.kind == Activation::kLeakyRelu) attrs.set("activation_alpha", params.alpha);
  if (params.kind == Activation::kClip) {
    attrs.set("activation_min", params.min);
    attrs.set("activation_max", params.max);
  }
}

std::string_view fused_base_op(std::string_view op) {
  if (op == "FusedConv") return "Conv";
  if (op == "FusedGemm") return "Gemm";
  if (op == "FusedMatMul") return "MatMul";
  return "";
}

}  // namespace fusedinf
