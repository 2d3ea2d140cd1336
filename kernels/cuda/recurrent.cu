// CUDA LSTM, GRU, RNN, mirroring kernels/cpu/recurrent_fast.cpp (fp32): per direction
//   XW = X W'  one cuBLAS gemm for all steps and batch entries ([T*N, G*H], row-major);
//   per step s: HR = Ht-1 R' (one gemm for the batch), then one pointwise kernel applying the
//   gate equations of engine/recurrent.h (biases Wb + Rb summed once per direction; GRU's Rbh
//   kept apart with linear_before_reset); GRU without linear_before_reset: HR for z and r, a
//   kernel writing r . Ht-1, and (r . Ht-1) Rh' as a second gemm.
// sequence_lens stays on the device: every step runs for the whole batch and an entry past its
// length is left as it is (no host synchronisation, so a run can be captured in a CUDA graph);
// a length outside [0, T] is reported as bad data and clamped.
// Row-major through column-major cuBLAS: C = A B' with A [m, k], B [n, k] row-major is
// C' = B A' column-major, i.e. gemm(OP_T, OP_N, n, m, k, B, k, A, k, C, n).
#include <string>

#include "engine/recurrent.h"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/cuda_util.cuh"

namespace fusedinf::cuda {

namespace {

constexpr uint64_t kCublasWorkspace = uint64_t{1} << 20;  // cuBLAS's scratch, from the arena

// Sizes of one node, and the float offsets of the workspace parts after cuBLAS's scratch.
struct RnnDims {
  int64_t seq = 0, batch = 0, input = 0;
  int64_t xw = 0, bias = 0, h = 0, c = 0, hr = 0, rh = 0, floats = 0;
};

struct RecurrentState : NodeState {
  RecurrentParams p;
  RnnDims dims;
  std::string describe() const override { return "cuBLAS gemm per step + pointwise gate kernel"; }
};

Status cublas_check(cublasStatus_t s, const char* what) {
  return s == CUBLAS_STATUS_SUCCESS ? Status::ok() : Status::error(std::string(what) + ": " + cublasGetStatusString(s));
}

// Indexing shared by the kernels (as kernels/cpu/recurrent_util.h).
struct Index {
  int layout;
  int64_t dirs, hidden, seq, batch;
  __device__ int64_t x_row(int64_t t, int64_t n) const { return layout == 0 ? t * batch + n : n * seq + t; }
  __device__ int64_t state(int64_t d, int64_t n, int64_t j) const {
    return (layout == 0 ? d * batch + n : n * dirs + d) * hidden + j;
  }
  __device__ int64_t y(int64_t t, int64_t d, int64_t n, int64_t j) const {
    return (layout == 0 ? (t * dirs + d) * batch + n : (n * seq + t) * dirs + d) * hidden + j;
  }
};

// Steps entry n runs: sequence_lens[n] clamped to [0, T] (out of range is reported).
__device__ int64_t entry_length(const int32_t* lens, int64_t n, int64_t seq, unsigned long long* error, int64_t node) {
  if (!lens) return seq;
  const int64_t len = lens[n];
  if (len < 0 || len > seq) {
    report_data_error(error, node);
    return len < 0 ? 0 : seq;
  }
  return len;
}

// bias[k] = Wb[k] + Rb[k], without GRU's Rbh when r multiplies it (linear_before_reset).
__global__ void bias_kernel(const float* B, float* bias, int64_t gh, int64_t keep_from) {
  FI_CUDA_FOR(k, gh) bias[k] = B ? B[k] + (k < keep_from ? B[gh + k] : 0.f) : 0.f;
}

__global__ void init_state_kernel(const float* initial_h, const float* initial_c, float* h, float* c, Index ix,
                                  int64_t d) {
  FI_CUDA_FOR(i, ix.batch * ix.hidden) {
    const int64_t n = i / ix.hidden, j = i % ix.hidden;
    h[i] = initial_h ? initial_h[ix.state(d, n, j)] : 0.f;
    c[i] = initial_c ? initial_c[ix.state(d, n, j)] : 0.f;
  }
}

// GRU without linear_before_reset: rh = r . Ht-1 for entries still running (else 0).
__global__ void gru_reset_kernel(RecurrentParams p, Index ix, int d, int64_t s, const int32_t* lens, const float* xw,
                                 const float* bias, const float* hr, const float* h, float* rh,
                                 unsigned long long* error, int64_t node) {
  const int64_t H = p.hidden, GH = p.gates * H;
  FI_CUDA_FOR(i, ix.batch * H) {
    const int64_t n = i / H, j = i % H;
    const int64_t len = entry_length(lens, n, ix.seq, error, node);
    if (s >= len) {
      rh[i] = 0.f;
      continue;
    }
    const float* x = xw + ix.x_row(p.backwards(d) ? len - 1 - s : s, n) * GH;
    rh[i] = rnn_activate(p.act(d, 0), rnn_clip(x[H + j] + bias[H + j] + hr[n * GH + H + j], p.clip)) * h[i];
  }
}

// One step of every batch entry: gates from XW, bias and HR; new h (and c) in place; Y.
__global__ void step_kernel(RecurrentParams p, Index ix, int d, int64_t s, const int32_t* lens, const float* xw,
                            const float* bias, const float* hr, const float* rbh, const float* P, float* h, float* c,
                            float* Y, unsigned long long* error, int64_t node) {
  const int64_t H = p.hidden, GH = p.gates * H;
  const RnnActFn f = p.act(d, 0), g = p.act(d, p.acts_per_dir > 1 ? 1 : 0), hf = p.act(d, p.acts_per_dir - 1);
  const float clip = p.clip;
  FI_CUDA_FOR(i, ix.batch * H) {
    const int64_t n = i / H, j = i % H;
    const int64_t len = entry_length(lens, n, ix.seq, error, node);
    if (s >= len) continue;
    const int64_t t = p.backwards(d) ? len - 1 - s : s;
    const float* x = xw + ix.x_row(t, n) * GH;
    const float* q = hr + n * GH;
    float hn;
    if (p.kind == RnnKind::kRnn) {
      hn = rnn_activate(f, rnn_clip(x[j] + bias[j] + q[j], clip));
    } else if (p.kind == RnnKind::kGru) {
      const float z = rnn_activate(f, rnn_clip(x[j] + bias[j] + q[j], clip));
      float v = x[2 * H + j] + bias[2 * H + j];
      if (p.linear_before_reset) {
        const float r = rnn_activate(f, rnn_clip(x[H + j] + bias[H + j] + q[H + j], clip));
        v += r * (q[2 * H + j] + (rbh ? rbh[j] : 0.f));
      } else {
        v += q[2 * H + j];
      }
      hn = (1.f - z) * rnn_activate(g, rnn_clip(v, clip)) + z * h[i];
    } else {  // LSTM: gates i, o, f, c; peepholes i, o, f
      const float pi = P ? P[j] : 0.f, po = P ? P[H + j] : 0.f, pf = P ? P[2 * H + j] : 0.f;
      const float c_prev = c[i];
      const float ig = rnn_activate(f, rnn_clip(x[j] + bias[j] + q[j] + pi * c_prev, clip));
      const float fg =
          p.input_forget ? 1.f - ig
                         : rnn_activate(f, rnn_clip(x[2 * H + j] + bias[2 * H + j] + q[2 * H + j] + pf * c_prev, clip));
      const float gg = rnn_activate(g, rnn_clip(x[3 * H + j] + bias[3 * H + j] + q[3 * H + j], clip));
      const float cn = fg * c_prev + ig * gg;
      c[i] = cn;
      const float o = rnn_activate(f, rnn_clip(x[H + j] + bias[H + j] + q[H + j] + po * cn, clip));
      hn = o * rnn_activate(hf, cn);
    }
    h[i] = hn;
    if (Y) Y[ix.y(t, d, n, j)] = hn;
  }
}

// Y_h, Y_c: the state after the last step (0 for an entry that ran none).
__global__ void final_state_kernel(Index ix, int d, const int32_t* lens, const float* h, const float* c, float* Y_h,
                                   float* Y_c, unsigned long long* error, int64_t node) {
  FI_CUDA_FOR(i, ix.batch * ix.hidden) {
    const int64_t n = i / ix.hidden, j = i % ix.hidden;
    const bool ran = entry_length(lens, n, ix.seq, error, node) > 0;
    if (Y_h) Y_h[ix.state(d, n, j)] = ran ? h[i] : 0.f;
    if (Y_c) Y_c[ix.state(d, n, j)] = ran ? c[i] : 0.f;
  }
}

Result<Prepared> prepare_recurrent(const PrepareArgs& a) {
  auto st = std::make_unique<RecurrentState>();
  Status s = parse_recurrent(a.node, &st->p);
  if (!s.is_ok()) return refuse(a.node, s.message());
  const RecurrentParams& p = st->p;
  const Shape& x = a.graph.tensors[a.node.inputs[0]].shape;
  RnnDims& m = st->dims;
  m.seq = p.layout == 0 ? x[0] : x[1];
  m.batch = p.layout == 0 ? x[1] : x[0];
  m.input = x[2];
  const int64_t gh = p.gates * p.hidden, bh = m.batch * p.hidden;
  m.xw = 0;
  m.bias = m.xw + m.seq * m.batch * gh;
  m.h = m.bias + gh;
  m.c = m.h + bh;
  m.hr = m.c + bh;
  m.rh = m.hr + m.batch * gh;
  m.floats = m.rh + bh;
  const uint64_t bytes = kLibraryAlignment + kCublasWorkspace + static_cast<uint64_t>(m.floats) * sizeof(float);
  return Prepared{std::move(st), bytes};
}

Status run_recurrent(const KernelArgs& a) {
  const auto& st = static_cast<const RecurrentState&>(*a.state);
  const RecurrentParams& p = st.p;
  const RnnDims& m = st.dims;
  const cudaStream_t stream = a.handles.stream;
  auto input = [&](size_t i) { return i < a.inputs.size() ? a.inputs[i].as<float>() : nullptr; };
  auto output = [&](size_t i) { return i < a.outputs.size() ? a.outputs[i].as<float>() : nullptr; };
  const float *X = input(0), *W = input(1), *R = input(2), *B = input(3), *h0 = input(5), *c0 = input(6), *P = input(7);
  const int32_t* lens = a.inputs.size() > 4 ? a.inputs[4].as<int32_t>() : nullptr;
  float *Y = output(0), *Y_h = output(1), *Y_c = output(2);
  if (Y) FI_RETURN_IF_ERROR(check_cuda(cudaMemsetAsync(Y, 0, a.outputs[0].bytes(), stream), "memset Y"));
  if (m.seq * m.batch == 0) {  // no step: states are 0
    if (Y_h) FI_RETURN_IF_ERROR(check_cuda(cudaMemsetAsync(Y_h, 0, a.outputs[1].bytes(), stream), "memset Y_h"));
    if (Y_c) FI_RETURN_IF_ERROR(check_cuda(cudaMemsetAsync(Y_c, 0, a.outputs[2].bytes(), stream), "memset Y_c"));
    return Status::ok();
  }
  const std::span<uint8_t> scratch = library_scratch(a.workspace);
  float* ws = reinterpret_cast<float*>(scratch.data() + kCublasWorkspace);
  float *xw = ws + m.xw, *bias = ws + m.bias, *h = ws + m.h, *c = ws + m.c, *hr = ws + m.hr, *rh = ws + m.rh;
  const cublasHandle_t cb = a.handles.cublas;
  FI_RETURN_IF_ERROR(cublas_check(
      cublasSetMathMode(cb, a.handles.options.allow_tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
      "cublasSetMathMode"));
  FI_RETURN_IF_ERROR(cublas_check(cublasSetWorkspace(cb, scratch.data(), kCublasWorkspace), "cublasSetWorkspace"));

  const int64_t H = p.hidden, GH = p.gates * H, N = m.batch, I = m.input;
  const Index ix{p.layout, p.num_directions, H, m.seq, N};
  const bool gru_reset_first = p.kind == RnnKind::kGru && !p.linear_before_reset;
  const float one = 1.f, zero = 0.f;
  unsigned long long* err = a.handles.data_error;
  const int64_t node = a.node_index;
  for (int d = 0; d < p.num_directions; ++d) {
    const float* Wd = W + d * GH * I;
    const float* Rd = R + d * GH * H;
    const float* Bd = B ? B + d * 2 * GH : nullptr;
    const float* Pd = P ? P + d * 3 * H : nullptr;
    const float* rbh = p.kind == RnnKind::kGru && p.linear_before_reset && Bd ? Bd + GH + 2 * H : nullptr;
    bias_kernel<<<grid_for(GH), kThreads, 0, stream>>>(Bd, bias, GH, rbh ? 2 * H : GH);
    FI_RETURN_IF_ERROR(check_launch("bias_kernel"));
    if (I > 0) {
      FI_RETURN_IF_ERROR(
          cublas_check(cublasSgemm(cb, CUBLAS_OP_T, CUBLAS_OP_N, GH, m.seq * N, I, &one, Wd, I, X, I, &zero, xw, GH),
                       "cublasSgemm (X W')"));
    } else {
      FI_RETURN_IF_ERROR(check_cuda(cudaMemsetAsync(xw, 0, m.seq * N * GH * sizeof(float), stream), "memset XW"));
    }
    init_state_kernel<<<grid_for(N * H), kThreads, 0, stream>>>(h0, c0, h, c, ix, d);
    FI_RETURN_IF_ERROR(check_launch("init_state_kernel"));
    for (int64_t s = 0; s < m.seq; ++s) {
      const int64_t cols = gru_reset_first ? 2 * H : GH;
      FI_RETURN_IF_ERROR(
          cublas_check(cublasSgemm(cb, CUBLAS_OP_T, CUBLAS_OP_N, cols, N, H, &one, Rd, H, h, H, &zero, hr, GH),
                       "cublasSgemm (H R')"));
      if (gru_reset_first) {
        gru_reset_kernel<<<grid_for(N * H), kThreads, 0, stream>>>(p, ix, d, s, lens, xw, bias, hr, h, rh, err, node);
        FI_RETURN_IF_ERROR(check_launch("gru_reset_kernel"));
        FI_RETURN_IF_ERROR(cublas_check(
            cublasSgemm(cb, CUBLAS_OP_T, CUBLAS_OP_N, H, N, H, &one, Rd + 2 * H * H, H, rh, H, &zero, hr + 2 * H, GH),
            "cublasSgemm ((r . H) Rh')"));
      }
      step_kernel<<<grid_for(N * H), kThreads, 0, stream>>>(p, ix, d, s, lens, xw, bias, hr, rbh, Pd, h, c, Y, err,
                                                            node);
      FI_RETURN_IF_ERROR(check_launch("step_kernel"));
    }
    final_state_kernel<<<grid_for(N * H), kThreads, 0, stream>>>(ix, d, lens, h, c, Y_h, Y_c, err, node);
    FI_RETURN_IF_ERROR(check_launch("final_state_kernel"));
  }
  return Status::ok();
}

constexpr CudaKernel kKernels[] = {
    {"LSTM", run_recurrent, prepare_recurrent},
    {"GRU", run_recurrent, prepare_recurrent},
    {"RNN", run_recurrent, prepare_recurrent},
};

}  // namespace

std::span<const CudaKernel> recurrent_kernels() { return kKernels; }

}  // namespace fusedinf::cuda
