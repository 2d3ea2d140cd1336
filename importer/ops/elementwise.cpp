// ONNX elementwise ops -> IR (same names). Float attributes are written with the spec's
// defaults; Clip's min/max inputs (opset 11+) become attributes; Cast's target is mapped.
#include <cmath>
#include <map>
#include <set>

#include "importer/convert_context.h"
#include "importer/onnx_tensor.h"

namespace fusedinf::importer {

namespace {

// Float attributes each op reads, with the spec's defaults.
const std::map<std::string, std::map<std::string, float>>& float_attr_defaults() {
  static const std::map<std::string, std::map<std::string, float>> defaults = {
      {"LeakyRelu", {{"alpha", 0.01f}}},
      {"Elu", {{"alpha", 1.0f}}},
      {"Selu", {{"alpha", 1.67326319217681884765625f}, {"gamma", 1.05070102214813232421875f}}},
      {"HardSigmoid", {{"alpha", 0.2f}, {"beta", 0.5f}}},
      {"ThresholdedRelu", {{"alpha", 1.0f}}},
      {"Celu", {{"alpha", 1.0f}}},
      {"Shrink", {{"lambd", 0.5f}, {"bias", 0.0f}}},
  };
  return defaults;
}

std::vector<int> all_inputs(const ConvertContext& ctx) {
  std::vector<int> inputs;
  for (int i = 0; i < ctx.num_inputs(); ++i) inputs.push_back(ctx.input(i));
  return inputs;
}

Status convert_simple(ConvertContext& ctx) {
  Attributes attrs;
  auto it = float_attr_defaults().find(ctx.op_type());
  std::set<std::string> known;
  if (it != float_attr_defaults().end())
    for (const auto& [name, fallback] : it->second) {
      attrs.set(name, ctx.attr_float(name, fallback));
      known.insert(name);
    }
  for (const std::string& name : ctx.attr_names())
    if (!known.count(name)) return ctx.fail("attribute '" + name + "' is not supported");
  for (int i = 0; i < ctx.num_inputs(); ++i)
    if (!ctx.has_input(i)) return ctx.fail("input " + std::to_string(i) + " is absent");
  return ctx.emit(ctx.op_type(), all_inputs(ctx), attrs);
}

Status convert_clip(ConvertContext& ctx) {
  Attributes attrs;
  if (ctx.input_tensor(0).dtype != DType::kFloat32) return ctx.fail("only float32 Clip is supported");
  float lo = -INFINITY, hi = INFINITY;
  if (ctx.opset() < 11) {
    lo = ctx.attr_float("min", -3.402823e+38f);
    hi = ctx.attr_float("max", 3.402823e+38f);
  } else {
    // A bound computed at run time (a mel spectrogram clips at its own max - 80 dB): ONNX's
    // min(max(x, lo), hi) as Max then Min, which broadcast the scalar bounds.
    const bool computed_lo = ctx.has_input(1) && !ctx.input_tensor(1).is_constant();
    const bool computed_hi = ctx.has_input(2) && !ctx.input_tensor(2).is_constant();
    if (computed_lo || computed_hi) {
      for (int i = 1; i <= 2; ++i) {
        if (!ctx.has_input(i)) continue;
        const Tensor& bound = ctx.input_tensor(i);
        int64_t n = 1;
        for (int64_t d : bound.shape) n *= d;
        // One value, of no higher rank than x: broadcasting it leaves x's shape as it is.
        if (bound.dtype != DType::kFloat32 || n != 1 || bound.shape.size() > ctx.input_tensor(0).shape.size())
          return ctx.fail("min/max must be float32 scalars");
      }
      int x = ctx.input(0);
      if (ctx.has_input(1) && ctx.has_input(2)) {
        FI_ASSIGN_OR_RETURN(x, ctx.emit_intermediate("Max", {x, ctx.input(1)}, {}));
        return ctx.emit("Min", {x, ctx.input(2)}, {});
      }
      return ctx.emit(ctx.has_input(1) ? "Max" : "Min", {x, ctx.input(ctx.has_input(1) ? 1 : 2)}, {});
    }
    for (int i = 1; i <= 2; ++i) {
      if (!ctx.has_input(i)) continue;
      FI_ASSIGN_OR_RETURN(ConstTensorView v, ctx.constant_input(i));
      if (v.dtype != DType::kFloat32 || v.numel() != 1) return ctx.fail("min/max must be float32 scalars");
      (i == 1 ? lo : hi) = v.as<float>()[0];
    }
  }
  attrs.set("min", lo);
  attrs.set("max", hi);
  return ctx.emit("Clip", {ctx.input(0)}, attrs);
}

Status convert_cast(ConvertContext& ctx) {
  Result<DType> to = dtype_from_onnx(static_cast<int>(ctx.attr_int("to", 0)), "the cast target");
  if (!to.is_ok()) return ctx.fail(to.status().message());
  ctx.ignore_attrs({"saturate", "round_mode"});  // only for float8/float4 targets, which are refused above
  Attributes attrs;
  attrs.set("to", static_cast<int64_t>(*to));
  return ctx.emit("Cast", {ctx.input(0)}, attrs);
}

// CastLike(x, like): Cast to like's dtype; like's values are never read.
Status convert_cast_like(ConvertContext& ctx) {
  ctx.ignore_attrs({"saturate", "round_mode"});  // only for float8/float4 targets, which the IR does not have
  Attributes attrs;
  attrs.set("to", static_cast<int64_t>(ctx.input_tensor(1).dtype));
  return ctx.emit("Cast", {ctx.input(0)}, attrs);
}

Status convert_gelu(ConvertContext& ctx) {
  const std::string approximate = ctx.attr_string("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return ctx.fail("approximate must be 'none' or 'tanh', is '" + approximate + "'");
  Attributes attrs;
  attrs.set("approximate", approximate);
  return ctx.emit("Gelu", {ctx.input(0)}, attrs);
}

Status convert_isnan(ConvertContext& ctx) {
  if (ctx.input_tensor(0).dtype != DType::kFloat32) return ctx.fail("only float32 input is supported");
  return ctx.emit("IsNaN", {ctx.input(0)}, {});
}

Status convert_isinf(ConvertContext& ctx) {
  if (ctx.input_tensor(0).dtype != DType::kFloat32) return ctx.fail("only float32 input is supported");
  Attributes attrs;
  attrs.set("detect_negative", ctx.attr_int("detect_negative", 1) != 0 ? int64_t{1} : int64_t{0});
  attrs.set("detect_positive", ctx.attr_int("detect_positive", 1) != 0 ? int64_t{1} : int64_t{0});
  return ctx.emit("IsInf", {ctx.input(0)}, attrs);
}

Status convert_mod(ConvertContext& ctx) {
  Attributes attrs;
  attrs.set("fmod", ctx.attr_int("fmod", 0));
  if (ctx.attr_int("fmod", 0) == 0 && ctx.input_tensor(0).dtype == DType::kFloat32 && ctx.opset() < 28)
    return ctx.fail("fmod=0 on float32 is defined from opset 28 (before, only fmod=1)");
  return ctx.emit("Mod", {ctx.input(0), ctx.input(1)}, attrs);
}

Status convert_binary(ConvertContext& ctx) {
  // Opset 7 dropped the legacy 'broadcast'/'axis' attributes; anything else is unknown.
  for (const std::string& name : ctx.attr_names()) return ctx.fail("attribute '" + name + "' is not supported");
  return ctx.emit(ctx.op_type(), all_inputs(ctx), {});
}

constexpr OnnxConverter kConverters[] = {
    {"Relu", 7, 28, convert_simple},
    {"LeakyRelu", 7, 28, convert_simple},
    {"Sigmoid", 7, 28, convert_simple},
    {"Tanh", 7, 28, convert_simple},
    {"HardSigmoid", 7, 28, convert_simple},
    {"HardSwish", 14, 28, convert_simple},
    {"Elu", 7, 28, convert_simple},
    {"Selu", 7, 28, convert_simple},
    {"Softplus", 7, 28, convert_simple},
    {"Erf", 9, 28, convert_simple},
    {"Sqrt", 7, 28, convert_simple},
    {"Exp", 7, 28, convert_simple},
    {"Log", 7, 28, convert_simple},
    {"Neg", 7, 28, convert_simple},
    {"Abs", 7, 28, convert_simple},
    {"Reciprocal", 7, 28, convert_simple},
    {"Ceil", 7, 28, convert_simple},
    {"Floor", 7, 28, convert_simple},
    {"Round", 11, 28, convert_simple},
    {"Sign", 9, 28, convert_simple},
    {"Sin", 7, 28, convert_simple},
    {"Cos", 7, 28, convert_simple},
    {"Tan", 7, 28, convert_simple},
    {"Asin", 7, 28, convert_simple},
    {"Acos", 7, 28, convert_simple},
    {"Atan", 7, 28, convert_simple},
    {"Sinh", 9, 28, convert_simple},
    {"Cosh", 9, 28, convert_simple},
    {"Asinh", 9, 28, convert_simple},
    {"Acosh", 9, 28, convert_simple},
    {"Atanh", 9, 28, convert_simple},
    {"Softsign", 7, 28, convert_simple},
    {"ThresholdedRelu", 10, 28, convert_simple},
    {"Celu", 12, 28, convert_simple},
    {"Shrink", 9, 28, convert_simple},
    {"Not", 7, 28, convert_simple},
    {"LessOrEqual", 12, 28, convert_binary},
    {"GreaterOrEqual", 12, 28, convert_binary},
    {"And", 7, 28, convert_binary},
    {"Or", 7, 28, convert_binary},
    {"Xor", 7, 28, convert_binary},
    {"Clip", 7, 28, convert_clip},
    {"Cast", 7, 28, convert_cast},
    {"Add", 7, 28, convert_binary},
    {"Sub", 7, 28, convert_binary},
    {"Mul", 7, 28, convert_binary},
    {"Div", 7, 28, convert_binary},
    {"Mod", 10, 28, convert_mod},
    {"Pow", 7, 28, convert_binary},
    {"PRelu", 7, 28, convert_binary},
    {"Equal", 7, 28, convert_binary},
    {"Less", 7, 28, convert_binary},
    {"Greater", 7, 28, convert_binary},
    {"Min", 8, 28, convert_binary},
    {"Max", 8, 28, convert_binary},
    {"Sum", 8, 28, convert_binary},
    {"Mean", 8, 28, convert_binary},
    {"Where", 9, 28, convert_binary},
    // ops helper block (issue 11): opset 20 Gelu; IsNaN/IsInf 20 and CastLike 19/21 only add dtypes.
    {"Gelu", 20, 28, convert_gelu},
    {"IsNaN", 9, 28, convert_isnan},
    {"IsInf", 10, 28, convert_isinf},
    {"CastLike", 15, 28, convert_cast_like},
};

}  // namespace

std::span<const OnnxConverter> elementwise_converters() { return kConverters; }

}  // namespace fusedinf::importer
