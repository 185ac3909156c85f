// MaxPool and AvgPool (NHWC, SAME/VALID). AvgPool with SAME padding divides by the number
// of real input values under each window, as TensorFlow does.
#include "loom/kernels/cpu/pool.h"
#include "loom/ops/nn_common.h"
#include "loom/ops/nn_window.h"

namespace loom {

namespace {

using namespace dtypes;

template <class Ctx>
cpu::Pool2DGeometry pool_geometry(const Ctx& ctx, const Shape& input) {
  const char* op = ctx.name();
  check_nhwc_format(ctx.attr_string("data_format"), op);
  const auto window = spatial_window_attr(ctx.attr_ints("ksize"), "ksize", op);
  const auto strides = spatial_window_attr(ctx.attr_ints("strides"), "strides", op);
  const Padding padding = parse_padding(ctx.attr_string("padding"), op, false);
  check_rank4(input, "input", op);
  cpu::Pool2DGeometry g;
  g.batch = dim_or_unknown(input, 0);
  g.in_h = dim_or_unknown(input, 1);
  g.in_w = dim_or_unknown(input, 2);
  g.channels = dim_or_unknown(input, 3);
  g.window_h = window[0];
  g.window_w = window[1];
  g.stride_h = strides[0];
  g.stride_w = strides[1];
  const WindowDim h = window_dim(g.in_h, g.window_h, 1, g.stride_h, padding, 0, 0, op);
  const WindowDim w = window_dim(g.in_w, g.window_w, 1, g.stride_w, padding, 0, 0, op);
  g.out_h = h.out;
  g.out_w = w.out;
  g.pad_top = h.pad_before;
  g.pad_left = w.pad_before;
  return g;
}

void infer_pool(InferContext& ctx) {
  const cpu::Pool2DGeometry g = pool_geometry(ctx, ctx.input_shape(0));
  ctx.set_output(0, Shape{g.batch, g.out_h, g.out_w, g.channels});
}

}  // namespace

void register_nn_pool_ops(OpRegistry& r) {
  r.add("MaxPool")
      .input("input", "T")
      .output("output", "T")
      .type_var("T", kNumeric)
      .attr("ksize")
      .attr("strides")
      .attr("padding")
      .attr("data_format", std::string("NHWC"))
      .infer(infer_pool)
      .kernel([](KernelContext& ctx) {
        const Tensor& input = ctx.input(0);
        const cpu::Pool2DGeometry g = pool_geometry(ctx, input.shape());
        visit_dtype<kNumeric.bits()>(input.dtype(), ctx.name(), [&]<class T>() {
          cpu::max_pool_nhwc<T>(g, input.data<T>(), ctx.output(0).mutable_data<T>());
        });
      });
  r.add("AvgPool")
      .input("value", "T")
      .output("output", "T")
      .type_var("T", kFloat)
      .attr("ksize")
      .attr("strides")
      .attr("padding")
      .attr("data_format", std::string("NHWC"))
      .infer(infer_pool)
      .kernel([](KernelContext& ctx) {
        const Tensor& input = ctx.input(0);
        const cpu::Pool2DGeometry g = pool_geometry(ctx, input.shape());
        visit_dtype<kFloat.bits()>(input.dtype(), ctx.name(), [&]<class T>() {
          cpu::avg_pool_nhwc<T, compute_t<T>>(g, input.data<T>(), ctx.output(0).mutable_data<T>());
        });
      });
}

}  // namespace loom
