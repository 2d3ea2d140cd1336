// BatchNormalization (inference), InstanceNormalization, LayerNormalization, LRN,
// GroupNormalization ("num_groups", "epsilon"; scale and bias per channel, [C], as ONNX 21 has them).
#include "engine/ops/op_util.h"

namespace fusedinf {

namespace {

Status infer_norm(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  for (const ValueInfo& v : in)
    if (v.present) FI_RETURN_IF_ERROR(expect_dtype(v, DType::kFloat32, "input"));
  const Shape& x = in[0].shape;
  const std::string& op = node.op;
  if (op == "BatchNormalization" || op == "InstanceNormalization") {
    if (x.size() < 2) return Status::error("X must have rank >= 2");
    for (size_t i = 1; i < in.size(); ++i)
      if (in[i].shape != Shape{x[1]})
        return Status::error("parameter " + std::to_string(i) + " must be [" + std::to_string(x[1]) + "]");
  } else if (op == "GroupNormalization") {
    if (x.size() < 2) return Status::error("X must have rank >= 2");
    const int64_t groups = node.attrs.get_int("num_groups", 0);
    if (groups < 1 || x[1] % groups != 0)
      return Status::error("num_groups " + std::to_string(groups) + " must be >= 1 and divide the channels " +
                           std::to_string(x[1]));
    for (size_t i = 1; i < in.size(); ++i)
      if (in[i].shape != Shape{x[1]})
        return Status::error("parameter " + std::to_string(i) + " must be [" + std::to_string(x[1]) + "]");
  } else if (op == "LayerNormalization") {
    const int64_t axis = node.attrs.get_int("axis", -1);
    if (axis < 0 || axis >= static_cast<int64_t>(x.size())) return Status::error("axis out of range");
    const Shape normalized(x.begin() + axis, x.end());
    for (size_t i = 1; i < in.size(); ++i) {
      if (!in[i].present) continue;
      FI_ASSIGN_OR_RETURN(Shape s, broadcast_shapes(in[i].shape, normalized));
      if (s != normalized) return Status::error("Scale/B must broadcast to " + shape_to_string(normalized));
    }
  } else {  // LRN
    if (x.size() < 3) return Status::error("X must have rank >= 3");
    if (node.attrs.get_int("size", 0) < 1) return Status::error("size must be >= 1");
  }
  out[0] = {DType::kFloat32, x};
  if (out.size() > 1) {  // LayerNormalization's Mean and InvStdDev: x's shape, 1 from axis on
    Shape stat = x;
    for (size_t d = static_cast<size_t>(node.attrs.get_int("axis", -1)); d < stat.size(); ++d) stat[d] = 1;
    for (size_t o = 1; o < out.size(); ++o) out[o] = {DType::kFloat32, stat};
  }
  return Status::ok();
}

constexpr OpDef kOps[] = {
    {"BatchNormalization", 5, 5, 1, 1, infer_norm}, {"InstanceNormalization", 3, 3, 1, 1, infer_norm},
    {"LayerNormalization", 2, 3, 1, 3, infer_norm}, {"LRN", 1, 1, 1, 1, infer_norm},
    {"GroupNormalization", 3, 3, 1, 1, infer_norm},
};

}  // namespace

std::span<const OpDef> normalization_op_defs() { return kOps; }

}  // namespace fusedinf
