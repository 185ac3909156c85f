// Elementwise activation functions: Relu, Relu6, Elu, Selu, Gelu, Softplus, Softsign,
// LeakyRelu. Kernels are Eigen array expressions, evaluated in float for half types.
// Each has a fused gradient op (ReluGrad, EluGrad, ... with TF's names and inputs) so a
// backward pass costs one elementwise op; those are differentiable again, which gives
// second and higher derivatives.
#include <unsupported/Eigen/SpecialFunctions>  // Array::erf

#include "loom/api/math.h"
#include "loom/api/op_ref.h"
#include "loom/autodiff/grad_util.h"
#include "loom/ops/elementwise_defs.h"
#include "loom/ops/nn_common.h"

namespace loom {

namespace {

using namespace dtypes;

template <class Expr>
using scalar_of = typename std::decay_t<Expr>::Scalar;

// activations = f(features) with T converted to compute_t<T> around f.
template <class T, class F>
void run_activation(const Tensor& in, const Tensor& out, const F& f) {
  using C = compute_t<T>;
  cpu::unary_loop<T, T>(in, out,
                        [&](auto x) { return f(x.template cast<C>()).template cast<T>(); });
}

OpDef& declare_activation(OpRegistry& r, const char* name, DTypeSet types) {
  return r.add(name)
      .input("features", "T")
      .output("activations", "T")
      .type_var("T", types)
      .traits(kElementwise)
      .infer(infer_same_shape);
}

template <uint32_t Types, class F>
OpDef& def_activation(OpRegistry& r, const char* name, F f) {
  return declare_activation(r, name, DTypeSet(Types)).kernel([f](KernelContext& ctx) {
    visit_dtype<Types>(ctx.input(0).dtype(), ctx.name(),
                       [&]<class T>() { run_activation<T>(ctx.input(0), ctx.output(0), f); });
  });
}

// backprops = f(gradients, x) elementwise, where x is the forward call's features (or
// its outputs, for Elu and Selu as in TF); f sees both in compute_t<T>.
OpDef& declare_activation_grad(OpRegistry& r, const char* name, const char* x_name,
                               DTypeSet types) {
  return r.add(name)
      .input("gradients", "T")
      .input(x_name, "T")
      .output("backprops", "T")
      .type_var("T", types)
      .traits(kElementwise)
      .infer(infer_broadcast_binary);
}

template <class T, class F>
void run_activation_grad(const Tensor& g, const Tensor& x, const Tensor& out, const F& f) {
  using C = compute_t<T>;
  cpu::binary_loop<T, T>(g, x, out, [&](auto dy, auto v) {
    return f(dy.template cast<C>(), v.template cast<C>()).template cast<T>();
  });
}

template <uint32_t Types, class F>
OpDef& def_activation_grad(OpRegistry& r, const char* name, const char* x_name, F f) {
  return declare_activation_grad(r, name, x_name, DTypeSet(Types)).kernel([f](KernelContext& ctx) {
    visit_dtype<Types>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
      run_activation_grad<T>(ctx.input(0), ctx.input(1), ctx.output(0), f);
    });
  });
}

Tensor scalar_of_dtype(double v, const Tensor& like) {
  return scalar_like(v, like.dtype());
}

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSqrtHalf = 0.70710678118654752440084436210485;
constexpr double kSqrtTwoOverPi = 0.79788456080286535587989211986876;
constexpr double kInvSqrtTwoPi = 0.39894228040143267793994605993438;
constexpr double kGeluCubic = 0.044715;

template <class X>
auto gelu_erf(const X& x) {
  using C = scalar_of<X>;
  return C(0.5) * x * (C(1) + (x * C(kSqrtHalf)).erf());
}

template <class X>
auto gelu_tanh(const X& x) {
  using C = scalar_of<X>;
  return C(0.5) * x * (C(1) + (C(kSqrtTwoOverPi) * (x + C(kGeluCubic) * x.cube())).tanh());
}

// d gelu / dx. erf form: Phi(x) + x phi(x). tanh form, with u = sqrt(2/pi)(x + c x^3)
// and t = tanh(u): 0.5 (1 + t) + 0.5 x (1 - t^2) u'.
template <class X>
auto gelu_erf_grad(const X& x) {
  using C = scalar_of<X>;
  return C(0.5) * (C(1) + (x * C(kSqrtHalf)).erf()) +
         x * C(kInvSqrtTwoPi) * (C(-0.5) * x.square()).exp();
}

template <class X>
auto gelu_tanh_grad(const X& x) {
  using C = scalar_of<X>;
  const auto t = (C(kSqrtTwoOverPi) * (x + C(kGeluCubic) * x.cube())).tanh().eval();
  const auto du = C(kSqrtTwoOverPi) * (C(1) + C(3 * kGeluCubic) * x.square());
  return C(0.5) * (C(1) + t) + C(0.5) * x * (C(1) - t.square()) * du;
}

// d^2 gelu / dx^2 with ops (it only feeds GeluGrad's own gradient). erf form:
// phi(x) (2 - x^2). tanh form: (1 - t^2) (u' + 0.5 x (u'' - 2 t u'^2)).
Tensor gelu_second_derivative(const Tensor& x, bool approximate) {
  auto c = [&](double v) { return scalar_like(v, x.dtype()); };
  const Tensor x2 = square(x);
  if (!approximate) {
    const Tensor phi = c(kInvSqrtTwoPi) * exp(c(-0.5) * x2);
    return phi * (c(2) - x2);
  }
  const Tensor t = tanh(c(kSqrtTwoOverPi) * (x + c(kGeluCubic) * x2 * x));
  const Tensor du = c(kSqrtTwoOverPi) * (c(1) + c(3 * kGeluCubic) * x2);
  const Tensor ddu = c(kSqrtTwoOverPi * 6 * kGeluCubic) * x;
  return (c(1) - square(t)) * (du + c(0.5) * x * (ddu - c(2) * t * square(du)));
}

// A gradient op's own gradient when it is linear in `gradients` and piecewise constant
// in x (Relu, Relu6, LeakyRelu): the same op on the incoming gradient, and zero for x.
GradFn linear_grad_op_gradient(const char* self) {
  return [self](GradContext& ctx) -> std::vector<Tensor> {
    const OpRef op(self);
    return {ctx.needs(0) ? op({ctx.grad(0), ctx.input(1)}, ctx.attrs()) : Tensor(),
            ctx.needs(1) ? zeros_like(ctx.input(1)) : Tensor()};
  };
}

// The gradient of an activation through its fused gradient op, fed the forward's
// features (x_is_output false) or its outputs.
GradFn activation_gradient(const char* grad_op, bool x_is_output) {
  return [grad_op, x_is_output](GradContext& ctx) -> std::vector<Tensor> {
    const OpRef op(grad_op);
    return {op({ctx.grad(0), x_is_output ? ctx.output(0) : ctx.input(0)}, ctx.attrs())};
  };
}

void register_activation_grads(OpRegistry& r) {
  def_activation_grad<kNumeric.bits()>(r, "ReluGrad", "features", [](auto g, auto x) {
    using C = scalar_of<decltype(x)>;
    return (x > C(0)).select(g, C(0));
  }).gradient(linear_grad_op_gradient("ReluGrad"));
  def_activation_grad<kNumeric.bits()>(r, "Relu6Grad", "features", [](auto g, auto x) {
    using C = scalar_of<decltype(x)>;
    return (x > C(0) && x < C(6)).select(g, C(0));
  }).gradient(linear_grad_op_gradient("Relu6Grad"));
  declare_activation_grad(r, "LeakyReluGrad", "features", kFloat)
      .attr("alpha", 0.2)
      .kernel([](KernelContext& ctx) {
        const double alpha = ctx.attr_float("alpha");
        visit_dtype<kFloat.bits()>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
          using C = compute_t<T>;
          run_activation_grad<T>(
              ctx.input(0), ctx.input(1), ctx.output(0),
              [a = C(alpha)](auto g, auto x) { return (x > C(0)).select(g, g * a); });
        });
      })
      .gradient(linear_grad_op_gradient("LeakyReluGrad"));

  // EluGrad and SeluGrad read the forward outputs y: for x < 0, elu'(x) = y + 1 and
  // selu'(x) = y + scale * alpha. Their derivative in y is the incoming gradient there.
  def_activation_grad<kFloat.bits()>(r, "EluGrad", "outputs", [](auto g, auto y) {
    using C = scalar_of<decltype(y)>;
    return (y < C(0)).select(g * (y + C(1)), g);
  }).gradient([](GradContext& ctx) -> std::vector<Tensor> {
    static const OpRef self("EluGrad");
    const Tensor& y = ctx.input(1);
    const Tensor& gg = ctx.grad(0);
    Tensor dy;
    if (ctx.needs(1)) dy = where(y < scalar_of_dtype(0, y), gg * ctx.input(0), zeros_like(gg));
    return {ctx.needs(0) ? self({gg, y}) : Tensor(), dy};
  });
  def_activation_grad<kFloat.bits()>(r, "SeluGrad", "outputs", [](auto g, auto y) {
    using C = scalar_of<decltype(y)>;
    return (y < C(0)).select(g * (y + C(kSeluScale * kSeluAlpha)), g * C(kSeluScale));
  }).gradient([](GradContext& ctx) -> std::vector<Tensor> {
    static const OpRef self("SeluGrad");
    const Tensor& y = ctx.input(1);
    const Tensor& gg = ctx.grad(0);
    Tensor dy;
    if (ctx.needs(1)) dy = where(y < scalar_of_dtype(0, y), gg * ctx.input(0), zeros_like(gg));
    return {ctx.needs(0) ? self({gg, y}) : Tensor(), dy};
  });

  // softplus' = sigmoid, softplus'' = sigmoid (1 - sigmoid).
  def_activation_grad<kFloat.bits()>(r, "SoftplusGrad", "features", [](auto g, auto x) {
    using C = scalar_of<decltype(x)>;
    return g / (C(1) + (-x).exp());
  }).gradient([](GradContext& ctx) -> std::vector<Tensor> {
    static const OpRef self("SoftplusGrad");
    const Tensor& x = ctx.input(1);
    const Tensor& gg = ctx.grad(0);
    Tensor dx;
    if (ctx.needs(1)) {
      const Tensor s = sigmoid(x);
      dx = gg * ctx.input(0) * s * (scalar_of_dtype(1, x) - s);
    }
    return {ctx.needs(0) ? self({gg, x}) : Tensor(), dx};
  });
  // softsign' = 1 / (1 + |x|)^2, softsign'' = -2 sign(x) / (1 + |x|)^3.
  def_activation_grad<kFloat.bits()>(r, "SoftsignGrad", "features", [](auto g, auto x) {
    using C = scalar_of<decltype(x)>;
    return g / (C(1) + x.abs()).square();
  }).gradient([](GradContext& ctx) -> std::vector<Tensor> {
    static const OpRef self("SoftsignGrad");
    const Tensor& x = ctx.input(1);
    const Tensor& gg = ctx.grad(0);
    Tensor dx;
    if (ctx.needs(1)) {
      const Tensor d = scalar_of_dtype(1, x) + abs(x);
      dx = gg * ctx.input(0) * scalar_of_dtype(-2, x) * sign(x) / (d * d * d);
    }
    return {ctx.needs(0) ? self({gg, x}) : Tensor(), dx};
  });

  // TF has no GeluGrad op (its gelu is built from smaller ops); this one fuses gelu'.
  declare_activation_grad(r, "GeluGrad", "features", kFloat)
      .attr("approximate", false)
      .kernel([](KernelContext& ctx) {
        const bool approximate = ctx.attr_bool("approximate");
        visit_dtype<kFloat.bits()>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
          if (approximate)
            run_activation_grad<T>(ctx.input(0), ctx.input(1), ctx.output(0),
                                   [](auto g, auto x) { return g * gelu_tanh_grad(x); });
          else
            run_activation_grad<T>(ctx.input(0), ctx.input(1), ctx.output(0),
                                   [](auto g, auto x) { return g * gelu_erf_grad(x); });
        });
      })
      .gradient([](GradContext& ctx) -> std::vector<Tensor> {
        static const OpRef self("GeluGrad");
        const Tensor& x = ctx.input(1);
        const Tensor& gg = ctx.grad(0);
        Tensor dx;
        if (ctx.needs(1))
          dx = gg * ctx.input(0) * gelu_second_derivative(x, ctx.attr_bool("approximate"));
        return {ctx.needs(0) ? self({gg, x}, ctx.attrs()) : Tensor(), dx};
      });
}

}  // namespace

void register_nn_activation_ops(OpRegistry& r) {
  register_activation_grads(r);
  def_activation<kNumeric.bits()>(r, "Relu", [](auto x) {
    return x.max(scalar_of<decltype(x)>(0));
  }).gradient(activation_gradient("ReluGrad", /*x_is_output=*/true));
  def_activation<kNumeric.bits()>(r, "Relu6", [](auto x) {
    using C = scalar_of<decltype(x)>;
    return x.max(C(0)).min(C(6));
  }).gradient(activation_gradient("Relu6Grad", true));
  def_activation<kFloat.bits()>(r, "Elu", [](auto x) {
    using C = scalar_of<decltype(x)>;
    return (x > C(0)).select(x, x.expm1());
  }).gradient(activation_gradient("EluGrad", true));
  def_activation<kFloat.bits()>(r, "Selu", [](auto x) {
    using C = scalar_of<decltype(x)>;
    return C(kSeluScale) * (x > C(0)).select(x, C(kSeluAlpha) * x.expm1());
  }).gradient(activation_gradient("SeluGrad", true));
  // max(x, 0) + log1p(exp(-|x|)) neither overflows for large x nor loses exp(x) for
  // very negative x.
  def_activation<kFloat.bits()>(r, "Softplus", [](auto x) {
    using C = scalar_of<decltype(x)>;
    return x.max(C(0)) + (-x.abs()).exp().log1p();
  }).gradient(activation_gradient("SoftplusGrad", false));
  def_activation<kFloat.bits()>(r, "Softsign", [](auto x) {
    using C = scalar_of<decltype(x)>;
    return x / (x.abs() + C(1));
  }).gradient(activation_gradient("SoftsignGrad", false));

  declare_activation(r, "LeakyRelu", kFloat)
      .attr("alpha", 0.2)
      .kernel([](KernelContext& ctx) {
        const double alpha = ctx.attr_float("alpha");
        visit_dtype<kFloat.bits()>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
          using C = compute_t<T>;
          run_activation<T>(ctx.input(0), ctx.output(0),
                            [a = C(alpha)](auto x) { return (x > C(0)).select(x, x * a); });
        });
      })
      .gradient(activation_gradient("LeakyReluGrad", false));

  // TF builds gelu from smaller ops; here it is one op. approximate=true is the tanh form.
  declare_activation(r, "Gelu", kFloat)
      .attr("approximate", false)
      .kernel([](KernelContext& ctx) {
        const bool approximate = ctx.attr_bool("approximate");
        visit_dtype<kFloat.bits()>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
          if (approximate)
            run_activation<T>(ctx.input(0), ctx.output(0), [](auto x) { return gelu_tanh(x); });
          else
            run_activation<T>(ctx.input(0), ctx.output(0), [](auto x) { return gelu_erf(x); });
        });
      })
      .gradient(activation_gradient("GeluGrad", false));
}

}  // namespace loom
