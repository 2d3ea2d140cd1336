// Helpers shared by the op definitions' shape inference.
#pragma once

#include <span>
#include <string>

#include "engine/op_def.h"

namespace fusedinf {

// numpy broadcasting of two shapes; an error naming both when they do not broadcast.
Result<Shape> broadcast_shapes(const Shape& a, const Shape& b);

// Error unless `info` has dtype `want`.
Status expect_dtype(const ValueInfo& info, DType want, const char* what);
// Error unless every present input has the same dtype as inputs[0].
Status expect_same_dtype(std::span<const ValueInfo> inputs);

}  // namespace fusedinf
