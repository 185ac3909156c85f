#include "loom/api/linalg.h"

#include "loom/api/op_ref.h"

namespace loom {

Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b) {
  static const OpRef mat_mul("MatMul");
  static const OpRef batch_mat_mul("BatchMatMulV2");
  if (a.rank() == 2 && b.rank() == 2)
    return mat_mul({a, b}, {{"transpose_a", transpose_a}, {"transpose_b", transpose_b}});
  return batch_mat_mul({a, b}, {{"adj_x", transpose_a}, {"adj_y", transpose_b}});
}

Tensor einsum(const std::string& equation, const std::vector<Tensor>& inputs) {
  static const OpRef op("Einsum");
  return op.multi(inputs, {{"equation", equation}}).at(0);
}

Tensor trace(const Tensor& x) {
  return einsum("...ii->...", {x});
}

}  // namespace loom
