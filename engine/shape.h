// Static shapes: every dimension is known (>= 0) once a model is imported.
//
// Sizes come from untrusted files (.fim, ONNX, .npy), so every product or sum of dimensions
// or attribute values goes through the checked helpers below (never plain `*` or `+`), and
// every shape a loader or shape inference accepts is within kMaxTensorElements.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace fusedinf {

using Shape = std::vector<int64_t>;

// The most elements one tensor may declare (4 TiB of float32): the product of its non-zero
// dimensions, so strides stay far from overflow too. Loaders and shape inference refuse more.
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 40;
// The most dimensions a tensor may have.
inline constexpr size_t kMaxRank = 32;

// Checked signed 64-bit arithmetic: false (and `out` unspecified) on overflow.
[[nodiscard]] inline bool checked_add(int64_t a, int64_t b, int64_t& out) {
  return !__builtin_add_overflow(a, b, &out);
}
[[nodiscard]] inline bool checked_sub(int64_t a, int64_t b, int64_t& out) {
  return !__builtin_sub_overflow(a, b, &out);
}
[[nodiscard]] inline bool checked_mul(int64_t a, int64_t b, int64_t& out) {
  return !__builtin_mul_overflow(a, b, &out);
}

// The product of the dimensions, saturated at INT64_MAX when it overflows (0 when any
// dimension is 0); a saturated count is always over kMaxTensorElements.
inline int64_t num_elements(const Shape& shape) {
  int64_t n = 1;
  bool overflow = false;
  for (int64_t d : shape) {
    if (d == 0) return 0;
    if (!overflow && !checked_mul(n, d, n)) overflow = true;
  }
  return overflow ? std::numeric_limits<int64_t>::max() : n;
}

// True when every dimension is >= 0, the rank is at most kMaxRank and the product of the
// non-zero dimensions is at most kMaxTensorElements.
inline bool shape_within_limits(const Shape& shape) {
  if (shape.size() > kMaxRank) return false;
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return false;
    if (d != 0 && (!checked_mul(n, d, n) || n > kMaxTensorElements)) return false;
  }
  return true;
}

inline std::string shape_to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(shape[i]);
  }
  s += ']';
  return s;
}

// "[d0,d1,...] is over the limit of N elements or R dimensions": the message for a shape that
// fails shape_within_limits; the caller puts what and where in front.
inline std::string shape_over_limits_message(const Shape& shape) {
  return shape_to_string(shape) + " is over the limit of " + std::to_string(kMaxTensorElements) + " elements or " +
         std::to_string(kMaxRank) + " dimensions";
}

// Row-major strides in elements.
inline std::vector<int64_t> contiguous_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

// Normalises an axis in [-rank, rank) to [0, rank); returns -1 when out of range.
inline int64_t normalize_axis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) return -1;
  return axis < 0 ? axis + rank : axis;
}

}  // namespace fusedinf
