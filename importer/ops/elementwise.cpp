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
  ctx.ignore_attrs({"saturate"});  // only for float8 targets, which are refused above
  Attributes attrs;
  attrs.set("to", static_cast<int64_t>(*to));
  return ctx.emit("Cast", {ctx.input(0)}, attrs);
}

Status convert_mod(ConvertContext& ctx) {
  Attributes attrs;
  attrs.set("fmod", ctx.attr_int("fmod", 0));
  return ctx.emit("Mod", {ctx.input(0), ctx.input(1)}, attrs);
}

Status convert_binary(ConvertContext& ctx) {
  // Opset 7 dropped the legacy 'broadcast'/'axis' attributes; anything else is unknown.
  for (const std::string& name : ctx.attr_names()) return ctx.fail("attribute '" + name + "' is not supported");
  return ctx.emit(ctx.op_type(), all_inputs(ctx), {});
}

constexpr OnnxConverter kConverters[] = {
    {"Relu", 7, 21, convert_simple},
    {"LeakyRelu", 7, 21, convert_simple},
    {"Sigmoid", 7, 21, convert_simple},
    {"Tanh", 7, 21, convert_simple},
    {"HardSigmoid", 7, 21, convert_simple},
    {"HardSwish", 14, 21, convert_simple},
    {"Elu", 7, 21, convert_simple},
    {"Selu", 7, 21, convert_simple},
    {"Softplus", 7, 21, convert_simple},
    {"Erf", 9, 21, convert_simple},
    {"Sqrt", 7, 21, convert_simple},
    {"Exp", 7, 21, convert_simple},
    {"Log", 7, 21, convert_simple},
    {"Neg", 7, 21, convert_simple},
    {"Abs", 7, 21, convert_simple},
    {"Reciprocal", 7, 21, convert_simple},
    {"Ceil", 7, 21, convert_simple},
    {"Floor", 7, 21, convert_simple},
    {"Round", 11, 21, convert_simple},
    {"Sign", 9, 21, convert_simple},
    {"Sin", 7, 21, convert_simple},
    {"Cos", 7, 21, convert_simple},
    {"Tan", 7, 21, convert_simple},
    {"Asin", 7, 21, convert_simple},
    {"Acos", 7, 21, convert_simple},
    {"Atan", 7, 21, convert_simple},
    {"Sinh", 9, 21, convert_simple},
    {"Cosh", 9, 21, convert_simple},
    {"Asinh", 9, 21, convert_simple},
    {"Acosh", 9, 21, convert_simple},
    {"Atanh", 9, 21, convert_simple},
    {"Softsign", 7, 21, convert_simple},
    {"ThresholdedRelu", 10, 21, convert_simple},
    {"Celu", 12, 21, convert_simple},
    {"Shrink", 9, 21, convert_simple},
    {"Not", 7, 21, convert_simple},
    {"LessOrEqual", 12, 21, convert_binary},
    {"GreaterOrEqual", 12, 21, convert_binary},
    {"And", 7, 21, convert_binary},
    {"Or", 7, 21, convert_binary},
    {"Xor", 7, 21, convert_binary},
    {"Clip", 7, 21, convert_clip},
    {"Cast", 7, 21, convert_cast},
    {"Add", 7, 21, convert_binary},
    {"Sub", 7, 21, convert_binary},
    {"Mul", 7, 21, convert_binary},
    {"Div", 7, 21, convert_binary},
    {"Mod", 10, 21, convert_mod},
    {"Pow", 7, 21, convert_binary},
    {"PRelu", 7, 21, convert_binary},
    {"Equal", 7, 21, convert_binary},
    {"Less", 7, 21, convert_binary},
    {"Greater", 7, 21, convert_binary},
    {"Min", 8, 21, convert_binary},
    {"Max", 8, 21, convert_binary},
    {"Sum", 8, 21, convert_binary},
    {"Mean", 8, 21, convert_binary},
    {"Where", 9, 21, convert_binary},
};

}  // namespace

std::span<const OnnxConverter> elementwise_converters() { return kConverters; }

}  // namespace fusedinf::importer
