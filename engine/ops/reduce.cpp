// Reductions over "axes" (non-negative, sorted; empty = all axes), "keepdims";
// ArgMax / ArgMin over one "axis" with "keepdims" and "select_last_index" (int64 output);
// CumSum over one "axis" (non-negative) with "exclusive" and "reverse" (0/1), x's shape.
#include <algorithm>

#include "engine/ops/op_util.h"

namespace fusedinf {

namespace {

Shape reduced_shape(const Shape& x, const std::vector<int64_t>& axes, bool keepdims) {
  Shape y;
  for (size_t d = 0; d < x.size(); ++d) {
    const bool reduced = axes.empty() || std::find(axes.begin(), axes.end(), static_cast<int64_t>(d)) != axes.end();
    if (!reduced)
      y.push_back(x[d]);
    else if (keepdims)
      y.push_back(1);
  }
  return y;
}

Status infer_reduce(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape& x = in[0].shape;
  const bool keepdims = node.attrs.get_int("keepdims", 1) != 0;
  if (node.op == "ArgMax" || node.op == "ArgMin") {
    if (in[0].dtype == DType::kBool) return Status::error("bool input is not supported");
    const int64_t axis = node.attrs.get_int("axis", 0);
    if (axis < 0 || axis >= static_cast<int64_t>(x.size())) return Status::error("axis out of range");
    if (x[axis] == 0) return Status::error("cannot take ArgMax of an empty axis");
    out[0] = {DType::kInt64, reduced_shape(x, {axis}, keepdims)};
    return Status::ok();
  }
  if (in[0].dtype != DType::kFloat32 && in[0].dtype != DType::kInt64 && in[0].dtype != DType::kInt32)
    return Status::error("input dtype " + std::string(dtype_name(in[0].dtype)) + " is not supported");
  if ((node.op == "ReduceMean" || node.op == "ReduceL2" || node.op == "ReduceLogSum" || node.op == "ReduceLogSumExp") &&
      in[0].dtype != DType::kFloat32)
    return Status::error(node.op + " supports float32 only");
  const auto axes = node.attrs.get_ints("axes");
  for (int64_t a : axes)
    if (a < 0 || a >= static_cast<int64_t>(x.size())) return Status::error("axis out of range");
  if (node.op == "ReduceMax" || node.op == "ReduceMin")
    for (size_t d = 0; d < x.size(); ++d)
      if (x[d] == 0 && (axes.empty() || std::find(axes.begin(), axes.end(), static_cast<int64_t>(d)) != axes.end()))
        return Status::error("cannot reduce an empty axis with " + node.op);
  out[0] = {in[0].dtype, reduced_shape(x, axes, keepdims)};
  return Status::ok();
}

// y[.., i, ..] = sum of x[.., j, ..] over j <= i (reverse: j >= i; exclusive: strictly).
Status infer_cumsum(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape& x = in[0].shape;
  if (in[0].dtype == DType::kBool) return Status::error("bool input is not supported");
  const int64_t axis = node.attrs.get_int("axis", 0);
  if (axis < 0 || axis >= static_cast<int64_t>(x.size()))
    return Status::error("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(x.size()));
  for (const char* flag : {"exclusive", "reverse"}) {
    const int64_t v = node.attrs.get_int(flag, 0);
    if (v != 0 && v != 1) return Status::error(std::string(flag) + " must be 0 or 1");
  }
  out[0] = {in[0].dtype, x};
  return Status::ok();
}

constexpr OpDef kOps[] = {
    {"ReduceMean", 1, 1, 1, 1, infer_reduce},   {"ReduceSum", 1, 1, 1, 1, infer_reduce},
    {"ReduceMax", 1, 1, 1, 1, infer_reduce},    {"ReduceMin", 1, 1, 1, 1, infer_reduce},
    {"ReduceProd", 1, 1, 1, 1, infer_reduce},   {"ReduceL2", 1, 1, 1, 1, infer_reduce},
    {"ReduceL1", 1, 1, 1, 1, infer_reduce},     {"ReduceSumSquare", 1, 1, 1, 1, infer_reduce},
    {"ReduceLogSum", 1, 1, 1, 1, infer_reduce}, {"ReduceLogSumExp", 1, 1, 1, 1, infer_reduce},
    {"ArgMax", 1, 1, 1, 1, infer_reduce},       {"ArgMin", 1, 1, 1, 1, infer_reduce},
    {"CumSum", 1, 1, 1, 1, infer_cumsum},
};

}  // namespace

std::span<const OpDef> reduce_op_defs() { return kOps; }

}  // namespace fusedinf
