// Ops that gradients are built from and no user calls directly.
#include "loom/autodiff/custom_gradient.h"
#include "loom/ops/registry.h"

namespace loom {

namespace {

// Which axes of a broadcast result each operand was stretched over: summing a
// gradient over them gives the operand's gradient (before a reshape).
void broadcast_gradient_args(KernelContext& ctx) {
  std::vector<int64_t> s0 = ctx.input(0).to_int64_vector(ctx.name());
  std::vector<int64_t> s1 = ctx.input(1).to_int64_vector(ctx.name());
  const size_t rank = std::max(s0.size(), s1.size());
  std::vector<int64_t> r0, r1;
  for (size_t i = 0; i < rank; ++i) {
    const size_t k0 = i + s0.size(), k1 = i + s1.size();  // right-aligned positions
    const int64_t d0 = k0 >= rank ? s0[k0 - rank] : 1;
    const int64_t d1 = k1 >= rank ? s1[k1 - rank] : 1;
    if (d0 != d1 && d0 != 1 && d1 != 1)
      raise(ErrorCode::kInvalidArgument, "[BroadcastGradientArgs] incompatible shapes: dim ", i,
            " is ", d0, " and ", d1);
    const int64_t out = std::max(d0, d1);
    if (k0 < rank || (d0 == 1 && out != 1)) r0.push_back(static_cast<int64_t>(i));
    if (k1 < rank || (d1 == 1 && out != 1)) r1.push_back(static_cast<int64_t>(i));
  }
  auto write = [&](int i, const std::vector<int64_t>& v) {
    Tensor& t = ctx.allocate_output(i, Shape{static_cast<int64_t>(v.size())});
    visit_dtype<DTypeSet{DType::kInt32, DType::kInt64}.bits()>(
        t.dtype(), ctx.name(), [&]<class T>() {
          for (size_t k = 0; k < v.size(); ++k) t.mutable_data<T>()[k] = static_cast<T>(v[k]);
        });
  };
  write(0, r0);
  write(1, r1);
}

}  // namespace

void register_gradient_ops(OpRegistry& r) {
  r.add("BroadcastGradientArgs")
      .input("s0", "T")
      .input("s1", "T")
      .output("r0", "T")
      .output("r1", "T")
      .type_var("T", DTypeSet{DType::kInt32, DType::kInt64})
      .traits(kNotDifferentiable)
      .infer([](InferContext& ctx) {
        for (int i = 0; i < 2; ++i)
          if (ctx.input_shape(i).has_rank() && ctx.input_shape(i).rank() != 1)
            raise(ErrorCode::kInvalidArgument, "[BroadcastGradientArgs] shapes must be vectors, ",
                  "got ", ctx.input_shape(i).to_string());
        ctx.set_output(0, Shape{kUnknownDim});
        ctx.set_output(1, Shape{kUnknownDim});
      })
      .kernel(broadcast_gradient_args);
  register_custom_gradient_op(r);
}

}  // namespace loom
