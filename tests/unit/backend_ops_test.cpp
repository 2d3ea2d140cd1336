// Every op family on every backend against the CPU reference kernels (the ggml
// test-backend-ops idea): one-node graphs on seeded random inputs, odd sizes and broadcasts,
// run through a Session on a backend whose allocations are poisoned (0xFF bytes, NaN as
// float), so that an output element a kernel forgets to write shows up. Each case runs twice
// with different inputs (the second run may be replayed from a recording, a CUDA graph), and
// both runs are compared with cpu::run_cpu_node on host buffers.
//
// The "cpu" instantiation checks the executor (arena plan, in-place and aliased tensors,
// poisoned arena, input and output copies) against the kernel run alone; "cuda" checks every
// CUDA kernel, and skips where CUDA is not built or no device is usable.
//
// Attributes are written in the normalised IR form the importer emits (importer/ops/) and the
// shape inference validates (engine/ops/): a case infer_node rejects is a wrong case.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/graph.h"
#include "engine/host_tensor.h"
#include "engine/op_def.h"
#include "kernels/cpu/cpu_kernels.h"
#include "runtime/backend.h"
#include "runtime/session.h"
#include "tests/unit/test_util.h"

#if FUSEDINF_HAVE_CUDA
#include "runtime/cuda/cuda_backend.h"
#endif

namespace fusedinf {
namespace {

using Ints = std::vector<int64_t>;
using Floats = std::vector<float>;

// How an input's values are drawn.
enum class Fill {
  kNormal,       // Normal(0, 1)
  kPositive,     // |Normal(0, 1)| + 0.5: Pow bases, variances
  kNonZero,      // sign * (|Normal(0, 1)| + 0.5): divisors
  kWide,         // Normal(0, 10): casts to integers
  kInts,         // uniform integers in [lo, hi): indices, int64 operands
  kNonZeroInts,  // the same without 0: integer divisors
  kBool,         // 0 or 1
  kValues,       // exactly `values`
  kAbsent,       // an absent optional input (-1)
};

struct InputSpec {
  DType dtype = DType::kFloat32;
  Shape shape;
  bool constant = false;  // a graph constant (weights), else a graph input fed at run time
  Fill fill = Fill::kNormal;
  int64_t lo = 0, hi = 0;      // kInts, kNonZeroInts
  std::vector<double> values;  // kValues
};

InputSpec spec(DType dtype, Shape shape, bool constant, Fill fill, int64_t lo = 0, int64_t hi = 0) {
  InputSpec s;
  s.dtype = dtype;
  s.shape = std::move(shape);
  s.constant = constant;
  s.fill = fill;
  s.lo = lo;
  s.hi = hi;
  return s;
}
InputSpec x(Shape shape) { return spec(DType::kFloat32, std::move(shape), false, Fill::kNormal); }
InputSpec w(Shape shape) { return spec(DType::kFloat32, std::move(shape), true, Fill::kNormal); }
InputSpec positive(Shape shape, bool constant = false) {
  return spec(DType::kFloat32, std::move(shape), constant, Fill::kPositive);
}
InputSpec nonzero(Shape shape) { return spec(DType::kFloat32, std::move(shape), false, Fill::kNonZero); }
InputSpec wide(Shape shape) { return spec(DType::kFloat32, std::move(shape), false, Fill::kWide); }
InputSpec ints(DType dtype, Shape shape, int64_t lo, int64_t hi, bool constant = false) {
  return spec(dtype, std::move(shape), constant, Fill::kInts, lo, hi);
}
InputSpec nonzero_ints(DType dtype, Shape shape, int64_t lo, int64_t hi) {
  return spec(dtype, std::move(shape), false, Fill::kNonZeroInts, lo, hi);
}
InputSpec boolean(Shape shape) { return spec(DType::kBool, std::move(shape), false, Fill::kBool); }
InputSpec scalar(DType dtype, double value) {
  InputSpec s = spec(dtype, {}, true, Fill::kValues);
  s.values = {value};
  return s;
}
InputSpec absent() { return spec(DType::kFloat32, {}, false, Fill::kAbsent); }

struct OpCase {
  std::string name;  // the test name's suffix: letters, digits, underscores
  std::string op;    // IR op
  std::vector<InputSpec> inputs;
  Attributes attrs;
  int outputs = 1;
  // float32 outputs: |got - want| <= atol + rtol * |want| per element.
  float rtol = 1e-4f;
  float atol = 1e-5f;
};

// gtest prints the case by name, not as bytes.
void PrintTo(const OpCase& c, std::ostream* os) { *os << c.name << " (" << c.op << ")"; }

Attributes attrs(std::initializer_list<std::pair<std::string, AttrValue>> values) {
  Attributes a;
  for (const auto& [name, value] : values) a.set(name, value);
  return a;
}

Attributes with(Attributes a, std::initializer_list<std::pair<std::string, AttrValue>> values) {
  for (const auto& [name, value] : values) a.set(name, value);
  return a;
}

// Conv and ConvTranspose always carry kernel_shape, strides, dilations, pads (begins, then
// ends) and group; ConvTranspose also output_padding (importer/ops/conv.cpp).
Attributes conv_attrs(Ints k, Ints s, Ints d, Ints p, int64_t group = 1) {
  return attrs({{"kernel_shape", k}, {"strides", s}, {"dilations", d}, {"pads", p}, {"group", group}});
}

// MaxPool and AveragePool (importer/ops/pool.cpp): the spatial attributes, ceil_mode, and
// count_include_pad for AveragePool only.
Attributes pool_attrs(Ints k, Ints s, Ints p, int64_t ceil_mode = 0) {
  return attrs(
      {{"kernel_shape", k}, {"strides", s}, {"dilations", Ints(k.size(), 1)}, {"pads", p}, {"ceil_mode", ceil_mode}});
}

// Transcendental ops (exp, erf, pow): libm and device intrinsics differ in the last bits.
constexpr float kTransRtol = 1e-4f, kTransAtol = 1e-5f;
// Long dot products (Conv, Gemm): device algorithms sum in other orders.
constexpr float kDotAtol = 1e-4f;

// ---- LSTM, GRU, RNN (engine/recurrent.h's IR form): directions, layouts, optional inputs,
// sequence_lens shorter than the sequence (and 0), activation lists, clip; a larger LSTM for the
// CPU's sgemm path. Gates and sums over short rows: transcendental and dot tolerances.
void append_recurrent_cases(std::vector<OpCase>& c) {
  auto lens = [](std::vector<double> values) {
    InputSpec s = spec(DType::kInt32, {static_cast<int64_t>(values.size())}, false, Fill::kValues);
    s.values = std::move(values);
    return s;
  };
  auto rnn = [](const char* direction, int64_t hidden, int64_t layout, const char* acts, Floats alpha, Floats beta) {
    return attrs({{"direction", direction},
                  {"hidden_size", hidden},
                  {"layout", layout},
                  {"activations", acts},
                  {"activation_alpha", alpha},
                  {"activation_beta", beta}});
  };
  c.push_back(
      {"lstm_forward_all_inputs",
       "LSTM",
       {x({5, 3, 4}), w({1, 24, 4}), w({1, 24, 6}), w({1, 48}), lens({5, 2, 4}), x({1, 3, 6}), x({1, 3, 6}),
        w({1, 18})},
       with(rnn("forward", 6, 0, "Sigmoid,Tanh,Tanh", Floats(3, 0.f), Floats(3, 0.f)), {{"input_forget", int64_t{0}}}),
       3,
       kTransRtol,
       kDotAtol});
  c.push_back(
      {"lstm_bidirectional_layout1_clip_input_forget",
       "LSTM",
       {x({3, 6, 5}), w({2, 28, 5}), w({2, 28, 7}), w({2, 56}), lens({6, 0, 3}), x({3, 2, 7}), absent(), w({2, 21})},
       with(rnn("bidirectional", 7, 1, "Sigmoid,Tanh,Tanh,Sigmoid,Tanh,Tanh", Floats(6, 0.f), Floats(6, 0.f)),
            {{"clip", 0.8f}, {"input_forget", int64_t{1}}}),
       3,
       kTransRtol,
       kDotAtol});
  c.push_back({"lstm_reverse_activations_no_bias",
               "LSTM",
               {x({4, 2, 3}), w({1, 20, 3}), w({1, 20, 5})},
               with(rnn("reverse", 5, 0, "HardSigmoid,Elu,Softsign", {0.3f, 0.7f, 0.f}, {0.4f, 0.f, 0.f}),
                    {{"input_forget", int64_t{0}}}),
               3,
               kTransRtol,
               kDotAtol});
  c.push_back({"lstm_bidirectional_h64_seq20",
               "LSTM",
               {x({20, 2, 40}), w({2, 256, 40}), w({2, 256, 64}), w({2, 512})},
               with(rnn("bidirectional", 64, 0, "Sigmoid,Tanh,Tanh,Sigmoid,Tanh,Tanh", Floats(6, 0.f), Floats(6, 0.f)),
                    {{"input_forget", int64_t{0}}}),
               3,
               kTransRtol,
               1e-3f});
  c.push_back({"gru_forward_lens",
               "GRU",
               {x({5, 3, 4}), w({1, 18, 4}), w({1, 18, 6}), w({1, 36}), lens({3, 5, 1}), x({1, 3, 6})},
               with(rnn("forward", 6, 0, "Sigmoid,Tanh", Floats(2, 0.f), Floats(2, 0.f)),
                    {{"linear_before_reset", int64_t{0}}}),
               2,
               kTransRtol,
               kDotAtol});
  c.push_back({"gru_bidirectional_layout1_linear_before_reset_clip",
               "GRU",
               {x({2, 6, 3}), w({2, 15, 3}), w({2, 15, 5}), w({2, 30}), lens({4, 6}), x({2, 2, 5})},
               with(rnn("bidirectional", 5, 1, "Sigmoid,Tanh,HardSigmoid,ScaledTanh", {0.f, 0.f, 0.25f, 0.9f},
                        {0.f, 0.f, 0.45f, 1.2f}),
                    {{"linear_before_reset", int64_t{1}}, {"clip", 1.5f}}),
               2,
               kTransRtol,
               kDotAtol});
  c.push_back({"gru_reverse_no_bias_softsign",
               "GRU",
               {x({4, 2, 3}), w({1, 12, 3}), w({1, 12, 4})},
               with(rnn("reverse", 4, 0, "Softsign,Softplus", Floats(2, 0.f), Floats(2, 0.f)),
                    {{"linear_before_reset", int64_t{0}}}),
               2,
               kTransRtol,
               kDotAtol});
  // Batch 1: the CPU's matrix-vector path for H R' and (r . H) Rh'.
  c.push_back({"gru_batch1_bidirectional_lens",
               "GRU",
               {x({6, 1, 7}), w({2, 24, 7}), w({2, 24, 8}), w({2, 48}), lens({4}), x({2, 1, 8})},
               with(rnn("bidirectional", 8, 0, "Sigmoid,Tanh,Sigmoid,Tanh", Floats(4, 0.f), Floats(4, 0.f)),
                    {{"linear_before_reset", int64_t{0}}}),
               2,
               kTransRtol,
               kDotAtol});
  c.push_back(
      {"lstm_batch1_layout1_peepholes",
       "LSTM",
       {x({1, 7, 6}), w({1, 36, 6}), w({1, 36, 9}), w({1, 72}), absent(), x({1, 1, 9}), x({1, 1, 9}), w({1, 27})},
       with(rnn("forward", 9, 1, "Sigmoid,Tanh,Tanh", Floats(3, 0.f), Floats(3, 0.f)), {{"input_forget", int64_t{0}}}),
       3,
       kTransRtol,
       kDotAtol});
  c.push_back({"rnn_forward_lens_zero",
               "RNN",
               {x({4, 3, 5}), w({1, 6, 5}), w({1, 6, 6}), w({1, 12}), lens({4, 0, 2}), x({1, 3, 6})},
               rnn("forward", 6, 0, "Tanh", {0.f}, {0.f}),
               2,
               kTransRtol,
               kDotAtol});
  c.push_back({"rnn_bidirectional_layout1_relu_leaky",
               "RNN",
               {x({3, 5, 4}), w({2, 5, 4}), w({2, 5, 5}), w({2, 10}), absent(), x({3, 2, 5})},
               with(rnn("bidirectional", 5, 1, "Relu,LeakyRelu", {0.f, 0.2f}, {0.f, 0.f}), {{"clip", 2.f}}),
               2,
               kTransRtol,
               kDotAtol});
  c.push_back({"rnn_reverse_affine_only_y",
               "RNN",
               {x({3, 2, 4}), w({1, 3, 4}), w({1, 3, 3})},
               rnn("reverse", 3, 0, "Affine", {0.5f}, {0.1f}),
               1,
               kTransRtol,
               kDotAtol});
}

std::vector<OpCase> all_cases() {
  const int64_t kI64 = static_cast<int64_t>(DType::kInt64), kF32 = static_cast<int64_t>(DType::kFloat32);
  std::vector<OpCase> c;
  // ---- Conv, ConvTranspose, FusedConv.
  c.push_back({"conv3x3",
               "Conv",
               {x({1, 3, 13, 17}), w({8, 3, 3, 3}), w({8})},
               conv_attrs({3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"conv_stride2_dilation2",
               "Conv",
               {x({2, 4, 17, 13}), w({6, 4, 3, 3})},
               conv_attrs({3, 3}, {2, 2}, {2, 2}, {2, 2, 2, 2}),
               1,
               1e-4f,
               kDotAtol});
  // The CPU backend's im2col + sgemm path: several column tiles (64 channels x 3x3 taps x
  // 32x32 positions exceed one tile), batch 2, a pointwise conv that multiplies X itself, 3-d.
  c.push_back({"conv_many_tiles_batch2",
               "Conv",
               {x({2, 64, 32, 32}), w({8, 64, 3, 3}), w({8})},
               conv_attrs({3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"conv_pointwise_grouped",
               "Conv",
               {x({1, 6, 7, 5}), w({4, 3, 1, 1})},
               conv_attrs({1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, 2),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"conv_3d_stride2",
               "Conv",
               {x({1, 3, 6, 7, 5}), w({4, 3, 3, 2, 3}), w({4})},
               conv_attrs({3, 2, 3}, {2, 1, 2}, {1, 1, 1}, {1, 0, 1, 1, 1, 0}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"conv_depthwise",
               "Conv",
               {x({1, 8, 11, 9}), w({8, 1, 3, 3}), w({8})},
               conv_attrs({3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 8),
               1,
               1e-4f,
               kDotAtol});
  // The CPU's direct depthwise path with strides, dilations, asymmetric pads and a batch; and a
  // channel multiplier of 2 (not depthwise for it: im2col).
  c.push_back({"conv_depthwise_stride2_dilated",
               "Conv",
               {x({2, 5, 13, 12}), w({5, 1, 3, 3}), w({5})},
               conv_attrs({3, 3}, {2, 2}, {2, 1}, {2, 1, 1, 2}, 5),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"conv_depthwise_multiplier2",
               "Conv",
               {x({1, 3, 9, 8}), w({6, 1, 3, 3})},
               conv_attrs({3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 3),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"conv_asymmetric_pads",
               "Conv",
               {x({1, 5, 7, 10}), w({7, 5, 2, 3}), w({7})},
               conv_attrs({2, 3}, {1, 2}, {1, 1}, {0, 1, 1, 2}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"conv_grouped_1d",
               "Conv",
               {x({2, 6, 19}), w({4, 3, 5}), w({4})},
               conv_attrs({5}, {3}, {1}, {2, 1}, 2),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"conv_transpose_stride2",
               "ConvTranspose",
               {x({1, 4, 7, 9}), w({4, 3, 3, 3}), w({3})},
               with(conv_attrs({3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}), {{"output_padding", Ints{1, 1}}}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"conv_transpose_group2",
               "ConvTranspose",
               {x({1, 4, 5, 6}), w({4, 2, 3, 3})},
               with(conv_attrs({3, 3}, {2, 1}, {1, 1}, {0, 1, 1, 0}, 2), {{"output_padding", Ints{1, 0}}}),
               1,
               1e-4f,
               kDotAtol});
  // Fused ops: the base op's inputs padded with -1 to its maximum count, then the addend.
  c.push_back({"fused_conv_bias_relu",
               "FusedConv",
               {x({1, 3, 13, 11}), w({5, 3, 3, 3}), w({5}), absent()},
               with(conv_attrs({3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), {{"activation", "relu"}}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"fused_conv_residual_relu",
               "FusedConv",
               {x({1, 4, 9, 9}), w({4, 4, 3, 3}), w({4}), x({1, 4, 9, 9})},
               with(conv_attrs({3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}), {{"activation", "relu"}}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"fused_conv_pointwise_bcast_addend_silu",
               "FusedConv",
               {x({2, 6, 5, 4}), w({3, 6, 1, 1}), w({3}), x({3, 1, 1})},
               with(conv_attrs({1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}), {{"activation", "silu"}}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"fused_conv_stride2_clip",
               "FusedConv",
               {x({2, 3, 9, 7}), w({6, 3, 3, 3}), absent(), x({6, 1, 1})},
               with(conv_attrs({3, 3}, {2, 2}, {1, 1}, {1, 0, 0, 1}),
                    {{"activation", "clip"}, {"activation_min", 0.f}, {"activation_max", 6.f}}),
               1,
               1e-4f,
               kDotAtol});
  // ---- Gemm, MatMul, FusedGemm, FusedMatMul.
  c.push_back({"gemm_transB_bcast_c",
               "Gemm",
               {x({13, 7}), w({5, 7}), w({5})},
               attrs({{"alpha", 0.7f}, {"beta", 1.3f}, {"transA", int64_t{0}}, {"transB", int64_t{1}}}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"gemm_transA_column_c",
               "Gemm",
               {x({7, 13}), x({7, 9}), w({13, 1})},
               attrs({{"alpha", 1.f}, {"beta", 0.5f}, {"transA", int64_t{1}}, {"transB", int64_t{0}}}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"matmul_batched_bcast", "MatMul", {x({2, 1, 5, 7}), x({3, 7, 6})}, {}, 1, 1e-4f, kDotAtol});
  c.push_back({"matmul_1d_rhs", "MatMul", {x({3, 5, 7}), w({7})}, {}, 1, 1e-4f, kDotAtol});
  c.push_back({"matmul_1d_lhs", "MatMul", {x({7}), x({2, 7, 5})}, {}, 1, 1e-4f, kDotAtol});
  c.push_back(
      {"fused_gemm_gelu",
       "FusedGemm",
       {x({9, 17}), w({17, 11}), w({11}), absent()},
       attrs(
           {{"alpha", 1.f}, {"beta", 1.f}, {"transA", int64_t{0}}, {"transB", int64_t{0}}, {"activation", "gelu_erf"}}),
       1,
       kTransRtol,
       kDotAtol});
  c.push_back({"fused_gemm_residual_leaky_relu",
               "FusedGemm",
               {x({5, 13}), w({7, 13}), absent(), x({5, 7})},
               attrs({{"alpha", 1.f},
                      {"beta", 1.f},
                      {"transA", int64_t{0}},
                      {"transB", int64_t{1}},
                      {"activation", "leaky_relu"},
                      {"activation_alpha", 0.1f}}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"fused_matmul_hardswish",
               "FusedMatMul",
               {x({2, 7, 13}), w({13, 5}), w({5})},
               attrs({{"activation", "hardswish"}}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"fused_matmul_silu_noadd",
               "FusedMatMul",
               {x({3, 1, 5, 9}), x({4, 9, 6}), absent()},
               attrs({{"activation", "silu"}}),
               1,
               kTransRtol,
               kDotAtol});
  // What cuBLASLt's epilogues take (kernels/cuda/matmul.cu, plan_lt): a per-column bias with
  // ReLU, C as a full matrix with the bias, a folded MatMul batch; and a scalar C they do not.
  c.push_back(
      {"fused_gemm_bias_relu",
       "FusedGemm",
       {x({6, 19}), w({9, 19}), w({9}), absent()},
       attrs({{"alpha", 1.f}, {"beta", 1.f}, {"transA", int64_t{0}}, {"transB", int64_t{1}}, {"activation", "relu"}}),
       1,
       1e-4f,
       kDotAtol});
  c.push_back(
      {"fused_gemm_row_bias_full_addend_transA",
       "FusedGemm",
       {x({11, 4}), w({11, 7}), w({1, 7}), x({4, 7})},
       attrs({{"alpha", 0.5f}, {"beta", 1.f}, {"transA", int64_t{1}}, {"transB", int64_t{0}}, {"activation", "relu"}}),
       1,
       1e-4f,
       kDotAtol});
  c.push_back({"gemm_full_c_beta",
               "Gemm",
               {x({5, 8}), w({8, 3}), x({5, 3})},
               attrs({{"alpha", 1.f}, {"beta", -0.75f}, {"transA", int64_t{0}}, {"transB", int64_t{0}}}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"gemm_scalar_c",
               "Gemm",
               {x({4, 6}), w({6, 5}), w({})},
               attrs({{"alpha", 1.f}, {"beta", 1.f}, {"transA", int64_t{0}}, {"transB", int64_t{0}}}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"fused_matmul_folded_batch_bias_relu",
               "FusedMatMul",
               {x({2, 3, 10}), w({10, 6}), w({6})},
               attrs({{"activation", "relu"}}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"matmul_plain", "MatMul", {x({9, 16}), w({16, 12})}, {}, 1, 1e-4f, kDotAtol});
  // Where the CPU's sgemm path hands over to the reference (kernels/cpu/matmul_blas.cpp).
  c.push_back({"gemm_alpha_zero",
               "Gemm",
               {x({3, 5}), w({5, 4}), w({4})},
               attrs({{"alpha", 0.f}, {"beta", 1.f}, {"transA", int64_t{0}}, {"transB", int64_t{0}}}),
               1,
               1e-4f,
               kDotAtol});
  c.push_back({"matmul_empty_sum", "MatMul", {x({2, 3, 0}), x({0, 4})}, {}, 1, 1e-4f, kDotAtol});
  // ---- Elementwise: broadcasts, unary maps, Where, Cast, comparisons, integer ops.
  c.push_back({"add_bcast", "Add", {x({2, 3, 1, 5}), x({4, 1})}, {}});
  c.push_back({"mul_bcast", "Mul", {x({2, 3, 1, 5}), x({4, 1})}, {}});
  c.push_back({"sub_bcast", "Sub", {x({2, 3, 1, 5}), x({4, 1})}, {}});
  c.push_back({"div_bcast", "Div", {x({2, 3, 1, 5}), nonzero({4, 1})}, {}});
  c.push_back({"sub_bcast_reversed_const", "Sub", {w({4, 1}), x({2, 3, 1, 5})}, {}});
  // The CPU's coalesced loops (elementwise_fast.cpp): a per-channel scale (squeeze-excitation),
  // same shapes, a scalar, a middle dim repeated, and Relu.
  c.push_back({"mul_per_channel_scale", "Mul", {x({2, 6, 5, 4}), x({2, 6, 1, 1})}, {}});
  c.push_back({"add_same_shape", "Add", {x({3, 7, 5}), x({3, 7, 5})}, {}});
  c.push_back({"div_by_scalar", "Div", {x({4, 9}), scalar(DType::kFloat32, 3.0)}, {}});
  c.push_back({"sub_middle_repeat", "Sub", {x({3, 1, 4}), x({3, 5, 4})}, {}});
  c.push_back({"relu", "Relu", {x({5, 13})}, {}});
  c.push_back({"pow_bcast", "Pow", {positive({3, 7}), x({7})}, {}, 1, kTransRtol, kTransAtol});
  c.push_back({"sigmoid", "Sigmoid", {x({5, 13})}, {}, 1, kTransRtol, kTransAtol});
  c.push_back({"erf", "Erf", {x({3, 17})}, {}, 1, kTransRtol, kTransAtol});
  c.push_back({"tanh", "Tanh", {x({7, 3, 5})}, {}, 1, kTransRtol, kTransAtol});
  c.push_back({"leaky_relu", "LeakyRelu", {x({4, 19})}, attrs({{"alpha", 0.2f}})});
  c.push_back({"shrink_soft", "Shrink", {x({5, 9})}, attrs({{"lambd", 0.7f}, {"bias", 0.7f}})});
  c.push_back({"clip", "Clip", {x({4, 17})}, attrs({{"min", -0.5f}, {"max", 0.8f}})});
  c.push_back({"where_bool_bcast", "Where", {boolean({2, 1, 5}), x({3, 5}), x({2, 3, 1})}, {}});
  c.push_back({"cast_float_to_int64", "Cast", {wide({3, 11})}, attrs({{"to", kI64}})});
  c.push_back({"cast_int64_to_float", "Cast", {ints(DType::kInt64, {7, 3}, -50, 50)}, attrs({{"to", kF32}})});
  c.push_back(
      {"equal_int64_bcast", "Equal", {ints(DType::kInt64, {3, 1, 5}, 0, 3), ints(DType::kInt64, {4, 5}, 0, 3)}, {}});
  c.push_back({"greater_bcast", "Greater", {x({2, 1, 7}), x({3, 1})}, {}});
  c.push_back({"not", "Not", {boolean({6, 7})}, {}});
  c.push_back({"sum3_bcast", "Sum", {x({3, 1, 7}), x({7}), x({4, 1})}, {}});
  c.push_back({"max3_bcast", "Max", {x({5, 1}), w({1, 3}), x({5, 3})}, {}});
  c.push_back(
      {"div_int64", "Div", {ints(DType::kInt64, {5, 9}, -100, 100), nonzero_ints(DType::kInt64, {9}, -7, 8)}, {}});
  c.push_back({"mod_int64_python_sign_bcast",
               "Mod",
               {ints(DType::kInt64, {5, 9}, -100, 100), ints(DType::kInt64, {9}, -7, 8)},
               attrs({{"fmod", int64_t{0}}})});
  c.push_back({"mod_int32_c_fmod_bcast",
               "Mod",
               {ints(DType::kInt32, {4, 1, 6}, -50, 50), nonzero_ints(DType::kInt32, {3, 1}, -9, 10)},
               attrs({{"fmod", int64_t{1}}})});
  c.push_back({"mod_float_fmod", "Mod", {x({3, 7}), nonzero({7})}, attrs({{"fmod", int64_t{1}}})});
  c.push_back({"prelu_channel", "PRelu", {x({2, 3, 5, 7}), w({3, 1, 1})}, {}});
  // ---- GatherElements, Trilu.
  c.push_back({"gather_elements_axis1_smaller_indices",
               "GatherElements",
               {x({2, 5, 4}), ints(DType::kInt64, {2, 3, 3}, -5, 5)},
               attrs({{"axis", int64_t{1}}})});
  c.push_back({"gather_elements_int32_last_axis",
               "GatherElements",
               {ints(DType::kInt64, {3, 7}, -100, 100), ints(DType::kInt32, {3, 9}, -7, 7)},
               attrs({{"axis", int64_t{1}}})});
  c.push_back({"trilu_upper_k1_batched", "Trilu", {x({2, 5, 7})}, attrs({{"upper", int64_t{1}}, {"k", int64_t{1}}})});
  c.push_back({"trilu_lower_kneg2_int64",
               "Trilu",
               {ints(DType::kInt64, {6, 4}, -9, 9)},
               attrs({{"upper", int64_t{0}}, {"k", int64_t{-2}}})});
  // ---- Softmax, LogSoftmax.
  c.push_back({"softmax_last_axis",
               "Softmax",
               {x({3, 5, 17})},
               attrs({{"axis", int64_t{2}}, {"coerce_2d", int64_t{0}}}),
               1,
               kTransRtol,
               kTransAtol});
  c.push_back({"softmax_middle_axis",
               "Softmax",
               {x({3, 13, 5})},
               attrs({{"axis", int64_t{1}}, {"coerce_2d", int64_t{0}}}),
               1,
               kTransRtol,
               kTransAtol});
  c.push_back({"softmax_coerce_2d",
               "Softmax",
               {x({2, 3, 5})},
               attrs({{"axis", int64_t{1}}, {"coerce_2d", int64_t{1}}}),
               1,
               kTransRtol,
               kTransAtol});
  c.push_back({"log_softmax_last_axis",
               "LogSoftmax",
               {x({4, 19})},
               attrs({{"axis", int64_t{1}}, {"coerce_2d", int64_t{0}}}),
               1,
               kTransRtol,
               kTransAtol});
  c.push_back({"log_softmax_middle_axis",
               "LogSoftmax",
               {x({2, 7, 3, 5})},
               attrs({{"axis", int64_t{1}}, {"coerce_2d", int64_t{0}}}),
               1,
               kTransRtol,
               kTransAtol});
  // ---- Normalization.
  c.push_back({"batchnorm",
               "BatchNormalization",
               {x({2, 5, 7, 3}), w({5}), w({5}), w({5}), positive({5}, true)},
               attrs({{"epsilon", 1e-5f}}),
               1,
               kTransRtol,
               kTransAtol});
  c.push_back({"layernorm_last_axis",
               "LayerNormalization",
               {x({3, 5, 17}), w({17}), w({17})},
               attrs({{"axis", int64_t{2}}, {"epsilon", 1e-5f}}),
               1,
               kTransRtol,
               kTransAtol});
  c.push_back({"layernorm_axis1_stats",
               "LayerNormalization",
               {x({2, 3, 7}), w({3, 7})},
               attrs({{"axis", int64_t{1}}, {"epsilon", 1e-5f}}),
               3,
               kTransRtol,
               kTransAtol});
  c.push_back({"instancenorm",
               "InstanceNormalization",
               {x({2, 3, 7, 9}), w({3}), w({3})},
               attrs({{"epsilon", 1e-5f}}),
               1,
               kTransRtol,
               kTransAtol});
  c.push_back({"lrn",
               "LRN",
               {x({2, 7, 5, 6})},
               attrs({{"alpha", 1e-3f}, {"beta", 0.75f}, {"bias", 1.f}, {"size", int64_t{3}}}),
               1,
               kTransRtol,
               kTransAtol});
  // ---- Pooling.
  c.push_back({"maxpool_k3_s2_p1", "MaxPool", {x({1, 3, 13, 17})}, pool_attrs({3, 3}, {2, 2}, {1, 1, 1, 1})});
  c.push_back({"avgpool_exclude_pad",
               "AveragePool",
               {x({2, 3, 11, 9})},
               with(pool_attrs({3, 3}, {2, 2}, {1, 1, 1, 1}), {{"count_include_pad", int64_t{0}}})});
  c.push_back({"avgpool_include_pad_ceil",
               "AveragePool",
               {x({2, 3, 11, 9})},
               with(pool_attrs({3, 3}, {2, 2}, {0, 1, 1, 0}, 1), {{"count_include_pad", int64_t{1}}})});
  // The CPU backend's 2-d kernel (pool_2d.cpp) with dilations and ceil_mode; 1-d and 3-d go to
  // the reference kernel.
  c.push_back({"maxpool_dilated_ceil",
               "MaxPool",
               {x({2, 2, 12, 11})},
               with(pool_attrs({3, 2}, {2, 3}, {1, 0, 1, 1}, 1), {{"dilations", Ints{2, 1}}})});
  c.push_back(
      {"avgpool_dilated_include_pad",
       "AveragePool",
       {x({1, 3, 10, 9})},
       with(pool_attrs({2, 3}, {1, 2}, {1, 1, 0, 1}), {{"dilations", Ints{2, 2}}, {"count_include_pad", int64_t{1}}})});
  c.push_back({"maxpool_1d", "MaxPool", {x({2, 3, 15})}, pool_attrs({4}, {3}, {1, 2})});
  c.push_back({"avgpool_3d",
               "AveragePool",
               {x({1, 2, 5, 6, 7})},
               with(pool_attrs({2, 3, 2}, {2, 2, 1}, {0, 1, 1, 1, 0, 0}), {{"count_include_pad", int64_t{0}}})});
  c.push_back({"global_avgpool", "GlobalAveragePool", {x({2, 5, 7, 9})}, {}});
  c.push_back({"global_maxpool", "GlobalMaxPool", {x({2, 5, 7, 9})}, {}});
  // ---- Reductions (axes non-negative and sorted).
  c.push_back({"reduce_mean_axis1_keepdims",
               "ReduceMean",
               {x({3, 7, 5})},
               attrs({{"axes", Ints{1}}, {"keepdims", int64_t{1}}})});
  c.push_back({"reduce_mean_all", "ReduceMean", {x({3, 7, 5})}, attrs({{"axes", Ints{}}, {"keepdims", int64_t{0}}})});
  c.push_back(
      {"reduce_sum_axes02", "ReduceSum", {x({3, 7, 5})}, attrs({{"axes", Ints{0, 2}}, {"keepdims", int64_t{0}}})});
  c.push_back({"reduce_sum_axes12_keepdims",
               "ReduceSum",
               {x({2, 13, 3, 5})},
               attrs({{"axes", Ints{1, 2}}, {"keepdims", int64_t{1}}})});
  c.push_back(
      {"reduce_max_last_axis", "ReduceMax", {x({4, 3, 13})}, attrs({{"axes", Ints{2}}, {"keepdims", int64_t{0}}})});
  c.push_back({"reduce_max_axes01_keepdims",
               "ReduceMax",
               {x({4, 3, 13})},
               attrs({{"axes", Ints{0, 1}}, {"keepdims", int64_t{1}}})});
  c.push_back({"argmax_axis1",
               "ArgMax",
               {x({3, 7, 5})},
               attrs({{"axis", int64_t{1}}, {"keepdims", int64_t{0}}, {"select_last_index", int64_t{0}}})});
  c.push_back({"argmax_int64_ties_last",
               "ArgMax",
               {ints(DType::kInt64, {3, 5, 7}, 0, 3)},
               attrs({{"axis", int64_t{2}}, {"keepdims", int64_t{1}}, {"select_last_index", int64_t{1}}})});
  // ---- Shape and data movement.
  c.push_back({"transpose_nchw_to_nhwc", "Transpose", {x({2, 3, 5, 7})}, attrs({{"perm", Ints{0, 2, 3, 1}}})});
  c.push_back({"transpose_3d", "Transpose", {x({3, 5, 7})}, attrs({{"perm", Ints{2, 0, 1}}})});
  c.push_back({"concat_axis1", "Concat", {x({2, 3, 5}), w({2, 4, 5}), x({2, 1, 5})}, attrs({{"axis", int64_t{1}}})});
  c.push_back({"split3_axis1", "Split", {x({3, 13, 2})}, attrs({{"axis", int64_t{1}}, {"split", Ints{4, 2, 7}}}), 3});
  // Slice: starts/ends/steps per dimension, already clamped; dim 1 runs backwards 12, 9, ... 0.
  c.push_back({"slice_steps",
               "Slice",
               {x({7, 13, 5})},
               attrs({{"starts", Ints{1, 12, 0}}, {"ends", Ints{7, -1, 5}}, {"steps", Ints{2, -3, 1}}})});
  c.push_back({"gather_axis1_negative",
               "Gather",
               {x({3, 7, 5}), ints(DType::kInt64, {2, 4}, -7, 7)},
               attrs({{"axis", int64_t{1}}})});
  c.push_back({"gather_axis0_int32_const",
               "Gather",
               {x({3, 9}), ints(DType::kInt32, {5}, 0, 3, true)},
               attrs({{"axis", int64_t{0}}})});
  c.push_back({"pad_constant",
               "Pad",
               {x({2, 3, 5, 7})},
               attrs({{"pads", Ints{0, 0, 1, 2, 0, 1, 2, 0}}, {"mode", "constant"}, {"value", 0.5f}})});
  c.push_back({"pad_reflect",
               "Pad",
               {x({1, 2, 5, 7})},
               attrs({{"pads", Ints{0, 0, 2, 3, 0, 0, 4, 1}}, {"mode", "reflect"}, {"value", 0.f}})});
  c.push_back(
      {"pad_edge", "Pad", {x({2, 5, 3})}, attrs({{"pads", Ints{0, 2, 1, 0, 3, 4}}, {"mode", "edge"}, {"value", 0.f}})});
  // Resize: sizes and scales = size / input (importer/ops/resize.cpp).
  c.push_back({"resize_nearest",
               "Resize",
               {x({1, 2, 5, 7})},
               attrs({{"sizes", Ints{1, 2, 10, 11}},
                      {"scales", Floats{1.f, 1.f, 2.f, 11.f / 7.f}},
                      {"mode", "nearest"},
                      {"coordinate_transformation_mode", "half_pixel"},
                      {"nearest_mode", "round_prefer_floor"}})});
  c.push_back({"resize_nearest_asymmetric_floor",
               "Resize",
               {x({1, 3, 4, 5})},
               attrs({{"sizes", Ints{1, 3, 8, 15}},
                      {"scales", Floats{1.f, 1.f, 2.f, 3.f}},
                      {"mode", "nearest"},
                      {"coordinate_transformation_mode", "asymmetric"},
                      {"nearest_mode", "floor"}})});
  c.push_back({"resize_linear",
               "Resize",
               {x({2, 3, 6, 5})},
               attrs({{"sizes", Ints{2, 3, 9, 13}},
                      {"scales", Floats{1.f, 1.f, 1.5f, 13.f / 5.f}},
                      {"mode", "linear"},
                      {"coordinate_transformation_mode", "half_pixel"},
                      {"nearest_mode", "round_prefer_floor"}})});
  c.push_back({"resize_linear_align_corners_down",
               "Resize",
               {x({1, 2, 5, 7})},
               attrs({{"sizes", Ints{1, 2, 9, 4}},
                      {"scales", Floats{1.f, 1.f, 9.f / 5.f, 4.f / 7.f}},
                      {"mode", "linear"},
                      {"coordinate_transformation_mode", "align_corners"},
                      {"nearest_mode", "round_prefer_floor"}})});
  c.push_back({"expand", "Expand", {x({3, 1, 5})}, attrs({{"shape", Ints{2, 1, 7, 5}}})});
  c.push_back({"tile", "Tile", {x({2, 3, 5})}, attrs({{"repeats", Ints{2, 1, 3}}})});
  c.push_back(
      {"depth_to_space_dcr", "DepthToSpace", {x({1, 8, 3, 5})}, attrs({{"blocksize", int64_t{2}}, {"mode", "DCR"}})});
  c.push_back(
      {"depth_to_space_crd", "DepthToSpace", {x({2, 12, 3, 5})}, attrs({{"blocksize", int64_t{2}}, {"mode", "CRD"}})});
  c.push_back({"space_to_depth", "SpaceToDepth", {x({1, 3, 6, 4})}, attrs({{"blocksize", int64_t{2}}})});
  // Reshape aliases its input in the arena; a constant input it must copy.
  c.push_back({"reshape_alias", "Reshape", {x({2, 3, 5})}, attrs({{"shape", Ints{6, 5}}})});
  c.push_back({"reshape_constant_copy", "Reshape", {w({3, 4, 5})}, attrs({{"shape", Ints{5, 12}}})});
  c.push_back({"constant_of_shape_int64",
               "ConstantOfShape",
               {},
               attrs({{"shape", Ints{3, 7}}, {"dtype", kI64}, {"value", int64_t{7}}})});
  c.push_back({"constant_of_shape_float",
               "ConstantOfShape",
               {},
               attrs({{"shape", Ints{2, 9}}, {"dtype", kF32}, {"value", 1.25f}})});
  c.push_back({"range_float",
               "Range",
               {scalar(DType::kFloat32, 1.5), scalar(DType::kFloat32, 9.0), scalar(DType::kFloat32, 0.7)},
               {}});
  c.push_back({"range_int64_negative_step",
               "Range",
               {scalar(DType::kInt64, 10), scalar(DType::kInt64, -7), scalar(DType::kInt64, -3)},
               {}});
  append_recurrent_cases(c);
  // ---- ops helper block (issue 11): Gelu, IsNaN, IsInf, CumSum, GroupNormalization, TopK,
  // GatherND, ScatterND, ScatterElements, Resize's new coordinate modes.
  c.push_back({"mod_float_sign_of_divisor", "Mod", {wide({3, 7}), nonzero({7})}, attrs({{"fmod", int64_t{0}}})});
  c.push_back({"gelu_erf", "Gelu", {wide({3, 17})}, attrs({{"approximate", "none"}}), 1, kTransRtol, kTransAtol});
  c.push_back({"gelu_tanh", "Gelu", {wide({4, 9})}, attrs({{"approximate", "tanh"}}), 1, kTransRtol, kTransAtol});
  c.push_back({"isnan", "IsNaN", {x({5, 7})}, {}});
  c.push_back({"isinf_negative_only",
               "IsInf",
               {x({5, 7})},
               attrs({{"detect_negative", int64_t{1}}, {"detect_positive", int64_t{0}}})});
  c.push_back({"cumsum_axis1_exclusive_reverse",
               "CumSum",
               {x({3, 8, 5})},
               attrs({{"axis", int64_t{1}}, {"exclusive", int64_t{1}}, {"reverse", int64_t{1}}})});
  c.push_back({"cumsum_int64_last_axis",
               "CumSum",
               {ints(DType::kInt64, {4, 6}, -9, 9)},
               attrs({{"axis", int64_t{1}}, {"exclusive", int64_t{0}}, {"reverse", int64_t{0}}})});
  c.push_back({"groupnorm_3_groups",
               "GroupNormalization",
               {x({2, 6, 5, 3}), w({6}), w({6})},
               attrs({{"num_groups", int64_t{3}}, {"epsilon", 1e-3f}})});
  c.push_back({"topk_largest_axis1",
               "TopK",
               {x({3, 11, 4})},
               attrs({{"axis", int64_t{1}}, {"k", int64_t{5}}, {"largest", int64_t{1}}, {"sorted", int64_t{1}}}),
               2});
  c.push_back({"topk_smallest_int64_ties",
               "TopK",
               {ints(DType::kInt64, {5, 9}, 0, 3)},
               attrs({{"axis", int64_t{1}}, {"k", int64_t{4}}, {"largest", int64_t{0}}, {"sorted", int64_t{1}}}),
               2});
  c.push_back({"gathernd_tuples", "GatherND", {x({4, 5, 3}), ints(DType::kInt64, {2, 3, 2}, -4, 4)}, {}});
  c.push_back({"gathernd_batch1_int32",
               "GatherND",
               {ints(DType::kInt64, {2, 5, 3}, -9, 9), ints(DType::kInt32, {2, 4, 1}, 0, 5)},
               attrs({{"batch_dims", int64_t{1}}})});
  c.push_back({"scatternd_add_repeated",
               "ScatterND",
               {x({4, 3, 2}), ints(DType::kInt64, {5, 2}, -3, 3), x({5, 2})},
               attrs({{"reduction", "add"}})});
  c.push_back({"scatternd_none_rows",
               "ScatterND",
               {x({6, 3}), ints(DType::kInt64, {4, 1}, 0, 6), x({4, 3})},
               attrs({{"reduction", "none"}})});
  c.push_back({"scatterelements_max_axis0",
               "ScatterElements",
               {x({4, 5}), ints(DType::kInt64, {3, 5}, -4, 4), x({3, 5})},
               attrs({{"axis", int64_t{0}}, {"reduction", "max"}})});
  c.push_back({"scatterelements_mul_int32_idx",
               "ScatterElements",
               {x({3, 6}), ints(DType::kInt32, {3, 4}, 0, 6), x({3, 4})},
               attrs({{"axis", int64_t{1}}, {"reduction", "mul"}})});
  c.push_back({"resize_half_pixel_symmetric_linear",
               "Resize",
               {x({1, 2, 5, 7})},
               attrs({{"sizes", Ints{1, 2, 8, 4}},
                      {"scales", Floats{1.f, 1.f, 1.7f, 0.6f}},
                      {"mode", "linear"},
                      {"coordinate_transformation_mode", "half_pixel_symmetric"},
                      {"nearest_mode", "round_prefer_floor"}})});
  c.push_back({"resize_cubic_exclude_outside",
               "Resize",
               {x({1, 2, 5, 7})},
               attrs({{"sizes", Ints{1, 2, 8, 4}},
                      {"scales", Floats{1.f, 1.f, 1.7f, 0.6f}},
                      {"mode", "cubic"},
                      {"cubic_coeff_a", -0.5f},
                      {"exclude_outside", int64_t{1}},
                      {"coordinate_transformation_mode", "half_pixel"},
                      {"nearest_mode", "round_prefer_floor"}})});
  c.push_back({"resize_tf_crop_and_resize_extrapolate",
               "Resize",
               {x({1, 2, 5, 7})},
               attrs({{"sizes", Ints{1, 2, 6, 4}},
                      {"scales", Floats{1.f, 1.f, 1.2f, 4.f / 7.f}},
                      {"roi", Floats{0.f, 0.f, -0.2f, 0.3f, 1.f, 1.f, 0.8f, 1.3f}},
                      {"extrapolation_value", 7.5f},
                      {"mode", "linear"},
                      {"coordinate_transformation_mode", "tf_crop_and_resize"},
                      {"nearest_mode", "round_prefer_floor"}})});
  return c;
}

// ---- Values.

uint32_t seed_of(const std::string& name, size_t input, int run) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (char ch : name) h = (h ^ static_cast<uint8_t>(ch)) * 16777619u;
  return h ^ static_cast<uint32_t>(input * 7919 + static_cast<size_t>(run) * 104729);
}

HostTensor make_values(const InputSpec& spec, uint32_t seed) {
  HostTensor t = HostTensor::zeros(spec.dtype, spec.shape);
  const size_t n = static_cast<size_t>(t.numel());
  std::vector<double> v(n);
  std::mt19937 rng(seed);
  switch (spec.fill) {
    case Fill::kNormal:
    case Fill::kPositive:
    case Fill::kNonZero:
    case Fill::kWide: {
      const std::vector<float> normal = testing::seeded_normal(n, seed, spec.fill == Fill::kWide ? 10.f : 1.f);
      for (size_t i = 0; i < n; ++i) {
        const double a = normal[i];
        v[i] = spec.fill == Fill::kPositive  ? std::fabs(a) + 0.5
               : spec.fill == Fill::kNonZero ? (a < 0 ? -1 : 1) * (std::fabs(a) + 0.5)
                                             : a;
      }
      break;
    }
    case Fill::kInts:
    case Fill::kNonZeroInts: {
      std::uniform_int_distribution<int64_t> d(spec.lo, spec.hi - 1);
      for (double& e : v) {
        int64_t k;
        do k = d(rng);
        while (spec.fill == Fill::kNonZeroInts && k == 0);
        e = static_cast<double>(k);
      }
      break;
    }
    case Fill::kBool: {
      std::bernoulli_distribution d(0.5);
      for (double& e : v) e = d(rng) ? 1 : 0;
      break;
    }
    case Fill::kValues:
      v = spec.values;
      break;
    case Fill::kAbsent:
      break;
  }
  dispatch_dtype(spec.dtype, [&]<class T>() {
    for (size_t i = 0; i < n; ++i) t.as<T>()[i] = static_cast<T>(v[i]);
  });
  return t;
}

HostTensor poisoned(DType dtype, const Shape& shape) {
  HostTensor t = HostTensor::zeros(dtype, shape);
  std::memset(t.bytes.data(), 0xFF, t.bytes.size());
  return t;
}

// ---- The one-node graph.

struct Built {
  Graph graph;
  Node node;  // a copy of graph.nodes[0], for the reference
};

Result<Built> build(const OpCase& c) {
  Built b;
  Graph& g = b.graph;
  g.name = "backend_ops_" + c.name;
  Node node{c.op, c.name, {}, {}, c.attrs};
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const InputSpec& spec = c.inputs[i];
    if (spec.fill == Fill::kAbsent) {
      node.inputs.push_back(-1);
      continue;
    }
    const std::string name = "in" + std::to_string(i);
    int t;
    if (spec.constant) {
      const HostTensor v = make_values(spec, seed_of(c.name, i, 0));
      t = g.add_constant(name, spec.dtype, spec.shape, Buffer::copy_of(v.bytes.data(), v.bytes.size()));
    } else {
      t = g.add_tensor(name, spec.dtype, spec.shape);
      g.inputs.push_back({name, t});
    }
    node.inputs.push_back(t);
  }
  for (int o = 0; o < c.outputs; ++o)
    node.outputs.push_back(g.add_tensor("out" + std::to_string(o), DType::kFloat32, {}));
  FI_ASSIGN_OR_RETURN(std::vector<ValueInfo> infos, infer_node(g, node));
  for (int o = 0; o < c.outputs; ++o) {
    Tensor& t = g.tensors[node.outputs[o]];
    t.dtype = infos[o].dtype;
    t.shape = infos[o].shape;
    g.outputs.push_back({t.name, node.outputs[o]});
  }
  g.nodes.push_back(node);
  b.node = std::move(node);
  return b;
}

// The values of every input for one run: constants always from run 0's seed (as in the graph),
// graph inputs from the run's own seed. Absent inputs stay empty.
std::vector<HostTensor> input_values(const OpCase& c, int run) {
  std::vector<HostTensor> values(c.inputs.size());
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const InputSpec& spec = c.inputs[i];
    if (spec.fill == Fill::kAbsent) continue;
    values[i] = make_values(spec, seed_of(c.name, i, spec.constant ? 0 : run));
    values[i].name = "in" + std::to_string(i);
  }
  return values;
}

// The CPU kernel alone on host buffers, into poisoned outputs.
Result<std::vector<HostTensor>> reference(const Built& b, const std::vector<HostTensor>& values) {
  std::vector<ConstTensorView> in;
  for (size_t i = 0; i < b.node.inputs.size(); ++i)
    in.push_back(b.node.inputs[i] < 0 ? ConstTensorView{} : values[i].view());
  std::vector<HostTensor> out;
  for (int t : b.node.outputs) out.push_back(poisoned(b.graph.tensors[t].dtype, b.graph.tensors[t].shape));
  std::vector<TensorView> out_views;
  for (HostTensor& t : out) out_views.push_back(t.mutable_view());
  FI_RETURN_IF_ERROR(cpu::run_cpu_node(b.node, in, out_views));
  return out;
}

// ---- Comparison.

std::string value_at(const HostTensor& t, int64_t i) {
  std::ostringstream s;
  s.precision(9);
  dispatch_dtype(t.dtype, [&]<class T>() {
    if constexpr (std::is_same_v<T, bool>)
      s << static_cast<int>(t.bytes[i]);
    else
      s << t.as<T>()[i];
  });
  return s.str();
}

// Returns "" when `got` matches `want`, else what differs first.
std::string compare(const HostTensor& got, const HostTensor& want, float rtol, float atol) {
  if (got.dtype != want.dtype || got.shape != want.shape)
    return "got " + std::string(dtype_name(got.dtype)) + " " + shape_to_string(got.shape) + ", want " +
           std::string(dtype_name(want.dtype)) + " " + shape_to_string(want.shape);
  if (got.bytes.size() != want.bytes.size()) return "holds " + std::to_string(got.bytes.size()) + " bytes";
  int64_t bad = 0, first = -1;
  double worst = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    bool ok;
    if (want.dtype == DType::kFloat32) {
      const float g = got.as<float>()[i], r = want.as<float>()[i];
      if (std::isnan(r))
        ok = std::isnan(g);
      else
        ok = g == r || std::fabs(static_cast<double>(g) - r) <= atol + rtol * std::fabs(static_cast<double>(r));
      if (!std::isnan(g) && !std::isnan(r)) worst = std::max(worst, std::fabs(static_cast<double>(g) - r));
    } else {
      const size_t size = dtype_size(want.dtype);
      ok = std::memcmp(got.bytes.data() + i * size, want.bytes.data() + i * size, size) == 0;
    }
    if (!ok && bad++ == 0) first = i;
  }
  if (!bad) return "";
  std::ostringstream s;
  s << bad << " of " << want.numel() << " elements differ; first at flat index " << first << ": got "
    << value_at(got, first) << ", want " << value_at(want, first);
  if (want.dtype == DType::kFloat32)
    s << " (max |got - want| " << worst << ", rtol " << rtol << ", atol " << atol << ")";
  return s.str();
}

bool has_nan(const HostTensor& t) {
  if (t.dtype != DType::kFloat32) return false;
  for (int64_t i = 0; i < t.numel(); ++i)
    if (std::isnan(t.as<float>()[i])) return true;
  return false;
}

// ---- The test.

using Param = std::tuple<std::string, OpCase>;

class BackendOpsTest : public ::testing::TestWithParam<Param> {};

// One backend per name for the whole test binary (as a server keeps one), poisoning its
// allocations: "cpu", "cuda", or "cudaownepilogues" (CUDA with bias and activation always in
// our epilogue kernel, never in cuDNN's or cuBLASLt's: the path those libraries fall back to).
// Null with the reason in `why` when it cannot be made. Never destroyed: at exit the CUDA
// runtime may be torn down before a static destructor would release library handles.
Backend* shared_backend(const std::string& name, std::string& why) {
  static auto& backends = *new std::map<std::string, std::unique_ptr<Backend>>;
  auto it = backends.find(name);
  if (it != backends.end()) return it->second.get();
  std::unique_ptr<Backend> made;
  if (name == "cpu") {
    made = make_cpu_backend(CpuBackendOptions{0, true});
  } else {
#if FUSEDINF_HAVE_CUDA
    Result<std::unique_ptr<Backend>> cuda = make_cuda_backend(
        CudaBackendOptions{.poison_allocations = true, .library_epilogues = name != "cudaownepilogues"});
    if (!cuda.is_ok()) {
      why = cuda.status().message();
      return nullptr;
    }
    made = std::move(cuda).value();
#else
    why = "this build has no CUDA backend";
    return nullptr;
#endif
  }
  return backends.emplace(name, std::move(made)).first->second.get();
}

TEST_P(BackendOpsTest, Case) {
  const std::string& backend_name = std::get<0>(GetParam());
  const OpCase& c = std::get<1>(GetParam());

  if (backend_name != "cpu") {
#if FUSEDINF_HAVE_CUDA
    if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: skipped";
#else
    GTEST_SKIP() << "no CUDA device: skipped";
#endif
  }
  std::string why;
  Backend* backend = shared_backend(backend_name, why);
  ASSERT_NE(backend, nullptr) << why;

  Result<Built> built = build(c);
  ASSERT_TRUE(built.is_ok()) << c.name << ": the case is wrong: " << built.status().message();
  Result<Session> session = Session::create(*backend, built->graph);
  ASSERT_TRUE(session.is_ok()) << c.name << " on " << backend_name << ": " << session.status().message();

  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(c.name + " (" + c.op + ") on " + backend_name + ", run " + std::to_string(run + 1));
    const std::vector<HostTensor> values = input_values(c, run);
    Result<std::vector<HostTensor>> want = reference(*built, values);
    ASSERT_TRUE(want.is_ok()) << "the CPU reference failed: " << want.status().message();

    std::map<std::string, HostTensor> feeds;
    for (size_t i = 0; i < c.inputs.size(); ++i)
      if (c.inputs[i].fill != Fill::kAbsent && !c.inputs[i].constant) feeds[values[i].name] = values[i];
    Result<std::vector<HostTensor>> got = session->run(feeds);
    ASSERT_TRUE(got.is_ok()) << got.status().message();
    ASSERT_EQ(got->size(), want->size());

    for (size_t o = 0; o < want->size(); ++o) {
      EXPECT_FALSE(has_nan((*want)[o])) << "output " << o << ": the reference holds NaN: the case is wrong";
      const std::string diff = compare((*got)[o], (*want)[o], c.rtol, c.atol);
      EXPECT_TRUE(diff.empty()) << c.name << " on " << backend_name << ", run " << run + 1 << ", output " << o << " ("
                                << (*got)[o].name << "): " << diff;
    }
  }
}

// Errors only the data can show (an index out of range in a Gather whose indices are a graph
// input) fail the run naming the node, on every backend (on CUDA, through the queue's
// data-error word), and the next run with good data succeeds: the report is cleared, also
// when the runs are replayed from a recording.
class BackendDataErrorsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BackendDataErrorsTest, GatherIndexOutOfRangeFailsTheRunNamingTheNode) {
  std::unique_ptr<Backend> backend;
  if (GetParam() == "cpu") {
    backend = make_cpu_backend(CpuBackendOptions{0, true});
  } else {
#if FUSEDINF_HAVE_CUDA
    if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: skipped";
    Result<std::unique_ptr<Backend>> made = make_cuda_backend(CudaBackendOptions{.poison_allocations = true});
    ASSERT_TRUE(made.is_ok()) << made.status().message();
    backend = std::move(made).value();
#else
    GTEST_SKIP() << "no CUDA device: skipped";
#endif
  }
  Graph g;
  g.name = "gather_errors";
  const std::vector<float> table = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};  // [4, 3]
  const int x = g.add_constant("table", DType::kFloat32, {4, 3}, Buffer::copy_of(table.data(), table.size() * 4));
  const int idx = g.add_tensor("ids", DType::kInt64, {2});
  const int y = g.add_tensor("rows", DType::kFloat32, {2, 3});
  g.inputs = {{"ids", idx}};
  Node gather{"Gather", "embedding", {x, idx}, {y}, {}};
  gather.attrs.set("axis", int64_t{0});
  g.nodes.push_back(gather);
  g.outputs = {{"rows", y}};
  Result<Session> session = Session::create(*backend, std::move(g));
  ASSERT_TRUE(session.is_ok()) << session.status().message();
  auto ids = [](int64_t a, int64_t b) {
    HostTensor t = HostTensor::zeros(DType::kInt64, {2});
    t.as<int64_t>()[0] = a;
    t.as<int64_t>()[1] = b;
    return std::map<std::string, HostTensor>{{"ids", t}};
  };
  for (int round = 0; round < 3; ++round) {  // runs 1, 3, 5 good; 2, 4, 6 bad
    SCOPED_TRACE("round " + std::to_string(round));
    Result<std::vector<HostTensor>> good = session->run(ids(3, -4));
    ASSERT_TRUE(good.is_ok()) << good.status().message();
    const std::vector<float> want = {9, 10, 11, 0, 1, 2};
    for (int i = 0; i < 6; ++i) EXPECT_EQ((*good)[0].as<float>()[i], want[i]) << i;
    Result<std::vector<HostTensor>> bad = session->run(ids(1, round == 1 ? -5 : 4));
    ASSERT_FALSE(bad.is_ok()) << "an index out of range must fail the run";
    EXPECT_NE(bad.status().message().find("embedding"), std::string::npos) << bad.status().message();
    EXPECT_NE(bad.status().message().find("out of range"), std::string::npos) << bad.status().message();
  }
}

// A sequence_lens value outside [0, T] fails the run naming the node (CPU: the kernel's
// check; CUDA: reported from the device and clamped); good lengths after it run.
TEST_P(BackendDataErrorsTest, SequenceLensOutOfRangeFailsTheRunNamingTheNode) {
  std::unique_ptr<Backend> backend;
  if (GetParam() == "cpu") {
    backend = make_cpu_backend(CpuBackendOptions{0, true});
  } else {
#if FUSEDINF_HAVE_CUDA
    if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: skipped";
    Result<std::unique_ptr<Backend>> made = make_cuda_backend(CudaBackendOptions{.poison_allocations = true});
    ASSERT_TRUE(made.is_ok()) << made.status().message();
    backend = std::move(made).value();
#else
    GTEST_SKIP() << "no CUDA device: skipped";
#endif
  }
  Graph g;
  g.name = "rnn_errors";
  const std::vector<float> values = {0.5f, -0.25f, 0.125f, 1.f, -1.f, 0.75f, 0.3f, -0.6f, 0.2f, 0.9f, -0.1f, 0.4f};
  const int x = g.add_constant("x", DType::kFloat32, {3, 2, 2}, Buffer::copy_of(values.data(), 12 * 4));
  const int wt = g.add_constant("w", DType::kFloat32, {1, 2, 2}, Buffer::copy_of(values.data(), 4 * 4));
  const int rt = g.add_constant("r", DType::kFloat32, {1, 2, 2}, Buffer::copy_of(values.data() + 4, 4 * 4));
  const int lens = g.add_tensor("lens", DType::kInt32, {2});
  const int y = g.add_tensor("y", DType::kFloat32, {3, 1, 2, 2});
  g.inputs = {{"lens", lens}};
  Node rnn{"RNN", "recurrent", {x, wt, rt, -1, lens}, {y}, {}};
  rnn.attrs = attrs({{"direction", "forward"},
                     {"hidden_size", int64_t{2}},
                     {"layout", int64_t{0}},
                     {"activations", "Tanh"},
                     {"activation_alpha", Floats{0.f}},
                     {"activation_beta", Floats{0.f}}});
  g.nodes.push_back(rnn);
  g.outputs = {{"y", y}};
  Result<Session> session = Session::create(*backend, std::move(g));
  ASSERT_TRUE(session.is_ok()) << session.status().message();
  auto feed = [](int32_t a, int32_t b) {
    HostTensor t = HostTensor::zeros(DType::kInt32, {2});
    t.as<int32_t>()[0] = a;
    t.as<int32_t>()[1] = b;
    return std::map<std::string, HostTensor>{{"lens", t}};
  };
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    Result<std::vector<HostTensor>> good = session->run(feed(3, 1));
    ASSERT_TRUE(good.is_ok()) << good.status().message();
    EXPECT_EQ((*good)[0].as<float>()[7], 0.f) << "entry 1 past its length";
    Result<std::vector<HostTensor>> bad = session->run(feed(1, round == 0 ? 4 : -1));
    ASSERT_FALSE(bad.is_ok()) << "a length outside [0, 3] must fail the run";
    EXPECT_NE(bad.status().message().find("recurrent"), std::string::npos) << bad.status().message();
  }
}

INSTANTIATE_TEST_SUITE_P(BackendDataErrors, BackendDataErrorsTest,
                         ::testing::Values(std::string("cpu"), std::string("cuda")),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  return std::get<0>(info.param) + "_" + std::get<1>(info.param).name;
}

INSTANTIATE_TEST_SUITE_P(BackendOps, BackendOpsTest,
                         ::testing::Combine(::testing::Values(std::string("cpu"), std::string("cuda")),
                                            ::testing::ValuesIn(all_cases())),
                         param_name);

// The conv and matmul families once more with the libraries' fused epilogues off.
std::vector<OpCase> conv_and_matmul_cases() {
  std::vector<OpCase> picked;
  for (const OpCase& c : all_cases())
    if (c.op.find("Conv") != std::string::npos || c.op.find("Gemm") != std::string::npos ||
        c.op.find("MatMul") != std::string::npos)
      picked.push_back(c);
  return picked;
}

INSTANTIATE_TEST_SUITE_P(OwnEpilogues, BackendOpsTest,
                         ::testing::Combine(::testing::Values(std::string("cudaownepilogues")),
                                            ::testing::ValuesIn(conv_and_matmul_cases())),
                         param_name);

}  // namespace
}  // namespace fusedinf
