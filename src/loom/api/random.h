// C++ API: random ops as plain functions over loom::Tensor. Stateful functions take
// TF's two op seeds: (0, 0) draws unseeded; any other pair names a stream that
// continues across calls until reset_random_seeds(). Stateless functions are pure
// functions of a seed tensor of shape [2] (int32 or int64).
#pragma once

#include "loom/core/tensor.h"

namespace loom {

// Values in [minval, maxval) of a float dtype.
Tensor random_uniform(const Shape& shape, DType dtype = DType::kFloat32, int64_t seed = 0,
                      int64_t seed2 = 0, double minval = 0.0, double maxval = 1.0);
Tensor random_normal(const Shape& shape, DType dtype = DType::kFloat32, int64_t seed = 0,
                     int64_t seed2 = 0);
// Standard normals redrawn while more than 2 from the mean.
Tensor truncated_normal(const Shape& shape, DType dtype = DType::kFloat32, int64_t seed = 0,
                        int64_t seed2 = 0);
// Integers in [minval, maxval): scalar int32 or int64 bounds, output of their dtype.
Tensor random_uniform_int(const Shape& shape, const Tensor& minval, const Tensor& maxval,
                          int64_t seed = 0, int64_t seed2 = 0);
// [batch, num_samples] class indices drawn from [batch, classes] logits.
Tensor categorical(const Tensor& logits, int32_t num_samples, DType dtype = DType::kInt64,
                   int64_t seed = 0, int64_t seed2 = 0);
// A random permutation along the first dimension.
Tensor random_shuffle(const Tensor& value, int64_t seed = 0, int64_t seed2 = 0);

Tensor stateless_random_uniform(const Shape& shape, const Tensor& seed,
                                DType dtype = DType::kFloat32, double minval = 0.0,
                                double maxval = 1.0);
Tensor stateless_random_normal(const Shape& shape, const Tensor& seed,
                               DType dtype = DType::kFloat32);
Tensor stateless_truncated_normal(const Shape& shape, const Tensor& seed,
                                  DType dtype = DType::kFloat32);
Tensor stateless_random_uniform_int(const Shape& shape, const Tensor& seed, const Tensor& minval,
                                    const Tensor& maxval);
Tensor stateless_categorical(const Tensor& logits, int32_t num_samples, const Tensor& seed,
                             DType dtype = DType::kInt64);

// Restarts every seeded stream, as tf.random.set_seed does.
void reset_random_seeds();

}  // namespace loom
