// Ops over more than two tensors: ClipByValue (t, min, max) and AddN.
#include "loom/ops/math_families.h"

namespace loom {

using namespace dtypes;

Shape broadcast_shapes3(const Shape& a, const Shape& b, const Shape& c, const char* op) {
  return broadcast_shapes(broadcast_shapes(a, b, op), c, op);
}

namespace {

// The bounds broadcast to t; they may not enlarge it (TF checks the same).
void infer_clip(InferContext& ctx) {
  const Shape& t = ctx.input_shape(0);
  Shape all = broadcast_shapes3(t, ctx.input_shape(1), ctx.input_shape(2), ctx.name());
  if (!t.has_rank() || !all.has_rank()) {
    ctx.set_output(0, t);
    return;
  }
  bool fits = all.rank() == t.rank();
  for (int i = 0; fits && i < t.rank(); ++i) fits = t[i] < 0 || all[i] < 0 || t[i] == all[i];
  if (!fits)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] clip bounds of shapes ",
          ctx.input_shape(1).to_string(), " and ", ctx.input_shape(2).to_string(),
          " do not broadcast to t's shape ", t.to_string());
  std::vector<int64_t> dims(t.dims());
  for (int i = 0; i < t.rank(); ++i)
    if (dims[i] < 0) dims[i] = all[i];
  ctx.set_output(0, Shape(std::move(dims)));
}

void infer_add_n(InferContext& ctx) {
  const int n = ctx.num_inputs();
  LOOM_CHECK_ARG(n >= 1, "[", ctx.name(), "] needs at least one input");
  Shape merged = ctx.input_shape(0);
  for (int i = 1; i < n; ++i) {
    const Shape& s = ctx.input_shape(i);
    if (!s.compatible_with(merged))
      raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
            "] inputs must all have the same shape, got ", merged.to_string(), " and ",
            s.to_string(), " (input #", i, ")");
    if (!merged.has_rank()) {
      merged = s;
    } else if (s.has_rank()) {
      for (int d = 0; d < s.rank(); ++d)
        if (merged[d] < 0) merged.mutable_dims()[d] = s[d];
    }
  }
  ctx.set_output(0, std::move(merged));
}

void add_n_kernel(KernelContext& ctx) {
  const int n = ctx.num_inputs();
  if (n == 1) {
    ctx.set_output(0, ctx.input(0));
    return;
  }
  const Tensor& out = ctx.output(0);
  const int64_t size = out.num_elements();
  if (size == 0) return;
  // The output may reuse a dead input's buffer: that input must be summed first,
  // before the accumulation overwrites it.
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;
  for (int i = 1; i < n; ++i)
    if (ctx.input(i).raw_data() == out.raw_data()) std::swap(order[0], order[i]);
  visit_dtype<kNumeric.bits()>(out.dtype(), ctx.name(), [&]<class T>() {
    auto in = [&](int i) { return cpu::ConstVec<T>(ctx.input(order[i]).data<T>(), size); };
    cpu::Vec<T> acc(out.mutable_data<T>(), size);
    acc = in(0) + in(1);
    for (int i = 2; i < n; ++i) acc += in(i);
  });
}

// t passes the gradient where lo <= t <= hi (NaN included, as TF); each bound gets it
// where it clipped. The engine sums the bounds' shares back to their shapes.
std::vector<Tensor> clip_grad(GradContext& ctx) {
  if (!is_differentiable(ctx.input(0).dtype())) return {};
  const Tensor &t = ctx.input(0), &g = ctx.grad(0);
  const Tensor below = less(t, ctx.input(1)), above = greater(t, ctx.input(2));
  const Tensor zero = scalar_as(0.0, g);
  return {ctx.needs(0) ? where(logical_or(below, above), zero, g) : Tensor(),
          ctx.needs(1) ? where(below, g, zero) : Tensor(),
          ctx.needs(2) ? where(above, g, zero) : Tensor()};
}

}  // namespace

void register_math_nary_ops(OpRegistry& r) {
  r.add("ClipByValue")
      .input("t", "T")
      .input("clip_value_min", "T")
      .input("clip_value_max", "T")
      .output("output", "T")
      .type_var("T", kNumeric)
      .traits(kElementwise)
      .infer(infer_clip)
      .gradient(clip_grad)
      .kernel([](KernelContext& ctx) {
        visit_dtype<kNumeric.bits()>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
          // min(t, hi) then max(., lo), as TF composes it; NaN in t stays NaN.
          cpu::ternary_loop<T, T, T, T>(ctx.input(0), ctx.input(1), ctx.input(2), ctx.output(0),
                                        [](T x, T lo, T hi) {
                                          const T m = x > hi ? hi : x;
                                          return m < lo ? lo : m;
                                        });
        });
      });

  r.add("AddN")
      .variadic_input("inputs", "T")
      .output("sum", "T")
      .type_var("T", kNumeric)
      .traits(kElementwise | kCommutative)
      .infer(infer_add_n)
      .kernel(add_n_kernel)
      .gradient([](GradContext& ctx) {
        return std::vector<Tensor>(static_cast<size_t>(ctx.num_inputs()), ctx.grad(0));
      });
}

}  // namespace loom
