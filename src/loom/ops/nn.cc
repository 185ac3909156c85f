// The neural-network op family; each group of ops lives in its own nn_*.cc file.
#include "loom/ops/nn_common.h"

namespace loom {

void register_nn_ops(OpRegistry& r) {
  register_nn_activation_ops(r);
  register_nn_softmax_ops(r);
  register_nn_bias_ops(r);
  register_nn_xent_ops(r);
  register_nn_conv_ops(r);
  register_nn_pool_ops(r);
}

}  // namespace loom
