// MaxPool and AvgPool (NHWC, SAME/VALID). AvgPool with SAME padding divides by the number
// of real input values under each window, as TensorFlow does. Their gradients are the
// ops MaxPoolGrad, MaxPoolGradGrad and AvgPoolGrad (TF's signatures), each linear in its
// gradient input, so they differentiate into one another.
#include "loom/api/op_ref.h"
#include "loom/autodiff/grad_util.h"
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

// Raises unless `shape` (partly known) matches `expected` (-1: unknown).
void check_shape(const Shape& shape, const std::array<int64_t, 4>& expected, const char* what,
                 const char* op) {
  check_rank4(shape, what, op);
  if (!shape.has_rank()) return;
  for (int i = 0; i < 4; ++i)
    if (expected[i] >= 0 && shape.dim(i) >= 0 && shape.dim(i) != expected[i])
      raise(ErrorCode::kInvalidArgument, "[", op, "] ", what, " has shape ", shape.to_string(),
            " but the pooling of the input gives [", expected[0], ",", expected[1], ",",
            expected[2], ",", expected[3], "]");
}

std::array<int64_t, 4> input_dims(const cpu::Pool2DGeometry& g) {
  return {g.batch, g.in_h, g.in_w, g.channels};
}
std::array<int64_t, 4> output_dims(const cpu::Pool2DGeometry& g) {
  return {g.batch, g.out_h, g.out_w, g.channels};
}

// MaxPoolGrad(orig_input, orig_output, grad) has orig_input's shape; MaxPoolGradGrad
// (orig_input, orig_output, grad) has orig_output's, with grad shaped like orig_input.
void infer_max_pool_grad(InferContext& ctx, bool grad_grad) {
  const cpu::Pool2DGeometry g = pool_geometry(ctx, ctx.input_shape(0));
  check_shape(ctx.input_shape(1), output_dims(g), "orig_output", ctx.name());
  check_shape(ctx.input_shape(2), grad_grad ? input_dims(g) : output_dims(g), "grad", ctx.name());
  const auto d = grad_grad ? output_dims(g) : input_dims(g);
  ctx.set_output(0, Shape{d[0], d[1], d[2], d[3]});
}

void max_pool_grad_kernel(KernelContext& ctx, bool grad_grad) {
  const Tensor& input = ctx.input(0);
  const cpu::Pool2DGeometry g = pool_geometry(ctx, input.shape());
  check_shape(ctx.input(1).shape(), output_dims(g), "orig_output", ctx.name());
  check_shape(ctx.input(2).shape(), grad_grad ? input_dims(g) : output_dims(g), "grad", ctx.name());
  visit_dtype<kNumeric.bits()>(input.dtype(), ctx.name(), [&]<class T>() {
    if (grad_grad)
      cpu::max_pool_grad_grad_nhwc<T>(g, input.data<T>(), ctx.input(2).data<T>(),
                                      ctx.output(0).mutable_data<T>());
    else
      cpu::max_pool_grad_nhwc<T>(g, input.data<T>(), ctx.input(2).data<T>(),
                                 ctx.output(0).mutable_data<T>());
  });
}

// The 4-D shape held by AvgPoolGrad's int32 orig_input_shape: its value when known.
Shape orig_input_shape(const InferContext& ctx) {
  const Shape& s = ctx.input_shape(0);
  if (s.has_rank() && (s.rank() != 1 || (s.dim(0) >= 0 && s.dim(0) != 4)))
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
          "] orig_input_shape must be a 1-D tensor of 4 values, got shape ", s.to_string());
  const Tensor* value = ctx.input_value(0);
  if (!value) return Shape{kUnknownDim, kUnknownDim, kUnknownDim, kUnknownDim};
  std::vector<int64_t> dims = value->to_int64_vector(ctx.name());
  for (int64_t d : dims)
    if (d < 0)
      raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
            "] orig_input_shape must be non-negative, got ", Shape(dims).to_string());
  checked_num_elements(dims, ctx.name());
  return Shape(std::move(dims));
}

void infer_avg_pool_grad(InferContext& ctx) {
  const Shape& grad = ctx.input_shape(1);
  check_rank4(grad, "grad", ctx.name());
  std::vector<int64_t> d = orig_input_shape(ctx).dims();
  if (d[0] < 0) d[0] = dim_or_unknown(grad, 0);
  if (d[3] < 0) d[3] = dim_or_unknown(grad, 3);
  Shape input(std::move(d));
  const cpu::Pool2DGeometry g = pool_geometry(ctx, input);
  check_shape(grad, output_dims(g), "grad", ctx.name());
  ctx.set_output(0, std::move(input));
}

Tensor max_pool_grad_op(const char* name, GradContext& ctx) {
  const OpRef op(name);
  return op({ctx.input(0), ctx.input(1), ctx.grad(0)}, ctx.attrs());
}

// MaxPoolGrad and MaxPoolGradGrad route values by the argmax of orig_input, which is
// piecewise constant: orig_input and orig_output get zero gradients.
GradFn max_pool_grad_gradient(const char* other) {
  return [other](GradContext& ctx) -> std::vector<Tensor> {
    return {ctx.needs(0) ? zeros_like(ctx.input(0)) : Tensor(),
            ctx.needs(1) ? zeros_like(ctx.input(1)) : Tensor(),
            ctx.needs(2) ? max_pool_grad_op(other, ctx) : Tensor()};
  };
}

OpDef& declare_pool_attrs(OpDef& def) {
  return def.attr("ksize").attr("strides").attr("padding").attr("data_format", std::string("NHWC"));
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
      })
      .gradient([](GradContext& ctx) -> std::vector<Tensor> {
        static const OpRef grad_op("MaxPoolGrad");
        return {grad_op({ctx.input(0), ctx.output(0), ctx.grad(0)}, ctx.attrs())};
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
      })
      .gradient([](GradContext& ctx) -> std::vector<Tensor> {
        static const OpRef grad_op("AvgPoolGrad");
        return {grad_op({shape_tensor(ctx.input(0)), ctx.grad(0)}, ctx.attrs())};
      });

  declare_pool_attrs(r.add("MaxPoolGrad")
                         .input("orig_input", "T")
                         .input("orig_output", "T")
                         .input("grad", "T")
                         .output("output", "T")
                         .type_var("T", kNumeric))
      .infer([](InferContext& ctx) { infer_max_pool_grad(ctx, /*grad_grad=*/false); })
      .kernel([](KernelContext& ctx) { max_pool_grad_kernel(ctx, /*grad_grad=*/false); })
      .gradient(max_pool_grad_gradient("MaxPoolGradGrad"));
  declare_pool_attrs(r.add("MaxPoolGradGrad")
                         .input("orig_input", "T")
                         .input("orig_output", "T")
                         .input("grad", "T")
                         .output("output", "T")
                         .type_var("T", kNumeric))
      .infer([](InferContext& ctx) { infer_max_pool_grad(ctx, /*grad_grad=*/true); })
      .kernel([](KernelContext& ctx) { max_pool_grad_kernel(ctx, /*grad_grad=*/true); })
      .gradient(max_pool_grad_gradient("MaxPoolGrad"));
  // AvgPoolGrad is linear in grad: its gradient is AvgPool of the incoming gradient.
  declare_pool_attrs(r.add("AvgPoolGrad")
                         .input("orig_input_shape", DType::kInt32)
                         .input("grad", "T")
                         .output("output", "T")
                         .type_var("T", kFloat))
      .infer(infer_avg_pool_grad)
      .kernel([](KernelContext& ctx) {
        Tensor& output = ctx.output(0);
        const cpu::Pool2DGeometry g = pool_geometry(ctx, output.shape());
        check_shape(ctx.input(1).shape(), output_dims(g), "grad", ctx.name());
        visit_dtype<kFloat.bits()>(output.dtype(), ctx.name(), [&]<class T>() {
          cpu::avg_pool_grad_nhwc<T, compute_t<T>>(g, ctx.input(1).data<T>(),
                                                   output.mutable_data<T>());
        });
      })
      .gradient([](GradContext& ctx) -> std::vector<Tensor> {
        static const OpRef pool("AvgPool");
        return {Tensor(), pool({ctx.grad(0)}, ctx.attrs())};
      });
}

}  // namespace loom
