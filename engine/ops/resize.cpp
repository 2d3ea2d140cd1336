// Resize (IR): "sizes" (the output shape) and "scales" (per dim, used by the coordinate
// transform), "mode" nearest | linear | cubic (then "cubic_coeff_a", "exclude_outside"),
// "coordinate_transformation_mode" half_pixel | pytorch_half_pixel | align_corners |
// asymmetric | half_pixel_symmetric | tf_half_pixel_for_nn | tf_crop_and_resize (then "roi":
// starts then ends, 2 * rank floats, and "extrapolation_value" for source coordinates outside
// the input), "nearest_mode" round_prefer_floor | round_prefer_ceil | floor | ceil. Upsample
// is imported as Resize (asymmetric, floor).
#include "engine/ops/op_util.h"

namespace fusedinf {

namespace {

Status infer_resize(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  FI_RETURN_IF_ERROR(expect_dtype(in[0], DType::kFloat32, "X"));
  const auto sizes = node.attrs.get_ints("sizes");
  const auto scales = node.attrs.get_floats("scales");
  if (sizes.size() != in[0].shape.size() || scales.size() != sizes.size())
    return Status::error("sizes/scales must have one entry per dimension");
  for (size_t d = 0; d < sizes.size(); ++d)
    if (sizes[d] < 1 || !(scales[d] > 0.f)) return Status::error("sizes must be >= 1 and scales > 0");
  const std::string mode = node.attrs.get_string("mode", "nearest");
  const std::string coord = node.attrs.get_string("coordinate_transformation_mode", "half_pixel");
  const std::string nearest = node.attrs.get_string("nearest_mode", "round_prefer_floor");
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return Status::error("mode '" + mode + "' is not supported");
  if (coord != "half_pixel" && coord != "pytorch_half_pixel" && coord != "align_corners" && coord != "asymmetric" &&
      coord != "half_pixel_symmetric" && coord != "tf_half_pixel_for_nn" && coord != "tf_crop_and_resize")
    return Status::error("coordinate_transformation_mode '" + coord + "' is not supported");
  if (coord == "tf_crop_and_resize" && node.attrs.get_floats("roi").size() != 2 * sizes.size())
    return Status::error("tf_crop_and_resize needs roi with 2 * rank values");
  if (nearest != "round_prefer_floor" && nearest != "round_prefer_ceil" && nearest != "floor" && nearest != "ceil")
    return Status::error("nearest_mode '" + nearest + "' is not supported");
  out[0] = {DType::kFloat32, Shape(sizes.begin(), sizes.end())};
  return Status::ok();
}

constexpr OpDef kOps[] = {
    {"Resize", 1, 1, 1, 1, infer_resize},
};

}  // namespace

std::span<const OpDef> resize_op_defs() { return kOps; }

}  // namespace fusedinf
