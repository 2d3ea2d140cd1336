// LSTM, GRU, RNN reference kernels: the equations of engine/recurrent.h written out, one batch
// entry and one step at a time, with plain dot products (the oracle of recurrent_fast.cpp and
// the CUDA kernels). Workspace: the state and one step's gate inputs of one batch entry.
#include "engine/recurrent.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/recurrent_util.h"

namespace fusedinf::cpu {

namespace {

float dot(const float* a, const float* b, int64_t n) {
  float s = 0.f;
  for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

// Workspace floats: h, c, the new h, r.h (GRU) [H] each, and G*H gate inputs.
uint64_t reference_workspace(const Node& node, std::span<const Shape>, std::span<const Shape>) {
  RecurrentParams p;
  if (!parse_recurrent(node, &p).is_ok()) return 0;
  return static_cast<uint64_t>((4 + p.gates) * p.hidden) * sizeof(float);
}

Status run_recurrent(const KernelArgs& a) {
  RecurrentParams p;
  FI_RETURN_IF_ERROR(parse_recurrent(a.node, &p));
  const RecurrentIo io(p, a.inputs, a.outputs);
  FI_RETURN_IF_ERROR(io.check_lengths());
  const int64_t H = p.hidden, I = io.input, G = p.gates;
  float* ws = reinterpret_cast<float*>(a.workspace.data());
  float *h = ws, *c = ws + H, *h_new = ws + 2 * H, *rh = ws + 3 * H, *pre = ws + 4 * H;
  io.zero_outputs();
  for (int d = 0; d < p.num_directions; ++d) {
    const float* W = io.W + d * G * H * I;
    const float* R = io.R + d * G * H * H;
    const float* Wb = io.B ? io.B + d * 2 * G * H : nullptr;
    const float* Rb = io.B ? Wb + G * H : nullptr;
    const float* P = io.P ? io.P + d * 3 * H : nullptr;
    for (int64_t n = 0; n < io.batch; ++n) {
      for (int64_t j = 0; j < H; ++j) {
        h[j] = io.initial_h ? io.initial_h[io.state_index(d, n, j)] : 0.f;
        c[j] = io.initial_c ? io.initial_c[io.state_index(d, n, j)] : 0.f;
      }
      const int64_t len = io.length(n);
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = p.backwards(d) ? len - 1 - s : s;
        const float* xt = io.X + io.x_row(t, n) * I;
        // pre[g*H + j] = Xt W_g[j] + Wb_g[j] + Rb_g[j] (+ Ht-1 R_g[j] except GRU's h gate)
        for (int64_t g = 0; g < G; ++g)
          for (int64_t j = 0; j < H; ++j) {
            const int64_t row = g * H + j;
            float v = dot(xt, W + row * I, I);
            if (Wb) v += Wb[row];
            if (!(p.kind == RnnKind::kGru && g == 2)) {
              v += dot(h, R + row * H, H);
              if (Rb) v += Rb[row];
            }
            pre[row] = v;
          }
        const float clip = p.clip;
        if (p.kind == RnnKind::kRnn) {
          for (int64_t j = 0; j < H; ++j) h_new[j] = rnn_activate(p.act(d, 0), rnn_clip(pre[j], clip));
        } else if (p.kind == RnnKind::kGru) {
          const float* Rh = R + 2 * H * H;
          const float rbh_zero = 0.f;
          const float* rbh = Rb ? Rb + 2 * H : nullptr;
          for (int64_t j = 0; j < H; ++j) rh[j] = rnn_activate(p.act(d, 0), rnn_clip(pre[H + j], clip));  // r
          for (int64_t j = 0; j < H; ++j) {
            const float rb = rbh ? rbh[j] : rbh_zero;
            float v;
            if (p.linear_before_reset) {
              v = pre[2 * H + j] + rh[j] * (dot(h, Rh + j * H, H) + rb);
            } else {
              float acc = 0.f;  // (r . Ht-1) Rh[j]
              for (int64_t k = 0; k < H; ++k) acc += rh[k] * h[k] * Rh[j * H + k];
              v = pre[2 * H + j] + acc + rb;
            }
            const float z = rnn_activate(p.act(d, 0), rnn_clip(pre[j], clip));
            const float hh = rnn_activate(p.act(d, 1), rnn_clip(v, clip));
            h_new[j] = (1.f - z) * hh + z * h[j];
          }
        } else {  // LSTM, gates i, o, f, c; peepholes i, o, f
          for (int64_t j = 0; j < H; ++j) {
            const float pi = P ? P[j] : 0.f, po = P ? P[H + j] : 0.f, pf = P ? P[2 * H + j] : 0.f;
            const float i = rnn_activate(p.act(d, 0), rnn_clip(pre[j] + pi * c[j], clip));
            const float f =
                p.input_forget ? 1.f - i : rnn_activate(p.act(d, 0), rnn_clip(pre[2 * H + j] + pf * c[j], clip));
            const float g = rnn_activate(p.act(d, 1), rnn_clip(pre[3 * H + j], clip));
            c[j] = f * c[j] + i * g;
            const float o = rnn_activate(p.act(d, 0), rnn_clip(pre[H + j] + po * c[j], clip));
            h_new[j] = o * rnn_activate(p.act(d, 2), c[j]);
          }
        }
        std::memcpy(h, h_new, H * sizeof(float));
        if (io.Y)
          for (int64_t j = 0; j < H; ++j) io.Y[io.y_index(t, d, n, j)] = h[j];
      }
      for (int64_t j = 0; j < H; ++j) {  // 0 after no step, as onnxruntime
        if (io.Y_h) io.Y_h[io.state_index(d, n, j)] = len > 0 ? h[j] : 0.f;
        if (io.Y_c) io.Y_c[io.state_index(d, n, j)] = len > 0 ? c[j] : 0.f;
      }
    }
  }
  return Status::ok();
}

constexpr CpuKernel kKernels[] = {
    {"LSTM", run_recurrent, reference_workspace},
    {"GRU", run_recurrent, reference_workspace},
    {"RNN", run_recurrent, reference_workspace},
};

}  // namespace

std::span<const CpuKernel> recurrent_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
