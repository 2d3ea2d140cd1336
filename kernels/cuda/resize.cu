// CUDA Resize, N-d, float32: the CPU reference's math (kernels/cpu/resize.cpp) per output
// element, in double. For output coordinate x of a dim with input size n and scale s, with
// M = s * n (the spec's fractional output length), the source coordinate is
//   half_pixel: (x + 0.5) / s - 0.5     pytorch_half_pixel: M != 1 ? (x + 0.5) / s - 0.5 : -0.5
//   align_corners: M != 1 ? x * (n - 1) / (M - 1) : 0                asymmetric: x / s
//   half_pixel_symmetric, tf_half_pixel_for_nn, tf_crop_and_resize: as kernels/cpu/resize.cpp
// nearest picks one index by nearest_mode; linear blends floor and floor + 1 by the fraction
// (both clamped to [0, n-1]); cubic floor - 1 .. floor + 2 with the CPU's Keys weights (and
// exclude_outside); dims multiplied together, corners summed in the CPU's order.
// Products and sums are rounded separately (no fused multiply-add) so results match the CPU.
#include <string>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/cuda_util.cuh"

namespace fusedinf::cuda {

namespace {

enum class Coord : int {
  kHalfPixel,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kHalfPixelSymmetric,
  kTfHalfPixelForNn,
  kTfCropAndResize
};
enum class Nearest : int { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };

struct ResizeParams {
  int rank = 0;
  bool linear = false;
  bool cubic = false, exclude_outside = false;
  double cubic_a = -0.75;
  Coord coord = Coord::kHalfPixel;
  Nearest nearest = Nearest::kRoundPreferFloor;
  int64_t in_size[kMaxRank] = {};
  int64_t out_size[kMaxRank] = {};
  int64_t in_stride[kMaxRank] = {};
  double scale[kMaxRank] = {};                              // the float attribute, widened
  double m_eff[kMaxRank] = {};                              // scale * in_size, computed on the host as the CPU does
  double roi_start[kMaxRank] = {}, roi_end[kMaxRank] = {};  // tf_crop_and_resize
  float extrapolation = 0.f;
};

struct ResizeState : NodeState {
  ResizeParams params;
};

__device__ inline double dadd(double a, double b) { return __dadd_rn(a, b); }
__device__ inline double dsub(double a, double b) { return __dsub_rn(a, b); }
__device__ inline double dmul(double a, double b) { return __dmul_rn(a, b); }

// Keys' cubic weight of a tap at distance t + 1 (outer taps) and t (inner taps), as the CPU
// writes them: ((A(t+1) - 5A)(t+1) + 8A)(t+1) - 4A and ((A+2)t - (A+3))t^2 + 1.
__device__ inline double cubic_outer(double A, double t) {
  const double t1 = dadd(t, 1.0);
  return dsub(dmul(dadd(dmul(dsub(dmul(A, t1), dmul(5.0, A)), t1), dmul(8.0, A)), t1), dmul(4.0, A));
}
__device__ inline double cubic_inner(double A, double t) {
  return dadd(dmul(dmul(dsub(dmul(dadd(A, 2.0), t), dadd(A, 3.0)), t), t), 1.0);
}

// The taps of output coordinate x along dim d (indices clamped to [0, n-1]; two, or four for
// cubic); returns whether the source is outside the input (tf_crop_and_resize: then
// extrapolation_value).
__device__ inline bool tap_of(const ResizeParams& p, int d, int64_t x, int64_t index[4], float weight[4]) {
  const int64_t n = p.in_size[d];
  const double s = p.scale[d], m_eff = p.m_eff[d];
  const double xd = static_cast<double>(x);
  double src;
  if (p.coord == Coord::kAlignCorners)
    src = m_eff != 1.0 ? __ddiv_rn(__dmul_rn(xd, static_cast<double>(n - 1)), __dsub_rn(m_eff, 1.0)) : 0.0;
  else if (p.coord == Coord::kAsymmetric)
    src = __ddiv_rn(xd, s);
  else if (p.coord == Coord::kPytorchHalfPixel)
    src = m_eff != 1.0 ? __dsub_rn(__ddiv_rn(__dadd_rn(xd, 0.5), s), 0.5) : -0.5;
  else if (p.coord == Coord::kHalfPixelSymmetric)
    src = __dadd_rn(__dmul_rn(__ddiv_rn(static_cast<double>(n), 2.0),
                              __dsub_rn(1.0, __ddiv_rn(static_cast<double>(p.out_size[d]), m_eff))),
                    __dsub_rn(__ddiv_rn(__dadd_rn(xd, 0.5), s), 0.5));
  else if (p.coord == Coord::kTfHalfPixelForNn)
    src = __ddiv_rn(__dadd_rn(xd, 0.5), s);
  else if (p.coord == Coord::kTfCropAndResize) {
    const double lo = p.roi_start[d], hi = p.roi_end[d], n1 = static_cast<double>(n - 1);
    src = m_eff != 1.0 ? __dadd_rn(__dmul_rn(lo, n1),
                                   __ddiv_rn(__dmul_rn(__dmul_rn(xd, __dsub_rn(hi, lo)), n1), __dsub_rn(m_eff, 1.0)))
                       : __dadd_rn(__ddiv_rn(__dmul_rn(__dsub_rn(hi, lo), n1), 2.0), __dmul_rn(lo, n1));
  } else
    src = __dsub_rn(__ddiv_rn(__dadd_rn(xd, 0.5), s), 0.5);
  const double fl = floor(src), frac = __dsub_rn(src, fl);
  const int64_t f = static_cast<int64_t>(fl);
  auto clamp = [n](int64_t i) { return i < 0 ? int64_t{0} : (i > n - 1 ? n - 1 : i); };
  const bool outside = p.coord == Coord::kTfCropAndResize && (src < 0.0 || src > static_cast<double>(n - 1));
  if (p.cubic) {
    const double v = dsub(1.0, frac);
    const double w[4] = {cubic_outer(p.cubic_a, frac), cubic_inner(p.cubic_a, frac), cubic_inner(p.cubic_a, v),
                         cubic_outer(p.cubic_a, v)};
    double sum = 0;
    for (int j = 0; j < 4; ++j) {
      const bool inside = f - 1 + j >= 0 && f - 1 + j < n;
      sum = dadd(sum, p.exclude_outside && !inside ? 0.0 : w[j]);
    }
    for (int j = 0; j < 4; ++j) {
      const bool inside = f - 1 + j >= 0 && f - 1 + j < n;
      index[j] = clamp(f - 1 + j);
      weight[j] = static_cast<float>(p.exclude_outside ? (inside ? __ddiv_rn(w[j], sum) : 0.0) : w[j]);
    }
    return outside;
  }
  if (p.linear) {
    index[0] = clamp(f);
    index[1] = clamp(f + 1);
    weight[0] = static_cast<float>(__dsub_rn(1.0, frac));
    weight[1] = static_cast<float>(frac);
    return outside;
  }
  int64_t i;
  if (frac == 0.0 || p.nearest == Nearest::kFloor)
    i = f;
  else if (p.nearest == Nearest::kCeil)
    i = f + 1;
  else if (p.nearest == Nearest::kRoundPreferCeil)
    i = f + (frac >= 0.5);
  else
    i = f + (frac > 0.5);
  index[0] = index[1] = clamp(i);
  weight[0] = 1.f;
  weight[1] = 0.f;
  return outside;
}

__global__ void resize_kernel(const float* x, float* y, int64_t n, ResizeParams p) {
  FI_CUDA_FOR(i, n) {
    int64_t index[kMaxRank][4];
    float weight[kMaxRank][4];
    int64_t rest = i;
    bool outside = false;
    for (int d = p.rank - 1; d >= 0; --d) {
      outside = tap_of(p, d, rest % p.out_size[d], index[d], weight[d]) || outside;
      rest /= p.out_size[d];
    }
    if (outside) {
      y[i] = p.extrapolation;
      continue;
    }
    double acc = 0;
    const int per = p.cubic ? 4 : 2;  // taps per dim; the tap of dim d is digit d of corner in base per
    int corners = 1;
    for (int d = 0; d < p.rank; ++d) corners *= per;
    for (int corner = 0; corner < corners; ++corner) {
      double w = 1;
      int64_t off = 0;
      int digits = corner;
      for (int d = 0; d < p.rank && w != 0; ++d, digits /= per) {
        const int bit = digits % per;
        w = __dmul_rn(w, static_cast<double>(weight[d][bit]));
        off += index[d][bit] * p.in_stride[d];
      }
      if (w != 0) acc = __dadd_rn(acc, __dmul_rn(w, static_cast<double>(x[off])));
    }
    y[i] = static_cast<float>(acc);
  }
}

Result<Prepared> prepare_resize(const PrepareArgs& a) {
  const Node& node = a.node;
  const Tensor& x = a.graph.tensors[node.inputs[0]];
  const Tensor& y = a.graph.tensors[node.outputs[0]];
  FI_RETURN_IF_ERROR(check_rank(x.shape, (node.op + " '" + node.name + "' (CUDA)").c_str()));
  if (x.dtype != DType::kFloat32 || y.dtype != DType::kFloat32)
    return refuse(node, "needs float32 input and output, got " + std::string(dtype_name(x.dtype)));
  const Attributes& at = node.attrs;
  const auto scales = at.get_floats("scales");
  const size_t rank = x.shape.size();
  if (scales.size() != rank || y.shape.size() != rank) return refuse(node, "scales need one entry per dimension");
  auto state = std::make_unique<ResizeState>();
  ResizeParams& p = state->params;
  p.rank = static_cast<int>(rank);
  const std::string mode = at.get_string("mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return refuse(node, "mode '" + mode + "' is not supported");
  p.linear = mode == "linear";
  p.cubic = mode == "cubic";
  p.cubic_a = at.get_float("cubic_coeff_a", -0.75f);
  p.exclude_outside = at.get_int("exclude_outside", 0) != 0;
  const std::string coord = at.get_string("coordinate_transformation_mode", "half_pixel");
  if (coord == "half_pixel")
    p.coord = Coord::kHalfPixel;
  else if (coord == "pytorch_half_pixel")
    p.coord = Coord::kPytorchHalfPixel;
  else if (coord == "align_corners")
    p.coord = Coord::kAlignCorners;
  else if (coord == "asymmetric")
    p.coord = Coord::kAsymmetric;
  else if (coord == "half_pixel_symmetric")
    p.coord = Coord::kHalfPixelSymmetric;
  else if (coord == "tf_half_pixel_for_nn")
    p.coord = Coord::kTfHalfPixelForNn;
  else if (coord == "tf_crop_and_resize")
    p.coord = Coord::kTfCropAndResize;
  else
    return refuse(node, "coordinate_transformation_mode '" + coord + "' is not supported");
  const std::string nearest = at.get_string("nearest_mode", "round_prefer_floor");
  if (nearest == "round_prefer_floor")
    p.nearest = Nearest::kRoundPreferFloor;
  else if (nearest == "round_prefer_ceil")
    p.nearest = Nearest::kRoundPreferCeil;
  else if (nearest == "floor")
    p.nearest = Nearest::kFloor;
  else if (nearest == "ceil")
    p.nearest = Nearest::kCeil;
  else
    return refuse(node, "nearest_mode '" + nearest + "' is not supported");
  const auto roi = at.get_floats("roi");
  if (p.coord == Coord::kTfCropAndResize && roi.size() != 2 * rank) return refuse(node, "roi needs 2 * rank values");
  p.extrapolation = at.get_float("extrapolation_value", 0.f);
  const auto in_strides = contiguous_strides(x.shape);
  for (size_t d = 0; d < rank; ++d) {
    if (x.shape[d] == 0) return refuse(node, "cannot resize an empty input " + shape_to_string(x.shape));
    p.in_size[d] = x.shape[d];
    p.out_size[d] = y.shape[d];
    p.in_stride[d] = in_strides[d];
    p.scale[d] = scales[d];
    p.m_eff[d] = p.scale[d] * static_cast<double>(x.shape[d]);
    if (p.coord == Coord::kTfCropAndResize) {
      p.roi_start[d] = roi[d];
      p.roi_end[d] = roi[rank + d];
    }
  }
  return Prepared{std::move(state), 0};
}

Status run_resize(const KernelArgs& a) {
  const auto& s = *static_cast<const ResizeState*>(a.state);
  const int64_t n = a.outputs[0].numel();
  if (n == 0) return Status::ok();
  resize_kernel<<<grid_for(n), kThreads, 0, a.handles.stream>>>(a.inputs[0].as<float>(), a.outputs[0].as<float>(), n,
                                                                s.params);
  return check_launch("Resize");
}

constexpr CudaKernel kKernels[] = {
    {"Resize", run_resize, prepare_resize},
};

}  // namespace

std::span<const CudaKernel> resize_kernels() { return kKernels; }

}  // namespace fusedinf::cuda
