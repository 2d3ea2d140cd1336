// Recurrent ops LSTM, GRU and RNN: the facts every layer shares (the IR attributes, their
// parsing, the activation functions), once, for shape inference, the CPU kernels and the CUDA
// kernels (the math compiles for the device too).
//
// IR form (importer/ops/recurrent.cpp writes every attribute; engine/ops/recurrent.cpp checks it):
//   inputs   X, W, R, B, sequence_lens, initial_h, and for LSTM initial_c, P (ONNX's order, -1 absent)
//   outputs  Y, Y_h, and for LSTM Y_c (the leading ones present)
//   attrs    direction ("forward", "reverse", "bidirectional"), hidden_size, layout (0, 1),
//            activations (a string: the per-direction functions joined by ',', forward's first,
//            canonical names, exactly kActsPerDir x num_directions of them), activation_alpha and
//            activation_beta (one value per activation, defaults written), clip (absent: none),
//            input_forget (LSTM), linear_before_reset (GRU).
// Shapes (layout 0; layout 1 swaps the first two dims of X, initial_*, Y, Y_h, Y_c):
//   X [T, N, I]  W [D, G*H, I]  R [D, G*H, H]  B [D, 2*G*H]  sequence_lens int32 [N]
//   initial_h/initial_c [D, N, H]  P [D, 3*H]  Y [T, D, N, H]  Y_h/Y_c [D, N, H]
// with G gates: LSTM 4 (i, o, f, c), GRU 3 (z, r, h), RNN 1. Per direction (1 is the reverse
// of a bidirectional layer), with f, g, h its activations, clip applied to every gate's input:
//   LSTM  i = f(Xt Wi' + Ht-1 Ri' + Pi.Ct-1 + Wbi + Rbi)   f = f(... Pf.Ct-1 ...) (1 - i with input_forget)
//         c = g(Xt Wc' + Ht-1 Rc' + Wbc + Rbc)   Ct = f.Ct-1 + i.c
//         o = f(Xt Wo' + Ht-1 Ro' + Po.Ct + Wbo + Rbo)   Ht = o.h(Ct)
//   GRU   z = f(Xt Wz' + Ht-1 Rz' + Wbz + Rbz)   r = f(... r ...)
//         h = g(Xt Wh' + (r.Ht-1) Rh' + Rbh + Wbh)       (linear_before_reset 0)
//         h = g(Xt Wh' + r.(Ht-1 Rh' + Rbh) + Wbh)       (linear_before_reset 1)
//         Ht = (1 - z).h + z.Ht-1
//   RNN   Ht = f(Xt Wi' + Ht-1 Ri' + Wbi + Rbi)
// Batch entry n runs sequence_lens[n] steps (T when absent): forward t = 0.., reverse from
// sequence_lens[n] - 1 down to 0; Y is 0 at later steps; Y_h, Y_c hold the state after the
// last step run (0 when sequence_lens[n] is 0, as onnxruntime).
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

#include "engine/attributes.h"
#include "engine/graph.h"
#include "engine/status.h"

#if defined(__CUDACC__)
#define FI_RNN_HD __host__ __device__
#else
#define FI_RNN_HD
#endif

namespace fusedinf {

enum class RnnKind : uint8_t { kLstm, kGru, kRnn };

enum class RnnAct : uint8_t {
  kRelu,
  kTanh,
  kSigmoid,
  kAffine,
  kLeakyRelu,
  kThresholdedRelu,
  kScaledTanh,
  kHardSigmoid,
  kElu,
  kSoftsign,
  kSoftplus,
};

struct RnnActFn {
  RnnAct kind = RnnAct::kTanh;
  float alpha = 0.f, beta = 0.f;
};

constexpr int kRnnMaxActs = 6;  // LSTM's 3 per direction, bidirectional

// Everything a kernel reads from a recurrent node, by value (passed to device kernels as is).
struct RecurrentParams {
  RnnKind kind = RnnKind::kLstm;
  int gates = 4;         // G
  int acts_per_dir = 3;  // f, g, h
  int num_directions = 1;
  bool reverse = false;  // direction "reverse" (bidirectional: direction 1 is the reverse one)
  int64_t hidden = 0;
  int layout = 0;
  float clip = INFINITY;
  bool input_forget = false;
  bool linear_before_reset = false;
  RnnActFn acts[kRnnMaxActs];

  // Whether direction d runs backwards in time.
  FI_RNN_HD bool backwards(int d) const { return reverse || d == 1; }
  // Activation k (0: f, 1: g, 2: h) of direction d.
  FI_RNN_HD const RnnActFn& act(int d, int k) const { return acts[d * acts_per_dir + k]; }
};

FI_RNN_HD inline float rnn_activate(const RnnActFn& f, float x) {
  switch (f.kind) {
    case RnnAct::kRelu:
      return x > 0.f ? x : 0.f;
    case RnnAct::kTanh:
      return tanhf(x);
    case RnnAct::kSigmoid:
      return 1.f / (1.f + expf(-x));
    case RnnAct::kAffine:
      return f.alpha * x + f.beta;
    case RnnAct::kLeakyRelu:
      return x >= 0.f ? x : f.alpha * x;
    case RnnAct::kThresholdedRelu:
      return x > f.alpha ? x : 0.f;
    case RnnAct::kScaledTanh:
      return f.alpha * tanhf(f.beta * x);
    case RnnAct::kHardSigmoid:
      return fminf(fmaxf(f.alpha * x + f.beta, 0.f), 1.f);
    case RnnAct::kElu:
      return x >= 0.f ? x : f.alpha * (expf(x) - 1.f);
    case RnnAct::kSoftsign:
      return x / (1.f + fabsf(x));
    case RnnAct::kSoftplus:
      return x > 20.f ? x : log1pf(expf(x));
  }
  return x;
}

// clip bounds a gate's input to [-clip, clip] (NaN stays NaN).
FI_RNN_HD inline float rnn_clip(float x, float clip) { return x > clip ? clip : (x < -clip ? -clip : x); }

// An activation's canonical name and whether it reads alpha / beta; false when unknown
// (names compare without case, as onnxruntime does).
struct RnnActInfo {
  RnnAct kind;
  std::string_view name;
  bool uses_alpha, uses_beta;
  float default_alpha, default_beta;  // onnxruntime's when the lists run out
};
bool rnn_act_info(std::string_view name, RnnActInfo* info);

// Gates and activations per direction of op "LSTM", "GRU", "RNN"; false for another op.
bool rnn_kind_of(std::string_view op, RnnKind* kind, int* gates, int* acts_per_dir);

// Parses a node in IR form (see above); an error names the bad attribute. Allocates nothing,
// so kernels call it on every run.
Status parse_recurrent(const Node& node, RecurrentParams* params);

}  // namespace fusedinf
