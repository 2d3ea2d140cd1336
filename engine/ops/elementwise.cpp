// Elementwise ops: unary maps, numpy-broadcasting binary and variadic ops, Where, Cast.
#include <algorithm>
#include <array>
#include <string_view>

#include "engine/ops/op_util.h"

namespace fusedinf {

namespace {

// Unary ops on float32; Neg and Abs also on integers.
Status infer_unary(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  if (node.op == "Not") {
    FI_RETURN_IF_ERROR(expect_dtype(in[0], DType::kBool, "input"));
    out[0] = {DType::kBool, in[0].shape};
    return Status::ok();
  }
  if (node.op == "IsNaN" || node.op == "IsInf") {
    FI_RETURN_IF_ERROR(expect_dtype(in[0], DType::kFloat32, "input"));
    out[0] = {DType::kBool, in[0].shape};
    return Status::ok();
  }
  if (node.op == "Gelu") {
    const std::string approximate = node.attrs.get_string("approximate", "none");
    if (approximate != "none" && approximate != "tanh")
      return Status::error("approximate must be 'none' or 'tanh', is '" + approximate + "'");
  }
  const bool int_ok = node.op == "Neg" || node.op == "Abs";
  if (in[0].dtype != DType::kFloat32 && !(int_ok && (in[0].dtype == DType::kInt64 || in[0].dtype == DType::kInt32)))
    return Status::error("input dtype " + std::string(dtype_name(in[0].dtype)) + " is not supported");
  out[0] = {in[0].dtype, in[0].shape};
  return Status::ok();
}

Status infer_cast(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const int64_t to = node.attrs.get_int("to", 0);
  if (!is_valid_dtype(static_cast<uint8_t>(to)) || to > 255)
    return Status::error("cast target " + std::to_string(to) + " is not supported");
  out[0] = {static_cast<DType>(to), in[0].shape};
  return Status::ok();
}

// Add, Sub, Mul, Div, Mod, Min, Max, Sum, Mean (any input count >= 1), Pow, PRelu, comparisons.
Status infer_broadcast(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const std::string& op = node.op;
  for (size_t i = 0; i < in.size(); ++i)  // the kernels read every input (Sum, Max, ...: none optional)
    if (!in[i].present) return Status::error("input " + std::to_string(i) + " is absent");
  const bool logical = op == "And" || op == "Or" || op == "Xor";
  const bool compare =
      op == "Equal" || op == "Less" || op == "Greater" || op == "LessOrEqual" || op == "GreaterOrEqual" || logical;
  if (op == "Pow") {
    FI_RETURN_IF_ERROR(expect_dtype(in[0], DType::kFloat32, "Pow's base"));
    if (in[1].dtype == DType::kBool) return Status::error("Pow's exponent may not be bool");
  } else {
    FI_RETURN_IF_ERROR(expect_same_dtype(in));
    const DType t = in[0].dtype;
    if (op == "PRelu" || op == "Mean") FI_RETURN_IF_ERROR(expect_dtype(in[0], DType::kFloat32, "input"));
    if (op == "Mod") {  // fmod 1: C's fmod (sign of x); 0: x - floor(x / y) * y, the sign of y (Mod-28 on floats)
      const int64_t fmod = node.attrs.get_int("fmod", 0);
      if (fmod != 0 && fmod != 1) return Status::error("Mod's fmod must be 0 or 1");
    }
    if (logical && t != DType::kBool) return Status::error(op + " takes bool inputs");
    if (t == DType::kBool && !(op == "Equal" || logical)) return Status::error("bool inputs are not supported");
  }
  Shape shape = in[0].shape;
  for (size_t i = 1; i < in.size(); ++i) {
    FI_ASSIGN_OR_RETURN(shape, broadcast_shapes(shape, in[i].shape));
  }
  if (op == "PRelu" && shape != in[0].shape)
    return Status::error("slope " + shape_to_string(in[1].shape) + " must broadcast to x " +
                         shape_to_string(in[0].shape));
  out[0] = {compare ? DType::kBool : in[0].dtype, shape};
  return Status::ok();
}

Status infer_where(const Node&, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  FI_RETURN_IF_ERROR(expect_dtype(in[0], DType::kBool, "condition"));
  if (in[1].dtype != in[2].dtype) return Status::error("X and Y have different dtypes");
  FI_ASSIGN_OR_RETURN(Shape s, broadcast_shapes(in[0].shape, in[1].shape));
  FI_ASSIGN_OR_RETURN(s, broadcast_shapes(s, in[2].shape));
  out[0] = {in[1].dtype, s};
  return Status::ok();
}

constexpr OpDef kOps[] = {
    {"Relu", 1, 1, 1, 1, infer_unary},
    {"LeakyRelu", 1, 1, 1, 1, infer_unary},
    {"Sigmoid", 1, 1, 1, 1, infer_unary},
    {"Tanh", 1, 1, 1, 1, infer_unary},
    {"Clip", 1, 1, 1, 1, infer_unary},
    {"HardSigmoid", 1, 1, 1, 1, infer_unary},
    {"HardSwish", 1, 1, 1, 1, infer_unary},
    {"Elu", 1, 1, 1, 1, infer_unary},
    {"Selu", 1, 1, 1, 1, infer_unary},
    {"Softplus", 1, 1, 1, 1, infer_unary},
    {"Erf", 1, 1, 1, 1, infer_unary},
    {"Sqrt", 1, 1, 1, 1, infer_unary},
    {"Exp", 1, 1, 1, 1, infer_unary},
    {"Log", 1, 1, 1, 1, infer_unary},
    {"Neg", 1, 1, 1, 1, infer_unary},
    {"Abs", 1, 1, 1, 1, infer_unary},
    {"Reciprocal", 1, 1, 1, 1, infer_unary},
    {"Ceil", 1, 1, 1, 1, infer_unary},
    {"Floor", 1, 1, 1, 1, infer_unary},
    {"Round", 1, 1, 1, 1, infer_unary},
    {"Sign", 1, 1, 1, 1, infer_unary},
    {"Sin", 1, 1, 1, 1, infer_unary},
    {"Cos", 1, 1, 1, 1, infer_unary},
    {"Tan", 1, 1, 1, 1, infer_unary},
    {"Asin", 1, 1, 1, 1, infer_unary},
    {"Acos", 1, 1, 1, 1, infer_unary},
    {"Atan", 1, 1, 1, 1, infer_unary},
    {"Sinh", 1, 1, 1, 1, infer_unary},
    {"Cosh", 1, 1, 1, 1, infer_unary},
    {"Asinh", 1, 1, 1, 1, infer_unary},
    {"Acosh", 1, 1, 1, 1, infer_unary},
    {"Atanh", 1, 1, 1, 1, infer_unary},
    {"Softsign", 1, 1, 1, 1, infer_unary},
    {"ThresholdedRelu", 1, 1, 1, 1, infer_unary},
    {"Celu", 1, 1, 1, 1, infer_unary},
    {"Shrink", 1, 1, 1, 1, infer_unary},
    {"Not", 1, 1, 1, 1, infer_unary},
    {"Gelu", 1, 1, 1, 1, infer_unary},   // "approximate": "none" (erf) or "tanh"
    {"IsNaN", 1, 1, 1, 1, infer_unary},  // float32 -> bool
    {"IsInf", 1, 1, 1, 1, infer_unary},  // "detect_negative", "detect_positive" (0/1)
    {"LessOrEqual", 2, 2, 1, 1, infer_broadcast},
    {"GreaterOrEqual", 2, 2, 1, 1, infer_broadcast},
    {"And", 2, 2, 1, 1, infer_broadcast},
    {"Or", 2, 2, 1, 1, infer_broadcast},
    {"Xor", 2, 2, 1, 1, infer_broadcast},
    {"Cast", 1, 1, 1, 1, infer_cast},
    {"Add", 2, 2, 1, 1, infer_broadcast},
    {"Sub", 2, 2, 1, 1, infer_broadcast},
    {"Mul", 2, 2, 1, 1, infer_broadcast},
    {"Div", 2, 2, 1, 1, infer_broadcast},
    {"Mod", 2, 2, 1, 1, infer_broadcast},
    {"Pow", 2, 2, 1, 1, infer_broadcast},
    {"PRelu", 2, 2, 1, 1, infer_broadcast},
    {"Equal", 2, 2, 1, 1, infer_broadcast},
    {"Less", 2, 2, 1, 1, infer_broadcast},
    {"Greater", 2, 2, 1, 1, infer_broadcast},
    {"Min", 1, 64, 1, 1, infer_broadcast},
    {"Max", 1, 64, 1, 1, infer_broadcast},
    {"Sum", 1, 64, 1, 1, infer_broadcast},
    {"Mean", 1, 64, 1, 1, infer_broadcast},
    {"Where", 3, 3, 1, 1, infer_where},
};

}  // namespace

std::span<const OpDef> elementwise_op_defs() { return kOps; }

}  // namespace fusedinf
