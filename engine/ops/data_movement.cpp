// Data movement with static parameters: Concat ("axis"), Split ("axis", "split" sizes),
// Slice ("starts", "ends", "steps" per axis, already clamped: one entry per input dim),
// Gather ("axis"; indices input), Pad ("pads" begins+ends, "mode", "value"),
// DepthToSpace ("blocksize", "mode" DCR|CRD), SpaceToDepth ("blocksize"),
// GatherElements ("axis"; indices of x's rank), Trilu ("upper", "k": the diagonal offset).
#include <limits>

#include "engine/ops/op_util.h"

namespace fusedinf {

// ceil((end - start) / step) clamped at 0; -1 when end - start overflows.
int64_t slice_length(int64_t start, int64_t end, int64_t step) {
  int64_t diff;
  if (step > 0) {
    if (end <= start) return 0;
    return checked_sub(end, start, diff) ? (diff - 1) / step + 1 : -1;
  }
  if (start <= end) return 0;
  if (!checked_sub(start, end, diff)) return -1;
  return step == std::numeric_limits<int64_t>::min() ? 1 : (diff - 1) / -step + 1;
}

namespace {

Status infer_concat(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  FI_RETURN_IF_ERROR(expect_same_dtype(in));
  const int64_t axis = node.attrs.get_int("axis", 0);
  Shape y = in[0].shape;
  if (axis < 0 || axis >= static_cast<int64_t>(y.size())) return Status::error("axis out of range");
  for (size_t i = 1; i < in.size(); ++i) {
    const Shape& s = in[i].shape;
    if (s.size() != y.size()) return Status::error("inputs differ in rank");
    for (size_t d = 0; d < s.size(); ++d)
      if (static_cast<int64_t>(d) != axis && s[d] != y[d])
        return Status::error("inputs differ outside the axis: " + shape_to_string(in[0].shape) + " and " +
                             shape_to_string(s));
    if (!checked_add(y[axis], s[axis], y[axis])) return Status::error("the concatenated axis overflows");
  }
  out[0] = {in[0].dtype, y};
  return Status::ok();
}

Status infer_split(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const int64_t axis = node.attrs.get_int("axis", 0);
  const auto split = node.attrs.get_ints("split");
  const Shape& x = in[0].shape;
  if (axis < 0 || axis >= static_cast<int64_t>(x.size())) return Status::error("axis out of range");
  if (split.size() != out.size())
    return Status::error("split has " + std::to_string(split.size()) + " sizes for " + std::to_string(out.size()) +
                         " outputs");
  int64_t total = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (split[i] < 0) return Status::error("negative split size");
    if (!checked_add(total, split[i], total)) return Status::error("split sizes overflow");
    Shape y = x;
    y[axis] = split[i];
    out[i] = {in[0].dtype, y};
  }
  if (total != x[axis])
    return Status::error("split sizes sum to " + std::to_string(total) + ", the axis has " + std::to_string(x[axis]));
  return Status::ok();
}

Status infer_slice(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape& x = in[0].shape;
  const auto starts = node.attrs.get_ints("starts"), ends = node.attrs.get_ints("ends"),
             steps = node.attrs.get_ints("steps");
  if (starts.size() != x.size() || ends.size() != x.size() || steps.size() != x.size())
    return Status::error("starts/ends/steps need one entry per dimension");
  Shape y;
  for (size_t d = 0; d < x.size(); ++d) {
    if (steps[d] == 0) return Status::error("step 0");
    const int64_t n = slice_length(starts[d], ends[d], steps[d]);
    int64_t last = 0;  // the last index read
    if (n < 0 || (n > 0 && (!checked_mul(n - 1, steps[d], last) || !checked_add(starts[d], last, last))))
      return Status::error("slice out of bounds");
    if (n > 0 && (starts[d] < 0 || starts[d] >= x[d] || last < 0 || last >= x[d]))
      return Status::error("slice out of bounds");
    y.push_back(n);
  }
  out[0] = {in[0].dtype, y};
  return Status::ok();
}

Status infer_gather(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape& x = in[0].shape;
  const int64_t axis = node.attrs.get_int("axis", 0);
  if (axis < 0 || axis >= static_cast<int64_t>(x.size())) return Status::error("axis out of range");
  if (in[1].dtype != DType::kInt64 && in[1].dtype != DType::kInt32)
    return Status::error("indices must be int64 or int32");
  if (in[1].value) {  // constant indices are checked now; others at run time
    for (int64_t i = 0; i < num_elements(in[1].shape); ++i) {
      const int64_t v = in[1].dtype == DType::kInt64 ? static_cast<const int64_t*>(in[1].value)[i]
                                                     : static_cast<const int32_t*>(in[1].value)[i];
      if (v < -x[axis] || v >= x[axis])
        return Status::error("index " + std::to_string(v) + " out of range for axis of size " +
                             std::to_string(x[axis]));
    }
  }
  Shape y(x.begin(), x.begin() + axis);
  y.insert(y.end(), in[1].shape.begin(), in[1].shape.end());
  y.insert(y.end(), x.begin() + axis + 1, x.end());
  out[0] = {in[0].dtype, y};
  return Status::ok();
}

// y[..., i_axis, ...] = x[..., idx[..., i_axis, ...], ...]: y has the indices' shape, which may
// be smaller than x's outside the axis.
Status infer_gather_elements(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape &x = in[0].shape, &idx = in[1].shape;
  const int64_t axis = node.attrs.get_int("axis", 0);
  if (x.empty() || idx.size() != x.size())
    return Status::error("indices " + shape_to_string(idx) + " must have the rank of data " + shape_to_string(x));
  if (axis < 0 || axis >= static_cast<int64_t>(x.size())) return Status::error("axis out of range");
  if (in[1].dtype != DType::kInt64 && in[1].dtype != DType::kInt32)
    return Status::error("indices must be int64 or int32");
  for (size_t d = 0; d < x.size(); ++d)
    if (static_cast<int64_t>(d) != axis && idx[d] > x[d])
      return Status::error("indices " + shape_to_string(idx) + " exceed data " + shape_to_string(x) +
                           " outside the axis");
  if (in[1].value) {  // constant indices are checked now; others at run time
    for (int64_t i = 0; i < num_elements(idx); ++i) {
      const int64_t v = in[1].dtype == DType::kInt64 ? static_cast<const int64_t*>(in[1].value)[i]
                                                     : static_cast<const int32_t*>(in[1].value)[i];
      if (v < -x[axis] || v >= x[axis])
        return Status::error("index " + std::to_string(v) + " out of range for axis of size " +
                             std::to_string(x[axis]));
    }
  }
  out[0] = {in[0].dtype, idx};
  return Status::ok();
}

// Keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the last two dims, zeros the rest.
Status infer_trilu(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  if (in[0].shape.size() < 2) return Status::error("input must have rank >= 2, has " + shape_to_string(in[0].shape));
  const int64_t upper = node.attrs.get_int("upper", 1);
  if (upper != 0 && upper != 1) return Status::error("upper must be 0 or 1");
  out[0] = {in[0].dtype, in[0].shape};
  return Status::ok();
}

Status infer_pad(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape& x = in[0].shape;
  const auto pads = node.attrs.get_ints("pads");
  const std::string mode = node.attrs.get_string("mode", "constant");
  if (pads.size() != 2 * x.size()) return Status::error("pads need two entries per dimension");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return Status::error("mode '" + mode + "' is not supported");
  Shape y = x;
  for (size_t d = 0; d < x.size(); ++d) {
    if (!checked_add(y[d], pads[d], y[d]) || !checked_add(y[d], pads[d + x.size()], y[d]))
      return Status::error("pads overflow the output size");
    if (y[d] < 0) return Status::error("negative output dimension");
    if (mode != "constant" && (pads[d] > 0 || pads[d + x.size()] > 0) && x[d] == 0)
      return Status::error("cannot " + mode + "-pad an empty dimension");
    if (mode == "reflect" && (pads[d] >= x[d] || pads[d + x.size()] >= x[d]) && (pads[d] > 0 || pads[d + x.size()] > 0))
      return Status::error("reflect pads must be smaller than the dimension");
  }
  out[0] = {in[0].dtype, y};
  return Status::ok();
}

Status infer_depth_space(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape& x = in[0].shape;
  const int64_t b = node.attrs.get_int("blocksize", 0);
  if (x.size() != 4 || b < 1) return Status::error("needs a 4-D input and blocksize >= 1");
  int64_t b2, c, h, w;
  if (!checked_mul(b, b, b2)) return Status::error("blocksize " + std::to_string(b) + " is too large");
  if (node.op == "DepthToSpace") {
    if (x[1] % b2 != 0) return Status::error("channels not divisible by blocksize^2");
    if (!checked_mul(x[2], b, h) || !checked_mul(x[3], b, w)) return Status::error("blocksize overflows the output");
    out[0] = {in[0].dtype, {x[0], x[1] / b2, h, w}};
  } else {
    if (x[2] % b != 0 || x[3] % b != 0) return Status::error("height/width not divisible by blocksize");
    if (!checked_mul(x[1], b2, c)) return Status::error("blocksize overflows the output");
    out[0] = {in[0].dtype, {x[0], c, x[2] / b, x[3] / b}};
  }
  return Status::ok();
}

constexpr OpDef kOps[] = {
    {"Concat", 1, 1024, 1, 1, infer_concat},
    {"Split", 1, 1, 1, 1024, infer_split},
    {"Slice", 1, 1, 1, 1, infer_slice},
    {"Gather", 2, 2, 1, 1, infer_gather},
    {"GatherElements", 2, 2, 1, 1, infer_gather_elements},
    {"Trilu", 1, 1, 1, 1, infer_trilu},
    {"Pad", 1, 1, 1, 1, infer_pad},
    {"DepthToSpace", 1, 1, 1, 1, infer_depth_space},
    {"SpaceToDepth", 1, 1, 1, 1, infer_depth_space},
};

}  // namespace

std::span<const OpDef> data_movement_op_defs() { return kOps; }

}  // namespace fusedinf
