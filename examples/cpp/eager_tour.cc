// A small C++ program over the public API: y = x * w + b, printed.
#include <cstdio>

#include "loom/loom.h"

int main() {
  using loom::Shape;
  using loom::Tensor;
  Tensor x = Tensor::from_vector<float>({1, 2, 3, 4}, Shape{2, 2});
  Tensor w = Tensor::scalar<float>(2.0f);
  Tensor b = Tensor::from_vector<float>({0.5f, -0.5f}, Shape{2});
  Tensor y = x * w + b;
  for (int64_t i = 0; i < y.num_elements(); ++i) std::printf("%g ", y.data<float>()[i]);
  std::printf("\n");
  return y.data<float>()[3] == 7.5f ? 0 : 1;
}
