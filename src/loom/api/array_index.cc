#include "loom/api/array_index.h"

#include "loom/api/op_ref.h"

namespace loom {

Tensor gather(const Tensor& params, const Tensor& indices, int64_t axis, int64_t batch_dims) {
  static const OpRef op("GatherV2");
  return op({params, indices, Tensor::scalar<int64_t>(axis)}, {{"batch_dims", batch_dims}});
}

Tensor gather_nd(const Tensor& params, const Tensor& indices, int64_t batch_dims) {
  static const OpRef op("GatherNd");
  return op({params, indices}, {{"batch_dims", batch_dims}});
}

Tensor scatter_nd(const Tensor& indices, const Tensor& updates, const Tensor& shape) {
  static const OpRef op("ScatterNd");
  return op({indices, updates, shape});
}

Tensor tensor_scatter_nd_update(const Tensor& tensor, const Tensor& indices,
                                const Tensor& updates) {
  static const OpRef op("TensorScatterUpdate");
  return op({tensor, indices, updates});
}
Tensor tensor_scatter_nd_add(const Tensor& tensor, const Tensor& indices, const Tensor& updates) {
  static const OpRef op("TensorScatterAdd");
  return op({tensor, indices, updates});
}
Tensor tensor_scatter_nd_sub(const Tensor& tensor, const Tensor& indices, const Tensor& updates) {
  static const OpRef op("TensorScatterSub");
  return op({tensor, indices, updates});
}
Tensor tensor_scatter_nd_max(const Tensor& tensor, const Tensor& indices, const Tensor& updates) {
  static const OpRef op("TensorScatterMax");
  return op({tensor, indices, updates});
}
Tensor tensor_scatter_nd_min(const Tensor& tensor, const Tensor& indices, const Tensor& updates) {
  static const OpRef op("TensorScatterMin");
  return op({tensor, indices, updates});
}

Tensor one_hot(const Tensor& indices, int32_t depth, const Tensor& on_value,
               const Tensor& off_value, int64_t axis) {
  static const OpRef op("OneHot");
  return op({indices, Tensor::scalar<int32_t>(depth), on_value, off_value}, {{"axis", axis}});
}

Tensor where_indices(const Tensor& condition) {
  static const OpRef op("Where");
  return op({condition});
}

Tensor boolean_mask(const Tensor& tensor, const Tensor& mask, int64_t axis) {
  static const OpRef op("BooleanMask");
  return op({tensor, mask}, {{"axis", axis}});
}

UniqueResult unique(const Tensor& x, DType out_idx) {
  static const OpRef op("Unique");
  const Tensor in[] = {x};
  std::vector<Tensor> out = op.multi(in, {{"out_idx", out_idx}});
  return {std::move(out[0]), std::move(out[1])};
}

}  // namespace loom
