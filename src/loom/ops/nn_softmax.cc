// Softmax and LogSoftmax along any axis (attr `axis`, default the last one).
#include "loom/api/math.h"
#include "loom/api/reduce.h"
#include "loom/kernels/cpu/softmax.h"
#include "loom/ops/nn_common.h"

namespace loom {

namespace {

using namespace dtypes;

void infer_softmax(InferContext& ctx) {
  const Shape& logits = ctx.input_shape(0);
  if (logits.has_rank()) {
    if (logits.rank() < 1)
      raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
            "] logits must have rank at least 1, got shape ", logits.to_string());
    normalize_axis(ctx.attr_int("axis"), logits.rank(), ctx.name());
  }
  ctx.set_output(0, logits);
}

void softmax_kernel(KernelContext& ctx, bool log) {
  const Tensor& logits = ctx.input(0);
  const auto& dims = logits.shape().dims();
  const int axis = normalize_axis(ctx.attr_int("axis"), logits.rank(), ctx.name());
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= dims[i];
  for (size_t i = axis + 1; i < dims.size(); ++i) inner *= dims[i];
  visit_dtype<kFloat.bits()>(logits.dtype(), ctx.name(), [&]<class T>() {
    cpu::softmax_along_axis<T, compute_t<T>>(logits.data<T>(), ctx.output(0).mutable_data<T>(),
                                             outer, dims[axis], inner, log);
  });
}

// With y = softmax(x): dx = (g - sum(g * y)) * y, the sum along the axis.
std::vector<Tensor> softmax_gradient(GradContext& ctx) {
  const Tensor& y = ctx.output(0);
  const Tensor& g = ctx.grad(0);
  const std::vector<int64_t> axis{ctx.attr_int("axis")};
  return {(g - reduce_sum(g * y, axis, /*keep_dims=*/true)) * y};
}

// With y = log_softmax(x): dx = g - exp(y) * sum(g), the sum along the axis.
std::vector<Tensor> log_softmax_gradient(GradContext& ctx) {
  const Tensor& y = ctx.output(0);
  const Tensor& g = ctx.grad(0);
  const std::vector<int64_t> axis{ctx.attr_int("axis")};
  return {g - exp(y) * reduce_sum(g, axis, /*keep_dims=*/true)};
}

}  // namespace

void register_nn_softmax_ops(OpRegistry& r) {
  r.add("Softmax")
      .input("logits", "T")
      .output("softmax", "T")
      .type_var("T", kFloat)
      .attr("axis", int64_t{-1})
      .infer(infer_softmax)
      .kernel([](KernelContext& ctx) { softmax_kernel(ctx, /*log=*/false); })
      .gradient(softmax_gradient);
  r.add("LogSoftmax")
      .input("logits", "T")
      .output("logsoftmax", "T")
      .type_var("T", kFloat)
      .attr("axis", int64_t{-1})
      .infer(infer_softmax)
      .kernel([](KernelContext& ctx) { softmax_kernel(ctx, /*log=*/true); })
      .gradient(log_softmax_gradient);
}

}  // namespace loom
