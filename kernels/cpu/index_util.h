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

// Advances the multi-index `idx` within `dims` (row-major); false when it wraps to zero.
inline bool next_index(std::vector<int64_t>& idx, const Shape& dims) {
  for (size_t i = idx.size(); i-- > 0;) {
    if (++idx[i] < dims[i]) return true;
    idx[i] = 0;
  }
  return false;
}

// Fills `out` with the node's "value" attribute (a float for float32, an int otherwise).
inline void fill_with_value_attr(const Node& node, const TensorView& out) {
  dispatch_dtype(out.dtype, [&]<class T>() {
    T value{};
    if constexpr (std::is_same_v<T, float>)
      value = node.attrs.get_float("value", 0.f);
    else
      value = static_cast<T>(node.attrs.get_int("value", 0));
    for (int64_t i = 0; i < out.numel(); ++i) out.as<T>()[i] = value;
  });
}

}  // namespace fusedinf::cpu
