// Cumulative sums and products along one axis (Cumsum, Cumprod).
#include "loom/kernels/cpu/scan.h"

#include "loom/api/math.h"
#include "loom/ops/reduce_common.h"

namespace loom {

using namespace dtypes;

namespace {

// y[i] sums x over a prefix (or suffix) of the axis, so x[j] receives the gradients of
// every y[i] whose range holds j: the same scan of the gradient, run the other way.
std::vector<Tensor> cumsum_grad(GradContext& ctx) {
  static const OpRef cumsum("Cumsum");
  const bool exclusive = ctx.attr_bool("exclusive"), reverse = ctx.attr_bool("reverse");
  return {cumsum({ctx.grad(0), ctx.input(1)}, {{"exclusive", exclusive}, {"reverse", !reverse}}),
          Tensor()};
}

// d y[i] / d x[j] = y[i] / x[j] for every j in y[i]'s range, so x[j] receives the
// reversed scan of g * y, divided by x[j]. As TensorFlow's, this is not defined where
// x has zeros.
std::vector<Tensor> cumprod_grad(GradContext& ctx) {
  static const OpRef cumsum("Cumsum");
  const bool exclusive = ctx.attr_bool("exclusive"), reverse = ctx.attr_bool("reverse");
  Tensor summed = cumsum({multiply(ctx.grad(0), ctx.output(0)), ctx.input(1)},
                         {{"exclusive", exclusive}, {"reverse", !reverse}});
  return {divide(summed, ctx.input(0)), Tensor()};
}

void infer_scan(InferContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  if (in.has_rank() && in.rank() == 0)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] input must be at least 1-D, got shape ",
          in.to_string());
  scalar_axis_input(ctx, 1, in.rank(), "scan axis");
  ctx.set_output(0, in);
}

template <bool kProduct>
void def_scan(OpRegistry& r, const char* name, GradFn grad) {
  r.add(name)
      .input("x", "T")
      .input("axis", "Tidx")
      .output("out", "T")
      .attr("exclusive", false)
      .attr("reverse", false)
      .type_var("T", kNumeric)
      .type_var("Tidx", kIndex)
      .infer(infer_scan)
      .kernel([](KernelContext& ctx) {
        const Tensor& x = ctx.input(0);
        const int axis = normalize_axis(ctx.input(1).item<int64_t>(), x.rank(), ctx.name());
        const cpu::AxisSplit split = cpu::split_at_axis(x.shape(), axis);
        const bool exclusive = ctx.attr_bool("exclusive"), reverse = ctx.attr_bool("reverse");
        visit_dtype<kNumeric.bits()>(x.dtype(), ctx.name(), [&]<class T>() {
          cpu::cumulative<kProduct>(x.data<T>(), ctx.output(0).mutable_data<T>(), split, exclusive,
                                    reverse);
        });
      })
      .gradient(std::move(grad));
}

}  // namespace

void register_scan_ops(OpRegistry& r) {
  def_scan<false>(r, "Cumsum", cumsum_grad);
  def_scan<true>(r, "Cumprod", cumprod_grad);
}

}  // namespace loom
