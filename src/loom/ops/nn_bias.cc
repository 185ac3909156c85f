// BiasAdd: adds a 1-D bias along the channel dimension (last for NHWC, 1 for NCHW).
// BiasAddGrad: its bias gradient, the sum over every dimension but the channel one.
#include <Eigen/Core>

#include "loom/api/op_ref.h"
#include "loom/autodiff/grad_util.h"
#include "loom/ops/nn_common.h"

namespace loom {

namespace {

using namespace dtypes;

// The channel dimension of `value` for a data_format; validates the format and rank.
int bias_channel_dim(const std::string& data_format, int rank, const Shape& value, const char* op) {
  if (data_format != "NHWC" && data_format != "NCHW")
    raise(ErrorCode::kInvalidArgument, "[", op, "] data_format must be NHWC or NCHW, got '",
          data_format, "'");
  if (rank < 2)
    raise(ErrorCode::kInvalidArgument, "[", op, "] value must be at least 2-D, got shape ",
          value.to_string());
  return data_format == "NHWC" ? rank - 1 : 1;
}

void infer_bias_add(InferContext& ctx) {
  const Shape& value = ctx.input_shape(0);
  const Shape& bias = ctx.input_shape(1);
  const std::string& data_format = ctx.attr_string("data_format");
  if (bias.has_rank() && bias.rank() != 1)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] bias must be 1-D, got shape ",
          bias.to_string());
  if (value.has_rank()) {
    const int c = bias_channel_dim(data_format, value.rank(), value, ctx.name());
    if (bias.has_rank() && value.dim(c) >= 0 && bias.dim(0) >= 0 && value.dim(c) != bias.dim(0))
      raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
            "] Must provide as many biases as the channel dimension of the input tensor: bias ",
            bias.to_string(), " vs. value ", value.to_string(), " (data_format ", data_format, ")");
  }
  ctx.set_output(0, value);
}

template <class T>
void bias_add(const Tensor& value, const Tensor& bias, const Tensor& out, int channel_dim) {
  using Eigen::Dynamic;
  const auto& dims = value.shape().dims();
  const int64_t channels = dims[channel_dim];
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < channel_dim; ++i) outer *= dims[i];
  for (size_t i = channel_dim + 1; i < dims.size(); ++i) inner *= dims[i];
  if (value.num_elements() == 0) return;
  Eigen::Map<const Eigen::Array<T, Dynamic, 1>> b(bias.data<T>(), channels);
  const T* in = value.data<T>();
  T* dst = out.mutable_data<T>();
  if (inner == 1) {
    // NHWC: every row of `channels` values gets the whole bias vector.
    Eigen::Map<Eigen::Array<T, Dynamic, Dynamic>>(dst, channels, outer) =
        Eigen::Map<const Eigen::Array<T, Dynamic, Dynamic>>(in, channels, outer).colwise() + b;
    return;
  }
  // NCHW: each (batch, channel) plane of `inner` values gets one bias value.
  for (int64_t o = 0; o < outer; ++o) {
    const int64_t base = o * channels * inner;
    Eigen::Map<Eigen::Array<T, Dynamic, Dynamic>>(dst + base, inner, channels) =
        Eigen::Map<const Eigen::Array<T, Dynamic, Dynamic>>(in + base, inner, channels).rowwise() +
        b.transpose();
  }
}

void infer_bias_add_grad(InferContext& ctx) {
  const Shape& grad = ctx.input_shape(0);
  if (!grad.has_rank()) {
    ctx.set_output(0, Shape{kUnknownDim});
    return;
  }
  const int c = bias_channel_dim(ctx.attr_string("data_format"), grad.rank(), grad, ctx.name());
  ctx.set_output(0, Shape{grad.dim(c)});
}

// Sums `grad` ([outer, channels, inner]) over outer and inner, accumulating in C.
template <class T>
void bias_add_grad(const Tensor& grad, const Tensor& out, int channel_dim) {
  using Eigen::Dynamic;
  using C = compute_t<T>;
  const auto& dims = grad.shape().dims();
  const int64_t channels = dims[channel_dim];
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < channel_dim; ++i) outer *= dims[i];
  for (size_t i = channel_dim + 1; i < dims.size(); ++i) inner *= dims[i];
  Eigen::Array<C, Dynamic, 1> sum = Eigen::Array<C, Dynamic, 1>::Zero(channels);
  const T* in = grad.data<T>();
  if (grad.num_elements() > 0) {
    if (inner == 1) {
      // NHWC: a (channels x outer) column-major matrix, summed across its columns.
      sum = Eigen::Map<const Eigen::Array<T, Dynamic, Dynamic>>(in, channels, outer)
                .template cast<C>()
                .rowwise()
                .sum();
    } else {
      // NCHW: per batch entry an (inner x channels) matrix, summed down its columns.
      for (int64_t o = 0; o < outer; ++o)
        sum += Eigen::Map<const Eigen::Array<T, Dynamic, Dynamic>>(in + o * channels * inner, inner,
                                                                   channels)
                   .template cast<C>()
                   .colwise()
                   .sum()
                   .transpose();
    }
  }
  Eigen::Map<Eigen::Array<T, Dynamic, 1>>(out.mutable_data<T>(), channels) = sum.template cast<T>();
}

}  // namespace

void register_nn_bias_ops(OpRegistry& r) {
  r.add("BiasAdd")
      .input("value", "T")
      .input("bias", "T")
      .output("output", "T")
      .type_var("T", kNumeric)
      .attr("data_format", std::string("NHWC"))
      .infer(infer_bias_add)
      .kernel([](KernelContext& ctx) {
        const Tensor& value = ctx.input(0);
        const int c = bias_channel_dim(ctx.attr_string("data_format"), value.rank(), value.shape(),
                                       ctx.name());
        visit_dtype<kNumeric.bits()>(value.dtype(), ctx.name(), [&]<class T>() {
          bias_add<T>(value, ctx.input(1), ctx.output(0), c);
        });
      })
      .gradient([](GradContext& ctx) -> std::vector<Tensor> {
        static const OpRef bias_grad("BiasAddGrad");
        const Tensor& g = ctx.grad(0);
        return {g, ctx.needs(1) ? bias_grad({g}, ctx.attrs()) : Tensor()};
      });
  r.add("BiasAddGrad")
      .input("out_backprop", "T")
      .output("output", "T")
      .type_var("T", kNumeric)
      .attr("data_format", std::string("NHWC"))
      .infer(infer_bias_add_grad)
      .kernel([](KernelContext& ctx) {
        const Tensor& grad = ctx.input(0);
        const int c =
            bias_channel_dim(ctx.attr_string("data_format"), grad.rank(), grad.shape(), ctx.name());
        visit_dtype<kNumeric.bits()>(grad.dtype(), ctx.name(),
                                     [&]<class T>() { bias_add_grad<T>(grad, ctx.output(0), c); });
      })
      // Linear: the gradient spreads each channel's value over every position, which is
      // BiasAdd on zeros (any rank, either layout).
      .gradient([](GradContext& ctx) -> std::vector<Tensor> {
        static const OpRef bias_add_op("BiasAdd");
        const Tensor& x = ctx.input(0);
        return {bias_add_op({zeros_like(x), ctx.grad(0)}, ctx.attrs())};
      });
}

}  // namespace loom
