// Cumulative sums and products along one axis (Cumsum, Cumprod).
#include "loom/kernels/cpu/scan.h"

#include "loom/ops/reduce_common.h"

namespace loom {

using namespace dtypes;

namespace {

void infer_scan(InferContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  if (in.has_rank() && in.rank() == 0)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] input must be at least 1-D, got shape ",
          in.to_string());
  scalar_axis_input(ctx, 1, in.rank(), "scan axis");
  ctx.set_output(0, in);
}

template <bool kProduct>
void def_scan(OpRegistry& r, const char* name) {
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
      });
}

}  // namespace

void register_scan_ops(OpRegistry& r) {
  def_scan<false>(r, "Cumsum");
  def_scan<true>(r, "Cumprod");
}

}  // namespace loom
