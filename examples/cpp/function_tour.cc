// loom::function from C++: the body is traced once into a graph, then replayed.
#include <cstdio>

#include "loom/loom.h"

int main() {
  using loom::Shape;
  using loom::Tensor;
  Tensor w = Tensor::from_vector<float>({2, 0, 0, 2}, Shape{2, 2});
  auto affine = loom::function(
      [&](const std::vector<Tensor>& in) {
        return std::vector<Tensor>{loom::matmul(in[0], w) + in[0]};
      },
      "affine");
  float checksum = 0;
  for (int step = 0; step < 3; ++step) {
    Tensor x = Tensor::from_vector<float>({1.0f * step, 1, 2, 3}, Shape{2, 2});
    Tensor y = affine({x})[0];
    checksum += y.data<float>()[0];
  }
  std::printf("graph:\n%s",
              affine.graph_for({Tensor::from_vector<float>({0, 0, 0, 0}, Shape{2, 2})})
                  .to_string()
                  .c_str());
  std::printf("traced %d time(s), checksum %g\n", affine.tracing_count(), checksum);
  return affine.tracing_count() == 1 && checksum == 9.0f ? 0 : 1;
}
