#include "engine/ops/op_util.h"

#include <algorithm>

namespace fusedinf {

Result<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return Status::error("shapes " + shape_to_string(a) + " and " + shape_to_string(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Status expect_dtype(const ValueInfo& info, DType want, const char* what) {
  if (info.dtype != want)
    return Status::error(std::string(what) + " must be " + std::string(dtype_name(want)) + ", is " +
                         std::string(dtype_name(info.dtype)));
  return Status::ok();
}

Status expect_same_dtype(std::span<const ValueInfo> inputs) {
  for (const ValueInfo& in : inputs)
    if (in.present && in.dtype != inputs[0].dtype)
      return Status::error("inputs mix " + std::string(dtype_name(inputs[0].dtype)) + " and " +
                           std::string(dtype_name(in.dtype)));
  return Status::ok();
}

}  // namespace fusedinf
