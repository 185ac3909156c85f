#include "loom/api/reduce.h"

#include "loom/api/op_ref.h"

namespace loom {

namespace {

Tensor axes_tensor(const std::vector<int64_t>& axes) {
  return Tensor::from_vector(axes, Shape{static_cast<int64_t>(axes.size())});
}

std::vector<int64_t> all_axes(const Tensor& x) {
  std::vector<int64_t> axes(x.rank());
  for (int i = 0; i < x.rank(); ++i) axes[i] = i;
  return axes;
}

Tensor reduce(const OpRef& op, const Tensor& x, const std::vector<int64_t>& axes, bool keep_dims) {
  return op({x, axes_tensor(axes)}, Attrs{{"keep_dims", keep_dims}});
}

}  // namespace

#define LOOM_REDUCTION(fn, op_name)                                              \
  Tensor fn(const Tensor& x, const std::vector<int64_t>& axes, bool keep_dims) { \
    static const OpRef op(op_name);                                              \
    return reduce(op, x, axes, keep_dims);                                       \
  }                                                                              \
  Tensor fn(const Tensor& x) {                                                   \
    return fn(x, all_axes(x), false);                                            \
  }

LOOM_REDUCTION(reduce_sum, "Sum")
LOOM_REDUCTION(reduce_mean, "Mean")
LOOM_REDUCTION(reduce_max, "Max")
LOOM_REDUCTION(reduce_min, "Min")
LOOM_REDUCTION(reduce_prod, "Prod")
LOOM_REDUCTION(reduce_any, "Any")
LOOM_REDUCTION(reduce_all, "All")
#undef LOOM_REDUCTION

Tensor argmax(const Tensor& x, int64_t axis, DType output_type) {
  static const OpRef op("ArgMax");
  return op({x, Tensor::scalar(axis)}, Attrs{{"output_type", output_type}});
}
Tensor argmin(const Tensor& x, int64_t axis, DType output_type) {
  static const OpRef op("ArgMin");
  return op({x, Tensor::scalar(axis)}, Attrs{{"output_type", output_type}});
}

Tensor cumsum(const Tensor& x, int64_t axis, bool exclusive, bool reverse) {
  static const OpRef op("Cumsum");
  return op({x, Tensor::scalar(axis)}, Attrs{{"exclusive", exclusive}, {"reverse", reverse}});
}
Tensor cumprod(const Tensor& x, int64_t axis, bool exclusive, bool reverse) {
  static const OpRef op("Cumprod");
  return op({x, Tensor::scalar(axis)}, Attrs{{"exclusive", exclusive}, {"reverse", reverse}});
}

TopK top_k(const Tensor& x, int64_t k) {
  static const OpRef op("TopKV2");
  const Tensor in[] = {x, Tensor::scalar(k)};
  std::vector<Tensor> out = op.multi(in);
  return {std::move(out[0]), std::move(out[1])};
}

namespace {
std::vector<Tensor> sort_both(const Tensor& x, int64_t axis, bool descending) {
  static const OpRef op("Sort");
  const Tensor in[] = {x};
  return op.multi(in, Attrs{{"axis", axis}, {"descending", descending}});
}
}  // namespace

Tensor sort(const Tensor& x, int64_t axis, bool descending) {
  return std::move(sort_both(x, axis, descending)[0]);
}
Tensor argsort(const Tensor& x, int64_t axis, bool descending) {
  return std::move(sort_both(x, axis, descending)[1]);
}

}  // namespace loom
