// Reference elementwise kernels: one unary table, one broadcasting binary loop, Where, Cast.
#include <cmath>
#include <functional>
#include <limits>
#include <string_view>

#include "kernels/cpu/broadcast.h"
#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf::cpu {

namespace {

// y = f(x) for float32 x; the attributes are read once.
Status run_unary_float(const KernelArgs& a) {
  const Attributes& at = a.node.attrs;
  const std::string& op = a.node.op;
  std::function<float(float)> f;
  if (op == "Relu")
    f = [](float x) { return x < 0.f ? 0.f : x; };  // NaN stays NaN, as max(x, 0)
  else if (op == "LeakyRelu")
    f = [al = at.float_or("alpha", 0.01f)](float x) { return x >= 0.f ? x : al * x; };
  else if (op == "Sigmoid")
    f = [](float x) { return 1.f / (1.f + std::exp(-x)); };
  else if (op == "Tanh")
    f = [](float x) { return std::tanh(x); };
  else if (op == "Clip")
    f = [lo = at.float_or("min", -INFINITY), hi = at.float_or("max", INFINITY)](float x) {
      return std::isnan(x) ? x : std::fmin(std::fmax(x, lo), hi);
    };
  else if (op == "HardSigmoid")
    f = [al = at.float_or("alpha", 0.2f), be = at.float_or("beta", 0.5f)](float x) {
      return std::isnan(x) ? x : std::fmax(0.f, std::fmin(1.f, al * x + be));
    };
  else if (op == "HardSwish")
    f = [](float x) { return x * std::fmax(0.f, std::fmin(1.f, x / 6.f + 0.5f)); };
  else if (op == "Elu")
    f = [al = at.float_or("alpha", 1.f)](float x) { return x >= 0.f ? x : al * (std::exp(x) - 1.f); };
  else if (op == "Selu")
    f = [al = at.float_or("alpha", 1.67326319217681884765625f), ga = at.float_or("gamma", 1.05070102214813232421875f)](
            float x) { return x > 0.f ? ga * x : ga * (al * std::exp(x) - al); };
  else if (op == "Softplus")
    f = [](float x) {  // log(1 + e^x) without overflow: x + log(1 + e^-x) for x > 0
      return x > 0.f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    };
  else if (op == "Erf")
    f = [](float x) { return std::erf(x); };
  else if (op == "Sqrt")
    f = [](float x) { return std::sqrt(x); };
  else if (op == "Exp")
    f = [](float x) { return std::exp(x); };
  else if (op == "Log")
    f = [](float x) { return std::log(x); };
  else if (op == "Neg")
    f = [](float x) { return -x; };
  else if (op == "Abs")
    f = [](float x) { return std::fabs(x); };
  else if (op == "Reciprocal")
    f = [](float x) { return 1.f / x; };
  else if (op == "Ceil")
    f = [](float x) { return std::ceil(x); };
  else if (op == "Floor")
    f = [](float x) { return std::floor(x); };
  else if (op == "Round")
    f = [](float x) { return std::nearbyint(x); };  // half to even (default rounding mode)
  else if (op == "Sign")
    f = [](float x) { return x > 0.f ? 1.f : x < 0.f ? -1.f : x; };
  else if (op == "Sin")
    f = [](float x) { return std::sin(x); };
  else if (op == "Cos")
    f = [](float x) { return std::cos(x); };
  else if (op == "Tan")
    f = [](float x) { return std::tan(x); };
  else if (op == "Asin")
    f = [](float x) { return std::asin(x); };
  else if (op == "Acos")
    f = [](float x) { return std::acos(x); };
  else if (op == "Atan")
    f = [](float x) { return std::atan(x); };
  else if (op == "Sinh")
    f = [](float x) { return std::sinh(x); };
  else if (op == "Cosh")
    f = [](float x) { return std::cosh(x); };
  else if (op == "Asinh")
    f = [](float x) { return std::asinh(x); };
  else if (op == "Acosh")
    f = [](float x) { return std::acosh(x); };
  else if (op == "Atanh")
    f = [](float x) { return std::atanh(x); };
  else if (op == "Softsign")
    f = [](float x) { return x / (1.f + std::fabs(x)); };
  else if (op == "ThresholdedRelu")
    f = [al = at.float_or("alpha", 1.f)](float x) { return x > al ? x : 0.f; };
  else if (op == "Celu")
    f = [al = at.float_or("alpha", 1.f)](float x) {
      return std::isnan(x) ? x : std::fmax(0.f, x) + std::fmin(0.f, al * (std::exp(x / al) - 1.f));
    };
  else if (op == "Shrink")  // x + bias below -lambd, x - bias above lambd, 0 between
    f = [l = at.float_or("lambd", 0.5f), b = at.float_or("bias", 0.f)](float x) {
      return x < -l ? x + b : x > l ? x - b : 0.f;
    };
  else if (op == "Gelu" && at.string_or("approximate", "none") == "tanh")  // 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3)))
    f = [](float x) { return 0.5f * x * (1.f + std::tanh(0.7978845608028654f * (x + 0.044715f * x * x * x))); };
  else if (op == "Gelu")  // 0.5x(1 + erf(x / sqrt(2)))
    f = [](float x) { return 0.5f * x * (1.f + std::erf(x * 0.7071067811865476f)); };
  else
    return Status::error("no unary function");
  const float* x = a.inputs[0].as<float>();
  float* y = a.outputs[0].as<float>();
  for (int64_t i = 0, n = a.outputs[0].numel(); i < n; ++i) y[i] = f(x[i]);
  return Status::ok();
}

// IsNaN; IsInf: +inf when detect_positive, -inf when detect_negative.
Status run_is_nan_inf(const KernelArgs& a) {
  const bool nan = a.node.op == "IsNaN";
  const bool neg = a.node.attrs.int_or("detect_negative", 1) != 0, pos = a.node.attrs.int_or("detect_positive", 1) != 0;
  const float* x = a.inputs[0].as<float>();
  bool* y = a.outputs[0].as<bool>();
  for (int64_t i = 0, n = a.outputs[0].numel(); i < n; ++i)
    y[i] = nan ? std::isnan(x[i]) : std::isinf(x[i]) && (x[i] > 0 ? pos : neg);
  return Status::ok();
}

Status run_unary(const KernelArgs& a) {
  if (a.inputs[0].dtype == DType::kFloat32) return run_unary_float(a);
  if (a.node.op == "Not") {
    for (int64_t i = 0, n = a.outputs[0].numel(); i < n; ++i) a.outputs[0].as<bool>()[i] = !a.inputs[0].as<bool>()[i];
    return Status::ok();
  }
  const bool neg = a.node.op == "Neg";
  return dispatch_dtype(a.inputs[0].dtype, [&]<class T>() {
    if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, int32_t>) {
      const T* x = a.inputs[0].as<T>();
      T* y = a.outputs[0].as<T>();
      for (int64_t i = 0, n = a.outputs[0].numel(); i < n; ++i) y[i] = neg ? -x[i] : (x[i] < 0 ? -x[i] : x[i]);
      return Status::ok();
    }
    return Status::error("unsupported dtype");
  });
}

// out = f(acc, next) folded over every input, each broadcast to the output.
template <class T, class R, class F>
void fold_broadcast(const KernelArgs& a, F f) {
  const TensorView& out = a.outputs[0];
  R* y = out.as<R>();
  const int64_t n = out.numel();
  BroadcastIndex first(a.inputs[0].shape, out.shape);
  if constexpr (std::is_same_v<T, R>) {
    for (int64_t i = 0; i < n; ++i) y[i] = a.inputs[0].as<T>()[first(i)];
    for (size_t k = 1; k < a.inputs.size(); ++k) {
      BroadcastIndex idx(a.inputs[k].shape, out.shape);
      const T* x = a.inputs[k].as<T>();
      for (int64_t i = 0; i < n; ++i) y[i] = f(y[i], x[idx(i)]);
    }
  } else {  // comparisons: exactly two inputs
    BroadcastIndex second(a.inputs[1].shape, out.shape);
    const T *x0 = a.inputs[0].as<T>(), *x1 = a.inputs[1].as<T>();
    for (int64_t i = 0; i < n; ++i) y[i] = f(x0[first(i)], x1[second(i)]);
  }
}

Status run_binary(const KernelArgs& a) {
  const std::string& op = a.node.op;
  if (op == "Pow") {
    const TensorView& out = a.outputs[0];
    BroadcastIndex bi(a.inputs[0].shape, out.shape), ei(a.inputs[1].shape, out.shape);
    const float* base = a.inputs[0].as<float>();
    return dispatch_dtype(a.inputs[1].dtype, [&]<class E>() {
      const E* e = a.inputs[1].as<E>();
      for (int64_t i = 0; i < out.numel(); ++i)
        out.as<float>()[i] = std::pow(base[bi(i)], static_cast<float>(e[ei(i)]));
      return Status::ok();
    });
  }
  return dispatch_dtype(a.inputs[0].dtype, [&]<class T>() -> Status {
    if (op == "Equal")
      fold_broadcast<T, bool>(a, [](T x, T y) { return x == y; });
    else if (op == "Less")
      fold_broadcast<T, bool>(a, [](T x, T y) { return x < y; });
    else if (op == "Greater")
      fold_broadcast<T, bool>(a, [](T x, T y) { return x > y; });
    else if (op == "LessOrEqual")
      fold_broadcast<T, bool>(a, [](T x, T y) { return x <= y; });
    else if (op == "GreaterOrEqual")
      fold_broadcast<T, bool>(a, [](T x, T y) { return x >= y; });
    else if (op == "And")
      fold_broadcast<T, bool>(a, [](T x, T y) { return bool(x) && bool(y); });
    else if (op == "Or")
      fold_broadcast<T, bool>(a, [](T x, T y) { return bool(x) || bool(y); });
    else if (op == "Xor")
      fold_broadcast<T, bool>(a, [](T x, T y) { return bool(x) != bool(y); });
    else if constexpr (!std::is_same_v<T, bool>) {
      if (op == "Add" || op == "Sum")
        fold_broadcast<T, T>(a, [](T x, T y) { return T(x + y); });
      else if (op == "Sub")
        fold_broadcast<T, T>(a, [](T x, T y) { return T(x - y); });
      else if (op == "Mul")
        fold_broadcast<T, T>(a, [](T x, T y) { return T(x * y); });
      else if (op == "Div")
        fold_broadcast<T, T>(a, [](T x, T y) {
          if constexpr (std::is_integral_v<T>) {  // integer x/0 and MIN/-1 are undefined: 0, never a trap
            if (y == 0 || (y == T(-1) && x == std::numeric_limits<T>::min())) return T(0);
          }
          return T(x / y);
        });
      else if (op == "Mod") {
        // fmod=1: x - trunc(x/y)*y (sign of x); fmod=0 (integers only): the sign of y, as
        // Python's %. Integer x % 0 and MIN % -1 are undefined in C++: 0, like Div.
        const bool c_fmod = a.node.attrs.get_int("fmod", 0) != 0;
        fold_broadcast<T, T>(a, [c_fmod](T x, T y) {
          if constexpr (std::is_floating_point_v<T>) {
            if (c_fmod) return std::fmod(x, y);
            // Mod-28's fmod=0 on floats, x - floor(x / y) * y: fmod moved to y's sign; a zero
            // takes y's sign; x = +-inf or y = 0 give NaN, y = +-inf gives x or y (by sign).
            T r = std::fmod(x, y);
            if (r != 0 && ((r < 0) != (y < 0))) r += y;
            return r == 0 ? std::copysign(T(0), y) : r;
          } else {
            if (y == 0 || (y == T(-1) && x == std::numeric_limits<T>::min())) return T(0);
            T r = T(x % y);
            if (!c_fmod && r != 0 && ((r < 0) != (y < 0))) r = T(r + y);
            return r;
          }
        });
      } else if (op == "Min")
        fold_broadcast<T, T>(a, [](T x, T y) {
          if constexpr (std::is_floating_point_v<T>)
            if (std::isnan(x) || std::isnan(y)) return T(NAN);
          return y < x ? y : x;
        });
      else if (op == "Max")
        fold_broadcast<T, T>(a, [](T x, T y) {
          if constexpr (std::is_floating_point_v<T>)
            if (std::isnan(x) || std::isnan(y)) return T(NAN);
          return y > x ? y : x;
        });
      else if (op == "PRelu")
        fold_broadcast<T, T>(a, [](T x, T s) { return x < 0 ? T(x * s) : x; });
      else if (op == "Mean") {
        fold_broadcast<T, T>(a, [](T x, T y) { return T(x + y); });
        T* y = a.outputs[0].as<T>();
        for (int64_t i = 0; i < a.outputs[0].numel(); ++i) y[i] = y[i] / static_cast<T>(a.inputs.size());
      } else
        return Status::error("no binary function");
    } else {
      return Status::error("bool inputs are not supported");
    }
    return Status::ok();
  });
}

Status run_where(const KernelArgs& a) {
  const TensorView& out = a.outputs[0];
  BroadcastIndex ci(a.inputs[0].shape, out.shape), xi(a.inputs[1].shape, out.shape), yi(a.inputs[2].shape, out.shape);
  const bool* c = a.inputs[0].as<bool>();
  return dispatch_dtype(out.dtype, [&]<class T>() {
    const T *x = a.inputs[1].as<T>(), *y = a.inputs[2].as<T>();
    for (int64_t i = 0; i < out.numel(); ++i) out.as<T>()[i] = c[ci(i)] ? x[xi(i)] : y[yi(i)];
    return Status::ok();
  });
}

Status run_cast(const KernelArgs& a) {
  return dispatch_dtype(a.inputs[0].dtype, [&]<class S>() {
    return dispatch_dtype(a.outputs[0].dtype, [&]<class D>() {
      const S* x = a.inputs[0].as<S>();
      D* y = a.outputs[0].as<D>();
      for (int64_t i = 0; i < a.outputs[0].numel(); ++i) {
        if constexpr (std::is_same_v<D, bool>)
          y[i] = x[i] != S(0);
        else if constexpr (std::is_floating_point_v<S> && !std::is_floating_point_v<D>)
          y[i] = std::isfinite(x[i]) ? static_cast<D>(x[i]) : D(0);  // ONNX leaves NaN/inf casts undefined
        else
          y[i] = static_cast<D>(x[i]);
      }
      return Status::ok();
    });
  });
}

constexpr CpuKernel kKernels[] = {
    {"Relu", run_unary},
    {"LeakyRelu", run_unary},
    {"Sigmoid", run_unary},
    {"Tanh", run_unary},
    {"Clip", run_unary},
    {"HardSigmoid", run_unary},
    {"HardSwish", run_unary},
    {"Elu", run_unary},
    {"Selu", run_unary},
    {"Softplus", run_unary},
    {"Erf", run_unary},
    {"Sqrt", run_unary},
    {"Exp", run_unary},
    {"Log", run_unary},
    {"Neg", run_unary},
    {"Abs", run_unary},
    {"Reciprocal", run_unary},
    {"Ceil", run_unary},
    {"Floor", run_unary},
    {"Round", run_unary},
    {"Sign", run_unary},
    {"Sin", run_unary},
    {"Cos", run_unary},
    {"Tan", run_unary},
    {"Asin", run_unary},
    {"Acos", run_unary},
    {"Atan", run_unary},
    {"Sinh", run_unary},
    {"Cosh", run_unary},
    {"Asinh", run_unary},
    {"Acosh", run_unary},
    {"Atanh", run_unary},
    {"Softsign", run_unary},
    {"ThresholdedRelu", run_unary},
    {"Celu", run_unary},
    {"Not", run_unary},
    {"Shrink", run_unary},
    {"Gelu", run_unary},
    {"IsNaN", run_is_nan_inf},
    {"IsInf", run_is_nan_inf},
    {"LessOrEqual", run_binary},
    {"GreaterOrEqual", run_binary},
    {"And", run_binary},
    {"Or", run_binary},
    {"Xor", run_binary},
    {"Cast", run_cast},
    {"Add", run_binary},
    {"Sub", run_binary},
    {"Mul", run_binary},
    {"Div", run_binary},
    {"Mod", run_binary},
    {"Pow", run_binary},
    {"PRelu", run_binary},
    {"Equal", run_binary},
    {"Less", run_binary},
    {"Greater", run_binary},
    {"Min", run_binary},
    {"Max", run_binary},
    {"Sum", run_binary},
    {"Mean", run_binary},
    {"Where", run_where},
};

}  // namespace

std::span<const CpuKernel> elementwise_kernels() { return kKernels; }

}  // namespace fusedinf::cpu
