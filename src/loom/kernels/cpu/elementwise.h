// Vectorized elementwise loops. Element functions receive Eigen array expressions, so
// one lambda such as `[](auto x, auto y) { return x + y; }` gets SIMD code for every
// dtype; broadcasting is handled here once, as contiguous inner runs.
#pragma once

#include <Eigen/Core>

#include "loom/ops/broadcast.h"
#include "loom/ops/op_def.h"

namespace loom::cpu {

template <class T>
using ConstVec = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;
template <class T>
using Vec = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <class T>
using ConstantVec = Eigen::CwiseNullaryOp<Eigen::internal::scalar_constant_op<T>,
                                          Eigen::Array<T, Eigen::Dynamic, 1>>;

template <class T>
ConstantVec<T> splat(T value, int64_t n) {
  return Eigen::Array<T, Eigen::Dynamic, 1>::Constant(n, value);
}

// out = f(in) over whole tensors of the same shape.
template <class TIn, class TOut, class F>
void unary_loop(const Tensor& in, const Tensor& out, F&& f) {
  const int64_t n = in.num_elements();
  if (n == 0) return;
  Vec<TOut>(out.mutable_data<TOut>(), n) = f(ConstVec<TIn>(in.data<TIn>(), n));
}

// out = f(a, b) with NumPy broadcasting; `out` already has the broadcast shape.
template <class TIn, class TOut, class F>
void binary_loop(const Tensor& a, const Tensor& b, const Tensor& out, F&& f) {
  const int64_t n = out.num_elements();
  if (n == 0) return;
  const TIn* pa = a.data<TIn>();
  const TIn* pb = b.data<TIn>();
  TOut* po = out.mutable_data<TOut>();
  const int64_t na = a.num_elements(), nb = b.num_elements();
  // Fast paths: same shape, or one side a single value.
  if (na == n && nb == n) {
    Vec<TOut>(po, n) = f(ConstVec<TIn>(pa, n), ConstVec<TIn>(pb, n));
    return;
  }
  if (nb == 1 && na == n) {
    Vec<TOut>(po, n) = f(ConstVec<TIn>(pa, n), splat(pb[0], n));
    return;
  }
  if (na == 1 && nb == n) {
    Vec<TOut>(po, n) = f(splat(pa[0], n), ConstVec<TIn>(pb, n));
    return;
  }
  BroadcastPlan plan = plan_broadcast({&a.shape(), &b.shape()}, out.shape());
  const int64_t inner = plan.inner_size(), outer = plan.outer_count();
  const bool a_run = plan.strides[0].back() != 0, b_run = plan.strides[1].back() != 0;
  BroadcastWalker walk(plan);
  for (int64_t o = 0; o < outer; ++o, walk.next()) {
    const TIn* ra = pa + walk.offset(0);
    const TIn* rb = pb + walk.offset(1);
    Vec<TOut> dst(po + o * inner, inner);
    if (a_run && b_run)
      dst = f(ConstVec<TIn>(ra, inner), ConstVec<TIn>(rb, inner));
    else if (a_run)
      dst = f(ConstVec<TIn>(ra, inner), splat(rb[0], inner));
    else
      dst = f(splat(ra[0], inner), ConstVec<TIn>(rb, inner));
  }
}

}  // namespace loom::cpu
