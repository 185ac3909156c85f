// Tensor: a cheap handle to immutable, dense, row-major data of one dtype and shape.
#pragma once

#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "loom/core/buffer.h"
#include "loom/core/dtype.h"
#include "loom/core/shape.h"

namespace loom {

// The graph a symbolic tensor belongs to; defined by graph/graph.h. Virtual so a
// tensor can keep its graph alive without core/ depending on graph/.
class GraphBase : public RefCounted {
 public:
  virtual ~GraphBase() = default;
};

struct TensorImpl : RefCounted {
  DType dtype = DType::kFloat32;
  Shape shape;  // may be partially known for symbolic tensors
  int64_t num_elements = 0;
  Ref<Buffer> buffer;  // null for symbolic tensors
  // Symbolic tensors (made while tracing) name output `output` of node `node`.
  Ref<GraphBase> graph;
  int32_t node = -1;
  int32_t output = 0;
};

class Tensor {
 public:
  Tensor() = default;

  // A value of a graph under construction: no storage, possibly partial shape.
  static Tensor symbolic(DType dtype, Shape shape, Ref<GraphBase> graph, int32_t node,
                         int32_t output);

  // Uninitialized storage for a fully known shape; validates the size.
  static Tensor empty(DType dtype, Shape shape, const char* op = "tensor");
  // Shares `buffer`, which must hold at least num_elements * dtype_size bytes.
  static Tensor from_buffer(DType dtype, Shape shape, Ref<Buffer> buffer);
  template <class T>
  static Tensor scalar(T value) {
    Tensor t = empty(dtype_v<T>, Shape{});
    *t.mutable_data<T>() = value;
    return t;
  }
  template <class T>
  static Tensor from_vector(const std::vector<T>& values, Shape shape) {
    Tensor t = empty(dtype_v<T>, std::move(shape));
    LOOM_CHECK_ARG(static_cast<size_t>(t.num_elements()) == values.size(), "[tensor] ",
                   values.size(), " values do not fill shape ", t.shape().to_string());
    if constexpr (std::is_same_v<T, bool>) {
      bool* out = t.mutable_data<bool>();
      for (size_t i = 0; i < values.size(); ++i) out[i] = values[i];
    } else if (!values.empty()) {
      std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(T));
    }
    return t;
  }

  bool defined() const { return static_cast<bool>(impl_); }
  bool is_symbolic() const { return static_cast<bool>(impl_->graph); }
  GraphBase* graph() const { return impl_->graph.get(); }
  int32_t node() const { return impl_->node; }
  int32_t output_index() const { return impl_->output; }
  DType dtype() const { return impl_->dtype; }
  const Shape& shape() const { return impl_->shape; }
  int rank() const { return impl_->shape.rank(); }
  int64_t dim(int i) const { return impl_->shape.dim(i); }
  int64_t num_elements() const { return impl_->num_elements; }
  size_t nbytes() const { return impl_->num_elements * dtype_size(impl_->dtype); }

  const Ref<Buffer>& buffer() const { return impl_->buffer; }
  void* raw_data() const { return impl_->buffer->data(); }
  template <class T>
  const T* data() const {
    return static_cast<const T*>(impl_->buffer->data());
  }
  // Only for kernels filling a tensor they just allocated.
  template <class T>
  T* mutable_data() const {
    return static_cast<T*>(impl_->buffer->data());
  }
  // Value of a scalar (or single-element) tensor converted to T.
  template <class T>
  T item() const;
  // All values converted to int64 (for shape-like arguments); raises for non-integers.
  std::vector<int64_t> to_int64_vector(const char* op) const;

  TensorImpl* impl() const { return impl_.get(); }
  bool same_as(const Tensor& o) const { return impl_ == o.impl_; }

  std::string debug_string() const;  // "float32[2,3]"

 private:
  static Tensor make(DType dtype, Shape shape, int64_t num_elements);  // no storage yet

  Ref<TensorImpl> impl_;
};

template <class T>
T Tensor::item() const {
  return visit_dtype(dtype(), "item", [&]<class S>() -> T {
    if constexpr (std::is_arithmetic_v<S>)
      return static_cast<T>(data<S>()[0]);
    else
      return static_cast<T>(static_cast<float>(data<S>()[0]));
  });
}

}  // namespace loom
