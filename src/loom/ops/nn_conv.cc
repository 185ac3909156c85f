// Conv2D (NHWC): im2col + BLAS GEMM; float16/bfloat16 run through float.
#include <Eigen/Core>
#include <vector>

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

void conv2d_kernel(KernelContext& ctx) {
  const Tensor& input = ctx.input(0);
  const Tensor& filter = ctx.input(1);
  const cpu::Conv2DGeometry g =
      conv2d_geometry(input.shape(), filter.shape(), read_conv2d_attrs(ctx), ctx.name());
  Tensor& output = ctx.output(0);
  if (output.num_elements() == 0) return;
  visit_dtype<kFloat.bits()>(input.dtype(), ctx.name(), [&]<class T>() {
    if constexpr (std::is_same_v<T, compute_t<T>>) {
      cpu::conv2d_nhwc<T>(g, input.data<T>(), filter.data<T>(), output.mutable_data<T>());
    } else {
      const std::vector<float> in = to_float<T>(input), f = to_float<T>(filter);
      std::vector<float> out(output.num_elements());
      cpu::conv2d_nhwc<float>(g, in.data(), f.data(), out.data());
      Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(output.mutable_data<T>(), out.size()) =
          Eigen::Map<const Eigen::ArrayXf>(out.data(), out.size()).template cast<T>();
    }
  });
}

}  // namespace

void register_nn_conv_ops(OpRegistry& r) {
  r.add("Conv2D")
      .input("input", "T")
      .input("filter", "T")
      .output("output", "T")
      .type_var("T", kFloat)
      .attr("strides")
      .attr("use_cudnn_on_gpu", true)
      .attr("padding")
      .attr("explicit_paddings", std::vector<int64_t>{})
      .attr("data_format", std::string("NHWC"))
      .attr("dilations", std::vector<int64_t>{1, 1, 1, 1})
      .infer(infer_conv2d)
      .kernel(conv2d_kernel);
}

}  // namespace loom
