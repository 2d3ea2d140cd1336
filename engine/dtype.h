// Element types of the IR. Compute is fp32; int64, int32 and bool (one byte, 0 or 1) appear
// where an op needs them (indices, shapes, masks). Other ONNX types are refused by the importer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fusedinf {

enum class DType : uint8_t { kFloat32 = 1, kInt64 = 2, kInt32 = 3, kBool = 4 };

constexpr size_t dtype_size(DType t) {
  switch (t) {
    case DType::kFloat32:
      return 4;
    case DType::kInt64:
      return 8;
    case DType::kInt32:
      return 4;
    case DType::kBool:
      return 1;
  }
  return 0;
}

constexpr std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::kFloat32:
      return "float32";
    case DType::kInt64:
      return "int64";
    case DType::kInt32:
      return "int32";
    case DType::kBool:
      return "bool";
  }
  return "invalid";
}

constexpr bool is_valid_dtype(uint8_t raw) { return raw >= 1 && raw <= 4; }

template <class T>
struct dtype_of;
template <>
struct dtype_of<float> {
  static constexpr DType value = DType::kFloat32;
};
template <>
struct dtype_of<int64_t> {
  static constexpr DType value = DType::kInt64;
};
template <>
struct dtype_of<int32_t> {
  static constexpr DType value = DType::kInt32;
};
template <>
struct dtype_of<bool> {
  static constexpr DType value = DType::kBool;
};

// Calls fn.template operator()<T>() with the C++ type of `t`: the one typed dispatch helper.
// Bool is stored as one byte holding 0 or 1 and dispatched as bool.
template <class Fn>
decltype(auto) dispatch_dtype(DType t, Fn&& fn) {
  switch (t) {
    case DType::kInt64:
      return fn.template operator()<int64_t>();
    case DType::kInt32:
      return fn.template operator()<int32_t>();
    case DType::kBool:
      return fn.template operator()<bool>();
    case DType::kFloat32:
      break;
  }
  return fn.template operator()<float>();
}

}  // namespace fusedinf
