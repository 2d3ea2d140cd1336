// Index-tuple gathers and scatters: GatherND ("batch_dims"), ScatterND and ScatterElements
// ("axis" for ScatterElements; "reduction": "none", "add", "mul", "max" or "min").
// Indices are int64 or int32; negative indices count from the end of their dimension.
#include <string>

#include "engine/ops/op_util.h"

namespace fusedinf {

namespace {

Status expect_indices(const ValueInfo& v) {
  if (v.dtype != DType::kInt64 && v.dtype != DType::kInt32) return Status::error("indices must be int64 or int32");
  return Status::ok();
}

int64_t index_at(const ValueInfo& v, int64_t i) {
  return v.dtype == DType::kInt64 ? static_cast<const int64_t*>(v.value)[i] : static_cast<const int32_t*>(v.value)[i];
}

// Constant indices are range-checked now (the last dim of `idx` indexes dims first.. of x;
// `axis` >= 0: every index is on that axis of x); others are checked by the kernels.
Status check_constant_indices(const ValueInfo& idx, const Shape& x, int64_t first, int64_t axis) {
  if (!idx.value) return Status::ok();
  const int64_t n = num_elements(idx.shape);
  const int64_t k = idx.shape.empty() ? 1 : idx.shape.back();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t dim = axis >= 0 ? x[axis] : x[first + i % k];
    const int64_t v = index_at(idx, i);
    if (v < -dim || v >= dim)
      return Status::error("index " + std::to_string(v) + " out of range for a dimension of size " +
                           std::to_string(dim));
  }
  return Status::ok();
}

Status check_reduction(const Node& node, DType dtype) {
  const std::string r = node.attrs.get_string("reduction", "none");
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    return Status::error("reduction '" + r + "' is not one of none, add, mul, max, min");
  if (r != "none" && dtype == DType::kBool) return Status::error("reduction on bool data is not supported");
  return Status::ok();
}

// y = x[b..., idx[b..., p..., :]] : indices [B..., P..., k] with B the batch_dims leading dims
// of x; y is indices.shape[:-1] + x.shape[b + k:].
Status infer_gather_nd(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape &x = in[0].shape, &idx = in[1].shape;
  FI_RETURN_IF_ERROR(expect_indices(in[1]));
  const int64_t b = node.attrs.get_int("batch_dims", 0);
  const int64_t r = static_cast<int64_t>(x.size()), q = static_cast<int64_t>(idx.size());
  if (r < 1 || q < 1) return Status::error("data and indices must have rank >= 1");
  if (b < 0 || b >= std::min(r, q))
    return Status::error("batch_dims " + std::to_string(b) + " must be below both ranks");
  const int64_t k = idx.back();
  if (k < 1 || b + k > r)
    return Status::error("the indices' last dim " + std::to_string(k) + " (+ batch_dims) exceeds the data's rank " +
                         std::to_string(r));
  for (int64_t d = 0; d < b; ++d)
    if (x[d] != idx[d])
      return Status::error("batch dims differ: data " + shape_to_string(x) + ", indices " + shape_to_string(idx));
  FI_RETURN_IF_ERROR(check_constant_indices(in[1], x, b, -1));
  Shape y(idx.begin(), idx.end() - 1);
  y.insert(y.end(), x.begin() + b + k, x.end());
  out[0] = {in[0].dtype, y};
  return Status::ok();
}

// y = x, then y[idx[p..., :]] (op)= updates[p...] for each p in order: updates is
// indices.shape[:-1] + x.shape[k:].
Status infer_scatter_nd(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape &x = in[0].shape, &idx = in[1].shape, &upd = in[2].shape;
  FI_RETURN_IF_ERROR(expect_indices(in[1]));
  FI_RETURN_IF_ERROR(check_reduction(node, in[0].dtype));
  if (in[2].dtype != in[0].dtype) return Status::error("updates and data have different dtypes");
  if (x.empty() || idx.empty()) return Status::error("data and indices must have rank >= 1");
  const int64_t k = idx.back();
  if (k < 1 || k > static_cast<int64_t>(x.size()))
    return Status::error("the indices' last dim " + std::to_string(k) + " exceeds the data's rank");
  Shape want(idx.begin(), idx.end() - 1);
  want.insert(want.end(), x.begin() + k, x.end());
  if (upd != want) return Status::error("updates " + shape_to_string(upd) + " must be " + shape_to_string(want));
  FI_RETURN_IF_ERROR(check_constant_indices(in[1], x, 0, -1));
  out[0] = {in[0].dtype, x};
  return Status::ok();
}

// y = x, then y[coords of i with idx[i] on the axis] (op)= updates[i], i in row-major order.
Status infer_scatter_elements(const Node& node, std::span<const ValueInfo> in, std::span<ValueInfo> out) {
  const Shape &x = in[0].shape, &idx = in[1].shape;
  FI_RETURN_IF_ERROR(expect_indices(in[1]));
  FI_RETURN_IF_ERROR(check_reduction(node, in[0].dtype));
  if (in[2].dtype != in[0].dtype) return Status::error("updates and data have different dtypes");
  if (in[2].shape != idx) return Status::error("updates must have the indices' shape " + shape_to_string(idx));
  const int64_t axis = node.attrs.get_int("axis", 0);
  if (x.empty() || idx.size() != x.size())
    return Status::error("indices " + shape_to_string(idx) + " must have the rank of data " + shape_to_string(x));
  if (axis < 0 || axis >= static_cast<int64_t>(x.size())) return Status::error("axis out of range");
  for (size_t d = 0; d < x.size(); ++d)
    if (static_cast<int64_t>(d) != axis && idx[d] > x[d])
      return Status::error("indices " + shape_to_string(idx) + " exceed data " + shape_to_string(x));
  FI_RETURN_IF_ERROR(check_constant_indices(in[1], x, 0, axis));
  out[0] = {in[0].dtype, x};
  return Status::ok();
}

constexpr OpDef kOps[] = {
    {"GatherND", 2, 2, 1, 1, infer_gather_nd},
    {"ScatterND", 3, 3, 1, 1, infer_scatter_nd},
    {"ScatterElements", 3, 3, 1, 1, infer_scatter_elements},
};

}  // namespace

std::span<const OpDef> scatter_gather_op_defs() { return kOps; }

}  // namespace fusedinf
