// Index helpers shared by the reference kernels. None of them allocates: kernels run inside
// Session::run, which allocates nothing per node (index scratch comes from the planned
// workspace through Scratch, or is computed on the fly).
#pragma once

#include <cstring>
#include <span>

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

// Product of `dims` (num_elements of any part of a shape or of a kernel_shape attribute).
inline int64_t product(std::span<const int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

// Row-major strides of `dims`, written to `strides` (same length).
inline void fill_strides(std::span<const int64_t> dims, std::span<int64_t> strides) {
  int64_t stride = 1;
  for (size_t d = dims.size(); d-- > 0;) {
    strides[d] = stride;
    stride *= dims[d];
  }
}

// Advances the multi-index `idx` within `dims` (row-major); false when it wraps to zero.
inline bool next_index(std::span<int64_t> idx, std::span<const int64_t> dims) {
  for (size_t i = idx.size(); i-- > 0;) {
    if (++idx[i] < dims[i]) return true;
    idx[i] = 0;
  }
  return false;
}

// Typed arrays carved, in order, out of a kernel's planned workspace (KernelArgs::workspace).
// The kernel's WorkspaceFn requests the sum of Scratch::bytes<T>(count) over its takes; given
// less, take() returns an empty span and ok() turns false, and the kernel returns an error
// before writing anything.
class Scratch {
 public:
  explicit Scratch(std::span<uint8_t> workspace) : rest_(workspace) {}
  // Rounded up to 8 bytes so that every array stays 8-byte aligned.
  template <class T>
  static uint64_t bytes(uint64_t count) {
    return (count * sizeof(T) + 7) / 8 * 8;
  }
  template <class T>
  std::span<T> take(size_t count) {
    static_assert(alignof(T) <= 8);
    const uint64_t n = bytes<T>(count);
    if (n > rest_.size()) {
      ok_ = false;
      return {};
    }
    T* data = reinterpret_cast<T*>(rest_.data());
    rest_ = rest_.subspan(n);
    return {data, count};
  }
  bool ok() const { return ok_; }
  Status status() const { return ok_ ? Status::ok() : Status::error("the workspace is smaller than the kernel needs"); }

 private:
  std::span<uint8_t> rest_;
  bool ok_ = true;
};

// Fills `out` with the node's "value" attribute (a float for float32, an int otherwise).
inline void fill_with_value_attr(const Node& node, const TensorView& out) {
  dispatch_dtype(out.dtype, [&]<class T>() {
    T value{};
    if constexpr (std::is_same_v<T, float>)
      value = node.attrs.float_or("value", 0.f);
    else
      value = static_cast<T>(node.attrs.int_or("value", 0));
    for (int64_t i = 0; i < out.numel(); ++i) out.as<T>()[i] = value;
  });
}

}  // namespace fusedinf::cpu
