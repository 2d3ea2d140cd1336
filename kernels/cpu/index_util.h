// Index helpers shared by the reference kernels.
#pragma once

#include <cstring>
#include <vector>

#include "engine/shape.h"
#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf::cpu {

// out[i] = in[source(i)] for every output element, any dtype (bytes copied).
template <class F>
Status gather_elements(const ConstTensorView& in, const TensorView& out, F source) {
  const size_t size = dtype_size(in.dtype);
  const uint8_t* x = static_cast<const uint8_t*>(in.data);
  uint8_t* y = static_cast<uint8_t*>(out.data);
  for (int64_t i = 0, n = out.numel(); i < n; ++i) std::memcpy(y + i * size, x + source(i) * size, size);
  return Status::ok();
}

// Coordinates of flat index i in `shape` (row-major).
inline void unravel(int64_t i, const Shape& shape, std::vector<int64_t>& coords) {
  coords.resize(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    coords[d] = i % shape[d];
    i /= shape[d];
  }
}

}  // namespace fusedinf::cpu
