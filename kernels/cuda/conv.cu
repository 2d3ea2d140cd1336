// CUDA Conv, ConvTranspose and FusedConv through cuDNN's convolution API, mirroring
// kernels/cpu/conv.cpp and kernels/cpu/fused.cpp: fp32 NC<spatial>, groups (depthwise too),
// strides, dilations; 1-d runs as 2-d with a leading unit dim, 2-d and 3-d natively.
// - Conv: cudnnConvolutionForward. cuDNN pads symmetrically; pads [pb, pe] it cannot express as a
//   symmetric pb (same output size) are applied by copying X, zero-padded, into the workspace.
// - ConvTranspose: cudnnConvolutionBackwardData (the gradient of a forward conv with the same W
//   is the transposed conv; ONNX's W [Cin, Cout/g, k...] is that forward conv's filter). With
//   symmetric pad pb it writes y[j] = full[j + pb] at the ONNX output size whenever that size is
//   consistent with a forward conv (0 <= output_padding + pb - pe < s); otherwise the uncropped
//   output (pad 0) goes to the workspace and is cropped into y.
// - Bias, FusedConv's addend and activation: in the convolution where cuDNN fuses them
//   (cudnnConvolutionBiasActivationForward, y = relu(conv(x) + z + bias), see plan_cudnn_fusion),
//   otherwise the epilogue kernel (epilogue.cuh) after the conv.
// TF32 is used only when handles.options.allow_tf32 (else CUDNN_FMA_MATH).
#include <algorithm>
#include <climits>
#include <string>
#include <vector>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/cuda_util.cuh"
#include "kernels/cuda/epilogue.cuh"

namespace fusedinf::cuda {

namespace {

constexpr size_t kMaxAlgoWorkspace = size_t{256} << 20;  // cuDNN scratch we accept per node
constexpr uint64_t kAlign = 256;

std::string where(const Node& node) { return node.op + " '" + node.name + "': "; }

Status cudnn_check(cudnnStatus_t s, const char* what) {
  return s == CUDNN_STATUS_SUCCESS ? Status::ok() : Status::error(std::string(what) + ": " + cudnnGetErrorString(s));
}

// out[c] = in[c + shift] per dim (row-major, contiguous), 0 where that falls outside `in`.
struct Window {
  int rank = 0;
  int64_t numel = 0;
  int64_t out_size[kMaxRank] = {}, in_size[kMaxRank] = {}, in_stride[kMaxRank] = {}, shift[kMaxRank] = {};
};

__global__ void window_kernel(float* out, const float* in, Window w) {
  FI_CUDA_FOR(i, w.numel) {
    int64_t rest = i, off = 0;
    bool inside = true;
    for (int d = w.rank - 1; d >= 0; --d) {
      const int64_t c = rest % w.out_size[d] + w.shift[d];
      rest /= w.out_size[d];
      inside = inside && c >= 0 && c < w.in_size[d];
      off += c * w.in_stride[d];
    }
    out[i] = inside ? in[off] : 0.f;
  }
}

struct ConvState : NodeState {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;  // as cuDNN sees them (padded X / uncropped Y when staged)
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  bool empty = false, transpose = false, staged = false;
  cudnnConvolutionFwdAlgo_t fwd_algo{};
  cudnnConvolutionBwdDataAlgo_t bwd_algo{};
  size_t algo_bytes = 0;
  uint64_t stage_bytes = 0;  // staging buffer at the workspace's start, then the algorithm's scratch
  Window window;             // Conv: X -> padded X; ConvTranspose: uncropped Y -> Y
  Epilogue epilogue;
  int term_input[kMaxEpilogueTerms] = {-1, -1};  // input index of each epilogue term
  // cuDNN's fused path: bias (input 2), addend (input 3) as z when cudnn_addend, activation.
  bool cudnn_fused = false, cudnn_addend = false;
  cudnnTensorDescriptor_t bias = nullptr;  // [1, C, 1, ...]
  cudnnActivationDescriptor_t activation = nullptr;

  std::string describe() const override;

  ~ConvState() override {
    if (x) cudnnDestroyTensorDescriptor(x);
    if (y) cudnnDestroyTensorDescriptor(y);
    if (bias) cudnnDestroyTensorDescriptor(bias);
    if (activation) cudnnDestroyActivationDescriptor(activation);
    if (w) cudnnDestroyFilterDescriptor(w);
    if (conv) cudnnDestroyConvolutionDescriptor(conv);
  }
};

const char* algo_name(cudnnConvolutionFwdAlgo_t a) {
  switch (a) {
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM:
      return "IMPLICIT_GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM:
      return "IMPLICIT_PRECOMP_GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_GEMM:
      return "GEMM";
    case CUDNN_CONVOLUTION_FWD_ALGO_DIRECT:
      return "DIRECT";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT:
      return "FFT";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING:
      return "FFT_TILING";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD:
      return "WINOGRAD";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED:
      return "WINOGRAD_NONFUSED";
    default:
      return "?";
  }
}

std::string ConvState::describe() const {
  if (empty) return "empty output: nothing to run";
  std::string s = transpose ? "cuDNN backward-data algo " + std::to_string(static_cast<int>(bwd_algo))
                            : std::string("cuDNN ") + algo_name(fwd_algo);
  s += ", scratch " + std::to_string(algo_bytes) + " B";
  if (staged) s += transpose ? ", cropped by our kernel" : ", padded by our kernel";
  if (cudnn_fused)
    s += cudnn_addend ? ", bias + addend + activation fused in cuDNN" : ", bias + activation fused in cuDNN";
  else if (!epilogue.empty())
    s += ", epilogue kernel";
  return s;
}

// TENSOR_OP_MATH runs fp32 as TF32: only with allow_tf32. ALLOW_CONVERSION down-converts fp32 to
// fp16/bf16, which no option allows.
bool math_allowed(cudnnMathType_t m, const Options& o) {
  return m != CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION && (o.allow_tf32 || m != CUDNN_TENSOR_OP_MATH);
}
cudnnMathType_t math_for(cudnnMathType_t m, const Options& o) { return o.allow_tf32 ? m : CUDNN_FMA_MATH; }

// First heuristic choice that is allowed (no TF32 unless enabled) and whose scratch fits.
Status pick_forward(const Handles& h, ConvState& st) {
  int count = 0, returned = 0;
  FI_RETURN_IF_ERROR(cudnn_check(cudnnGetConvolutionForwardAlgorithmMaxCount(h.cudnn, &count), "algorithm count"));
  std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(std::max(count, 1));
  FI_RETURN_IF_ERROR(
      cudnn_check(cudnnGetConvolutionForwardAlgorithm_v7(h.cudnn, st.x, st.w, st.conv, st.y,
                                                         static_cast<int>(perf.size()), &returned, perf.data()),
                  "cudnnGetConvolutionForwardAlgorithm_v7"));
  for (int i = 0; i < returned; ++i) {
    const cudnnConvolutionFwdAlgoPerf_t& p = perf[i];
    size_t bytes = 0;
    if (p.status != CUDNN_STATUS_SUCCESS || !math_allowed(p.mathType, h.options)) continue;
    if (cudnnSetConvolutionMathType(st.conv, math_for(p.mathType, h.options)) != CUDNN_STATUS_SUCCESS) continue;
    if (cudnnGetConvolutionForwardWorkspaceSize(h.cudnn, st.x, st.w, st.conv, st.y, p.algo, &bytes) !=
            CUDNN_STATUS_SUCCESS ||
        bytes > kMaxAlgoWorkspace)
      continue;
    st.fwd_algo = p.algo, st.algo_bytes = bytes;
    return Status::ok();
  }
  return Status::error("no cuDNN forward algorithm for this convolution within the workspace limit");
}

Status pick_backward_data(const Handles& h, ConvState& st) {
  int count = 0, returned = 0;
  FI_RETURN_IF_ERROR(cudnn_check(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(h.cudnn, &count), "algorithm count"));
  std::vector<cudnnConvolutionBwdDataAlgoPerf_t> perf(std::max(count, 1));
  // Backward data: dy is our input X, dx our output Y.
  FI_RETURN_IF_ERROR(
      cudnn_check(cudnnGetConvolutionBackwardDataAlgorithm_v7(h.cudnn, st.w, st.x, st.conv, st.y,
                                                              static_cast<int>(perf.size()), &returned, perf.data()),
                  "cudnnGetConvolutionBackwardDataAlgorithm_v7"));
  for (int i = 0; i < returned; ++i) {
    const cudnnConvolutionBwdDataAlgoPerf_t& p = perf[i];
    size_t bytes = 0;
    if (p.status != CUDNN_STATUS_SUCCESS || !math_allowed(p.mathType, h.options)) continue;
    if (cudnnSetConvolutionMathType(st.conv, math_for(p.mathType, h.options)) != CUDNN_STATUS_SUCCESS) continue;
    if (cudnnGetConvolutionBackwardDataWorkspaceSize(h.cudnn, st.w, st.x, st.conv, st.y, p.algo, &bytes) !=
            CUDNN_STATUS_SUCCESS ||
        bytes > kMaxAlgoWorkspace)
      continue;
    st.bwd_algo = p.algo, st.algo_bytes = bytes;
    return Status::ok();
  }
  return Status::error("no cuDNN backward-data algorithm for this transposed convolution within the workspace limit");
}

// A contiguous NC<spatial> descriptor; refuses what cuDNN's int sizes cannot hold.
Status set_tensor(cudnnTensorDescriptor_t d, const std::vector<int64_t>& dims) {
  std::vector<int> size(dims.size()), stride(dims.size());
  int64_t s = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    size[i] = static_cast<int>(dims[i]), stride[i] = static_cast<int>(s);
    s *= dims[i];
    if (s > INT_MAX) return Status::error("tensor of " + shape_to_string(dims) + " exceeds cuDNN's 2^31 elements");
  }
  return cudnn_check(
      cudnnSetTensorNdDescriptor(d, CUDNN_DATA_FLOAT, static_cast<int>(dims.size()), size.data(), stride.data()),
      "cudnnSetTensorNdDescriptor");
}

// Whether cuDNN computes the whole node in one call, y = act(conv(x) + alpha2 * z + bias), and
// its descriptors if so. cuDNN's rules: the activation is ReLU, or none with the
// IMPLICIT_PRECOMP_GEMM algorithm only; the bias is [1, C, 1, ...]; z has y's shape. Ours: a
// forward conv that is not staged, with a bias, and an addend (z, alpha2 = 1) that is absent or
// exactly y's shape. Without an addend z is y with alpha2 = 0 (the API wants a z; cuDNN must not
// read it then; the poisoned-arena tests check that). ReLU maps NaN to 0 as ours does
// (NOT_PROPAGATE_NAN). Sums round in cuDNN's order (conv + z + bias), ours is conv + bias + z.
Status plan_cudnn_fusion(const PrepareArgs& a, const std::vector<int64_t>& cy, ConvState& st) {
  const Node& node = a.node;
  const Graph& g = a.graph;
  const bool has_bias = node.inputs.size() > 2 && node.inputs[2] >= 0;
  const bool has_addend = node.op == "FusedConv" && node.inputs.size() > 3 && node.inputs[3] >= 0;
  const Activation act = st.epilogue.act.kind;
  if (!a.handles.options.library_epilogues || st.transpose || st.staged || !has_bias) return Status::ok();
  if (act != Activation::kRelu &&
      !(act == Activation::kNone && st.fwd_algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM))
    return Status::ok();
  if (has_addend && g.tensors[node.inputs[3]].shape != g.tensors[node.outputs[0]].shape) return Status::ok();
  std::vector<int64_t> bias_dims(cy.size(), 1);
  bias_dims[1] = cy[1];
  FI_RETURN_IF_ERROR(cudnn_check(cudnnCreateTensorDescriptor(&st.bias), "cudnnCreateTensorDescriptor"));
  FI_RETURN_IF_ERROR(set_tensor(st.bias, bias_dims));
  FI_RETURN_IF_ERROR(cudnn_check(cudnnCreateActivationDescriptor(&st.activation), "cudnnCreateActivationDescriptor"));
  FI_RETURN_IF_ERROR(cudnn_check(
      cudnnSetActivationDescriptor(st.activation,
                                   act == Activation::kRelu ? CUDNN_ACTIVATION_RELU : CUDNN_ACTIVATION_IDENTITY,
                                   CUDNN_NOT_PROPAGATE_NAN, 0.0),
      "cudnnSetActivationDescriptor"));
  st.cudnn_fused = true;
  st.cudnn_addend = has_addend;
  return Status::ok();
}

Status build(const PrepareArgs& a, ConvState& st) {
  const Node& node = a.node;
  const Graph& g = a.graph;
  for (int t : node.inputs)
    if (t >= 0 && g.tensors[t].dtype != DType::kFloat32) return Status::error("inputs must be fp32");
  const Shape &xs = g.tensors[node.inputs[0]].shape, &ws = g.tensors[node.inputs[1]].shape,
              &ys = g.tensors[node.outputs[0]].shape;
  if (xs.size() < 3 || xs.size() > 5)
    return Status::error("cuDNN convolutions take 1 to 3 spatial dims, not " + std::to_string(xs.size() - 2));
  const size_t spatial = xs.size() - 2;
  FI_RETURN_IF_ERROR(check_rank(ys, "output"));
  st.transpose = node.op == "ConvTranspose";
  const int64_t group = node.attrs.get_int("group", 1);
  const auto k = node.attrs.get_ints("kernel_shape"), s = node.attrs.get_ints("strides"),
             d = node.attrs.get_ints("dilations"), p = node.attrs.get_ints("pads");
  const auto op = st.transpose ? node.attrs.get_ints("output_padding") : std::vector<int64_t>(spatial, 0);
  if (k.size() != spatial || s.size() != spatial || d.size() != spatial || p.size() != 2 * spatial ||
      op.size() != spatial)
    return Status::error("kernel_shape/strides/dilations/pads do not match the spatial dims");

  // cuDNN geometry: at least 2 spatial dims; a 1-d conv gets a leading unit dim.
  const size_t lead = spatial < 2 ? 2 - spatial : 0;
  std::vector<int64_t> x_dims{xs[0], xs[1]}, w_dims{ws[0], ws[1]}, y_dims{ys[0], ys[1]};
  std::vector<int> pad, stride, dil;
  std::vector<int64_t> pad_begin;  // per dim of x_dims/y_dims beyond N, C
  for (size_t i = 0; i < lead; ++i) {
    x_dims.push_back(1), w_dims.push_back(1), y_dims.push_back(1);
    pad.push_back(0), stride.push_back(1), dil.push_back(1), pad_begin.push_back(0);
  }
  bool direct = true;  // symmetric pad pb gives exactly the ONNX result in every dim
  for (size_t i = 0; i < spatial; ++i) {
    const int64_t in = xs[i + 2], out = ys[i + 2], pb = p[i], pe = p[i + spatial];
    const int64_t ext = d[i] * (k[i] - 1) + 1;
    if (pb > INT_MAX || pe > INT_MAX || s[i] > INT_MAX || d[i] > INT_MAX) return Status::error("attribute too large");
    x_dims.push_back(in), w_dims.push_back(ws[i + 2]), y_dims.push_back(out);
    pad.push_back(static_cast<int>(pb)), stride.push_back(static_cast<int>(s[i])),
        dil.push_back(static_cast<int>(d[i]));
    pad_begin.push_back(pb);
    if (!st.transpose)
      direct = direct && in + 2 * pb - ext >= 0 && (in + 2 * pb - ext) / s[i] == (in + pb + pe - ext) / s[i];
    else
      direct = direct && out + 2 * pb - ext >= 0 && (out + 2 * pb - ext) / s[i] + 1 == in;
  }
  st.staged = !direct;
  std::vector<int64_t> cx = x_dims, cy = y_dims;  // the tensors cuDNN sees
  if (st.staged) {
    std::fill(pad.begin(), pad.end(), 0);
    Window& win = st.window;
    win.rank = static_cast<int>(x_dims.size());
    for (size_t i = lead + 2; i < x_dims.size(); ++i) {
      const size_t j = i - lead - 2;
      if (!st.transpose)
        cx[i] = x_dims[i] + p[j] + p[j + spatial];  // X zero-padded explicitly
      else
        cy[i] = s[j] * (x_dims[i] - 1) + d[j] * (k[j] - 1) + 1;  // the uncropped output
    }
    const std::vector<int64_t>& out = st.transpose ? y_dims : cx;  // what the window writes
    const std::vector<int64_t>& in = st.transpose ? cy : x_dims;   // what it reads
    int64_t stride_in = 1;
    for (int i = win.rank - 1; i >= 0; --i) {
      win.out_size[i] = out[i], win.in_size[i] = in[i], win.in_stride[i] = stride_in;
      win.shift[i] = i < 2 ? 0 : (st.transpose ? pad_begin[i - 2] : -pad_begin[i - 2]);
      stride_in *= in[i];
    }
    win.numel = num_elements(out);
    st.stage_bytes = (num_elements(st.transpose ? cy : cx) * sizeof(float) + kAlign - 1) / kAlign * kAlign;
  }

  FI_RETURN_IF_ERROR(cudnn_check(cudnnCreateTensorDescriptor(&st.x), "cudnnCreateTensorDescriptor"));
  FI_RETURN_IF_ERROR(cudnn_check(cudnnCreateTensorDescriptor(&st.y), "cudnnCreateTensorDescriptor"));
  FI_RETURN_IF_ERROR(cudnn_check(cudnnCreateFilterDescriptor(&st.w), "cudnnCreateFilterDescriptor"));
  FI_RETURN_IF_ERROR(cudnn_check(cudnnCreateConvolutionDescriptor(&st.conv), "cudnnCreateConvolutionDescriptor"));
  FI_RETURN_IF_ERROR(set_tensor(st.x, cx));
  FI_RETURN_IF_ERROR(set_tensor(st.y, cy));
  std::vector<int> wi(w_dims.begin(), w_dims.end());
  if (num_elements(w_dims) > INT_MAX) return Status::error("W exceeds cuDNN's 2^31 elements");
  FI_RETURN_IF_ERROR(cudnn_check(
      cudnnSetFilterNdDescriptor(st.w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, static_cast<int>(wi.size()), wi.data()),
      "cudnnSetFilterNdDescriptor"));
  FI_RETURN_IF_ERROR(
      cudnn_check(cudnnSetConvolutionNdDescriptor(st.conv, static_cast<int>(pad.size()), pad.data(), stride.data(),
                                                  dil.data(), CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
                  "cudnnSetConvolutionNdDescriptor"));
  FI_RETURN_IF_ERROR(
      cudnn_check(cudnnSetConvolutionGroupCount(st.conv, static_cast<int>(group)), "cudnnSetConvolutionGroupCount"));
  FI_RETURN_IF_ERROR(cudnn_check(
      cudnnSetConvolutionMathType(st.conv, a.handles.options.allow_tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH),
      "cudnnSetConvolutionMathType"));

  // The forward conv's output (of X for Conv, of Y for ConvTranspose) must be what we expect.
  std::vector<int> fwd(cx.size());
  FI_RETURN_IF_ERROR(cudnn_check(cudnnGetConvolutionNdForwardOutputDim(st.conv, st.transpose ? st.y : st.x, st.w,
                                                                       static_cast<int>(fwd.size()), fwd.data()),
                                 "cudnnGetConvolutionNdForwardOutputDim"));
  const std::vector<int64_t>& expect = st.transpose ? cx : cy;
  if (!std::equal(fwd.begin(), fwd.end(), expect.begin()))
    return Status::error("cuDNN's convolution geometry does not reproduce the output shape " + shape_to_string(ys));
  FI_RETURN_IF_ERROR(st.transpose ? pick_backward_data(a.handles, st) : pick_forward(a.handles, st));

  // Epilogue terms in the CPU's order: bias, then FusedConv's addend.
  const bool fused = node.op == "FusedConv";
  st.epilogue = Epilogue(ys, fused ? epilogue_from_attrs(node.attrs) : EpilogueParams{});
  if (node.inputs.size() > 2 && node.inputs[2] >= 0) {
    st.term_input[st.epilogue.num_terms] = 2;
    FI_RETURN_IF_ERROR(st.epilogue.add_channel_bias(1, ys));
  }
  if (fused && node.inputs.size() > 3 && node.inputs[3] >= 0) {
    st.term_input[st.epilogue.num_terms] = 3;
    FI_RETURN_IF_ERROR(st.epilogue.add_broadcast(g.tensors[node.inputs[3]].shape, ys));
  }
  return plan_cudnn_fusion(a, cy, st);
}

Result<Prepared> prepare_conv(const PrepareArgs& a) {
  auto st = std::make_unique<ConvState>();
  const Graph& g = a.graph;
  if (num_elements(g.tensors[a.node.outputs[0]].shape) == 0) {
    st->empty = true;
    return Prepared{std::move(st), 0};
  }
  if (num_elements(g.tensors[a.node.inputs[0]].shape) == 0 || num_elements(g.tensors[a.node.inputs[1]].shape) == 0)
    return Status::error(where(a.node) + "empty X or W with a non-empty output is not supported on CUDA");
  if (!a.handles.cudnn) return Status::error(where(a.node) + "no cuDNN handle");
  const Status s = build(a, *st);
  if (!s.is_ok()) return Status::error(where(a.node) + s.message());
  const uint64_t bytes = st->stage_bytes + (st->algo_bytes ? st->algo_bytes + kLibraryAlignment : 0);
  return Prepared{std::move(st), bytes};
}

Status run_conv(const KernelArgs& a) {
  const auto& st = static_cast<const ConvState&>(*a.state);
  if (st.empty) return Status::ok();
  const float one = 1.f, zero = 0.f;
  const float* x = a.inputs[0].as<float>();
  const float* w = a.inputs[1].as<float>();
  float* y = a.outputs[0].as<float>();
  float* stage = reinterpret_cast<float*>(a.workspace.data());
  void* scratch = st.algo_bytes ? library_scratch(a.workspace.subspan(st.stage_bytes)).data() : nullptr;
  const cudaStream_t stream = a.handles.stream;
  if (st.cudnn_fused) {
    // NOT_SUPPORTED (cuDNN found no fused kernel for this configuration): the unfused path below.
    const float alpha2 = st.cudnn_addend ? 1.f : 0.f;
    const float* z = st.cudnn_addend ? a.inputs[3].as<float>() : y;
    const cudnnStatus_t s = cudnnConvolutionBiasActivationForward(
        a.handles.cudnn, &one, st.x, x, st.w, w, st.conv, st.fwd_algo, scratch, st.algo_bytes, &alpha2, st.y, z,
        st.bias, a.inputs[2].as<float>(), st.activation, st.y, y);
    if (s != CUDNN_STATUS_NOT_SUPPORTED) return cudnn_check(s, "cudnnConvolutionBiasActivationForward");
  }
  if (!st.transpose) {
    if (st.staged) {
      window_kernel<<<grid_for(st.window.numel), kThreads, 0, stream>>>(stage, x, st.window);
      FI_RETURN_IF_ERROR(check_launch("conv pad window_kernel"));
    }
    FI_RETURN_IF_ERROR(
        cudnn_check(cudnnConvolutionForward(a.handles.cudnn, &one, st.x, st.staged ? stage : x, st.w, w, st.conv,
                                            st.fwd_algo, scratch, st.algo_bytes, &zero, st.y, y),
                    "cudnnConvolutionForward"));
  } else {
    FI_RETURN_IF_ERROR(
        cudnn_check(cudnnConvolutionBackwardData(a.handles.cudnn, &one, st.w, w, st.x, x, st.conv, st.bwd_algo, scratch,
                                                 st.algo_bytes, &zero, st.y, st.staged ? stage : y),
                    "cudnnConvolutionBackwardData"));
    if (st.staged) {
      window_kernel<<<grid_for(st.window.numel), kThreads, 0, stream>>>(y, stage, st.window);
      FI_RETURN_IF_ERROR(check_launch("conv_transpose crop window_kernel"));
    }
  }
  std::array<const float*, kMaxEpilogueTerms> terms{};
  for (int i = 0; i < st.epilogue.num_terms; ++i) terms[i] = a.inputs[st.term_input[i]].as<float>();
  return run_epilogue(st.epilogue, y, terms, stream);
}

constexpr CudaKernel kKernels[] = {
    {"Conv", run_conv, prepare_conv},
    {"ConvTranspose", run_conv, prepare_conv},
    {"FusedConv", run_conv, prepare_conv},
};

}  // namespace

std::span<const CudaKernel> conv_kernels() { return kKernels; }

}  // namespace fusedinf::cuda
