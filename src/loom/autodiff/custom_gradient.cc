#include "loom/autodiff/custom_gradient.h"

#include <mutex>
#include <unordered_map>

namespace loom {

namespace {
std::mutex mu;
std::unordered_map<int64_t, BackwardFn>& table() {
  static auto* t = new std::unordered_map<int64_t, BackwardFn>();  // outlives every graph
  return *t;
}
int64_t next_id = 0;

BackwardFn lookup(int64_t id, const char* op) {
  std::lock_guard<std::mutex> lock(mu);
  auto it = table().find(id);
  if (it == table().end())
    raise(ErrorCode::kNotFound, "[", op, "] no custom gradient function has id ", id);
  return it->second;
}
}  // namespace

int64_t register_custom_gradient(BackwardFn backward) {
  std::lock_guard<std::mutex> lock(mu);
  table().emplace(next_id, std::move(backward));
  return next_id++;
}

void register_custom_gradient_op(OpRegistry& r) {
  // Inputs: the results to forward (num_outputs of them), then the values the
  // gradient function differentiates with respect to.
  r.add("CustomGradient")
      .variadic_input_any("input")
      .attr("num_outputs")
      .attr("gradient_id")
      .infer([](InferContext& ctx) {
        const int64_t n = ctx.attr_int("num_outputs");
        if (n < 0 || n > ctx.num_inputs())
          raise(ErrorCode::kInvalidArgument, "[CustomGradient] num_outputs ", n, " with ",
                ctx.num_inputs(), " inputs");
        for (int i = 0; i < n; ++i) ctx.set_output(i, ctx.input_shape(i), ctx.input_dtype(i));
      })
      .kernel([](KernelContext& ctx) {
        for (int i = 0; i < ctx.num_outputs(); ++i) ctx.set_output(i, ctx.input(i));
      })
      .gradient([](GradContext& ctx) {
        const int n = static_cast<int>(ctx.attr_int("num_outputs"));
        BackwardFn backward = lookup(ctx.attr_int("gradient_id"), ctx.name());
        std::vector<Tensor> grads = backward(ctx.grads());
        std::vector<Tensor> result(ctx.num_inputs());
        const int n_args = ctx.num_inputs() - n;
        if (static_cast<int>(grads.size()) != n_args)
          raise(ErrorCode::kInvalidArgument, "[CustomGradient] the gradient function returned ",
                grads.size(), " gradients for ", n_args, " inputs");
        for (int i = 0; i < n_args; ++i) result[n + i] = std::move(grads[i]);
        return result;
      });
}

}  // namespace loom
