#include "loom/api/random.h"

#include "loom/api/op_ref.h"
#include "loom/ops/random_state.h"

namespace loom {

namespace {

Tensor shape_tensor(const Shape& shape) {
  LOOM_CHECK_ARG(shape.is_fully_defined(), "[random] shape ", shape.to_string(),
                 " must be fully defined");
  return Tensor::from_vector<int64_t>(shape.dims(), Shape{shape.rank()});
}

Attrs seeded(DType dtype, int64_t seed, int64_t seed2) {
  return {{"dtype", dtype}, {"seed", seed}, {"seed2", seed2}};
}

}  // namespace

Tensor random_uniform(const Shape& shape, DType dtype, int64_t seed, int64_t seed2, double minval,
                      double maxval) {
  static const OpRef op("RandomUniform");
  Attrs attrs = seeded(dtype, seed, seed2);
  attrs.set("minval", minval);
  attrs.set("maxval", maxval);
  return op({shape_tensor(shape)}, attrs);
}

Tensor random_normal(const Shape& shape, DType dtype, int64_t seed, int64_t seed2) {
  static const OpRef op("RandomStandardNormal");
  return op({shape_tensor(shape)}, seeded(dtype, seed, seed2));
}

Tensor truncated_normal(const Shape& shape, DType dtype, int64_t seed, int64_t seed2) {
  static const OpRef op("TruncatedNormal");
  return op({shape_tensor(shape)}, seeded(dtype, seed, seed2));
}

Tensor random_uniform_int(const Shape& shape, const Tensor& minval, const Tensor& maxval,
                          int64_t seed, int64_t seed2) {
  static const OpRef op("RandomUniformInt");
  return op({shape_tensor(shape), minval, maxval}, {{"seed", seed}, {"seed2", seed2}});
}

Tensor categorical(const Tensor& logits, int32_t num_samples, DType dtype, int64_t seed,
                   int64_t seed2) {
  static const OpRef op("Multinomial");
  return op({logits, Tensor::scalar<int32_t>(num_samples)},
            {{"output_dtype", dtype}, {"seed", seed}, {"seed2", seed2}});
}

Tensor random_shuffle(const Tensor& value, int64_t seed, int64_t seed2) {
  static const OpRef op("RandomShuffle");
  return op({value}, {{"seed", seed}, {"seed2", seed2}});
}

Tensor stateless_random_uniform(const Shape& shape, const Tensor& seed, DType dtype, double minval,
                                double maxval) {
  static const OpRef op("StatelessRandomUniform");
  return op({shape_tensor(shape), seed},
            {{"dtype", dtype}, {"minval", minval}, {"maxval", maxval}});
}

Tensor stateless_random_normal(const Shape& shape, const Tensor& seed, DType dtype) {
  static const OpRef op("StatelessRandomNormal");
  return op({shape_tensor(shape), seed}, {{"dtype", dtype}});
}

Tensor stateless_truncated_normal(const Shape& shape, const Tensor& seed, DType dtype) {
  static const OpRef op("StatelessTruncatedNormal");
  return op({shape_tensor(shape), seed}, {{"dtype", dtype}});
}

Tensor stateless_random_uniform_int(const Shape& shape, const Tensor& seed, const Tensor& minval,
                                    const Tensor& maxval) {
  static const OpRef op("StatelessRandomUniformInt");
  return op({shape_tensor(shape), seed, minval, maxval});
}

Tensor stateless_categorical(const Tensor& logits, int32_t num_samples, const Tensor& seed,
                             DType dtype) {
  static const OpRef op("StatelessMultinomial");
  return op({logits, Tensor::scalar<int32_t>(num_samples), seed}, {{"output_dtype", dtype}});
}

void reset_random_seeds() {
  reset_random_states();
}

}  // namespace loom
