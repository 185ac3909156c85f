// C++ API: math ops as plain functions and operators over loom::Tensor.
#pragma once

#include "loom/core/tensor.h"

namespace loom {

Tensor add(const Tensor& x, const Tensor& y);
Tensor subtract(const Tensor& x, const Tensor& y);
Tensor multiply(const Tensor& x, const Tensor& y);
Tensor negative(const Tensor& x);
Tensor exp(const Tensor& x);

inline Tensor operator+(const Tensor& x, const Tensor& y) {
  return add(x, y);
}
inline Tensor operator-(const Tensor& x, const Tensor& y) {
  return subtract(x, y);
}
inline Tensor operator*(const Tensor& x, const Tensor& y) {
  return multiply(x, y);
}
inline Tensor operator-(const Tensor& x) {
  return negative(x);
}

}  // namespace loom
