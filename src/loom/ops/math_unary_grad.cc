// Fused gradient kernels of unary ops (TanhGrad, SigmoidGrad, SqrtGrad, RsqrtGrad,
// ReciprocalGrad): one pass over the forward output y and the incoming gradient dy
// instead of three or four elementwise ops. Each has a gradient of its own, so second
// derivatives of tanh, sigmoid, sqrt, rsqrt and reciprocal keep working.
#include "loom/api/op_ref.h"
#include "loom/ops/math_families.h"

namespace loom {

using namespace dtypes;

namespace {

// y and dy have one shape (no broadcasting, as in TF); unknown dims merge.
void infer_same_shapes(InferContext& ctx) {
  const Shape &a = ctx.input_shape(0), &b = ctx.input_shape(1);
  if (!a.compatible_with(b))
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] y and dy must have the same shape, got ",
          a.to_string(), " and ", b.to_string());
  if (!a.has_rank()) return ctx.set_output(0, b);
  Shape merged = a;
  if (b.has_rank())
    for (int d = 0; d < a.rank(); ++d)
      if (merged[d] < 0) merged.mutable_dims()[d] = b[d];
  ctx.set_output(0, std::move(merged));
}

template <class F>
OpDef& def_unary_grad_kernel(OpRegistry& r, const char* name, F f) {
  return r.add(name)
      .input("y", "T")
      .input("dy", "T")
      .output("z", "T")
      .type_var("T", kFloat)
      .traits(kElementwise)
      .infer(infer_same_shapes)
      .kernel([f](KernelContext& ctx) {
        const Tensor &y = ctx.input(0), &dy = ctx.input(1);
        // Shapes unknown while tracing are checked again here, where they are known.
        if (y.shape() != dy.shape())
          raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
                "] y and dy must have the same shape, got ", y.shape().to_string(), " and ",
                dy.shape().to_string());
        visit_dtype<kFloat.bits()>(y.dtype(), ctx.name(), [&]<class T>() {
          const int64_t n = y.num_elements();
          if (n == 0) return;
          cpu::Vec<T>(ctx.output(0).mutable_data<T>(), n) =
              f(cpu::ConstVec<T>(y.data<T>(), n), cpu::ConstVec<T>(dy.data<T>(), n));
        });
      });
}

template <class Expr>
auto constant(const Expr&, double v) {
  return static_cast<ScalarOf<Expr>>(static_cast<float>(v));
}

}  // namespace

Tensor tanh_grad(const Tensor& y, const Tensor& dy) {
  static const OpRef op("TanhGrad");
  return op({y, dy});
}
Tensor sigmoid_grad(const Tensor& y, const Tensor& dy) {
  static const OpRef op("SigmoidGrad");
  return op({y, dy});
}
Tensor sqrt_grad(const Tensor& y, const Tensor& dy) {
  static const OpRef op("SqrtGrad");
  return op({y, dy});
}
Tensor rsqrt_grad(const Tensor& y, const Tensor& dy) {
  static const OpRef op("RsqrtGrad");
  return op({y, dy});
}
Tensor reciprocal_grad(const Tensor& y, const Tensor& dy) {
  static const OpRef op("ReciprocalGrad");
  return op({y, dy});
}

void register_math_unary_grad_ops(OpRegistry& r) {
  // Each op is linear in dy, so d/d(dy) is the op itself applied to the outer gradient g;
  // d/dy is written out with ops. Integer dtypes are not declared, so no guard is needed.
  def_unary_grad_kernel(r, "TanhGrad", [](const auto& y, const auto& dy) {
    return dy * (constant(y, 1.0) - y.square());
  }).gradient([](GradContext& ctx) -> std::vector<Tensor> {
    const Tensor &y = ctx.input(0), &dy = ctx.input(1), &g = ctx.grad(0);
    Tensor gy, gdy;
    if (ctx.needs(0)) gy = multiply(multiply(g, dy), multiply(y, scalar_as(-2.0, y)));
    if (ctx.needs(1)) gdy = tanh_grad(y, g);
    return {gy, gdy};
  });
  def_unary_grad_kernel(r, "SigmoidGrad", [](const auto& y, const auto& dy) {
    return dy * y * (constant(y, 1.0) - y);
  }).gradient([](GradContext& ctx) -> std::vector<Tensor> {
    const Tensor &y = ctx.input(0), &dy = ctx.input(1), &g = ctx.grad(0);
    Tensor gy, gdy;
    if (ctx.needs(0)) {
      const Tensor one_minus_2y = subtract(scalar_as(1.0, y), multiply(y, scalar_as(2.0, y)));
      gy = multiply(multiply(g, dy), one_minus_2y);
    }
    if (ctx.needs(1)) gdy = sigmoid_grad(y, g);
    return {gy, gdy};
  });
  // z = dy / (2 y): dz/dy = -z / y.
  def_unary_grad_kernel(r, "SqrtGrad", [](const auto& y, const auto& dy) {
    return constant(y, 0.5) * dy / y;
  }).gradient([](GradContext& ctx) -> std::vector<Tensor> {
    const Tensor &y = ctx.input(0), &g = ctx.grad(0);
    Tensor gy, gdy;
    if (ctx.needs(0)) gy = negative(multiply(divide(g, y), ctx.output(0)));
    if (ctx.needs(1)) gdy = sqrt_grad(y, g);
    return {gy, gdy};
  });
  // z = -dy y^3 / 2: dz/dy = -3/2 dy y^2.
  def_unary_grad_kernel(r, "RsqrtGrad", [](const auto& y, const auto& dy) {
    return constant(y, -0.5) * dy * y.cube();
  }).gradient([](GradContext& ctx) -> std::vector<Tensor> {
    const Tensor &y = ctx.input(0), &dy = ctx.input(1), &g = ctx.grad(0);
    Tensor gy, gdy;
    if (ctx.needs(0)) gy = multiply(multiply(g, dy), multiply(square(y), scalar_as(-1.5, y)));
    if (ctx.needs(1)) gdy = rsqrt_grad(y, g);
    return {gy, gdy};
  });
  // z = -dy y^2: dz/dy = -2 dy y.
  def_unary_grad_kernel(r, "ReciprocalGrad", [](const auto& y, const auto& dy) {
    return -(dy * y.square());
  }).gradient([](GradContext& ctx) -> std::vector<Tensor> {
    const Tensor &y = ctx.input(0), &dy = ctx.input(1), &g = ctx.grad(0);
    Tensor gy, gdy;
    if (ctx.needs(0)) gy = multiply(multiply(g, dy), multiply(y, scalar_as(-2.0, y)));
    if (ctx.needs(1)) gdy = reciprocal_grad(y, g);
    return {gy, gdy};
  });
}

}  // namespace loom
