// Non-owning views of contiguous row-major tensors, as kernels see them.
#pragma once

#include <cstddef>

#include "engine/dtype.h"
#include "engine/shape.h"

namespace fusedinf {

struct ConstTensorView {
  const void* data = nullptr;  // nullptr: an absent optional input
  DType dtype = DType::kFloat32;
  Shape shape;

  bool present() const { return data != nullptr; }
  int64_t numel() const { return num_elements(shape); }
  size_t bytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  template <class T>
  const T* as() const {
    return static_cast<const T*>(data);
  }
};

struct TensorView {
  void* data = nullptr;
  DType dtype = DType::kFloat32;
  Shape shape;

  int64_t numel() const { return num_elements(shape); }
  size_t bytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  template <class T>
  T* as() const {
    return static_cast<T*>(data);
  }
  operator ConstTensorView() const { return {data, dtype, shape}; }  // NOLINT
};

}  // namespace fusedinf
