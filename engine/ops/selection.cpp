// Selection ops: TopK ("axis" non-negative, "k", "largest", "sorted"; outputs Values and int64
// Indices, x's shape with k on the axis).
#include <string>

#include "engine/ops/op_util.h"

namespace fusedinf {

namespace {

Status infer_topk(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape& x = in[0].shape;
  if (in[0].dtype == DType::kBool) return Status::error("bool input is not supported");
  const int64_t axis = node.attrs.get_int("axis", -1), k = node.attrs.get_int("k", -1);
  if (axis < 0 || axis >= static_cast<int64_t>(x.size()))
    return Status::error("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(x.size()));
  if (k < 0 || k > x[axis])
    return Status::error("k " + std::to_string(k) + " must be in [0, " + std::to_string(x[axis]) + "] (the axis size)");
  for (const char* flag : {"largest", "sorted"}) {
    const int64_t v = node.attrs.get_int(flag, 1);
    if (v != 0 && v != 1) return Status::error(std::string(flag) + " must be 0 or 1");
  }
  Shape y = x;
  y[axis] = k;
  out[0] = {in[0].dtype, y};
  out[1] = {DType::kInt64, y};
  return Status::ok();
}

constexpr OpDef kOps[] = {
    {"TopK", 1, 1, 2, 2, infer_topk},
};

}  // namespace

std::span<const OpDef> selection_op_defs() { return kOps; }

}  // namespace fusedinf
