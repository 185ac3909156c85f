// Pieces shared by the random op declarations: shape and seed validation for the
// infer functions, and opening the stream a kernel draws from.
#pragma once

#include "loom/kernels/cpu/random_distributions.h"
#include "loom/ops/registry.h"

namespace loom {

// Stateful ops keep a stream per (seed, seed2) attr pair; stateless ones are pure
// functions of a seed tensor input of shape [2].
enum class Seeding { kStateful, kStateless };

// The output shape named by 1-D integer input `i` (partially unknown in graphs).
// Negative dims are InvalidArgument, too many elements ResourceExhausted.
Shape shape_from_shape_input(const InferContext& ctx, int i);

// The dtype attr `name`, which must be in `allowed`.
DType checked_dtype_attr(const InferContext& ctx, const char* name, DTypeSet allowed);

// Input `i` must be a seed: shape [2] when known.
void check_seed_input(const InferContext& ctx, int i);

// Input `i` must be a scalar when its rank is known; `what` names it in the message.
void check_scalar_input(const InferContext& ctx, int i, const char* what);

// Declares the inputs and attrs that seed an op: attrs seed/seed2 (stateful) or a
// "seed" input of type var Tseed (stateless, appended after the inputs so far).
OpDef& declare_seeding(OpDef& def, Seeding seeding);

// The stream a kernel uses for `blocks` Philox blocks. Stateful kernels advance the
// engine's state for their seeds; stateless kernels read seed input `seed_input`.
cpu::RandomStream open_stream(const KernelContext& ctx, Seeding seeding, int seed_input,
                              uint64_t blocks);

}  // namespace loom
