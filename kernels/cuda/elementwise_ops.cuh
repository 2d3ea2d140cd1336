// Device functors of the elementwise family (kernels/cuda/elementwise.cu), one per kind of op,
// each selecting its op by a code held by value. Each mirrors kernels/cpu/elementwise.cpp
// expression by expression (same operation order, no fused multiply-add where the CPU has a
// separate multiply and add), so results differ from the CPU's only by the ulps of the CUDA
// math library.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

// Their own namespace: these names are generic, and other families have device helpers too.
namespace fusedinf::cuda::elementwise_ops {

// clang-format off
enum class UnaryOp : uint8_t {
  kRelu, kLeakyRelu, kSigmoid, kTanh, kClip, kHardSigmoid, kHardSwish, kElu, kSelu, kSoftplus, kErf, kSqrt,
  kExp, kLog, kNeg, kAbs, kReciprocal, kCeil, kFloor, kRound, kSign, kSin, kCos, kTan, kAsin, kAcos, kAtan,
  kSinh, kCosh, kAsinh, kAcosh, kAtanh, kSoftsign, kThresholdedRelu, kCelu, kShrink, kGelu
};
// clang-format on
enum class ArithOp : uint8_t { kAdd, kSub, kMul, kDiv, kMin, kMax, kPRelu, kMod, kFmod };
enum class CompareOp : uint8_t { kEqual, kLess, kGreater, kLessOrEqual, kGreaterOrEqual, kAnd, kOr, kXor };

// y = f(x) on float32. alpha/beta: the op's attributes (Clip: min/max; Selu: alpha/gamma).
struct UnaryFloatFn {
  UnaryOp op;
  float alpha;
  float beta;
  __device__ float operator()(float x) const {
    const float al = alpha, be = beta;
    switch (op) {
      case UnaryOp::kRelu:
        return x < 0.f ? 0.f : x;  // NaN stays NaN
      case UnaryOp::kLeakyRelu:
        return x >= 0.f ? x : al * x;
      case UnaryOp::kSigmoid:
        return 1.f / (1.f + expf(-x));
      case UnaryOp::kTanh:
        return tanhf(x);
      case UnaryOp::kClip:
        return isnan(x) ? x : fminf(fmaxf(x, al), be);
      case UnaryOp::kHardSigmoid:
        return isnan(x) ? x : fmaxf(0.f, fminf(1.f, __fadd_rn(__fmul_rn(al, x), be)));
      case UnaryOp::kHardSwish:
        return x * fmaxf(0.f, fminf(1.f, x / 6.f + 0.5f));
      case UnaryOp::kElu:
        return x >= 0.f ? x : al * (expf(x) - 1.f);
      case UnaryOp::kSelu:
        return x > 0.f ? be * x : be * __fsub_rn(__fmul_rn(al, expf(x)), al);
      case UnaryOp::kSoftplus:
        return x > 0.f ? x + log1pf(expf(-x)) : log1pf(expf(x));  // no overflow for large x
      case UnaryOp::kErf:
        return erff(x);
      case UnaryOp::kSqrt:
        return sqrtf(x);
      case UnaryOp::kExp:
        return expf(x);
      case UnaryOp::kLog:
        return logf(x);
      case UnaryOp::kNeg:
        return -x;
      case UnaryOp::kAbs:
        return fabsf(x);
      case UnaryOp::kReciprocal:
        return 1.f / x;
      case UnaryOp::kCeil:
        return ceilf(x);
      case UnaryOp::kFloor:
        return floorf(x);
      case UnaryOp::kRound:
        return rintf(x);  // half to even, like std::nearbyint
      case UnaryOp::kSign:
        return x > 0.f ? 1.f : x < 0.f ? -1.f : x;
      case UnaryOp::kSin:
        return sinf(x);
      case UnaryOp::kCos:
        return cosf(x);
      case UnaryOp::kTan:
        return tanf(x);
      case UnaryOp::kAsin:
        return asinf(x);
      case UnaryOp::kAcos:
        return acosf(x);
      case UnaryOp::kAtan:
        return atanf(x);
      case UnaryOp::kSinh:
        return sinhf(x);
      case UnaryOp::kCosh:
        return coshf(x);
      case UnaryOp::kAsinh:
        return asinhf(x);
      case UnaryOp::kAcosh:
        return acoshf(x);
      case UnaryOp::kAtanh:
        return atanhf(x);
      case UnaryOp::kSoftsign:
        return x / (1.f + fabsf(x));
      case UnaryOp::kThresholdedRelu:
        return x > al ? x : 0.f;
      case UnaryOp::kCelu:
        return isnan(x) ? x : fmaxf(0.f, x) + fminf(0.f, al * (expf(x / al) - 1.f));
      case UnaryOp::kShrink:  // alpha: lambd, beta: bias
        return x < -al ? x + be : x > al ? x - be : 0.f;
      case UnaryOp::kGelu:  // alpha 1: the tanh approximation; 0: erf
        return al != 0.f ? 0.5f * x * (1.f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)))
                         : 0.5f * x * (1.f + erff(x * 0.7071067811865476f));
    }
    return x;  // unreachable: prepare only builds the codes above
  }
};

// Smallest value of a signed integer type (std::numeric_limits is host-only without
// --expt-relaxed-constexpr).
template <class T>
__device__ constexpr T int_min() {
  if constexpr (std::is_same_v<T, int64_t>) return INT64_MIN;
  return INT32_MIN;
}

// Neg and Abs on int64/int32, wrapping like the CPU (two's complement) on the minimum.
template <class T>
struct UnaryIntFn {
  bool neg;
  __device__ T operator()(T x) const {
    using U = std::make_unsigned_t<T>;
    const T minus = static_cast<T>(U(0) - static_cast<U>(x));
    return neg ? minus : (x < 0 ? minus : x);
  }
};

// IsNaN (nan set) or IsInf (+inf when pos, -inf when neg).
struct IsNanInfFn {
  bool nan, neg, pos;
  __device__ bool operator()(float x) const { return nan ? isnan(x) : isinf(x) && (x > 0.f ? pos : neg); }
};

struct NotFn {
  __device__ bool operator()(bool x) const { return !x; }
};

template <class T>
struct IdentityFn {
  __device__ T operator()(T x) const { return x; }
};

// y = x / divisor (Mean's last step: the CPU divides the folded sum by the input count).
struct DivideByFn {
  float divisor;
  __device__ float operator()(float x) const { return x / divisor; }
};

// Arithmetic on float32, int64, int32. Integer add/sub/mul wrap (done unsigned, no UB).
template <class T>
struct ArithFn {
  ArithOp op;
  __device__ T operator()(T x, T y) const {
    constexpr bool kInt = std::is_integral_v<T>;
    using U = std::conditional_t<kInt, std::make_unsigned_t<std::conditional_t<kInt, T, int>>, T>;
    switch (op) {
      case ArithOp::kAdd:
        return static_cast<T>(static_cast<U>(x) + static_cast<U>(y));
      case ArithOp::kSub:
        return static_cast<T>(static_cast<U>(x) - static_cast<U>(y));
      case ArithOp::kMul:
        return static_cast<T>(static_cast<U>(x) * static_cast<U>(y));
      case ArithOp::kDiv:
        if constexpr (kInt) {  // integer x/0 and MIN/-1 are undefined: 0, like the CPU
          if (y == 0 || (y == T(-1) && x == int_min<T>())) return T(0);
        }
        return x / y;
      case ArithOp::kMin:
        if constexpr (!kInt) {
          if (isnan(x) || isnan(y)) return NAN;
        }
        return y < x ? y : x;
      case ArithOp::kMax:
        if constexpr (!kInt) {
          if (isnan(x) || isnan(y)) return NAN;
        }
        return y > x ? y : x;
      case ArithOp::kPRelu:
        return x < 0 ? static_cast<T>(x * y) : x;
      case ArithOp::kMod:  // the sign of y (floats: Mod-28's fmod=0)
      case ArithOp::kFmod:
        if constexpr (kInt) {  // x % 0 and MIN % -1 are undefined: 0, like the CPU
          if (y == 0 || (y == T(-1) && x == int_min<T>())) return T(0);
          T r = x % y;
          if (op == ArithOp::kMod && r != 0 && ((r < 0) != (y < 0))) r = static_cast<T>(r + y);
          return r;
        } else {
          if (op == ArithOp::kFmod) return fmodf(x, y);
          float r = fmodf(x, y);  // Mod-28's fmod=0 on floats, as the CPU: the sign of y
          if (r != 0.f && ((r < 0.f) != (y < 0.f))) r = r + y;
          return r == 0.f ? copysignf(0.f, y) : r;
        }
    }
    return x;  // unreachable
  }
};

// Comparisons and logic: T in {float32, int64, int32, bool}, result bool.
template <class T>
struct CompareFn {
  CompareOp op;
  __device__ bool operator()(T x, T y) const {
    switch (op) {
      case CompareOp::kEqual:
        return x == y;
      case CompareOp::kLess:
        return x < y;
      case CompareOp::kGreater:
        return x > y;
      case CompareOp::kLessOrEqual:
        return x <= y;
      case CompareOp::kGreaterOrEqual:
        return x >= y;
      case CompareOp::kAnd:
        return static_cast<bool>(x) && static_cast<bool>(y);
      case CompareOp::kOr:
        return static_cast<bool>(x) || static_cast<bool>(y);
      case CompareOp::kXor:
        return static_cast<bool>(x) != static_cast<bool>(y);
    }
    return false;  // unreachable
  }
};

// Pow: float32 base, exponent of type E converted to float first (as the CPU does).
template <class E>
struct PowFn {
  __device__ float operator()(float base, E e) const { return powf(base, static_cast<float>(e)); }
};

template <class T>
struct WhereFn {
  __device__ T operator()(bool c, T x, T y) const { return c ? x : y; }
};

// Cast S -> D with the CPU's rules: to bool is x != 0 (NaN -> true); float to integer is 0
// for NaN/inf, truncation in range, and (ONNX and C++ leave it undefined) the type's minimum
// out of range, as x86's cvttss2si gives the CPU reference; everything else static_cast.
template <class S, class D>
struct CastFn {
  __device__ D operator()(S x) const {
    if constexpr (std::is_same_v<D, bool>) {
      return x != S(0);
    } else if constexpr (std::is_floating_point_v<S> && !std::is_floating_point_v<D>) {
      if (!isfinite(x)) return D(0);
      constexpr float kLimit = sizeof(D) == 8 ? 9223372036854775808.f : 2147483648.f;  // 2^63, 2^31
      if (x >= kLimit || x < -kLimit) return int_min<D>();
      return static_cast<D>(x);
    } else {
      return static_cast<D>(x);
    }
  }
};

}  // namespace fusedinf::cuda::elementwise_ops
