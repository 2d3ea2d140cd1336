// Reference normalizations.
//   BatchNormalization:    y = (x - mean[c]) / sqrt(var[c] + eps) * scale[c] + B[c]
//   InstanceNormalization: per (n, c), over the spatial dims: y = (x - mu) / sqrt(var + eps) * scale[c] + B[c]
//   LayerNormalization:    over dims >= axis: y = (x - mu) / sqrt(var + eps) * Scale + B (broadcast)
//   GroupNormalization:    per (n, group of C / G channels), over those channels' values:
//                          y = (x - mu) / sqrt(var + eps) * scale[c] + B[c]
//   LRN:                   y = x / (bias + alpha / size * sum_{c' near c} x[c']^2) ^ beta
#include <cmath>
#include <span>

#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

namespace {

Status run_batchnorm(const KernelArgs& a) {
  const Shape& xs = a.inputs[0].shape;
  const float eps = a.node.attrs.float_or("epsilon", 1e-5f);
  const float *x = a.inputs[0].as<float>(), *scale = a.inputs[1].as<float>(), *b = a.inputs[2].as<float>(),
              *mean = a.inputs[3].as<float>(), *var = a.inputs[4].as<float>();
  float* y = a.outputs[0].as<float>();
  const int64_t c_count = xs[1], inner = num_elements(xs) / std::max<int64_t>(1, xs[0] * xs[1]);
  for (int64_t n = 0; n < xs[0]; ++n)
    for (int64_t c = 0; c < c_count; ++c) {
      const float s = scale[c] / std::sqrt(var[c] + eps);
      const int64_t base = (n * c_count + c) * inner;
      for (int64_t i = 0; i < inner; ++i) y[base + i] = (x[base + i] - mean[c]) * s + b[c];
    }
  return Status::ok();
}

// Normalises `groups` rows of `len` values each; row r uses scale/bias from `param(r, i)`.
// Optionally stores each row's mean and 1/sqrt(var + eps).
template <class Param>
void normalize_rows(const float* x, float* y, int64_t groups, int64_t len, float eps, Param param,
                    float* row_mean = nullptr, float* row_inv_std = nullptr) {
  for (int64_t g = 0; g < groups; ++g) {
    const float* xr = x + g * len;
    double mean = 0, var = 0;
    for (int64_t i = 0; i < len; ++i) mean += xr[i];
    mean /= static_cast<double>(len);
    for (int64_t i = 0; i < len; ++i) var += (xr[i] - mean) * (xr[i] - mean);
    var /= static_cast<double>(len);
    const double inv = 1.0 / std::sqrt(var + eps);
    if (row_mean) row_mean[g] = static_cast<float>(mean);
    if (row_inv_std) row_inv_std[g] = static_cast<float>(inv);
    for (int64_t i = 0; i < len; ++i) {
      const auto [s, b] = param(g, i);
      y[g * len + i] = static_cast<float>((xr[i] - mean) * inv * s + b);
    }
  }
}

Status run_instancenorm(const KernelArgs& a) {
  const Shape& xs = a.inputs[0].shape;
  const int64_t c = xs[1], len = num_elements(xs) / std::max<int64_t>(1, xs[0] * c);
  const float *scale = a.inputs[1].as<float>(), *b = a.inputs[2].as<float>();
  normalize_rows(a.inputs[0].as<float>(), a.outputs[0].as<float>(), xs[0] * c, len,
                 a.node.attrs.float_or("epsilon", 1e-5f), [&](int64_t g, int64_t) {
                   return std::pair<float, float>{scale[g % c], b[g % c]};
                 });
  return Status::ok();
}

Status run_layernorm(const KernelArgs& a) {
  const Shape& xs = a.inputs[0].shape;
  const int64_t axis = a.node.attrs.int_or("axis", -1);
  const std::span<const int64_t> normalized = std::span<const int64_t>(xs).subspan(axis);
  const int64_t len = product(normalized), groups = len ? num_elements(xs) / len : 0;
  BroadcastIndex si(a.inputs[1].shape, normalized);
  const bool has_b = a.inputs.size() > 2 && a.inputs[2].present();
  BroadcastIndex bi(has_b ? std::span<const int64_t>(a.inputs[2].shape) : std::span<const int64_t>(), normalized);
  const float* scale = a.inputs[1].as<float>();
  const float* b = has_b ? a.inputs[2].as<float>() : nullptr;
  normalize_rows(
      a.inputs[0].as<float>(), a.outputs[0].as<float>(), groups, len, a.node.attrs.float_or("epsilon", 1e-5f),
      [&](int64_t, int64_t i) {
        return std::pair<float, float>{scale[si(i)], b ? b[bi(i)] : 0.f};
      },
      a.outputs.size() > 1 ? a.outputs[1].as<float>() : nullptr,
      a.outputs.size() > 2 ? a.outputs[2].as<float>() : nullptr);
  return Status::ok();
}

Status run_groupnorm(const KernelArgs& a) {
  const Shape& xs = a.inputs[0].shape;
  const int64_t c = xs[1], groups = a.node.attrs.int_or("num_groups", 1);
  const int64_t spatial = num_elements(xs) / std::max<int64_t>(1, xs[0] * c), len = c / groups * spatial;
  const float *scale = a.inputs[1].as<float>(), *b = a.inputs[2].as<float>();
  normalize_rows(a.inputs[0].as<float>(), a.outputs[0].as<float>(), xs[0] * groups, len,
                 a.node.attrs.float_or("epsilon", 1e-5f), [&](int64_t g, int64_t i) {
                   const int64_t channel = g % groups * (c / groups) + i / spatial;
                   return std::pair<float, float>{scale[channel], b[channel]};
                 });
  return Status::ok();
}

Status run_lrn(const KernelArgs& a) {
  const Shape& xs = a.inputs[0].shape;
  const Attributes& at = a.node.attrs;
  const float alpha = at.float_or("alpha", 1e-4f), beta = at.float_or("beta", 0.75f), bias = at.float_or("bias", 1.f);
  const int64_t size = at.int_or("size", 1), c_count = xs[1];
  const int64_t inner = num_elements(xs) / std::max<int64_t>(1, xs[0] * c_count);
  const int64_t before = (size - 1) / 2, after = size - 1 - before;  // floor and ceil of (size-1)/2
  const float* x = a.inputs[0].as<float>();
  float* y = a.outputs[0].as<float>();
  for (int64_t n = 0; n < xs[0]; ++n)
    for (int64_t c = 0; c < c_count; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        float sum = 0.f;
        for (int64_t cc = std::max<int64_t>(0, c - before); cc <= std::min(c_count - 1, c + after); ++cc) {
          const float v = x[(n * c_count + cc) * inner + i];
          sum += v * v;
        }
        const int64_t at_i = (n * c_count + c) * inner + i;
        y[at_i] = x[at_i] / std::pow(bias + alpha / static_cast<float>(size) * sum, beta);
      }
  return Status::ok();
}

constexpr CpuKernel kKernels[] = {
    {"BatchNormalization", run_batchnorm}, {"InstanceNormalization", run_instancenorm},
    {"LayerNormalization", run_layernorm}, {"LRN", run_lrn},
    {"GroupNormalization", run_groupnorm},
};

}  // namespace

std::span<const CpuKernel> normalization_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
