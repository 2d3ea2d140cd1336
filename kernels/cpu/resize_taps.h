// Resize taps, shared by the reference kernel (resize.cpp) and the CPU backend's fast one
// (resize_fast.cpp). For output coordinate x of a dim with input size n, output size m
// and scale s, the source coordinate is
//   half_pixel: (x + 0.5) / s - 0.5     pytorch_half_pixel: M != 1 ? (x + 0.5) / s - 0.5 : -0.5
//   align_corners: M != 1 ? x * (n - 1) / (M - 1) : 0                asymmetric: x / s
//   half_pixel_symmetric: n / 2 * (1 - m / M) + (x + 0.5) / s - 0.5    tf_half_pixel_for_nn: (x + 0.5) / s
//   tf_crop_and_resize: M != 1 ? a (n - 1) + x (b - a) (n - 1) / (M - 1) : (b - a) (n - 1) / 2 + a (n - 1)
//     with roi [a, b] of the dim; a source outside [0, n - 1] gives extrapolation_value
// where M = s * n, the output length before flooring (the spec's reference uses it).
// nearest picks one index by nearest_mode; linear blends floor and floor + 1 by the
// fraction (both clamped to [0, n-1]), dims multiplied together; cubic blends floor - 1 ..
// floor + 2 (clamped) with Keys' weights of cubic_coeff_a A at t = the fraction:
//   ((A(t+1) - 5A)(t+1) + 8A)(t+1) - 4A, ((A+2)t - (A+3))t^2 + 1, the same two at 1 - t mirrored,
// and with exclude_outside the taps outside [0, n-1] weigh 0 and the others are renormalised.
#pragma once

#include <cmath>
#include <span>
#include <string_view>

#include "engine/attributes.h"
#include "engine/shape.h"

namespace fusedinf::cpu {

// Up to four (input index, weight) pairs of one output coordinate along one dim.
struct Tap {
  int64_t index[4];  // linear and nearest use the first two
  float weight[4];
  bool outside;  // tf_crop_and_resize: the source is outside the input
};

// Taps per dim of the node's mode: 4 for cubic, else 2 (nearest: the second weighs 0).
inline int resize_taps_per_dim(const Attributes& at) { return at.string_or("mode", "nearest") == "cubic" ? 4 : 2; }

inline int64_t sum_of_dims(const Shape& shape) {
  int64_t sum = 0;
  for (int64_t d : shape) sum += d;
  return sum;
}

// Fills taps (sum_of_dims(ys) entries: dim d's ys[d] taps from taps[first[d]]) and first (rank).
inline void resize_taps(const Attributes& at, const Shape& xs, const Shape& ys, std::span<Tap> taps,
                        std::span<int64_t> first) {
  const std::span<const float> scales = at.floats("scales");
  const bool linear = at.string_or("mode", "nearest") == "linear", cubic = at.string_or("mode", "nearest") == "cubic";
  const double cubic_a = at.float_or("cubic_coeff_a", -0.75f);
  const bool exclude_outside = at.int_or("exclude_outside", 0) != 0;
  const std::string_view coord = at.string_or("coordinate_transformation_mode", "half_pixel");
  const std::string_view nearest = at.string_or("nearest_mode", "round_prefer_floor");
  const size_t rank = xs.size();
  const std::span<const float> roi = at.floats("roi");
  size_t next = 0;
  for (size_t d = 0; d < rank; ++d) {
    first[d] = static_cast<int64_t>(next);
    const int64_t n = xs[d], m = ys[d];
    const double s = scales[d];
    const double m_eff = s * static_cast<double>(n);  // the spec's (fractional) output length
    for (int64_t x = 0; x < m; ++x) {
      double src;
      if (coord == "align_corners")
        src = m_eff != 1.0 ? static_cast<double>(x) * (n - 1) / (m_eff - 1) : 0.0;
      else if (coord == "asymmetric")
        src = x / s;
      else if (coord == "pytorch_half_pixel")
        src = m_eff != 1.0 ? (x + 0.5) / s - 0.5 : -0.5;
      else if (coord == "half_pixel_symmetric")
        src = n / 2.0 * (1.0 - static_cast<double>(m) / m_eff) + ((x + 0.5) / s - 0.5);
      else if (coord == "tf_half_pixel_for_nn")
        src = (x + 0.5) / s;
      else if (coord == "tf_crop_and_resize") {
        const double lo = roi[d], hi = roi[rank + d];
        src = m_eff != 1.0 ? lo * (n - 1) + x * (hi - lo) * (n - 1) / (m_eff - 1)
                           : (hi - lo) * (n - 1) / 2 + lo * (n - 1);
      } else
        src = (x + 0.5) / s - 0.5;
      auto clamp = [&](int64_t i) { return std::min(std::max<int64_t>(i, 0), n - 1); };
      const double fl = std::floor(src), frac = src - fl;
      Tap t{};
      if (cubic) {
        const double A = cubic_a, u = frac, v = 1.0 - frac;
        const double w[4] = {((A * (u + 1) - 5 * A) * (u + 1) + 8 * A) * (u + 1) - 4 * A,
                             ((A + 2) * u - (A + 3)) * u * u + 1, ((A + 2) * v - (A + 3)) * v * v + 1,
                             ((A * (v + 1) - 5 * A) * (v + 1) + 8 * A) * (v + 1) - 4 * A};
        double sum = 0;
        for (int j = 0; j < 4; ++j) {
          const int64_t i = static_cast<int64_t>(fl) - 1 + j;
          const bool inside = i >= 0 && i < n;
          sum += exclude_outside && !inside ? 0.0 : w[j];
        }
        for (int j = 0; j < 4; ++j) {
          const int64_t i = static_cast<int64_t>(fl) - 1 + j;
          const bool inside = i >= 0 && i < n;
          t.index[j] = clamp(i);
          t.weight[j] = static_cast<float>(exclude_outside ? (inside ? w[j] / sum : 0.0) : w[j]);
        }
      } else if (linear) {
        t = {{clamp(static_cast<int64_t>(fl)), clamp(static_cast<int64_t>(fl) + 1)},
             {static_cast<float>(1.0 - frac), static_cast<float>(frac)},
             false};
      } else {
        int64_t i;
        if (frac == 0.0)
          i = static_cast<int64_t>(fl);
        else if (nearest == "floor")
          i = static_cast<int64_t>(fl);
        else if (nearest == "ceil")
          i = static_cast<int64_t>(fl) + 1;
        else if (nearest == "round_prefer_ceil")
          i = static_cast<int64_t>(fl) + (frac >= 0.5);
        else
          i = static_cast<int64_t>(fl) + (frac > 0.5);
        t = {{clamp(i), clamp(i)}, {1.f, 0.f}, false};
      }
      t.outside = coord == "tf_crop_and_resize" && (src < 0 || src > static_cast<double>(n - 1));
      taps[next++] = t;
    }
  }
}

}  // namespace fusedinf::cpu
