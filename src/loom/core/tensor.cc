#include "loom/core/tensor.h"

namespace loom {

Tensor Tensor::make(DType dtype, Shape shape, int64_t num_elements) {
  Tensor t;
  t.impl_ = Ref<TensorImpl>::adopt(new TensorImpl());
  t.impl_->dtype = dtype;
  t.impl_->shape = std::move(shape);
  t.impl_->num_elements = num_elements;
  return t;
}

Tensor Tensor::empty(DType dtype, Shape shape, const char* op) {
  int64_t n = checked_num_elements(shape.dims(), op);
  Tensor t = make(dtype, std::move(shape), n);
  TensorImpl* impl = t.impl();
  // The element cap alone still admits terabytes of wide types; refuse those up front, and
  // name the op when the system has less memory than asked for.
  const size_t nbytes = static_cast<size_t>(n) * dtype_size(dtype);
  if (nbytes > static_cast<size_t>(kMaxElements))
    raise(ErrorCode::kResourceExhausted, "[", op, "] a ", dtype_name(dtype), " tensor of shape ",
          impl->shape.to_string(), " needs ", nbytes, " bytes, more than 2^40");
  try {
    impl->buffer = Buffer::allocate(nbytes);
  } catch (const Error& e) {
    raise(ErrorCode::kResourceExhausted, "[", op, "] ", e.what(), " of shape ",
          impl->shape.to_string());
  }
  return t;
}

Tensor Tensor::symbolic(DType dtype, Shape shape, Ref<GraphBase> graph, int32_t node,
                        int32_t output) {
  const int64_t n = shape.num_elements();
  Tensor t = make(dtype, std::move(shape), n);
  t.impl_->graph = std::move(graph);
  t.impl_->node = node;
  t.impl_->output = output;
  return t;
}

Tensor Tensor::from_buffer(DType dtype, Shape shape, Ref<Buffer> buffer) {
  int64_t n = checked_num_elements(shape.dims(), "tensor");
  LOOM_CHECK_ARG(buffer && buffer->nbytes() >= static_cast<size_t>(n) * dtype_size(dtype),
                 "[tensor] buffer of ", buffer ? buffer->nbytes() : 0, " bytes is too small for ",
                 dtype_name(dtype), shape.to_string());
  Tensor t = make(dtype, std::move(shape), n);
  t.impl_->buffer = std::move(buffer);
  return t;
}

std::vector<int64_t> Tensor::to_int64_vector(const char* op) const {
  LOOM_CHECK_ARG(is_integer(dtype()), "[", op, "] expected an integer tensor, got ",
                 dtype_name(dtype()));
  std::vector<int64_t> out(num_elements());
  visit_dtype<dtypes::kInt.bits()>(dtype(), op, [&]<class T>() {
    const T* p = data<T>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<int64_t>(p[i]);
  });
  return out;
}

std::string Tensor::debug_string() const {
  if (!defined()) return "<undefined>";
  return std::string(dtype_name(dtype())) + shape().to_string();
}

}  // namespace loom
