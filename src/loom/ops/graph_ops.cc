// Ops that only make sense in graphs: arguments (Placeholder) and embedded constants.
#include "loom/ops/registry.h"

namespace loom {

void register_graph_ops(OpRegistry& r) {
  r.add("Placeholder")
      .output_from_attr("output", "dtype")
      .attr("dtype")
      .attr("shape", Shape::unknown_rank())
      .traits(kNotDifferentiable)
      .infer([](InferContext& ctx) {
        const AttrValue& s = ctx.attr("shape");
        ctx.set_output(
            0, std::holds_alternative<Shape>(s) ? std::get<Shape>(s) : Shape::unknown_rank());
      })
      .kernel([](KernelContext& ctx) {
        raise(ErrorCode::kInvalidArgument, "[Placeholder] has no value outside a graph call; '",
              ctx.name(), "' must be fed");
      });

  r.add("Const")
      .output_from_attr("output", "dtype")
      .attr("value")
      .attr("dtype")
      .traits(kNotDifferentiable)
      .infer([](InferContext& ctx) {
        const AttrValue& v = ctx.attr("value");
        const Tensor* t = std::get_if<Tensor>(&v);
        LOOM_CHECK_ARG(t && t->defined() && !t->is_symbolic(),
                       "[Const] attribute 'value' must be a tensor");
        ctx.set_output(0, t->shape(), t->dtype());
      })
      .kernel([](KernelContext& ctx) { ctx.set_output(0, std::get<Tensor>(ctx.attr("value"))); });
}

}  // namespace loom
