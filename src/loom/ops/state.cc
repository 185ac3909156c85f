// Variable ops. Each reads or writes the resource given as input 0; the graph builder
// orders them per resource (automatic control dependencies) using the declared traits.
#include "loom/ops/state.h"

#include "loom/eager/execute.h"
#include "loom/ops/registry.h"

namespace loom {

Tensor VariableState::read(const char* op) const {
  std::lock_guard<std::mutex> lock(mu_);
  require_initialized(op);
  return value_;
}

bool VariableState::initialized() const {
  std::lock_guard<std::mutex> lock(mu_);
  return value_.defined();
}

void VariableState::require_initialized(const char* op) const {
  if (!value_.defined())
    raise(ErrorCode::kFailedPrecondition, "[", op, "] variable '", name_,
          "' is read before it was initialized");
}

void VariableState::check(const Tensor& value, const char* op) const {
  if (value.dtype() != dtype_)
    raise(ErrorCode::kInvalidArgument, "[", op, "] variable '", name_, "' has dtype ",
          dtype_name(dtype_), "; cannot assign a value of dtype ", dtype_name(value.dtype()));
  if (!value.shape().compatible_with(shape_) || !value.shape().has_rank())
    raise(ErrorCode::kInvalidArgument, "[", op, "] variable '", name_, "' has shape ",
          shape_.to_string(), "; cannot assign a value of shape ", value.shape().to_string());
}

void VariableState::assign(const Tensor& value, const char* op) {
  check(value, op);
  std::lock_guard<std::mutex> lock(mu_);
  value_ = value;
}

bool VariableState::initialize(const Tensor& value, const char* op) {
  check(value, op);
  std::lock_guard<std::mutex> lock(mu_);
  if (value_.defined()) return false;
  value_ = value;
  return true;
}

Tensor make_resource(Ref<Resource> resource) {
  Resource* raw = resource.get();
  raw->ref();  // released with the buffer
  Ref<Buffer> buf = Buffer::wrap(
      raw, sizeof(void*),
      [](void* p) {
        auto* r = static_cast<Resource*>(p);
        if (r->unref()) delete r;
      },
      raw);
  return Tensor::from_buffer(DType::kResource, Shape{}, std::move(buf));
}

Resource* resource_of(const Tensor& handle) {
  if (!handle.defined() || handle.dtype() != DType::kResource || handle.is_symbolic())
    return nullptr;
  return static_cast<Resource*>(handle.raw_data());
}

VariableState* variable_of(const Tensor& handle) {
  return dynamic_cast<VariableState*>(resource_of(handle));
}

VariableState& resource_state(const Tensor& handle, const char* op) {
  VariableState* v = variable_of(handle);
  if (!v) raise(ErrorCode::kInvalidArgument, "[", op, "] expected a variable handle");
  return *v;
}

namespace {

void infer_read(InferContext& ctx) {
  const AttrValue& shape = ctx.attr("shape");
  if (const auto* dims = std::get_if<std::vector<int64_t>>(&shape))
    ctx.set_output(0, Shape(*dims));  // -1 marks an unknown dimension
  else
    ctx.set_output(
        0, std::holds_alternative<Shape>(shape) ? std::get<Shape>(shape) : Shape::unknown_rank());
}

// Declares one of the update ops: the new value is f(old, delta).
template <class F>
void def_update(OpRegistry& r, const char* name, F f) {
  r.add(name)
      .input("resource", DType::kResource)
      .input("value", "dtype")
      .type_var("dtype", dtypes::kAll)
      .traits(kStateful | kResourceWrite | kNotDifferentiable)
      .kernel([f](KernelContext& ctx) {
        VariableState& v = resource_state(ctx.input(0), ctx.name());
        const Tensor& delta = ctx.input(1);
        v.update(ctx.name(), [&](const Tensor& old) { return f(old, delta); });
      });
}

}  // namespace

void register_state_ops(OpRegistry& r) {
  r.add("ReadVariableOp")
      .input("resource", DType::kResource)
      .output_from_attr("value", "dtype")
      .attr("dtype")
      .attr("shape", Shape::unknown_rank())
      .traits(kStateful | kResourceRead)
      .infer(infer_read)
      .kernel([](KernelContext& ctx) {
        VariableState& v = resource_state(ctx.input(0), ctx.name());
        ctx.set_output(0, v.read(ctx.name()));
      })
      // The variable (named by its handle) gets the gradient of the value read.
      .gradient([](GradContext& ctx) { return std::vector<Tensor>{ctx.grad(0)}; });

  r.add("AssignVariableOp")
      .input("resource", DType::kResource)
      .input("value", "dtype")
      .type_var("dtype", dtypes::kAll)
      .traits(kStateful | kResourceWrite | kNotDifferentiable)
      .kernel([](KernelContext& ctx) {
        resource_state(ctx.input(0), ctx.name()).assign(ctx.input(1), ctx.name());
      });

  // Assigns only the first time: initializers of variables created inside a function.
  r.add("InitializeVariableOp")
      .input("resource", DType::kResource)
      .input("value", "dtype")
      .type_var("dtype", dtypes::kAll)
      .traits(kStateful | kResourceWrite | kNotDifferentiable)
      .kernel([](KernelContext& ctx) {
        resource_state(ctx.input(0), ctx.name()).initialize(ctx.input(1), ctx.name());
      });

  r.add("VarIsInitializedOp")
      .input("resource", DType::kResource)
      .output("is_initialized", DType::kBool)
      .traits(kStateful | kResourceRead | kNotDifferentiable)
      .kernel([](KernelContext& ctx) {
        bool init = resource_state(ctx.input(0), ctx.name()).initialized();
        ctx.set_output(0, Tensor::scalar<bool>(init));
      });

  def_update(r, "AssignAddVariableOp", [](const Tensor& old, const Tensor& delta) {
    Tensor in[2] = {old, delta};
    return execute_eager(OpRegistry::global().get("AddV2"), in, {})[0];
  });
  def_update(r, "AssignSubVariableOp", [](const Tensor& old, const Tensor& delta) {
    Tensor in[2] = {old, delta};
    return execute_eager(OpRegistry::global().get("Sub"), in, {})[0];
  });
}

}  // namespace loom
