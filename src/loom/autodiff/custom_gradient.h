// Custom gradients inside graphs: a traced call of a tf.custom_gradient function
// becomes a CustomGradient node that forwards the function's results and names its
// gradient function by id, so the gradient survives replays of the graph (a function
// differentiated from outside) as well as tapes inside the trace.
#pragma once

#include <cstdint>

#include "loom/eager/tape.h"

namespace loom {

// Keeps `backward` for the process's lifetime (graphs may name it at any later time).
int64_t register_custom_gradient(BackwardFn backward);

void register_custom_gradient_op(OpRegistry& r);

}  // namespace loom
