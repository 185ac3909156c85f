#include "loom/autodiff/grad_util.h"

#include "loom/api/op_ref.h"

namespace loom {

bool is_differentiable(DType dtype) {
  return is_floating(dtype);
}

Tensor constant_of(const Tensor& value) {
  static const OpRef op("Const");
  Attrs attrs;
  attrs.set("value", value);
  attrs.set("dtype", value.dtype());
  return op({}, attrs);
}

Tensor scalar_like(double value, DType dtype) {
  Tensor t = visit_dtype<dtypes::kNumeric.bits()>(
      dtype, "gradient", [&]<class T>() { return Tensor::scalar<T>(static_cast<T>(value)); });
  return current_handler() ? constant_of(t) : t;
}

Tensor shape_tensor(const Tensor& x) {
  if (x.shape().is_fully_defined()) {
    std::vector<int32_t> dims(x.shape().dims().begin(), x.shape().dims().end());
    Tensor t = Tensor::from_vector<int32_t>(dims, Shape{static_cast<int64_t>(dims.size())});
    return current_handler() ? constant_of(t) : t;
  }
  static const OpRef shape("Shape");
  return shape({x});
}

Tensor reshape_to(const Tensor& x, const Tensor& shape) {
  static const OpRef op("Reshape");
  return op({x, shape});
}

namespace {
Tensor filled_like(const Tensor& x, double value) {
  if (!x.is_symbolic() && !current_handler()) {
    Tensor t = Tensor::empty(x.dtype(), x.shape(), "gradient");
    visit_dtype<dtypes::kNumeric.bits()>(x.dtype(), "gradient", [&]<class T>() {
      std::fill_n(t.mutable_data<T>(), t.num_elements(), static_cast<T>(value));
    });
    return t;
  }
  static const OpRef fill("Fill");
  return fill({shape_tensor(x), scalar_like(value, x.dtype())});
}
}  // namespace

Tensor zeros_like(const Tensor& x) {
  return filled_like(x, 0.0);
}
Tensor ones_like(const Tensor& x) {
  return filled_like(x, 1.0);
}

Tensor sum_to_shape_of(const Tensor& grad, const Tensor& like) {
  const Shape& gs = grad.shape();
  const Shape& ls = like.shape();
  if (gs.has_rank() && ls.has_rank() && gs.is_fully_defined() && ls.is_fully_defined()) {
    if (gs == ls) return grad;
    // Static shapes: sum the leading dims and the dims `like` has as 1, then reshape.
    std::vector<int64_t> axes;
    const int lead = gs.rank() - ls.rank();
    for (int i = 0; i < gs.rank(); ++i)
      if (i < lead || (ls.dim(i - lead) == 1 && gs.dim(i) != 1)) axes.push_back(i);
    Tensor summed = grad;
    if (!axes.empty()) {
      static const OpRef sum("Sum");
      Tensor ax = Tensor::from_vector<int64_t>(axes, Shape{static_cast<int64_t>(axes.size())});
      summed = sum({grad, current_handler() ? constant_of(ax) : ax});
    }
    return reshape_to(summed, shape_tensor(like));
  }
  static const OpRef args("BroadcastGradientArgs");
  static const OpRef sum("Sum");
  Tensor like_shape = shape_tensor(like);
  std::vector<Tensor> in{like_shape, shape_tensor(grad)};
  Tensor axes = args.multi(in)[0];
  return reshape_to(sum({grad, axes}), like_shape);
}

Tensor add_gradients(std::vector<Tensor>& grads) {
  if (grads.size() == 1) return grads[0];
  static const OpRef add("AddV2");
  static const OpRef add_n("AddN");
  if (grads.size() == 2) return add({grads[0], grads[1]});
  return add_n.multi(grads)[0];
}

std::vector<Tensor> op_input_gradients(const OpDef& op, const Attrs& attrs,
                                       std::span<const Tensor> inputs,
                                       std::span<const Tensor> outputs,
                                       std::span<const Tensor> output_grads, uint64_t needed) {
  const int n_in = static_cast<int>(inputs.size());
  if (op.has_trait(kNotDifferentiable)) return std::vector<Tensor>(n_in);
  if (!op.grad_fn())
    raise(ErrorCode::kNoGradient, "No gradient defined for operation '", op.name(),
          "' (op type: ", op.name(), ")");
  std::vector<Tensor> grads(output_grads.begin(), output_grads.end());
  uint64_t arrived = ~uint64_t{0};
  for (size_t i = 0; i < grads.size(); ++i) {
    if (grads[i].defined()) continue;
    if (i < 64) arrived &= ~(uint64_t{1} << i);
    if (is_differentiable(outputs[i].dtype())) grads[i] = zeros_like(outputs[i]);
  }
  GradContext ctx(op, attrs, inputs, outputs, grads, needed, arrived);
  std::vector<Tensor> in_grads = op.grad_fn()(ctx);
  in_grads.resize(n_in);
  for (int i = 0; i < n_in; ++i) {
    Tensor& g = in_grads[i];
    if (!g.defined()) continue;
    const DType dt = inputs[i].dtype();
    if (!ctx.needs(i) || (dt != DType::kResource && !is_differentiable(dt))) {
      g = Tensor();
      continue;
    }
    if (dt != DType::kResource && g.dtype() != dt)
      raise(ErrorCode::kInternal, "[", op.name(), "] gradient of input #", i, " is ",
            dtype_name(g.dtype()), " but the input is ", dtype_name(dt));
    if (op.has_trait(kElementwise)) g = sum_to_shape_of(g, inputs[i]);
  }
  return in_grads;
}

}  // namespace loom
