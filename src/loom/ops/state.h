// Variables: mutable engine state behind a resource handle. A variable's value is an
// immutable tensor that assignments replace, so a read is a consistent snapshot.
#pragma once

#include <mutex>
#include <string>

#include "loom/core/tensor.h"

namespace loom {

// An engine object behind a resource tensor: a variable, or the iteration history a
// While keeps for its gradient.
class Resource : public RefCounted {
 public:
  virtual ~Resource() = default;
};

class VariableState : public Resource {
 public:
  VariableState(DType dtype, Shape shape, std::string name)
      : dtype_(dtype), shape_(std::move(shape)), name_(std::move(name)) {}

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  const std::string& name() const { return name_; }
  // Tapes watch trainable variables when they are read.
  bool trainable() const { return trainable_; }
  void set_trainable(bool t) { trainable_ = t; }

  // Raises FailedPrecondition if the variable was never initialized.
  Tensor read(const char* op) const;
  bool initialized() const;
  // Replaces the value after checking dtype and shape; raises InvalidArgument naming op.
  void assign(const Tensor& value, const char* op);
  // Assigns only if not yet initialized; returns whether it did.
  bool initialize(const Tensor& value, const char* op);
  // value = f(value) atomically with respect to other updates of this variable.
  template <class F>
  void update(const char* op, F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    require_initialized(op);
    Tensor next = f(value_);
    check(next, op);
    value_ = std::move(next);
  }

 private:
  void check(const Tensor& value, const char* op) const;
  void require_initialized(const char* op) const;

  DType dtype_;
  Shape shape_;
  std::string name_;
  bool trainable_ = true;
  mutable std::mutex mu_;
  Tensor value_;
};

// A scalar resource tensor holding (a reference to) `resource`.
Tensor make_resource(Ref<Resource> resource);
// The resource behind a handle; null for other tensors (symbolic ones included).
Resource* resource_of(const Tensor& handle);
// The variable behind a handle, or null when it is not a variable.
VariableState* variable_of(const Tensor& handle);
// The variable behind a resource tensor; raises InvalidArgument if it is not one.
VariableState& resource_state(const Tensor& handle, const char* op);

}  // namespace loom
