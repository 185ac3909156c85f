// NumPy-style broadcasting of shapes, shared by inference and kernels.
#pragma once

#include <cstdint>
#include <vector>

#include "loom/core/shape.h"

namespace loom {

// The broadcast of two shapes; unknown dims stay unknown where they could be either.
// Raises InvalidArgument "[op] Incompatible shapes: [2,3] vs. [4]".
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// An iteration plan over an output of broadcast shape: dims merged where possible, with
// per-operand strides (0 along broadcast dims). The last dim is the contiguous inner run.
struct BroadcastPlan {
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> strides;  // per operand, in elements
  int64_t outer_count() const;
  int64_t inner_size() const { return dims.empty() ? 1 : dims.back(); }
};

BroadcastPlan plan_broadcast(const std::vector<const Shape*>& operands, const Shape& out);

// Walks the outer dims of a plan, yielding each operand's offset for every inner run.
class BroadcastWalker {
 public:
  explicit BroadcastWalker(const BroadcastPlan& plan);
  int64_t offset(int operand) const { return offsets_[operand]; }
  void next();

 private:
  const BroadcastPlan& plan_;
  std::vector<int64_t> index_, offsets_;
};

}  // namespace loom
