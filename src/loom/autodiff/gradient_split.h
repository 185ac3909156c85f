// A graph and its gradient, split at the values the gradient reads. Function calls
// differentiate through the split (the forward keeps what the backward needs instead
// of recomputing it); so do If branches.
#pragma once

#include <vector>

#include "loom/graph/graph.h"

namespace loom {

struct GradientSplit {
  // The graph's inputs -> its outputs, then the saved values.
  Ref<Graph> forward;
  // The saved values, then one gradient per output in `grad_outputs` -> one gradient per
  // input in `grad_inputs`.
  Ref<Graph> backward;
  std::vector<int> grad_outputs;  // the differentiable outputs
  std::vector<int> grad_inputs;   // the inputs that receive a gradient
  std::vector<TensorType> saved;  // the saved values' types
  int num_outputs = 0;
};

// Replays `g` with its gradient into one graph under a tape, then copies the nodes that
// do not depend on an output gradient into `forward` and the rest into `backward`
// (constants are copied into both); both are optimized.
GradientSplit split_gradient(const Graph& g);

}  // namespace loom
