// Conv and ConvTranspose over N-d spatial dims. The IR carries every attribute explicitly
// (kernel_shape, strides, dilations, pads = [begins..., ends...], group, and for
// ConvTranspose output_padding); the importer resolves auto_pad and output_shape.
//   Conv:           out = floor((in + pb + pe - d*(k-1) - 1) / s) + 1
//   ConvTranspose:  out = s*(in-1) + output_padding + d*(k-1) + 1 - pb - pe
#include "engine/ops/op_util.h"

namespace fusedinf {

namespace {

Status infer_conv(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const bool transpose = node.op == "ConvTranspose";
  for (const ValueInfo& v : in)
    if (v.present) FI_RETURN_IF_ERROR(expect_dtype(v, DType::kFloat32, "input"));
  const Shape &x = in[0].shape, &w = in[1].shape;
  if (x.size() < 3 || w.size() != x.size())
    return Status::error("X " + shape_to_string(x) + " and W " + shape_to_string(w) + " must have the same rank >= 3");
  const size_t spatial = x.size() - 2;
  const auto k = node.attrs.get_ints("kernel_shape"), s = node.attrs.get_ints("strides"),
             d = node.attrs.get_ints("dilations"), p = node.attrs.get_ints("pads");
  const auto op = transpose ? node.attrs.get_ints("output_padding") : std::vector<int64_t>(spatial, 0);
  if (k.size() != spatial || s.size() != spatial || d.size() != spatial || p.size() != 2 * spatial ||
      op.size() != spatial)
    return Status::error("kernel_shape/strides/dilations/pads do not match " + std::to_string(spatial) +
                         " spatial dims");
  const int64_t group = node.attrs.get_int("group", 1);
  if (group < 1 || x[1] % group != 0)
    return Status::error("group " + std::to_string(group) + " does not divide " + std::to_string(x[1]) + " channels");
  int64_t out_channels, w_channels;
  if (!checked_mul(w[1], group, w_channels)) return Status::error("group " + std::to_string(group) + " is too large");
  if (!transpose) {
    if (w_channels != x[1])
      return Status::error("W " + shape_to_string(w) + " does not match " + std::to_string(x[1]) +
                           " input channels in " + std::to_string(group) + " groups");
    if (w[0] % group != 0) return Status::error("output channels do not divide into groups");
    out_channels = w[0];
  } else {
    if (w[0] != x[1])
      return Status::error("W " + shape_to_string(w) + " does not match " + std::to_string(x[1]) + " input channels");
    out_channels = w_channels;
  }
  if (in.size() > 2 && in[2].present && in[2].shape != Shape{out_channels})
    return Status::error("B must be [" + std::to_string(out_channels) + "]");
  Shape y = {x[0], out_channels};
  for (size_t i = 0; i < spatial; ++i) {
    if (k[i] != w[i + 2]) return Status::error("kernel_shape does not match W " + shape_to_string(w));
    if (s[i] < 1 || d[i] < 1 || p[i] < 0 || p[i + spatial] < 0 || op[i] < 0)
      return Status::error("strides/dilations must be >= 1 and pads >= 0");
    // Every step checked: the attributes come from files.
    int64_t extent, o, t;
    bool ok = checked_mul(d[i], k[i] - 1, extent) && checked_add(extent, 1, extent);
    if (!transpose) {
      int64_t padded;
      ok = ok && checked_add(x[i + 2], p[i], padded) && checked_add(padded, p[i + spatial], padded);
      if (ok && padded < extent) return Status::error("the kernel is larger than the padded input");
      ok = ok && checked_sub(padded, extent, o);
      if (ok) o = o / s[i] + 1;
    } else {
      ok = ok && checked_mul(s[i], x[i + 2] - 1, o) && checked_add(o, op[i], o) && checked_add(o, extent, o) &&
           checked_add(p[i], p[i + spatial], t) && checked_sub(o, t, o);
    }
    if (!ok) return Status::error("strides/dilations/pads overflow the output size");
    if (o < 1) return Status::error("the output would be empty");
    y.push_back(o);
  }
  out[0] = {DType::kFloat32, y};
  return Status::ok();
}

constexpr OpDef kOps[] = {
    {"Conv", 2, 3, 1, 1, infer_conv},
    {"ConvTranspose", 2, 3, 1, 1, infer_conv},
};

}  // namespace

std::span<const OpDef> conv_op_defs() { return kOps; }

}  // namespace fusedinf
