// CUDA elementwise kernels: every op of kernels/cpu/elementwise.cpp through one generic
// grid-stride kernel, y[i] = f(x0[off0(i)], x1[off1(i)], ...), where f is a device functor of
// elementwise_ops.cuh and each operand is read at i when it has the output's shape, else
// through its Dims broadcast to the output. Variadic Sum/Mean/Min/Max fold into the output
// like the CPU: y = x0 op x1, then y = y op x2, ...; Mean divides y by the count at the end.
#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "engine/dtype.h"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/cuda_util.cuh"
#include "kernels/cuda/elementwise_ops.cuh"

namespace fusedinf::cuda {

namespace {

using namespace elementwise_ops;  // NOLINT: the functors of this family

// One operand: its device data and, when its shape is not the output's, its Dims broadcast
// to the output (the flag is the same for every thread, so the branch costs nothing).
template <class T>
struct Operand {
  const T* data;
  Dims dims;
  bool broadcast;
  __device__ T at(int64_t i) const { return data[broadcast ? strided_offset(i, dims) : i]; }
};

template <class R, class F, class... T>
__global__ void elementwise_kernel(F f, R* y, int64_t n, Operand<T>... in) {
  FI_CUDA_FOR(i, n) y[i] = f(in.at(i)...);
}

template <class R, class F, class... T>
Status launch(cudaStream_t stream, int64_t n, F f, R* y, Operand<T>... in) {
  if (n == 0) return Status::ok();
  elementwise_kernel<<<grid_for(n), kThreads, 0, stream>>>(f, y, n, in...);
  return check_launch("elementwise_kernel");
}

enum class Kind : uint8_t { kUnaryFloat, kUnaryInt, kNot, kArith, kMean, kCompare, kPow, kWhere, kCast, kIsNanInf };

struct OpInfo {
  template <class E>
  constexpr OpInfo(std::string_view name, Kind kind, E code)
      : name(name), kind(kind), code(static_cast<uint8_t>(code)) {}
  std::string_view name;
  Kind kind;
  uint8_t code;  // UnaryOp, ArithOp or CompareOp
};

using U = UnaryOp;
using A = ArithOp;
using C = CompareOp;
constexpr Kind kU = Kind::kUnaryFloat, kA = Kind::kArith, kC = Kind::kCompare;
// clang-format off
constexpr OpInfo kOps[] = {
    {"Relu", kU, U::kRelu}, {"LeakyRelu", kU, U::kLeakyRelu}, {"Sigmoid", kU, U::kSigmoid},
    {"Tanh", kU, U::kTanh}, {"Clip", kU, U::kClip}, {"HardSigmoid", kU, U::kHardSigmoid},
    {"HardSwish", kU, U::kHardSwish}, {"Elu", kU, U::kElu}, {"Selu", kU, U::kSelu},
    {"Softplus", kU, U::kSoftplus}, {"Erf", kU, U::kErf}, {"Sqrt", kU, U::kSqrt},
    {"Exp", kU, U::kExp}, {"Log", kU, U::kLog}, {"Neg", kU, U::kNeg},
    {"Abs", kU, U::kAbs}, {"Reciprocal", kU, U::kReciprocal}, {"Ceil", kU, U::kCeil},
    {"Floor", kU, U::kFloor}, {"Round", kU, U::kRound}, {"Sign", kU, U::kSign},
    {"Sin", kU, U::kSin}, {"Cos", kU, U::kCos}, {"Tan", kU, U::kTan},
    {"Asin", kU, U::kAsin}, {"Acos", kU, U::kAcos}, {"Atan", kU, U::kAtan},
    {"Sinh", kU, U::kSinh}, {"Cosh", kU, U::kCosh}, {"Asinh", kU, U::kAsinh},
    {"Acosh", kU, U::kAcosh}, {"Atanh", kU, U::kAtanh}, {"Softsign", kU, U::kSoftsign},
    {"ThresholdedRelu", kU, U::kThresholdedRelu}, {"Celu", kU, U::kCelu}, {"Not", Kind::kNot, 0},
    {"Shrink", kU, U::kShrink}, {"Gelu", kU, U::kGelu},
    {"IsNaN", Kind::kIsNanInf, 1}, {"IsInf", Kind::kIsNanInf, 0},
    {"LessOrEqual", kC, C::kLessOrEqual}, {"GreaterOrEqual", kC, C::kGreaterOrEqual}, {"And", kC, C::kAnd},
    {"Or", kC, C::kOr}, {"Xor", kC, C::kXor}, {"Cast", Kind::kCast, 0},
    {"Add", kA, A::kAdd}, {"Sub", kA, A::kSub}, {"Mul", kA, A::kMul},
    {"Div", kA, A::kDiv}, {"Pow", Kind::kPow, 0}, {"PRelu", kA, A::kPRelu},
    {"Mod", kA, A::kMod},
    {"Equal", kC, C::kEqual}, {"Less", kC, C::kLess}, {"Greater", kC, C::kGreater},
    {"Min", kA, A::kMin}, {"Max", kA, A::kMax}, {"Sum", kA, A::kAdd},
    {"Mean", Kind::kMean, A::kAdd}, {"Where", Kind::kWhere, 0},
};
// clang-format on

// What run needs of one node, read once in prepare.
struct State : NodeState {
  Kind kind = Kind::kUnaryFloat;
  uint8_t code = 0;
  float alpha = 0.f, beta = 0.f;      // UnaryFloatFn's attributes
  DType dtype = DType::kFloat32;      // the typed dispatch: input 0's (Pow: the exponent's; Where: X's)
  DType out_dtype = DType::kFloat32;  // Cast's target
  int64_t n = 0;                      // output elements
  Dims out_dims;                      // the output, contiguous: the fold's accumulator
  std::vector<Dims> dims;             // per input, broadcast to the output
  std::vector<bool> broadcast;        // per input: its shape differs from the output's
};

// Whether `in` (the node's input dtypes) are what the CUDA kernel of `kind` handles: the
// dtypes engine/ops/elementwise.cpp accepts, and the input counts of its op definitions.
bool inputs_supported(Kind kind, std::string_view op, std::span<const DType> in) {
  const size_t count = in.size();
  const DType t0 = in[0];
  auto all_same = [&] { return std::all_of(in.begin(), in.end(), [&](DType t) { return t == t0; }); };
  const bool variadic = op == "Sum" || op == "Mean" || op == "Min" || op == "Max";
  switch (kind) {
    case Kind::kUnaryFloat:  // Neg and Abs also take integers (then run as kUnaryInt)
      return count == 1 &&
             (t0 == DType::kFloat32 || ((op == "Neg" || op == "Abs") && (t0 == DType::kInt64 || t0 == DType::kInt32)));
    case Kind::kUnaryInt:
      return false;  // only reached through kUnaryFloat
    case Kind::kNot:
      return count == 1 && t0 == DType::kBool;
    case Kind::kIsNanInf:
      return count == 1 && t0 == DType::kFloat32;
    case Kind::kCast:
      return count == 1;
    case Kind::kArith:
      return (variadic || count == 2) && all_same() && t0 != DType::kBool && (op != "PRelu" || t0 == DType::kFloat32);
    case Kind::kMean:
      return all_same() && t0 == DType::kFloat32;
    case Kind::kCompare:
      return count == 2 && all_same();
    case Kind::kPow:
      return count == 2 && t0 == DType::kFloat32 && in[1] != DType::kBool;
    case Kind::kWhere:
      return count == 3 && t0 == DType::kBool && in[1] == in[2];
  }
  return false;
}

Result<Prepared> prepare(const PrepareArgs& args) {
  const Node& node = args.node;
  const std::string where = node.op + " node '" + node.name + "'";
  const auto info = std::find_if(std::begin(kOps), std::end(kOps), [&](const OpInfo& o) { return o.name == node.op; });
  if (info == std::end(kOps)) return Status::error(where + ": not an elementwise op");
  if (node.inputs.empty() || node.outputs.size() != 1)
    return Status::error(where + ": expects at least one input and one output");
  const Tensor& out = args.graph.tensors[node.outputs[0]];
  FI_RETURN_IF_ERROR(check_rank(out.shape, where.c_str()));
  auto state = std::make_unique<State>();
  state->kind = info->kind;
  state->code = info->code;
  state->n = num_elements(out.shape);
  state->out_dtype = out.dtype;
  state->out_dims = contiguous_dims(out.shape);
  std::vector<DType> dtypes;
  for (int t : node.inputs) {
    if (t < 0) return Status::error(where + ": an input is absent");
    const Tensor& in = args.graph.tensors[t];
    FI_RETURN_IF_ERROR(check_rank(in.shape, where.c_str()));
    dtypes.push_back(in.dtype);
    state->dims.push_back(broadcast_dims(in.shape, out.shape));
    state->broadcast.push_back(in.shape != out.shape);
  }
  if (!inputs_supported(info->kind, node.op, dtypes))
    return Status::error(where + ": its input count or dtypes are not supported by the CUDA kernel");
  state->dtype = info->kind == Kind::kPow || info->kind == Kind::kWhere ? dtypes[1] : dtypes[0];
  if (info->kind == Kind::kUnaryFloat && dtypes[0] != DType::kFloat32) state->kind = Kind::kUnaryInt;
  if (node.op == "Mod" && node.attrs.get_int("fmod", 0) != 0) state->code = static_cast<uint8_t>(ArithOp::kFmod);
  if (info->kind == Kind::kIsNanInf) {  // alpha: detect_negative, beta: detect_positive
    state->alpha = node.attrs.get_int("detect_negative", 1) != 0 ? 1.f : 0.f;
    state->beta = node.attrs.get_int("detect_positive", 1) != 0 ? 1.f : 0.f;
  }
  if (info->kind == Kind::kUnaryFloat) {
    const Attributes& at = node.attrs;
    switch (static_cast<UnaryOp>(info->code)) {  // the defaults of kernels/cpu/elementwise.cpp
      case UnaryOp::kLeakyRelu:
        state->alpha = at.get_float("alpha", 0.01f);
        break;
      case UnaryOp::kClip:
        state->alpha = at.get_float("min", -INFINITY);
        state->beta = at.get_float("max", INFINITY);
        break;
      case UnaryOp::kHardSigmoid:
        state->alpha = at.get_float("alpha", 0.2f);
        state->beta = at.get_float("beta", 0.5f);
        break;
      case UnaryOp::kSelu:
        state->alpha = at.get_float("alpha", 1.67326319217681884765625f);
        state->beta = at.get_float("gamma", 1.05070102214813232421875f);
        break;
      case UnaryOp::kElu:
      case UnaryOp::kThresholdedRelu:
      case UnaryOp::kCelu:
        state->alpha = at.get_float("alpha", 1.f);
        break;
      case UnaryOp::kShrink:
        state->alpha = at.get_float("lambd", 0.5f);
        state->beta = at.get_float("bias", 0.f);
        break;
      case UnaryOp::kGelu:
        state->alpha = at.get_string("approximate", "none") == "tanh" ? 1.f : 0.f;
        break;
      default:
        break;
    }
  }
  return Prepared{std::move(state), 0};
}

template <class T>
Operand<T> operand(const KernelArgs& a, const State& s, size_t i) {
  return {a.inputs[i].template as<T>(), s.dims[i], s.broadcast[i]};
}

// y = x0 op x1 op x2 ... (left fold, each input broadcast), then / count for Mean.
template <class T>
Status run_fold(const KernelArgs& a, const State& s) {
  cudaStream_t stream = a.handles.stream;
  T* y = a.outputs[0].as<T>();
  const ArithFn<T> f{static_cast<ArithOp>(s.code)};
  const size_t count = a.inputs.size();
  if (count == 1) {
    FI_RETURN_IF_ERROR(launch(stream, s.n, IdentityFn<T>{}, y, operand<T>(a, s, 0)));
  } else {
    FI_RETURN_IF_ERROR(launch(stream, s.n, f, y, operand<T>(a, s, 0), operand<T>(a, s, 1)));
  }
  for (size_t k = 2; k < count; ++k)
    FI_RETURN_IF_ERROR(launch(stream, s.n, f, y, Operand<T>{y, s.out_dims, false}, operand<T>(a, s, k)));
  if constexpr (std::is_same_v<T, float>) {
    if (s.kind == Kind::kMean)
      FI_RETURN_IF_ERROR(
          launch(stream, s.n, DivideByFn{static_cast<float>(count)}, y, Operand<T>{y, s.out_dims, false}));
  }
  return Status::ok();
}

Status run(const KernelArgs& a) {
  const State& s = *static_cast<const State*>(a.state);
  cudaStream_t stream = a.handles.stream;
  switch (s.kind) {
    case Kind::kUnaryFloat:
      return launch(stream, s.n, UnaryFloatFn{static_cast<UnaryOp>(s.code), s.alpha, s.beta}, a.outputs[0].as<float>(),
                    operand<float>(a, s, 0));
    case Kind::kIsNanInf:
      return launch(stream, s.n, IsNanInfFn{s.code != 0, s.alpha != 0.f, s.beta != 0.f}, a.outputs[0].as<bool>(),
                    operand<float>(a, s, 0));
    case Kind::kNot:
      return launch(stream, s.n, NotFn{}, a.outputs[0].as<bool>(), operand<bool>(a, s, 0));
    case Kind::kUnaryInt:
      if (s.dtype == DType::kInt64)
        return launch(stream, s.n, UnaryIntFn<int64_t>{s.code == static_cast<uint8_t>(UnaryOp::kNeg)},
                      a.outputs[0].as<int64_t>(), operand<int64_t>(a, s, 0));
      return launch(stream, s.n, UnaryIntFn<int32_t>{s.code == static_cast<uint8_t>(UnaryOp::kNeg)},
                    a.outputs[0].as<int32_t>(), operand<int32_t>(a, s, 0));
    case Kind::kArith:
    case Kind::kMean:
      return dispatch_dtype(s.dtype, [&]<class T>() -> Status {
        if constexpr (std::is_same_v<T, bool>)
          return Status::error("bool arithmetic");  // refused in prepare
        else
          return run_fold<T>(a, s);
      });
    case Kind::kCompare:
      return dispatch_dtype(s.dtype, [&]<class T>() {
        return launch(stream, s.n, CompareFn<T>{static_cast<CompareOp>(s.code)}, a.outputs[0].as<bool>(),
                      operand<T>(a, s, 0), operand<T>(a, s, 1));
      });
    case Kind::kPow:
      return dispatch_dtype(s.dtype, [&]<class E>() -> Status {
        if constexpr (std::is_same_v<E, bool>)
          return Status::error("bool exponent");  // refused in prepare
        else
          return launch(stream, s.n, PowFn<E>{}, a.outputs[0].as<float>(), operand<float>(a, s, 0),
                        operand<E>(a, s, 1));
      });
    case Kind::kWhere:
      return dispatch_dtype(s.dtype, [&]<class T>() {
        return launch(stream, s.n, WhereFn<T>{}, a.outputs[0].as<T>(), operand<bool>(a, s, 0), operand<T>(a, s, 1),
                      operand<T>(a, s, 2));
      });
    case Kind::kCast:
      return dispatch_dtype(s.dtype, [&]<class S>() {
        return dispatch_dtype(s.out_dtype, [&]<class D>() {
          return launch(stream, s.n, CastFn<S, D>{}, a.outputs[0].as<D>(), operand<S>(a, s, 0));
        });
      });
  }
  return Status::error("elementwise: unknown kind");
}

constexpr auto kKernels = [] {
  std::array<CudaKernel, std::size(kOps)> kernels{};
  for (size_t i = 0; i < kernels.size(); ++i) kernels[i] = {kOps[i].name, run, prepare};
  return kernels;
}();

}  // namespace

std::span<const CudaKernel> elementwise_kernels() { return kKernels; }

}  // namespace fusedinf::cuda
