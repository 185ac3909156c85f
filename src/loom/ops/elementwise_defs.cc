#include "loom/ops/elementwise_defs.h"

namespace loom {

void infer_same_shape(InferContext& ctx) {
  ctx.set_output(0, ctx.input_shape(0));
}

void infer_broadcast_binary(InferContext& ctx) {
  ctx.set_output(0, broadcast_shapes(ctx.input_shape(0), ctx.input_shape(1), ctx.name()));
}

}  // namespace loom
