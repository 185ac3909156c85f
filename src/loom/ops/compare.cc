// Comparisons, logical and bitwise ops, and SelectV2 (tf.where with three arguments).
#include "loom/ops/math_families.h"

namespace loom {

using namespace dtypes;

namespace {

// Equal/NotEqual with incompatible_shape_error=false give a scalar answer (all unequal)
// when the shapes do not broadcast.
bool shapes_broadcast(const Shape& a, const Shape& b, const char* op) {
  try {
    broadcast_shapes(a, b, op);
    return true;
  } catch (const Error&) {
    return false;
  }
}

void infer_equality(InferContext& ctx) {
  if (ctx.attr_bool("incompatible_shape_error")) return infer_broadcast_binary(ctx);
  const Shape &a = ctx.input_shape(0), &b = ctx.input_shape(1);
  if (!a.is_fully_defined() || !b.is_fully_defined())
    ctx.set_output(0, Shape::unknown_rank());  // the answer's shape depends on run time
  else if (shapes_broadcast(a, b, ctx.name()))
    ctx.set_output(0, broadcast_shapes(a, b, ctx.name()));
  else
    ctx.set_output(0, Shape{});
}

template <bool kEqual>
void def_equality(OpRegistry& r, const char* name) {
  constexpr uint32_t kTypes = kAll.bits();
  auto compare = [](auto x, auto y) {
    if constexpr (kEqual)
      return x == y;
    else
      return x != y;
  };
  def_binary_predicate<kTypes>(r, name, compare, kCommutative)
      .attr("incompatible_shape_error", true)
      .infer(infer_equality)
      .kernel([compare](KernelContext& ctx) {
        const Tensor &a = ctx.input(0), &b = ctx.input(1);
        if (!ctx.attr_bool("incompatible_shape_error") &&
            !shapes_broadcast(a.shape(), b.shape(), ctx.name())) {
          *ctx.output(0).mutable_data<bool>() = !kEqual;
          return;
        }
        visit_dtype<kTypes>(a.dtype(), ctx.name(), [&]<class T>() {
          cpu::binary_loop<T, bool>(a, b, ctx.output(0), compare);
        });
      });
}

void register_select(OpRegistry& r) {
  r.add("SelectV2")
      .input("condition", DType::kBool)
      .input("t", "T")
      .input("e", "T")
      .output("output", "T")
      .type_var("T", kAll)
      .traits(kElementwise)
      .infer([](InferContext& ctx) {
        ctx.set_output(0, broadcast_shapes3(ctx.input_shape(0), ctx.input_shape(1),
                                            ctx.input_shape(2), ctx.name()));
      })
      .kernel([](KernelContext& ctx) {
        visit_dtype<kAll.bits()>(ctx.input(1).dtype(), ctx.name(), [&]<class T>() {
          cpu::ternary_loop<bool, T, T, T>(ctx.input(0), ctx.input(1), ctx.input(2), ctx.output(0),
                                           [](bool c, T t, T e) { return c ? t : e; });
        });
      })
      // The condition gets none; t and e each get the gradient where they were chosen
      // (the engine sums each share back to its input's shape).
      .gradient([](GradContext& ctx) -> std::vector<Tensor> {
        if (!is_differentiable(ctx.input(1).dtype())) return {};
        const Tensor &c = ctx.input(0), &g = ctx.grad(0);
        const Tensor zero = scalar_as(0.0, g);
        return {Tensor(), ctx.needs(1) ? where(c, g, zero) : Tensor(),
                ctx.needs(2) ? where(c, zero, g) : Tensor()};
      });
}

}  // namespace

void register_compare_ops(OpRegistry& r) {
  constexpr uint32_t kN = kNumeric.bits();
  def_equality<true>(r, "Equal");
  def_equality<false>(r, "NotEqual");
  def_binary_predicate<kN>(r, "Less", [](auto x, auto y) { return x < y; });
  def_binary_predicate<kN>(r, "LessEqual", [](auto x, auto y) { return x <= y; });
  def_binary_predicate<kN>(r, "Greater", [](auto x, auto y) { return x > y; });
  def_binary_predicate<kN>(r, "GreaterEqual", [](auto x, auto y) { return x >= y; });

  // Logical and bitwise ops work on bools and integers: nothing to differentiate.
  constexpr uint32_t kB = kBool.bits();
  constexpr uint32_t kND = kNotDifferentiable;
  def_binary<kB>(r, "LogicalAnd", [](auto x, auto y) { return x && y; }, kCommutative | kND);
  def_binary<kB>(r, "LogicalOr", [](auto x, auto y) { return x || y; }, kCommutative | kND);
  // TF has no LogicalXor op; declared for Tensor.__xor__ on bools.
  def_binary<kB>(r, "LogicalXor", [](auto x, auto y) { return x != y; }, kCommutative | kND);
  def_unary<kB>(r, "LogicalNot", per_element1([](bool v) { return !v; })).traits(kND);

  constexpr uint32_t kI = kInt.bits();
  def_binary<kI>(r, "BitwiseAnd", per_element2([](auto a, auto b) { return decltype(a)(a & b); }),
                 kCommutative | kND);
  def_binary<kI>(r, "BitwiseOr", per_element2([](auto a, auto b) { return decltype(a)(a | b); }),
                 kCommutative | kND);
  def_binary<kI>(r, "BitwiseXor", per_element2([](auto a, auto b) { return decltype(a)(a ^ b); }),
                 kCommutative | kND);
  def_unary<kI>(r, "Invert", per_element1([](auto a) { return decltype(a)(~a); })).traits(kND);

  register_select(r);
}

}  // namespace loom
