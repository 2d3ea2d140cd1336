// Softmax and LogSoftmax over one axis (attribute "axis", non-negative), or, when
// "coerce_2d" is 1 (opsets < 13), over all dims from "axis" on flattened together.
#include "engine/ops/op_util.h"

namespace fusedinf {

namespace {

Status infer_softmax(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  FI_RETURN_IF_ERROR(expect_dtype(in[0], DType::kFloat32, "input"));
  const int64_t rank = static_cast<int64_t>(in[0].shape.size());
  const int64_t axis = node.attrs.get_int("axis", -1);
  if (axis < 0 || axis >= std::max<int64_t>(rank, 1))
    return Status::error("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  out[0] = {DType::kFloat32, in[0].shape};
  return Status::ok();
}

constexpr OpDef kOps[] = {
    {"Softmax", 1, 1, 1, 1, infer_softmax},
    {"LogSoftmax", 1, 1, 1, 1, infer_softmax},
};

}  // namespace

std::span<const OpDef> softmax_op_defs() { return kOps; }

}  // namespace fusedinf
