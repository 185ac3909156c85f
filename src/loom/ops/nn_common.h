// Shared pieces of the nn op family: per-file registration hooks and the type in
// which half-precision kernels compute.
#pragma once

#include <type_traits>

#include "loom/ops/registry.h"

namespace loom {

// Each nn_*.cc file registers its ops through one of these; nn.cc calls them all.
void register_nn_activation_ops(OpRegistry& r);
void register_nn_softmax_ops(OpRegistry& r);
void register_nn_bias_ops(OpRegistry& r);
void register_nn_xent_ops(OpRegistry& r);
void register_nn_conv_ops(OpRegistry& r);
void register_nn_pool_ops(OpRegistry& r);

// float16/bfloat16 kernels accumulate and evaluate transcendentals in float: their own
// arithmetic rounds every intermediate step.
template <class T>
using compute_t =
    std::conditional_t<std::is_same_v<T, half> || std::is_same_v<T, bfloat16>, float, T>;

}  // namespace loom
