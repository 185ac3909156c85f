// Shared pieces of the math family (math_*.cc, cast.cc, compare.cc): per-element functor
// adapters for the Eigen-expression loops and a three-operand broadcasting loop.
#pragma once

#include <type_traits>
#include <vector>

#include "loom/api/math.h"
#include "loom/autodiff/grad_util.h"
#include "loom/ops/elementwise_defs.h"

namespace loom {

void register_math_binary_ops(OpRegistry& r);
void register_math_unary_ops(OpRegistry& r);
void register_math_nary_ops(OpRegistry& r);
void register_cast_ops(OpRegistry& r);
void register_math_unary_grad_ops(OpRegistry& r);

// Fused gradient kernels of unary ops, from their output y and the incoming gradient dy
// (TF's names): dy * (1 - y^2), dy * y * (1 - y), dy / (2 y), -dy * y^3 / 2, -dy * y^2.
Tensor tanh_grad(const Tensor& y, const Tensor& dy);
Tensor sigmoid_grad(const Tensor& y, const Tensor& dy);
Tensor sqrt_grad(const Tensor& y, const Tensor& dy);
Tensor rsqrt_grad(const Tensor& y, const Tensor& dy);
Tensor reciprocal_grad(const Tensor& y, const Tensor& dy);

template <class Expr>
using ScalarOf = typename std::decay_t<Expr>::Scalar;

// Turns a scalar function into the expression lambda def_binary/def_unary expect, for
// operations Eigen has no array form of; Eigen still fuses the loop around it.
template <class F>
auto per_element2(F f) {
  return [f](const auto& x, const auto& y) { return x.binaryExpr(y, f); };
}
template <class F>
auto per_element1(F f) {
  return [f](const auto& x) { return x.unaryExpr(f); };
}

template <class T>
inline constexpr bool kIsHalfType = std::is_same_v<T, half> || std::is_same_v<T, bfloat16>;

// Half types compute through float; everything else in its own type.
template <class T>
using ComputeType = std::conditional_t<kIsHalfType<T>, float, T>;

// A gradient dx = f(x, y, dy) of a one-input op (y its output, dy the gradient arriving
// at y). Integer calls get none: their kernels exist, their derivatives do not.
template <class F>
GradFn unary_gradient(F f) {
  return [f](GradContext& ctx) -> std::vector<Tensor> {
    if (!is_differentiable(ctx.input(0).dtype())) return {};
    return {f(ctx.input(0), ctx.output(0), ctx.grad(0))};
  };
}

// A scalar of `like`'s dtype (a constant while tracing), for gradient arithmetic.
inline Tensor scalar_as(double value, const Tensor& like) {
  return scalar_like(value, like.dtype());
}

// The broadcast of three shapes (SelectV2, ClipByValue).
Shape broadcast_shapes3(const Shape& a, const Shape& b, const Shape& c, const char* op);

namespace cpu {

// out[i] = f(a[i], b[i], c[i]) with NumPy broadcasting; `out` has the broadcast shape.
// Inner runs step each operand by 0 or 1, a loop the compiler vectorizes.
template <class TA, class TB, class TC, class TOut, class F>
void ternary_loop(const Tensor& a, const Tensor& b, const Tensor& c, const Tensor& out, F&& f) {
  const int64_t n = out.num_elements();
  if (n == 0) return;
  const TA* pa = a.data<TA>();
  const TB* pb = b.data<TB>();
  const TC* pc = c.data<TC>();
  TOut* po = out.mutable_data<TOut>();
  if (a.num_elements() == n && b.num_elements() == n && c.num_elements() == n) {
    for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[i], pc[i]);
    return;
  }
  BroadcastPlan plan = plan_broadcast({&a.shape(), &b.shape(), &c.shape()}, out.shape());
  const int64_t inner = plan.inner_size(), outer = plan.outer_count();
  const int64_t sa = plan.strides[0].back() != 0, sb = plan.strides[1].back() != 0,
                sc = plan.strides[2].back() != 0;
  BroadcastWalker walk(plan);
  for (int64_t o = 0; o < outer; ++o, walk.next()) {
    const TA* ra = pa + walk.offset(0);
    const TB* rb = pb + walk.offset(1);
    const TC* rc = pc + walk.offset(2);
    TOut* dst = po + o * inner;
    for (int64_t i = 0; i < inner; ++i) dst[i] = f(ra[i * sa], rb[i * sb], rc[i * sc]);
  }
}

}  // namespace cpu
}  // namespace loom
