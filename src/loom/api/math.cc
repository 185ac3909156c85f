#include "loom/api/math.h"

#include "loom/api/op_ref.h"

namespace loom {

Tensor add(const Tensor& x, const Tensor& y) {
  static const OpRef op("AddV2");
  return op({x, y});
}
Tensor subtract(const Tensor& x, const Tensor& y) {
  static const OpRef op("Sub");
  return op({x, y});
}
Tensor multiply(const Tensor& x, const Tensor& y) {
  static const OpRef op("Mul");
  return op({x, y});
}
Tensor negative(const Tensor& x) {
  static const OpRef op("Neg");
  return op({x});
}
Tensor exp(const Tensor& x) {
  static const OpRef op("Exp");
  return op({x});
}

}  // namespace loom
