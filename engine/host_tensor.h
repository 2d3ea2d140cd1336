// An owned tensor in host memory: model inputs and outputs, test data, folded constants.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine/dtype.h"
#include "engine/shape.h"
#include "engine/tensor_view.h"

namespace fusedinf {

struct HostTensor {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;
  std::vector<uint8_t> bytes;  // numel * dtype_size(dtype)

  static HostTensor zeros(DType dtype, Shape shape) {
    HostTensor t;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.bytes.assign(static_cast<size_t>(num_elements(t.shape)) * dtype_size(dtype), 0);
    return t;
  }
  int64_t numel() const { return num_elements(shape); }
  ConstTensorView view() const { return {bytes.data(), dtype, shape}; }
  TensorView mutable_view() { return {bytes.data(), dtype, shape}; }
  template <class T>
  const T* as() const {
    return reinterpret_cast<const T*>(bytes.data());
  }
  template <class T>
  T* as() {
    return reinterpret_cast<T*>(bytes.data());
  }
};

}  // namespace fusedinf
