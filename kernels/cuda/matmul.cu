// CUDA Gemm, MatMul, FusedGemm and FusedMatMul through cuBLAS, mirroring kernels/cpu/matmul.cpp
// and kernels/cpu/fused.cpp (fp32). Row-major through the column-major library: a row-major
// [r, c] matrix is a column-major [c, r] one, so Y^T = op(B)^T op(A)^T and cuBLAS gets B first.
// - MatMul batches (numpy broadcasting of the leading dims, 1-d operands promoted): when B is one
//   matrix and A's batch is not broadcast, A's batch folds into M (one gemm); otherwise the batch
//   dims are coalesced and the innermost one becomes one strided-batched call (stride 0 for a
//   broadcast operand), the rest a fixed loop of calls in run.
// - Gemm's C (times beta), the fused addend and the activation: in one cublasLtMatmul where
//   cuBLASLt can take them (plan_lt: one matrix, a per-column bias, ReLU or none), otherwise the
//   epilogue kernel (epilogue.cuh) after cuBLAS, y = act((alpha * A B + beta * C) + addend) as
//   the CPU rounds it.
// Every call names its compute type: CUBLAS_COMPUTE_32F, or _FAST_TF32 only when
// handles.options.allow_tf32 (the math mode is set to match on each run: the handle is shared).
#include <algorithm>
#include <climits>
#include <string>
#include <utility>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/cuda_util.cuh"
#include "kernels/cuda/epilogue.cuh"

namespace fusedinf::cuda {

namespace {

std::string where(const Node& node) { return node.op + " '" + node.name + "': "; }

Status cublas_check(cublasStatus_t s, const char* what) {
  return s == CUBLAS_STATUS_SUCCESS ? Status::ok() : Status::error(std::string(what) + ": " + cublasGetStatusString(s));
}

struct MatmulState : NodeState {
  cublasOperation_t op_b = CUBLAS_OP_N, op_a = CUBLAS_OP_N;  // cuBLAS's first (B) and second (A) operand
  int m = 0, n = 0, k = 0, lda = 0, ldb = 0;
  float alpha = 1.f;
  int64_t y_numel = 0;
  // `inner` matrices per strided-batched call (strides in elements), `outer_count` calls at the
  // element offsets that the outer dims give for each operand.
  int inner = 1;
  long long inner_a = 0, inner_b = 0, inner_y = 0;
  int64_t outer_count = 1;
  Dims outer_a, outer_b, outer_y;
  Epilogue epilogue;
  int term_input[kMaxEpilogueTerms] = {-1, -1};  // input index of each epilogue term
  // cuBLASLt path (lt): D = act(alpha * A B + beta * C + bias) in one call, the algorithm chosen
  // in prepare, its workspace in the arena. lt_c / lt_bias: input index of C / bias, or -1.
  bool lt = false;
  int lt_c = -1, lt_bias = -1;
  float lt_beta = 0.f;
  cublasLtEpilogue_t lt_epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  cublasLtMatrixLayout_t lt_a = nullptr, lt_b = nullptr, lt_d = nullptr;  // cuBLASLt's A is our B
  cublasLtMatmulAlgo_t lt_algo{};
  size_t lt_workspace = 0;

  std::string describe() const override {
    std::string s;
    if (lt) {
      s = "cuBLASLt, workspace " + std::to_string(lt_workspace) + " B";
      if (lt_c >= 0) s += ", C in the call";
      if (lt_epilogue != CUBLASLT_EPILOGUE_DEFAULT)
        s += lt_epilogue == CUBLASLT_EPILOGUE_BIAS   ? ", bias fused"
             : lt_epilogue == CUBLASLT_EPILOGUE_RELU ? ", relu fused"
                                                     : ", bias + relu fused";
      return s;
    }
    s = inner > 1 ? "cuBLAS strided-batched gemm x " + std::to_string(outer_count)
                  : "cuBLAS gemm x " + std::to_string(outer_count);
    if (!epilogue.empty()) s += ", epilogue kernel";
    return s;
  }

  ~MatmulState() override {
    if (lt_a) cublasLtMatrixLayoutDestroy(lt_a);
    if (lt_b) cublasLtMatrixLayoutDestroy(lt_b);
    if (lt_d) cublasLtMatrixLayoutDestroy(lt_d);
  }
};

constexpr uint64_t kLtMaxWorkspace = uint64_t{4} << 20;  // what we let cuBLASLt's algorithm use
// cuBLAS's workspace on the cuBLAS path, from the arena (cublasSetWorkspace before each call), so
// that cuBLAS never allocates its own during a run or a graph capture. Its split-K algorithms
// need about splits x M x N floats; small-batch inference GEMMs need little or none.
constexpr uint64_t kCublasWorkspace = uint64_t{1} << 20;
constexpr uint32_t kOperandAlignment = 64;  // the arena's and the weights' alignment

// Batch dims of A, B and Y with their strides (elements), coalesced jointly: size-1 dims
// dropped, neighbours merged where all three are contiguous across them.
struct Batch {
  int rank = 0;
  int64_t size[kMaxRank] = {}, a[kMaxRank] = {}, b[kMaxRank] = {}, y[kMaxRank] = {};
};

Batch coalesce_batch(const Dims& a, const Dims& b, const Dims& y) {
  Batch r;  // innermost first, reversed at the end
  for (int i = y.rank - 1; i >= 0; --i) {
    if (y.size[i] == 1) continue;
    const int l = r.rank - 1;
    if (r.rank > 0 && a.stride[i] == r.a[l] * r.size[l] && b.stride[i] == r.b[l] * r.size[l] &&
        y.stride[i] == r.y[l] * r.size[l]) {
      r.size[l] *= y.size[i];
      continue;
    }
    r.size[r.rank] = y.size[i], r.a[r.rank] = a.stride[i], r.b[r.rank] = b.stride[i], r.y[r.rank] = y.stride[i];
    ++r.rank;
  }
  for (int i = 0; i < r.rank / 2; ++i) {
    const int j = r.rank - 1 - i;
    std::swap(r.size[i], r.size[j]), std::swap(r.a[i], r.a[j]), std::swap(r.b[i], r.b[j]), std::swap(r.y[i], r.y[j]);
  }
  return r;
}

Dims scaled(const Dims& d, int64_t factor) {
  Dims r = d;
  for (int i = 0; i < r.rank; ++i) r.stride[i] *= factor;
  return r;
}

// MatMul's batching (the CPU's numpy rules) into st.
Status plan_batches(const Shape& a_shape, const Shape& b_shape, MatmulState& st) {
  Shape as = a_shape, bs = b_shape;
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  const Shape batch_a(as.begin(), as.end() - 2), batch_b(bs.begin(), bs.end() - 2);
  Shape batch = batch_a.size() > batch_b.size() ? batch_a : batch_b;
  for (size_t i = 0; i < batch.size(); ++i) {
    const int64_t da = i + batch_a.size() >= batch.size() ? batch_a[i + batch_a.size() - batch.size()] : 1;
    const int64_t db = i + batch_b.size() >= batch.size() ? batch_b[i + batch_b.size() - batch.size()] : 1;
    batch[i] = std::max(da, db);
  }
  FI_RETURN_IF_ERROR(check_rank(batch, "batch dims"));
  const int64_t batches = num_elements(batch);
  int64_t rows = m;
  if (num_elements(batch_b) == 1 && num_elements(batch_a) == batches) rows = m * batches;  // fold A's batch into M
  if (rows > INT_MAX || n > INT_MAX || k > INT_MAX) return Status::error("matrix dims exceed cuBLAS's int range");
  st.m = static_cast<int>(rows), st.n = static_cast<int>(n), st.k = static_cast<int>(k);
  st.lda = st.k, st.ldb = st.n;
  if (rows != m || batches == 1) return Status::ok();

  const Batch r = coalesce_batch(scaled(broadcast_dims(batch_a, batch), m * k),
                                 scaled(broadcast_dims(batch_b, batch), k * n), scaled(contiguous_dims(batch), m * n));
  if (r.rank == 0) return Status::ok();
  const int l = r.rank - 1;
  if (r.size[l] > INT_MAX) return Status::error("batch count exceeds cuBLAS's int range");
  st.inner = static_cast<int>(r.size[l]);
  st.inner_a = r.a[l], st.inner_b = r.b[l], st.inner_y = r.y[l];
  st.outer_a.rank = st.outer_b.rank = st.outer_y.rank = l;
  for (int i = 0; i < l; ++i) {
    st.outer_a.size[i] = st.outer_b.size[i] = st.outer_y.size[i] = r.size[i];
    st.outer_a.stride[i] = r.a[i], st.outer_b.stride[i] = r.b[i], st.outer_y.stride[i] = r.y[i];
    st.outer_count *= r.size[i];
  }
  return Status::ok();
}

// The compute type every call names: exact fp32 unless TF32 is allowed.
cublasComputeType_t compute_type(const Options& o) {
  return o.allow_tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
}

// Fills `desc` (caller-owned storage: nothing allocated, so a shared prepared state is never
// written at run time) with st's operation and `bias` (a device pointer, or an aligned dummy
// when only choosing the algorithm).
Status init_lt_desc(cublasLtMatmulDescOpaque_t& desc, const MatmulState& st, const Options& o, const void* bias) {
  FI_RETURN_IF_ERROR(
      cublas_check(cublasLtMatmulDescInit(&desc, compute_type(o), CUDA_R_32F), "cublasLtMatmulDescInit"));
  const auto set = [&](cublasLtMatmulDescAttributes_t attr, const void* value, size_t bytes) {
    return cublas_check(cublasLtMatmulDescSetAttribute(&desc, attr, value, bytes), "cublasLtMatmulDescSetAttribute");
  };
  FI_RETURN_IF_ERROR(set(CUBLASLT_MATMUL_DESC_TRANSA, &st.op_b, sizeof(st.op_b)));
  FI_RETURN_IF_ERROR(set(CUBLASLT_MATMUL_DESC_TRANSB, &st.op_a, sizeof(st.op_a)));
  FI_RETURN_IF_ERROR(set(CUBLASLT_MATMUL_DESC_EPILOGUE, &st.lt_epilogue, sizeof(st.lt_epilogue)));
  if (st.lt_bias >= 0) FI_RETURN_IF_ERROR(set(CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)));
  return Status::ok();
}

// Whether one cublasLtMatmul computes the whole node, and its layouts and algorithm if so.
// cuBLASLt works column-major: our row-major Y [m, n] is its D [n, m], and its A is our B.
// Taken: one matrix product (no batch), ReLU or no activation (its GELU is the tanh form, ours
// the erf one), and epilogue terms it has: an [m, n] term as C (beta = the term's scale) and a
// per-column bias ([n] or [1, n], scale 1: a vector along D's rows). Anything else, or no
// algorithm within kLtMaxWorkspace, leaves st.lt false: cuBLAS and the epilogue kernel.
Status plan_lt(const PrepareArgs& a, MatmulState& st) {
  const Node& node = a.node;
  const Graph& g = a.graph;
  if (!a.handles.options.library_epilogues || !a.handles.cublaslt || st.inner != 1 || st.outer_count != 1 || st.k == 0)
    return Status::ok();
  const Activation act = st.epilogue.act.kind;
  if (act != Activation::kNone && act != Activation::kRelu) return Status::ok();
  const Shape& ys = g.tensors[node.outputs[0]].shape;
  const Shape full{st.m, st.n};
  for (int i = 0; i < st.epilogue.num_terms; ++i) {
    const int input = st.term_input[i];
    const Shape& ts = g.tensors[node.inputs[input]].shape;
    if (num_elements(ts) == num_elements(ys) && (ts == ys || ts == full) && st.lt_c < 0) {
      st.lt_c = input, st.lt_beta = st.epilogue.scale[i];
    } else if (st.epilogue.scale[i] == 1.f && !ts.empty() && ts.size() <= 2 && num_elements(ts) == st.n &&
               ts.back() == st.n && st.lt_bias < 0) {
      st.lt_bias = input;
    } else {
      return Status::ok();
    }
  }
  if (act == Activation::kRelu)
    st.lt_epilogue = st.lt_bias >= 0 ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_RELU;
  else
    st.lt_epilogue = st.lt_bias >= 0 ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT;

  const bool tb = st.op_b == CUBLAS_OP_T, ta = st.op_a == CUBLAS_OP_T;
  FI_RETURN_IF_ERROR(cublas_check(
      cublasLtMatrixLayoutCreate(&st.lt_a, CUDA_R_32F, tb ? st.k : st.n, tb ? st.n : st.k, st.ldb), "layout of B"));
  FI_RETURN_IF_ERROR(cublas_check(
      cublasLtMatrixLayoutCreate(&st.lt_b, CUDA_R_32F, ta ? st.m : st.k, ta ? st.k : st.m, st.lda), "layout of A"));
  FI_RETURN_IF_ERROR(cublas_check(cublasLtMatrixLayoutCreate(&st.lt_d, CUDA_R_32F, st.n, st.m, st.n), "layout of Y"));

  cublasLtMatmulDescOpaque_t desc;
  FI_RETURN_IF_ERROR(
      init_lt_desc(desc, st, a.handles.options, reinterpret_cast<const void*>(uintptr_t{kOperandAlignment})));
  cublasLtMatmulPreferenceOpaque_t pref;
  FI_RETURN_IF_ERROR(cublas_check(cublasLtMatmulPreferenceInit(&pref), "cublasLtMatmulPreferenceInit"));
  const auto set_pref = [&](cublasLtMatmulPreferenceAttributes_t attr, const void* value, size_t bytes) {
    return cublas_check(cublasLtMatmulPreferenceSetAttribute(&pref, attr, value, bytes),
                        "cublasLtMatmulPreferenceSetAttribute");
  };
  const uint64_t max_workspace = kLtMaxWorkspace;
  FI_RETURN_IF_ERROR(set_pref(CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &max_workspace, sizeof(max_workspace)));
  for (auto attr : {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                    CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES})
    FI_RETURN_IF_ERROR(set_pref(attr, &kOperandAlignment, sizeof(kOperandAlignment)));
  cublasLtMatmulHeuristicResult_t result{};
  int returned = 0;
  const cublasStatus_t s = cublasLtMatmulAlgoGetHeuristic(a.handles.cublaslt, &desc, st.lt_a, st.lt_b, st.lt_d, st.lt_d,
                                                          &pref, 1, &result, &returned);
  if (s != CUBLAS_STATUS_SUCCESS || returned == 0 || result.state != CUBLAS_STATUS_SUCCESS) {
    st.lt_c = st.lt_bias = -1;  // no algorithm: the cuBLAS path
    return Status::ok();
  }
  st.lt_algo = result.algo;
  st.lt_workspace = result.workspaceSize;
  st.lt = true;
  return Status::ok();
}

Status build(const PrepareArgs& a, MatmulState& st) {
  const Node& node = a.node;
  const Graph& g = a.graph;
  for (int t : node.inputs)
    if (t >= 0 && g.tensors[t].dtype != DType::kFloat32) return Status::error("inputs must be fp32");
  const Shape &as = g.tensors[node.inputs[0]].shape, &bs = g.tensors[node.inputs[1]].shape,
              &ys = g.tensors[node.outputs[0]].shape;
  FI_RETURN_IF_ERROR(check_rank(ys, "output"));
  st.y_numel = num_elements(ys);
  const bool gemm = node.op == "Gemm" || node.op == "FusedGemm";
  const bool fused = node.op == "FusedGemm" || node.op == "FusedMatMul";
  st.epilogue = Epilogue(ys, fused ? epilogue_from_attrs(node.attrs) : EpilogueParams{});
  const auto present = [&](size_t i) { return node.inputs.size() > i && node.inputs[i] >= 0; };
  const auto add_term = [&](size_t i, float scale) {
    st.term_input[st.epilogue.num_terms] = static_cast<int>(i);
    return st.epilogue.add_broadcast(g.tensors[node.inputs[i]].shape, ys, scale);
  };
  if (gemm) {
    const bool ta = node.attrs.get_int("transA", 0), tb = node.attrs.get_int("transB", 0);
    const int64_t m = ys[0], n = ys[1], k = ta ? as[0] : as[1];
    if (m > INT_MAX || n > INT_MAX || k > INT_MAX) return Status::error("matrix dims exceed cuBLAS's int range");
    st.m = static_cast<int>(m), st.n = static_cast<int>(n), st.k = static_cast<int>(k);
    st.op_a = ta ? CUBLAS_OP_T : CUBLAS_OP_N, st.op_b = tb ? CUBLAS_OP_T : CUBLAS_OP_N;
    st.lda = static_cast<int>(ta ? m : k), st.ldb = static_cast<int>(tb ? k : n);
    st.alpha = node.attrs.get_float("alpha", 1.f);
    if (present(2)) FI_RETURN_IF_ERROR(add_term(2, node.attrs.get_float("beta", 1.f)));
    if (fused && present(3)) FI_RETURN_IF_ERROR(add_term(3, 1.f));
  } else {
    FI_RETURN_IF_ERROR(plan_batches(as, bs, st));
    if (fused && present(2)) FI_RETURN_IF_ERROR(add_term(2, 1.f));
  }
  return plan_lt(a, st);
}

Result<Prepared> prepare_matmul(const PrepareArgs& a) {
  auto st = std::make_unique<MatmulState>();
  const Status s = build(a, *st);
  if (!s.is_ok()) return Status::error(where(a.node) + s.message());
  if (!a.handles.cublas) return Status::error(where(a.node) + "no cuBLAS handle");
  const bool computes = st->y_numel > 0 && st->k > 0;
  const uint64_t scratch = st->lt ? st->lt_workspace : computes ? kCublasWorkspace : 0;
  const uint64_t workspace = scratch ? scratch + kLibraryAlignment : 0;
  return Prepared{std::move(st), workspace};
}

// The cuBLASLt path; NOT_SUPPORTED (cuBLASLt refused this configuration at run time) returns
// false in `done` so that the caller takes the cuBLAS path.
Status run_lt(const KernelArgs& a, const MatmulState& st, bool& done) {
  done = false;
  const float* C = st.lt_c >= 0 ? a.inputs[st.lt_c].as<float>() : nullptr;
  const float* bias = st.lt_bias >= 0 ? a.inputs[st.lt_bias].as<float>() : nullptr;
  float* Y = a.outputs[0].as<float>();
  cublasLtMatmulDescOpaque_t desc;
  FI_RETURN_IF_ERROR(init_lt_desc(desc, st, a.handles.options, bias));
  void* scratch = st.lt_workspace ? library_scratch(a.workspace).data() : nullptr;
  // Without a C term, beta = 0 and C is Y, which cuBLASLt does not read then.
  const float beta = C ? st.lt_beta : 0.f;
  const cublasStatus_t s =
      cublasLtMatmul(a.handles.cublaslt, &desc, &st.alpha, a.inputs[1].data, st.lt_a, a.inputs[0].data, st.lt_b, &beta,
                     C ? C : Y, st.lt_d, Y, st.lt_d, &st.lt_algo, scratch, st.lt_workspace, a.handles.stream);
  if (s == CUBLAS_STATUS_NOT_SUPPORTED) return Status::ok();
  FI_RETURN_IF_ERROR(cublas_check(s, "cublasLtMatmul"));
  done = true;
  return Status::ok();
}

Status run_matmul(const KernelArgs& a) {
  const auto& st = static_cast<const MatmulState&>(*a.state);
  if (st.y_numel == 0) return Status::ok();
  const float* A = a.inputs[0].as<float>();
  const float* B = a.inputs[1].as<float>();
  float* Y = a.outputs[0].as<float>();
  const cublasHandle_t h = a.handles.cublas;
  if (st.lt) {
    bool done = false;
    FI_RETURN_IF_ERROR(run_lt(a, st, done));
    if (done) return Status::ok();
  }
  if (st.k == 0) {  // empty sums: alpha * 0
    FI_RETURN_IF_ERROR(check_cuda(cudaMemsetAsync(Y, 0, st.y_numel * sizeof(float), a.handles.stream), "memset"));
  } else {
    const bool tf32 = a.handles.options.allow_tf32;
    const cublasComputeType_t compute = compute_type(a.handles.options);
    FI_RETURN_IF_ERROR(cublas_check(cublasSetMathMode(h, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
                                    "cublasSetMathMode"));
    // The lt path's workspace may be smaller than kCublasWorkspace (it falls back here only when
    // cuBLASLt refuses at run time); cuBLAS then picks algorithms that fit.
    const std::span<uint8_t> scratch = library_scratch(a.workspace);
    FI_RETURN_IF_ERROR(cublas_check(cublasSetWorkspace(h, scratch.data(), scratch.size()), "cublasSetWorkspace"));
    const float zero = 0.f;
    for (int64_t o = 0; o < st.outer_count; ++o) {
      const float* Ao = A + strided_offset(o, st.outer_a);
      const float* Bo = B + strided_offset(o, st.outer_b);
      float* Yo = Y + strided_offset(o, st.outer_y);
      const cublasStatus_t s =
          st.inner == 1
              ? cublasGemmEx(h, st.op_b, st.op_a, st.n, st.m, st.k, &st.alpha, Bo, CUDA_R_32F, st.ldb, Ao, CUDA_R_32F,
                             st.lda, &zero, Yo, CUDA_R_32F, st.n, compute, CUBLAS_GEMM_DEFAULT)
              : cublasGemmStridedBatchedEx(h, st.op_b, st.op_a, st.n, st.m, st.k, &st.alpha, Bo, CUDA_R_32F, st.ldb,
                                           st.inner_b, Ao, CUDA_R_32F, st.lda, st.inner_a, &zero, Yo, CUDA_R_32F, st.n,
                                           st.inner_y, st.inner, compute, CUBLAS_GEMM_DEFAULT);
      FI_RETURN_IF_ERROR(cublas_check(s, st.inner == 1 ? "cublasGemmEx" : "cublasGemmStridedBatchedEx"));
    }
  }
  std::array<const float*, kMaxEpilogueTerms> terms{};
  for (int i = 0; i < st.epilogue.num_terms; ++i) terms[i] = a.inputs[st.term_input[i]].as<float>();
  return run_epilogue(st.epilogue, Y, terms, a.handles.stream);
}

constexpr CudaKernel kKernels[] = {
    {"Gemm", run_matmul, prepare_matmul},
    {"MatMul", run_matmul, prepare_matmul},
    {"FusedGemm", run_matmul, prepare_matmul},
    {"FusedMatMul", run_matmul, prepare_matmul},
};

}  // namespace

std::span<const CudaKernel> matmul_kernels() { return kKernels; }

}  // namespace fusedinf::cuda
