// C++ API: math, comparison and logic ops as plain functions and operators over
// loom::Tensor. Binary functions broadcast like NumPy; both operands share one dtype.
#pragma once

#include <vector>

#include "loom/core/tensor.h"

namespace loom {

Tensor add(const Tensor& x, const Tensor& y);
Tensor subtract(const Tensor& x, const Tensor& y);
Tensor multiply(const Tensor& x, const Tensor& y);
// True division: integers are cast first (8/16-bit to float32, wider to float64).
Tensor divide(const Tensor& x, const Tensor& y);
Tensor floordiv(const Tensor& x, const Tensor& y);
Tensor floormod(const Tensor& x, const Tensor& y);
Tensor pow(const Tensor& x, const Tensor& y);
Tensor maximum(const Tensor& x, const Tensor& y);
Tensor minimum(const Tensor& x, const Tensor& y);
Tensor squared_difference(const Tensor& x, const Tensor& y);
Tensor atan2(const Tensor& y, const Tensor& x);

Tensor negative(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor square(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor expm1(const Tensor& x);
Tensor log(const Tensor& x);
Tensor log1p(const Tensor& x);
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor tan(const Tensor& x);
Tensor asin(const Tensor& x);
Tensor acos(const Tensor& x);
Tensor atan(const Tensor& x);
Tensor sinh(const Tensor& x);
Tensor cosh(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor erf(const Tensor& x);
Tensor round(const Tensor& x);  // half to even
Tensor floor(const Tensor& x);
Tensor ceil(const Tensor& x);
Tensor is_nan(const Tensor& x);
Tensor is_inf(const Tensor& x);
Tensor is_finite(const Tensor& x);

Tensor equal(const Tensor& x, const Tensor& y);
Tensor not_equal(const Tensor& x, const Tensor& y);
Tensor less(const Tensor& x, const Tensor& y);
Tensor less_equal(const Tensor& x, const Tensor& y);
Tensor greater(const Tensor& x, const Tensor& y);
Tensor greater_equal(const Tensor& x, const Tensor& y);
Tensor logical_and(const Tensor& x, const Tensor& y);
Tensor logical_or(const Tensor& x, const Tensor& y);
Tensor logical_xor(const Tensor& x, const Tensor& y);
Tensor logical_not(const Tensor& x);
Tensor bitwise_and(const Tensor& x, const Tensor& y);
Tensor bitwise_or(const Tensor& x, const Tensor& y);
Tensor bitwise_xor(const Tensor& x, const Tensor& y);
Tensor invert(const Tensor& x);

// condition ? x : y elementwise, all three broadcast together.
Tensor where(const Tensor& condition, const Tensor& x, const Tensor& y);
// Named cast_to, not cast: an ADL-visible loom::cast would collide with local helpers.
Tensor cast_to(const Tensor& x, DType dtype);
Tensor clip_by_value(const Tensor& t, const Tensor& clip_value_min, const Tensor& clip_value_max);
Tensor add_n(const std::vector<Tensor>& inputs);

inline Tensor operator+(const Tensor& x, const Tensor& y) {
  return add(x, y);
}
inline Tensor operator-(const Tensor& x, const Tensor& y) {
  return subtract(x, y);
}
inline Tensor operator*(const Tensor& x, const Tensor& y) {
  return multiply(x, y);
}
inline Tensor operator/(const Tensor& x, const Tensor& y) {
  return divide(x, y);
}
inline Tensor operator-(const Tensor& x) {
  return negative(x);
}
inline Tensor operator<(const Tensor& x, const Tensor& y) {
  return less(x, y);
}
inline Tensor operator<=(const Tensor& x, const Tensor& y) {
  return less_equal(x, y);
}
inline Tensor operator>(const Tensor& x, const Tensor& y) {
  return greater(x, y);
}
inline Tensor operator>=(const Tensor& x, const Tensor& y) {
  return greater_equal(x, y);
}

}  // namespace loom
