// Shape ops with static parameters in attributes: Reshape ("shape", fully resolved),
// Flatten ("axis"), Squeeze / Unsqueeze ("axes", non-negative, sorted), Transpose ("perm"),
// Expand ("shape"), Tile ("repeats"), ConstantOfShape (no inputs: "shape" and "value" of
// "dtype"), Range (three scalar inputs; the output size depends on their values, so they
// must be constants).
#include <algorithm>
#include <cmath>

#include "engine/ops/op_util.h"

namespace fusedinf {

namespace {

Status infer_reshape(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape shape = node.attrs.get_ints("shape");
  for (int64_t d : shape)
    if (d < 0) return Status::error("negative dimension in shape " + shape_to_string(shape));
  if (num_elements(shape) != num_elements(in[0].shape))
    return Status::error("cannot reshape " + shape_to_string(in[0].shape) + " to " + shape_to_string(shape));
  out[0] = {in[0].dtype, shape};
  return Status::ok();
}

Status infer_flatten(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape& x = in[0].shape;
  const int64_t axis = node.attrs.get_int("axis", 1);
  if (axis < 0 || axis > static_cast<int64_t>(x.size())) return Status::error("axis out of range");
  out[0] = {in[0].dtype,
            {num_elements(Shape(x.begin(), x.begin() + axis)), num_elements(Shape(x.begin() + axis, x.end()))}};
  return Status::ok();
}

Status infer_squeeze(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape& x = in[0].shape;
  const auto axes = node.attrs.get_ints("axes");
  for (size_t i = 0; i < axes.size(); ++i)
    if (std::count(axes.begin(), axes.end(), axes[i]) > 1)
      return Status::error("repeated axis " + std::to_string(axes[i]));
  Shape y;
  if (node.op == "Squeeze") {
    for (int64_t a : axes)
      if (a < 0 || a >= static_cast<int64_t>(x.size()) || x[a] != 1)
        return Status::error("cannot squeeze axis " + std::to_string(a) + " of " + shape_to_string(x));
    for (size_t i = 0; i < x.size(); ++i)
      if (std::find(axes.begin(), axes.end(), static_cast<int64_t>(i)) == axes.end()) y.push_back(x[i]);
  } else {
    const size_t rank = x.size() + axes.size();
    size_t next = 0;
    for (size_t i = 0; i < rank; ++i) {
      if (std::find(axes.begin(), axes.end(), static_cast<int64_t>(i)) != axes.end())
        y.push_back(1);
      else if (next < x.size())
        y.push_back(x[next++]);
      else
        return Status::error("axes out of range");
    }
    for (int64_t a : axes)
      if (a < 0 || a >= static_cast<int64_t>(rank)) return Status::error("axis out of range");
  }
  out[0] = {in[0].dtype, y};
  return Status::ok();
}

Status infer_transpose(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape& x = in[0].shape;
  const auto perm = node.attrs.get_ints("perm");
  if (perm.size() != x.size()) return Status::error("perm has the wrong length");
  std::vector<bool> seen(x.size(), false);
  Shape y;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(x.size()) || seen[p]) return Status::error("perm is not a permutation");
    seen[p] = true;
    y.push_back(x[p]);
  }
  out[0] = {in[0].dtype, y};
  return Status::ok();
}

Status infer_expand(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  FI_ASSIGN_OR_RETURN(Shape y, broadcast_shapes(in[0].shape, node.attrs.get_ints("shape")));
  out[0] = {in[0].dtype, y};
  return Status::ok();
}

Status infer_tile(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const auto repeats = node.attrs.get_ints("repeats");
  if (repeats.size() != in[0].shape.size()) return Status::error("repeats must have one entry per dimension");
  Shape y = in[0].shape;
  for (size_t i = 0; i < y.size(); ++i) {
    if (repeats[i] < 0) return Status::error("repeats must be >= 0");
    if (!checked_mul(y[i], repeats[i], y[i])) return Status::error("repeats overflow the output size");
  }
  out[0] = {in[0].dtype, y};
  return Status::ok();
}

Status infer_constant_of_shape(const Node& node, std::span<const ValueInfo>, std::span<ValueInfo> out) {
  const int64_t dtype = node.attrs.get_int("dtype", 1);
  if (dtype < 0 || dtype > 255 || !is_valid_dtype(static_cast<uint8_t>(dtype)))
    return Status::error("unsupported dtype " + std::to_string(dtype));
  for (int64_t d : node.attrs.get_ints("shape"))
    if (d < 0) return Status::error("negative dimension");
  out[0] = {static_cast<DType>(dtype), node.attrs.get_ints("shape")};
  return Status::ok();
}

Status infer_range(const Node&, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  for (const ValueInfo& v : in) {
    if (!v.value) return Status::error("start, limit and delta must be constants (the output size depends on them)");
    if (!v.shape.empty() || v.dtype != in[0].dtype)
      return Status::error("start, limit and delta must be scalars of one dtype");
  }
  if (in[0].dtype == DType::kBool) return Status::error("bool is not supported");
  // n = max(0, ceil((limit - start) / delta)): in double for float32 (as numpy's arange),
  // exactly for integers.
  auto read = [&](int i) { return static_cast<double>(*static_cast<const float*>(in[i].value)); };
  auto read_int = [&](int i) {
    return in[0].dtype == DType::kInt64 ? *static_cast<const int64_t*>(in[i].value)
                                        : int64_t{*static_cast<const int32_t*>(in[i].value)};
  };
  double n = 0;
  if (in[0].dtype == DType::kFloat32) {
    if (read(2) == 0) return Status::error("delta is zero");
    n = std::max(0.0, std::ceil((read(1) - read(0)) / read(2)));
  } else {
    const int64_t delta = read_int(2);
    if (delta == 0) return Status::error("delta is zero");
    const __int128 span = static_cast<__int128>(read_int(1)) - read_int(0);
    if ((span > 0 && delta > 0) || (span < 0 && delta < 0))
      n = static_cast<double>((span + delta + (delta > 0 ? -1 : 1)) / delta);
  }
  if (n > 1e9) return Status::error("the range is too long");
  out[0] = {in[0].dtype, {static_cast<int64_t>(n)}};
  return Status::ok();
}

constexpr OpDef kOps[] = {
    {"Reshape", 1, 1, 1, 1, infer_reshape},     {"Flatten", 1, 1, 1, 1, infer_flatten},
    {"Squeeze", 1, 1, 1, 1, infer_squeeze},     {"Unsqueeze", 1, 1, 1, 1, infer_squeeze},
    {"Transpose", 1, 1, 1, 1, infer_transpose}, {"Expand", 1, 1, 1, 1, infer_expand},
    {"Tile", 1, 1, 1, 1, infer_tile},           {"ConstantOfShape", 0, 0, 1, 1, infer_constant_of_shape},
    {"Range", 3, 3, 1, 1, infer_range},
};

}  // namespace

std::span<const OpDef> shape_op_defs() { return kOps; }

}  // namespace fusedinf
