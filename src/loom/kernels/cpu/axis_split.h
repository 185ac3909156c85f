// A tensor viewed around one axis as [outer, n, inner]: the layout scans, arg-reductions
// and sorts work in.
#pragma once

#include <cstdint>

#include "loom/core/shape.h"

namespace loom::cpu {

struct AxisSplit {
  int64_t outer = 1, n = 1, inner = 1;
};

// `axis` must already be normalized into [0, rank).
inline AxisSplit split_at_axis(const Shape& shape, int axis) {
  AxisSplit s;
  for (int i = 0; i < shape.rank(); ++i) {
    if (i < axis)
      s.outer *= shape.dim(i);
    else if (i > axis)
      s.inner *= shape.dim(i);
  }
  s.n = shape.dim(axis);
  return s;
}

}  // namespace loom::cpu
