// MaxPool and AveragePool (N-d; explicit kernel_shape, strides, dilations, pads, ceil_mode,
// and for AveragePool count_include_pad), GlobalAveragePool, GlobalMaxPool.
//   out = floor_or_ceil((in + pb + pe - d*(k-1) - 1) / s) + 1, and with ceil_mode the last
//   window must start inside the input or its begin padding.
#include "engine/ops/op_util.h"

namespace fusedinf {

int64_t pooled_size(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe, bool ceil_mode) {
  const int64_t span = in + pb + pe - d * (k - 1) - 1;
  int64_t out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  if (ceil_mode && (out - 1) * s >= in + pb) --out;
  return out;
}

namespace {

// pooled_size's terms, checked: -1 when one of them overflows (the attributes come from files).
int64_t checked_pooled_size(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe, bool ceil_mode) {
  int64_t extent, padded, span;
  if (!checked_mul(d, k - 1, extent) || !checked_add(in, pb, padded) || !checked_add(padded, pe, padded) ||
      !checked_sub(padded, extent, span) || !checked_add(span, s, span))  // room for span + s - 1 below
    return -1;
  return pooled_size(in, k, s, d, pb, pe, ceil_mode);
}

Status infer_pool(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  FI_RETURN_IF_ERROR(expect_dtype(in[0], DType::kFloat32, "X"));
  const Shape& x = in[0].shape;
  if (x.size() < 3) return Status::error("X must have rank >= 3");
  const size_t n = x.size() - 2;
  Shape y = {x[0], x[1]};
  if (node.op == "GlobalAveragePool" || node.op == "GlobalMaxPool") {
    y.resize(x.size(), 1);
    out[0] = {DType::kFloat32, y};
    return Status::ok();
  }
  const auto k = node.attrs.get_ints("kernel_shape"), s = node.attrs.get_ints("strides"),
             d = node.attrs.get_ints("dilations"), p = node.attrs.get_ints("pads");
  if (k.size() != n || s.size() != n || d.size() != n || p.size() != 2 * n)
    return Status::error("kernel_shape/strides/dilations/pads do not match " + std::to_string(n) + " spatial dims");
  const bool ceil_mode = node.attrs.get_int("ceil_mode", 0) != 0;
  for (size_t i = 0; i < n; ++i) {
    if (k[i] < 1 || s[i] < 1 || d[i] < 1 || p[i] < 0 || p[i + n] < 0)
      return Status::error("bad kernel, stride, dilation or pad");
    int64_t window;
    if (!checked_mul(k[i], d[i], window)) return Status::error("kernel_shape * dilations overflows");
    if (p[i] >= window || p[i + n] >= window) return Status::error("pads must be smaller than the kernel");
    const int64_t o = checked_pooled_size(x[i + 2], k[i], s[i], d[i], p[i], p[i + n], ceil_mode);
    if (o == -1) return Status::error("kernel_shape/strides/dilations/pads overflow the output size");
    if (o < 1) return Status::error("the output would be empty");
    y.push_back(o);
  }
  out[0] = {DType::kFloat32, y};
  return Status::ok();
}

constexpr OpDef kOps[] = {
    {"MaxPool", 1, 1, 1, 1, infer_pool},
    {"AveragePool", 1, 1, 1, 1, infer_pool},
    {"GlobalAveragePool", 1, 1, 1, 1, infer_pool},
    {"GlobalMaxPool", 1, 1, 1, 1, infer_pool},
};

}  // namespace

std::span<const OpDef> pool_op_defs() { return kOps; }

}  // namespace fusedinf
