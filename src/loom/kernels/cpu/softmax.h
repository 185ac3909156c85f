// Softmax and log-softmax along the middle axis of a tensor viewed as [outer, n, inner].
#pragma once

#include <Eigen/Core>
#include <cstdint>

namespace loom::cpu {

// `C` is the type the arithmetic runs in (float for half types).
template <class T, class C>
void softmax_along_axis(const T* in, T* out, int64_t outer, int64_t n, int64_t inner, bool log) {
  using Eigen::Dynamic;
  if (outer == 0 || n == 0 || inner == 0) return;
  if (inner == 1) {
    // The common case: contiguous rows, reduced as plain vectors.
    Eigen::Array<C, Dynamic, 1> row(n);
    for (int64_t o = 0; o < outer; ++o) {
      row = Eigen::Map<const Eigen::Array<T, Dynamic, 1>>(in + o * n, n).template cast<C>();
      row -= row.maxCoeff();
      Eigen::Map<Eigen::Array<T, Dynamic, 1>> dst(out + o * n, n);
      if (log) {
        const C lse = std::log(row.exp().sum());
        dst = (row - lse).template cast<T>();
      } else {
        row = row.exp();
        dst = (row / row.sum()).template cast<T>();
      }
    }
    return;
  }
  // Strided case: each block is an (inner x n) column-major matrix whose rows are the
  // independent softmax problems.
  Eigen::Array<C, Dynamic, Dynamic> block(inner, n);
  Eigen::Array<C, Dynamic, 1> reduced(inner);
  const int64_t block_size = n * inner;
  for (int64_t o = 0; o < outer; ++o) {
    block = Eigen::Map<const Eigen::Array<T, Dynamic, Dynamic>>(in + o * block_size, inner, n)
                .template cast<C>();
    reduced = block.rowwise().maxCoeff();
    block.colwise() -= reduced;
    Eigen::Map<Eigen::Array<T, Dynamic, Dynamic>> dst(out + o * block_size, inner, n);
    if (log) {
      reduced = block.exp().rowwise().sum().log();
      block.colwise() -= reduced;
    } else {
      block = block.exp();
      reduced = block.rowwise().sum();
      block.colwise() /= reduced;
    }
    dst = block.template cast<T>();
  }
}

}  // namespace loom::cpu
