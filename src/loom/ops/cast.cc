// Cast between any two dtypes. Float to integer truncates toward zero (C++ conversion),
// anything to bool is x != 0, and the 16-bit float types convert through float.
#include <cstring>

#include "loom/ops/math_families.h"

namespace loom {

namespace {

template <class From, class To>
void cast_loop(const Tensor& in, const Tensor& out) {
  const int64_t n = in.num_elements();
  if (n == 0) return;
  cpu::ConstVec<From> src(in.data<From>(), n);
  cpu::Vec<To> dst(out.mutable_data<To>(), n);
  constexpr bool kViaFloat = (kIsHalfType<From> || kIsHalfType<To>) &&
                             !std::is_same_v<From, float> && !std::is_same_v<To, float>;
  if constexpr (kViaFloat)
    dst = src.template cast<float>().template cast<To>();
  else
    dst = src.template cast<To>();
}

void cast_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const DType to = ctx.output_type(0).dtype;
  if (x.dtype() == to) {
    ctx.set_output(0, x);  // tensors are immutable: sharing is safe
    return;
  }
  const Tensor& out = ctx.output(0);
  visit_dtype(x.dtype(), ctx.name(), [&]<class From>() {
    visit_dtype(to, ctx.name(), [&]<class To>() {
      if constexpr (!std::is_same_v<From, To>) cast_loop<From, To>(x, out);
    });
  });
}

}  // namespace

void register_cast_ops(OpRegistry& r) {
  r.add("Cast")
      .input("x", "SrcT")
      .output_from_attr("y", "DstT")
      .type_var("SrcT", dtypes::kAll)
      .attr("DstT")
      .attr("Truncate", false)
      .traits(kElementwise)
      .infer([](InferContext& ctx) {
        const DType to = ctx.attr_dtype("DstT");
        LOOM_CHECK_ARG(to != DType::kInvalid, "[Cast] DstT must be a valid dtype");
        ctx.set_output(0, ctx.input_shape(0), to);
      })
      .kernel(cast_kernel)
      // Between float types the gradient is cast back; integer or bool ends have none.
      .gradient([](GradContext& ctx) -> std::vector<Tensor> {
        const DType from = ctx.input(0).dtype();
        const Tensor& g = ctx.grad(0);
        if (!is_differentiable(from) || !g.defined() || !is_differentiable(g.dtype())) return {};
        return {g.dtype() == from ? g : cast_to(g, from)};
      });
}

}  // namespace loom
