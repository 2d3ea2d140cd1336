// Fast Conv and FusedConv for the CPU backend (the reference kernels in conv.cpp and fused.cpp
// stay the oracle, and the backend harness tests these against them): per image, group and
// tile of output positions, im2col into the planned workspace and one OpenBLAS sgemm,
//   Y[oc, o] = sum_{ic, t} W[oc, ic * K + t] * col[ic * K + t, o]      (K: kernel taps)
//   col[ic * K + t, o] = X[ic, o * s - p_begin + t * d]  (0 in the padding)
// then y = activation(y + bias (+ addend)) in one pass. A 1x1 convolution with unit strides and
// no padding multiplies X itself. The tile keeps the column buffer near kColumnBytes. A 2-d
// depthwise convolution (one input and one output channel per group) skips im2col: each tap
// adds w * (a shifted row of X) to a row of Y, contiguous where the stride is 1.
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <span>

#include "engine/epilogue.h"
#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/conv_geometry.h"
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/epilogue_rows.h"
#include "kernels/cpu/index_util.h"

namespace fusedinf::cpu {

namespace {

constexpr uint64_t kColumnBytes = 1 << 20;

// The convolution as a matrix product: rows = cin_g * taps of W and of the column matrix.
struct GemmConvShape : ConvGeometry {
  int64_t taps, rows;
  bool pointwise;  // 1x1, unit strides, no padding: X is already the column matrix
  GemmConvShape(const Node& node, std::span<const int64_t> x, std::span<const int64_t> y)
      : ConvGeometry(node, x, y), taps(k_size), rows(cin_g * k_size) {
    pointwise = taps == 1 && std::all_of(s.begin(), s.end(), [](int64_t v) { return v == 1; }) &&
                std::all_of(p.begin(), p.end(), [](int64_t v) { return v == 0; });
  }
  // Output positions per column buffer: about kColumnBytes of it, at least 16, at most all.
  int64_t tile() const {
    const int64_t target = std::max<int64_t>(16, static_cast<int64_t>(kColumnBytes) / std::max<int64_t>(rows * 4, 1));
    return std::max<int64_t>(1, std::min(target, out_size));
  }
};

// Rows of `col` ([rows, count], row-major) for output positions [first, first + count).
// `o_idx`, `k_idx`: scratch of the spatial rank.
void im2col(const GemmConvShape& g, const float* x, int64_t first, int64_t count, float* col, std::span<int64_t> o_idx,
            std::span<int64_t> k_idx) {
  const size_t spatial = g.k.size();
  std::fill(k_idx.begin(), k_idx.end(), 0);
  for (int64_t t = 0; t < g.taps; ++t) {
    // Unravel `first` into the output multi-index, then walk `count` positions.
    int64_t rest = first;
    for (size_t i = spatial; i-- > 0;) {
      o_idx[i] = rest % g.out_sp[i];
      rest /= g.out_sp[i];
    }
    float* row = col + t * count;  // channel 0's row of this tap; channel ic adds ic * taps * count
    for (int64_t j = 0; j < count; ++j) {
      int64_t offset = 0;
      bool inside = true;
      for (size_t i = 0; i < spatial; ++i) {
        const int64_t c = o_idx[i] * g.s[i] - g.p[i] + k_idx[i] * g.d[i];
        inside = inside && c >= 0 && c < g.in_sp[i];
        offset = offset * g.in_sp[i] + c;
      }
      for (int64_t ic = 0; ic < g.cin_g; ++ic) row[ic * g.taps * count + j] = inside ? x[ic * g.in_size + offset] : 0.f;
      next_index(o_idx, g.out_sp);
    }
    next_index(k_idx, g.k);
  }
}

// C[m, j] = sum_r A[m, r] * B[r, j] for m < M, j < N (row-major, leading dims lda, ldb, ldc).
// A product with few rows and few output channels (a grouped conv's small groups) goes through
// axpy loops the compiler vectorises: sgemm's per-call cost dominates there. Otherwise
// OpenBLAS (with few rows but many channels, e.g. a pointwise conv of 16 input channels, the
// loops would stream C once per row: 5x slower than sgemm on mobilenet_v2's expansions).
constexpr int64_t kDirectRows = 32, kDirectChannels = 4;
void multiply(int64_t m_count, int64_t n_count, int64_t rows, const float* a, int64_t lda, const float* b, int64_t ldb,
              float* c, int64_t ldc) {
  if (rows > kDirectRows || m_count > kDirectChannels) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m_count, n_count, rows, 1.f, a, lda, b, ldb, 0.f, c, ldc);
    return;
  }
  for (int64_t m = 0; m < m_count; ++m) {
    float* cm = c + m * ldc;
    std::fill(cm, cm + n_count, 0.f);
    for (int64_t r = 0; r < rows; ++r) {
      const float am = a[m * lda + r];
      const float* br = b + r * ldb;
      for (int64_t j = 0; j < n_count; ++j) cm[j] += am * br[j];
    }
  }
}

// im2col for 2-d convolutions (the common case), row by row of the output with plain strides.
void im2col_2d(const GemmConvShape& g, const float* x, int64_t first, int64_t count, float* col) {
  const int64_t in_h = g.in_sp[0], in_w = g.in_sp[1], out_w = g.out_sp[1];
  const int64_t kh_n = g.k[0], kw_n = g.k[1];
  for (int64_t ic = 0; ic < g.cin_g; ++ic) {
    const float* xc = x + ic * g.in_size;
    for (int64_t kh = 0; kh < kh_n; ++kh)
      for (int64_t kw = 0; kw < kw_n; ++kw) {
        float* row = col + ((ic * kh_n + kh) * kw_n + kw) * count;
        int64_t j = 0;
        while (j < count) {
          const int64_t o = first + j, oh = o / out_w, ow0 = o % out_w;
          const int64_t run = std::min(count - j, out_w - ow0);  // positions left in this output row
          const int64_t ih = oh * g.s[0] - g.p[0] + kh * g.d[0];
          if (ih < 0 || ih >= in_h) {
            std::fill(row + j, row + j + run, 0.f);
          } else {
            const float* xrow = xc + ih * in_w;
            int64_t iw = ow0 * g.s[1] - g.p[1] + kw * g.d[1];
            for (int64_t r = 0; r < run; ++r, iw += g.s[1]) row[j + r] = iw >= 0 && iw < in_w ? xrow[iw] : 0.f;
          }
          j += run;
        }
      }
  }
}

// Depthwise 2-d: y[c] = sum_{kh, kw} w[c, kh, kw] * x[c] shifted by the tap (0 outside X),
// for one image's channels; the positions of each output row whose input is inside X are a
// contiguous range of ow, found once per row and tap.
bool is_depthwise_2d(const GemmConvShape& g) { return g.k.size() == 2 && g.cin_g == 1 && g.cout_g == 1; }
void depthwise_2d(const GemmConvShape& g, const float* x, const float* w, float* y) {
  const int64_t in_h = g.in_sp[0], in_w = g.in_sp[1], out_h = g.out_sp[0], out_w = g.out_sp[1];
  const int64_t sh = g.s[0], sw = g.s[1], ph = g.p[0], pw = g.p[1], dh = g.d[0], dw = g.d[1];
  for (int64_t c = 0; c < g.cout; ++c) {
    const float* xc = x + c * g.in_size;
    const float* wc = w + c * g.taps;
    float* yc = y + c * g.out_size;
    std::fill(yc, yc + g.out_size, 0.f);
    for (int64_t kh = 0; kh < g.k[0]; ++kh)
      for (int64_t kw = 0; kw < g.k[1]; ++kw) {
        const float wv = wc[kh * g.k[1] + kw];
        const int64_t shift = kw * dw - pw;  // iw = ow * sw + shift
        // ow with 0 <= ow * sw + shift < in_w
        const int64_t ow_lo = shift >= 0 ? 0 : (-shift + sw - 1) / sw;
        const int64_t ow_hi = in_w - shift <= 0 ? 0 : std::min(out_w, (in_w - shift + sw - 1) / sw);
        for (int64_t oh = 0; oh < out_h; ++oh) {
          const int64_t ih = oh * sh - ph + kh * dh;
          if (ih < 0 || ih >= in_h) continue;
          const float* xrow = xc + ih * in_w + shift;
          float* yrow = yc + oh * out_w;
          if (sw == 1) {
            for (int64_t ow = ow_lo; ow < ow_hi; ++ow) yrow[ow] += wv * xrow[ow];
          } else {
            for (int64_t ow = ow_lo; ow < ow_hi; ++ow) yrow[ow] += wv * xrow[ow * sw];
          }
        }
      }
  }
}

// y = activation(y + bias[oc] + addend) over one image's outputs, `addend` broadcast to y: per
// channel row, one pass per term in the reference's order (the same roundings), then the
// activation.
void finish(const KernelArgs& a, const GemmConvShape& g, int64_t n, const float* bias, const ConstTensorView* addend,
            const EpilogueParams* epilogue) {
  const TensorView& y = a.outputs[0];
  const int64_t cout = g.cout, size = g.out_size;
  float* out = y.as<float>() + n * cout * size;
  std::optional<BroadcastIndex> addend_index;
  const bool addend_full = addend && addend->shape == y.shape;
  if (addend && !addend_full) addend_index.emplace(addend->shape, y.shape);
  for (int64_t oc = 0; oc < cout; ++oc) {
    float* row = out + oc * size;
    if (bias) {
      const float b = bias[oc];
      for (int64_t o = 0; o < size; ++o) row[o] += b;
    }
    if (addend_full) {
      const float* add = addend->as<float>() + (n * cout + oc) * size;
      for (int64_t o = 0; o < size; ++o) row[o] += add[o];
    } else if (addend) {
      for (int64_t o = 0; o < size; ++o) row[o] += addend->as<float>()[(*addend_index)((n * cout + oc) * size + o)];
    }
    if (epilogue) activate_row(*epilogue, row, size);
  }
}

// Conv: inputs X, W, B?; FusedConv: the same plus the addend (possibly absent) last.
Status run_conv_gemm(const KernelArgs& a) {
  const bool fused = a.node.op == "FusedConv";
  const size_t base_inputs = fused ? a.inputs.size() - 1 : a.inputs.size();
  const GemmConvShape g(a.node, a.inputs[0].shape, a.outputs[0].shape);
  const float *x = a.inputs[0].as<float>(), *w = a.inputs[1].as<float>();
  const float* bias = base_inputs > 2 && a.inputs[2].present() ? a.inputs[2].as<float>() : nullptr;
  const ConstTensorView* addend = fused && a.inputs.back().present() ? &a.inputs.back() : nullptr;
  const EpilogueParams epilogue = fused ? epilogue_from_attrs(a.node.attrs) : EpilogueParams{};
  float* y = a.outputs[0].as<float>();
  const int64_t batch = g.batch, cin = g.cin, cout = g.cout;
  const int64_t tile = g.tile();

  Scratch scratch(a.workspace);
  const std::span<float> col = scratch.take<float>(g.pointwise || is_depthwise_2d(g) ? 0 : g.rows * tile);
  const std::span<int64_t> o_idx = scratch.take<int64_t>(g.k.size()), k_idx = scratch.take<int64_t>(g.k.size());
  FI_RETURN_IF_ERROR(scratch.status());

  for (int64_t n = 0; n < batch; ++n) {
    if (is_depthwise_2d(g)) {
      depthwise_2d(g, x + n * cin * g.in_size, w, y + n * cout * g.out_size);
      finish(a, g, n, bias, addend, fused ? &epilogue : nullptr);
      continue;
    }
    for (int64_t grp = 0; grp < g.group; ++grp) {
      const float* xg = x + (n * cin + grp * g.cin_g) * g.in_size;
      const float* wg = w + grp * g.cout_g * g.rows;
      float* yg = y + (n * cout + grp * g.cout_g) * g.out_size;
      if (g.rows == 0) {  // no input channels: the sum is empty
        std::fill(yg, yg + g.cout_g * g.out_size, 0.f);
        continue;
      }
      if (g.pointwise) {
        multiply(g.cout_g, g.out_size, g.rows, wg, g.rows, xg, g.in_size, yg, g.out_size);
        continue;
      }
      for (int64_t first = 0; first < g.out_size; first += tile) {
        const int64_t count = std::min(tile, g.out_size - first);
        if (g.k.size() == 2)
          im2col_2d(g, xg, first, count, col.data());
        else
          im2col(g, xg, first, count, col.data(), o_idx, k_idx);
        multiply(g.cout_g, count, g.rows, wg, g.rows, col.data(), count, yg + first, g.out_size);
      }
    }
    finish(a, g, n, bias, addend, fused ? &epilogue : nullptr);
  }
  return Status::ok();
}

uint64_t conv_gemm_workspace(const Node& node, std::span<const Shape> inputs, std::span<const Shape> outputs) {
  const GemmConvShape g(node, inputs[0], outputs[0]);
  const bool no_columns = g.pointwise || is_depthwise_2d(g);
  return Scratch::bytes<float>(no_columns ? 0 : g.rows * g.tile()) + 2 * Scratch::bytes<int64_t>(g.k.size());
}

constexpr CpuKernel kFastKernels[] = {
    {"Conv", run_conv_gemm, conv_gemm_workspace},
    {"FusedConv", run_conv_gemm, conv_gemm_workspace},
};

}  // namespace

std::span<const CpuKernel> fast_conv_kernels() { return kFastKernels; }

}  // namespace fusedinf::cpu
