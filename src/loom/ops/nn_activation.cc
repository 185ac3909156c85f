// Elementwise activation functions: Relu, Relu6, Elu, Selu, Gelu, Softplus, Softsign,
// LeakyRelu. Kernels are Eigen array expressions, evaluated in float for half types.
#include <unsupported/Eigen/SpecialFunctions>  // Array::erf

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
void def_activation(OpRegistry& r, const char* name, F f) {
  declare_activation(r, name, DTypeSet(Types)).kernel([f](KernelContext& ctx) {
    visit_dtype<Types>(ctx.input(0).dtype(), ctx.name(),
                       [&]<class T>() { run_activation<T>(ctx.input(0), ctx.output(0), f); });
  });
}

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSqrtHalf = 0.70710678118654752440084436210485;
constexpr double kSqrtTwoOverPi = 0.79788456080286535587989211986876;

template <class X>
auto gelu_erf(const X& x) {
  using C = scalar_of<X>;
  return C(0.5) * x * (C(1) + (x * C(kSqrtHalf)).erf());
}

template <class X>
auto gelu_tanh(const X& x) {
  using C = scalar_of<X>;
  return C(0.5) * x * (C(1) + (C(kSqrtTwoOverPi) * (x + C(0.044715) * x.cube())).tanh());
}

}  // namespace

void register_nn_activation_ops(OpRegistry& r) {
  def_activation<kNumeric.bits()>(r, "Relu",
                                  [](auto x) { return x.max(scalar_of<decltype(x)>(0)); });
  def_activation<kNumeric.bits()>(r, "Relu6", [](auto x) {
    using C = scalar_of<decltype(x)>;
    return x.max(C(0)).min(C(6));
  });
  def_activation<kFloat.bits()>(r, "Elu", [](auto x) {
    using C = scalar_of<decltype(x)>;
    return (x > C(0)).select(x, x.expm1());
  });
  def_activation<kFloat.bits()>(r, "Selu", [](auto x) {
    using C = scalar_of<decltype(x)>;
    return C(kSeluScale) * (x > C(0)).select(x, C(kSeluAlpha) * x.expm1());
  });
  // max(x, 0) + log1p(exp(-|x|)) neither overflows for large x nor loses exp(x) for
  // very negative x.
  def_activation<kFloat.bits()>(r, "Softplus", [](auto x) {
    using C = scalar_of<decltype(x)>;
    return x.max(C(0)) + (-x.abs()).exp().log1p();
  });
  def_activation<kFloat.bits()>(r, "Softsign", [](auto x) {
    using C = scalar_of<decltype(x)>;
    return x / (x.abs() + C(1));
  });

  declare_activation(r, "LeakyRelu", kFloat).attr("alpha", 0.2).kernel([](KernelContext& ctx) {
    const double alpha = ctx.attr_float("alpha");
    visit_dtype<kFloat.bits()>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
      using C = compute_t<T>;
      run_activation<T>(ctx.input(0), ctx.output(0),
                        [a = C(alpha)](auto x) { return (x > C(0)).select(x, x * a); });
    });
  });

  // TF builds gelu from smaller ops; here it is one op. approximate=true is the tanh form.
  declare_activation(r, "Gelu", kFloat).attr("approximate", false).kernel([](KernelContext& ctx) {
    const bool approximate = ctx.attr_bool("approximate");
    visit_dtype<kFloat.bits()>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
      if (approximate)
        run_activation<T>(ctx.input(0), ctx.output(0), [](auto x) { return gelu_tanh(x); });
      else
        run_activation<T>(ctx.input(0), ctx.output(0), [](auto x) { return gelu_erf(x); });
    });
  });
}

}  // namespace loom
