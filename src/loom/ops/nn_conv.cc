// Conv2D (NHWC): im2col + BLAS GEMM; float16/bfloat16 run through float. Its gradients
// are the ops Conv2DBackpropInput and Conv2DBackpropFilter (TF's signatures), each linear
// in its two tensor operands, so all three ops' gradients are one another: derivatives
// of any order stay convolutions.
#include <Eigen/Core>
#include <vector>

#include "loom/api/op_ref.h"
#include "loom/autodiff/grad_util.h"
#include "loom/kernels/cpu/conv.h"
#include "loom/ops/nn_common.h"
#include "loom/ops/nn_window.h"

namespace loom {

namespace {

using namespace dtypes;

struct Conv2DAttrs {
  std::array<int64_t, 2> strides, dilations;
  Padding padding;
  std::array<int64_t, 4> explicit_pads{};  // top, bottom, left, right
};

// Reads and validates the attrs; Ctx is InferContext or KernelContext.
template <class Ctx>
Conv2DAttrs read_conv2d_attrs(const Ctx& ctx) {
  const char* op = ctx.name();
  check_nhwc_format(ctx.attr_string("data_format"), op);
  Conv2DAttrs a;
  a.strides = spatial_window_attr(ctx.attr_ints("strides"), "strides", op);
  a.dilations = spatial_window_attr(ctx.attr_ints("dilations"), "dilations", op);
  a.padding = parse_padding(ctx.attr_string("padding"), op, /*allow_explicit=*/true);
  const std::vector<int64_t>& pads = ctx.attr_ints("explicit_paddings");
  if (a.padding != Padding::kExplicit) {
    if (!pads.empty())
      raise(ErrorCode::kInvalidArgument, "[", op,
            "] explicit_paddings must be empty if padding is not EXPLICIT, got ", pads.size(),
            " values");
    return a;
  }
  if (pads.size() != 8)
    raise(ErrorCode::kInvalidArgument, "[", op,
          "] explicit_paddings must contain 8 values (a pair per NHWC dimension), got ",
          pads.size());
  for (int64_t p : pads)
    if (p < 0)
      raise(ErrorCode::kInvalidArgument, "[", op, "] explicit_paddings must be non-negative, got ",
            p);
  if (pads[0] || pads[1] || pads[6] || pads[7])
    raise(ErrorCode::kInvalidArgument, "[", op,
          "] explicit_paddings in the batch and depth dimensions must be 0");
  a.explicit_pads = {pads[2], pads[3], pads[4], pads[5]};
  return a;
}

// Geometry from possibly partial shapes; unknown sizes come out as -1.
cpu::Conv2DGeometry conv2d_geometry(const Shape& input, const Shape& filter, const Conv2DAttrs& a,
                                    const char* op) {
  check_rank4(input, "input", op);
  check_rank4(filter, "filter", op);
  if (filter.is_fully_defined() && filter.num_elements() == 0)
    raise(ErrorCode::kInvalidArgument, "[", op,
          "] filter must not have zero elements (all dimensions must be non-zero), got shape ",
          filter.to_string());
  cpu::Conv2DGeometry g;
  g.batch = dim_or_unknown(input, 0);
  g.in_h = dim_or_unknown(input, 1);
  g.in_w = dim_or_unknown(input, 2);
  g.in_c = dim_or_unknown(input, 3);
  g.filter_h = dim_or_unknown(filter, 0);
  g.filter_w = dim_or_unknown(filter, 1);
  g.out_c = dim_or_unknown(filter, 3);
  const int64_t filter_in_c = dim_or_unknown(filter, 2);
  if (g.in_c >= 0 && filter_in_c >= 0 && g.in_c != filter_in_c)
    raise(ErrorCode::kInvalidArgument, "[", op, "] input depth ", g.in_c,
          " must match filter depth ", filter_in_c, ": input shape ", input.to_string(),
          ", filter shape ", filter.to_string());
  if (g.in_c < 0) g.in_c = filter_in_c;
  g.stride_h = a.strides[0];
  g.stride_w = a.strides[1];
  g.dilation_h = a.dilations[0];
  g.dilation_w = a.dilations[1];
  const WindowDim h = window_dim(g.in_h, g.filter_h, g.dilation_h, g.stride_h, a.padding,
                                 a.explicit_pads[0], a.explicit_pads[1], op);
  const WindowDim w = window_dim(g.in_w, g.filter_w, g.dilation_w, g.stride_w, a.padding,
                                 a.explicit_pads[2], a.explicit_pads[3], op);
  g.out_h = h.out;
  g.out_w = w.out;
  g.pad_top = h.pad_before;
  g.pad_left = w.pad_before;
  return g;
}

void infer_conv2d(InferContext& ctx) {
  const cpu::Conv2DGeometry g =
      conv2d_geometry(ctx.input_shape(0), ctx.input_shape(1), read_conv2d_attrs(ctx), ctx.name());
  ctx.set_output(0, Shape{g.batch, g.out_h, g.out_w, g.out_c});
}

template <class T>
std::vector<float> to_float(const Tensor& t) {
  std::vector<float> out(t.num_elements());
  Eigen::Map<Eigen::ArrayXf>(out.data(), out.size()) =
      Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(t.data<T>(), out.size())
          .template cast<float>();
  return out;
}

// Runs run(a, b, out) on the data of two tensors into `output`, directly for float and
// double and through float copies for half types.
template <class T, class Run>
void run_in_compute_type(const Tensor& a, const Tensor& b, Tensor& output, Run run) {
  if constexpr (std::is_same_v<T, compute_t<T>>) {
    run(a.data<T>(), b.data<T>(), output.mutable_data<T>());
  } else {
    const std::vector<float> fa = to_float<T>(a), fb = to_float<T>(b);
    std::vector<float> out(output.num_elements());
    run(fa.data(), fb.data(), out.data());
    Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(output.mutable_data<T>(), out.size()) =
        Eigen::Map<const Eigen::ArrayXf>(out.data(), out.size()).template cast<T>();
  }
}

void conv2d_kernel(KernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& filter = ctx.input(1);
  const cpu::Conv2DGeometry g =
      conv2d_geometry(input.shape(), filter.shape(), read_conv2d_attrs(ctx), ctx.name());
  Tensor& output = ctx.output(0);
  if (output.num_elements() == 0) return;
  visit_dtype<kFloat.bits()>(input.dtype(), ctx.name(), [&]<class T>() {
    run_in_compute_type<T>(input, filter, output, [&](const auto* in, const auto* f, auto* out) {
      cpu::conv2d_nhwc(g, in, f, out);
    });
  });
}

// --- gradient ops ------------------------------------------------------------------

// The 4-D shape held by an int32 `*_sizes` input: its value when known (validated),
// else a rank-4 shape of unknown dims.
Shape sizes_input_shape(const InferContext& ctx, int i, const char* what) {
  const Shape& s = ctx.input_shape(i);
  if (s.has_rank() && (s.rank() != 1 || (s.dim(0) >= 0 && s.dim(0) != 4)))
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] ", what,
          " must be a 1-D tensor of 4 values, got shape ", s.to_string());
  const Tensor* value = ctx.input_value(i);
  if (!value) return Shape{kUnknownDim, kUnknownDim, kUnknownDim, kUnknownDim};
  std::vector<int64_t> dims = value->to_int64_vector(ctx.name());
  for (int64_t d : dims)
    if (d < 0)
      raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] ", what, " must be non-negative, got ",
            Shape(dims).to_string());
  checked_num_elements(dims, ctx.name());
  return Shape(std::move(dims));
}

// Checks that out_backprop has the shape Conv2D gives for this input and filter.
void check_out_backprop(const Shape& out_backprop, const cpu::Conv2DGeometry& g, const char* op) {
  check_rank4(out_backprop, "out_backprop", op);
  if (!out_backprop.has_rank()) return;
  const int64_t expected[4] = {g.batch, g.out_h, g.out_w, g.out_c};
  for (int i = 0; i < 4; ++i)
    if (expected[i] >= 0 && out_backprop.dim(i) >= 0 && expected[i] != out_backprop.dim(i))
      raise(ErrorCode::kInvalidArgument, "[", op, "] out_backprop shape ", out_backprop.to_string(),
            " does not match the convolution output shape [", g.batch, ",", g.out_h, ",", g.out_w,
            ",", g.out_c, "]");
}

// A shape with the unknown dims of `a` filled from `b` where b knows them.
Shape merge_dims(const Shape& a, const std::array<int64_t, 4>& b) {
  std::vector<int64_t> d = a.dims();
  for (int i = 0; i < 4; ++i)
    if (d[i] < 0) d[i] = b[i];
  return Shape(std::move(d));
}

void infer_conv2d_backprop_input(InferContext& ctx) {
  const Conv2DAttrs a = read_conv2d_attrs(ctx);
  const Shape& filter = ctx.input_shape(1);
  const Shape& out_backprop = ctx.input_shape(2);
  check_rank4(out_backprop, "out_backprop", ctx.name());
  Shape input = sizes_input_shape(ctx, 0, "input_sizes");
  input = merge_dims(input, {dim_or_unknown(out_backprop, 0), kUnknownDim, kUnknownDim,
                             dim_or_unknown(filter, 2)});
  check_out_backprop(out_backprop, conv2d_geometry(input, filter, a, ctx.name()), ctx.name());
  ctx.set_output(0, std::move(input));
}

void infer_conv2d_backprop_filter(InferContext& ctx) {
  const Conv2DAttrs a = read_conv2d_attrs(ctx);
  const Shape& input = ctx.input_shape(0);
  const Shape& out_backprop = ctx.input_shape(2);
  check_rank4(out_backprop, "out_backprop", ctx.name());
  Shape filter = sizes_input_shape(ctx, 1, "filter_sizes");
  filter = merge_dims(filter, {kUnknownDim, kUnknownDim, dim_or_unknown(input, 3),
                               dim_or_unknown(out_backprop, 3)});
  check_out_backprop(out_backprop, conv2d_geometry(input, filter, a, ctx.name()), ctx.name());
  ctx.set_output(0, std::move(filter));
}

void conv2d_backprop_input_kernel(KernelContext& ctx) {
  const Tensor& filter = ctx.input(1);
  const Tensor& out_backprop = ctx.input(2);
  Tensor& output = ctx.output(0);
  const cpu::Conv2DGeometry g =
      conv2d_geometry(output.shape(), filter.shape(), read_conv2d_attrs(ctx), ctx.name());
  check_out_backprop(out_backprop.shape(), g, ctx.name());
  if (output.num_elements() == 0) return;
  visit_dtype<kFloat.bits()>(filter.dtype(), ctx.name(), [&]<class T>() {
    run_in_compute_type<T>(filter, out_backprop, output,
                           [&](const auto* f, const auto* dy, auto* dx) {
                             cpu::conv2d_backprop_input_nhwc(g, f, dy, dx);
                           });
  });
}

void conv2d_backprop_filter_kernel(KernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& out_backprop = ctx.input(2);
  Tensor& output = ctx.output(0);
  const cpu::Conv2DGeometry g =
      conv2d_geometry(input.shape(), output.shape(), read_conv2d_attrs(ctx), ctx.name());
  check_out_backprop(out_backprop.shape(), g, ctx.name());
  if (output.num_elements() == 0) return;
  visit_dtype<kFloat.bits()>(input.dtype(), ctx.name(), [&]<class T>() {
    run_in_compute_type<T>(input, out_backprop, output,
                           [&](const auto* x, const auto* dy, auto* dw) {
                             cpu::conv2d_backprop_filter_nhwc(g, x, dy, dw);
                           });
  });
}

// The forward attrs (strides, padding, dilations, ...) carry over to every gradient op.
Tensor conv2d_op(const Tensor& input, const Tensor& filter, const Attrs& attrs) {
  static const OpRef op("Conv2D");
  return op({input, filter}, attrs);
}
Tensor backprop_input_op(const Tensor& input_like, const Tensor& filter, const Tensor& dy,
                         const Attrs& attrs) {
  static const OpRef op("Conv2DBackpropInput");
  return op({shape_tensor(input_like), filter, dy}, attrs);
}
Tensor backprop_filter_op(const Tensor& input, const Tensor& filter_like, const Tensor& dy,
                          const Attrs& attrs) {
  static const OpRef op("Conv2DBackpropFilter");
  return op({input, shape_tensor(filter_like), dy}, attrs);
}

// y = conv(x, w): dx = BackpropInput(w, dy), dw = BackpropFilter(x, dy).
std::vector<Tensor> conv2d_gradient(GradContext& ctx) {
  const Tensor &x = ctx.input(0), &w = ctx.input(1), &dy = ctx.grad(0);
  return {ctx.needs(0) ? backprop_input_op(x, w, dy, ctx.attrs()) : Tensor(),
          ctx.needs(1) ? backprop_filter_op(x, w, dy, ctx.attrs()) : Tensor()};
}

// dx = BackpropInput(sizes, w, dy) is bilinear in (w, dy): its gradient g maps to
// dw = BackpropFilter(g, dy) and d(dy) = conv(g, w).
std::vector<Tensor> conv2d_backprop_input_gradient(GradContext& ctx) {
  const Tensor &w = ctx.input(1), &dy = ctx.input(2), &g = ctx.grad(0);
  return {Tensor(), ctx.needs(1) ? backprop_filter_op(g, w, dy, ctx.attrs()) : Tensor(),
          ctx.needs(2) ? conv2d_op(g, w, ctx.attrs()) : Tensor()};
}

// dw = BackpropFilter(x, sizes, dy) is bilinear in (x, dy): its gradient g maps to
// dx = BackpropInput(g, dy) and d(dy) = conv(x, g).
std::vector<Tensor> conv2d_backprop_filter_gradient(GradContext& ctx) {
  const Tensor &x = ctx.input(0), &dy = ctx.input(2), &g = ctx.grad(0);
  return {ctx.needs(0) ? backprop_input_op(x, g, dy, ctx.attrs()) : Tensor(), Tensor(),
          ctx.needs(2) ? conv2d_op(x, g, ctx.attrs()) : Tensor()};
}

OpDef& declare_conv_attrs(OpDef& def) {
  return def.attr("strides")
      .attr("use_cudnn_on_gpu", true)
      .attr("padding")
      .attr("explicit_paddings", std::vector<int64_t>{})
      .attr("data_format", std::string("NHWC"))
      .attr("dilations", std::vector<int64_t>{1, 1, 1, 1});
}

}  // namespace

void register_nn_conv_ops(OpRegistry& r) {
  declare_conv_attrs(r.add("Conv2D")
                         .input("input", "T")
                         .input("filter", "T")
                         .output("output", "T")
                         .type_var("T", kFloat))
      .infer(infer_conv2d)
      .kernel(conv2d_kernel)
      .gradient(conv2d_gradient);
  declare_conv_attrs(r.add("Conv2DBackpropInput")
                         .input("input_sizes", DType::kInt32)
                         .input("filter", "T")
                         .input("out_backprop", "T")
                         .output("output", "T")
                         .type_var("T", kFloat))
      .infer(infer_conv2d_backprop_input)
      .kernel(conv2d_backprop_input_kernel)
      .gradient(conv2d_backprop_input_gradient);
  declare_conv_attrs(r.add("Conv2DBackpropFilter")
                         .input("input", "T")
                         .input("filter_sizes", DType::kInt32)
                         .input("out_backprop", "T")
                         .output("output", "T")
                         .type_var("T", kFloat))
      .infer(infer_conv2d_backprop_filter)
      .kernel(conv2d_backprop_filter_kernel)
      .gradient(conv2d_backprop_filter_gradient);
}

}  // namespace loom
