#include "loom/autodiff/graph_function.h"

#include "loom/autodiff/gradient_split.h"
#include "loom/autodiff/graph_grad.h"
#include "loom/eager/tape.h"
#include "loom/ops/state.h"

namespace loom {

namespace {

bool reads_trainable_variables(std::span<const Tensor> inputs) {
  for (const Tensor& t : inputs)
    if (const VariableState* v = variable_of(t); v && v->trainable()) return true;
  return false;
}

}  // namespace

GraphFunction::GraphFunction(Ref<Graph> graph) : plan_(std::make_unique<Plan>(std::move(graph))) {}

std::vector<Tensor> GraphFunction::call(std::span<const Tensor> inputs) const {
  if (!any_tape_active() || (!should_record(inputs) && !reads_trainable_variables(inputs)))
    return plan_->run(inputs);
  return call_recorded(inputs);
}

std::vector<Tensor> GraphFunction::call_recorded(std::span<const Tensor> inputs) const {
  const Split& s = split();
  std::vector<Tensor> all = s.forward->plan().run(inputs);
  std::vector<Tensor> outputs(all.begin(), all.begin() + s.num_outputs);
  auto saved = std::make_shared<std::vector<Tensor>>(all.begin() + s.num_outputs, all.end());
  auto self = Ref<const GraphFunction>::retain(this);
  const int n_in = static_cast<int>(inputs.size());
  auto args = std::make_shared<std::vector<Tensor>>(inputs.begin(), inputs.end());
  record_custom_operation(
      inputs, outputs,
      [self, saved, args, n_in](std::span<const Tensor> output_grads) {
        if (should_record(*args) || should_record(output_grads)) {
          // An outer tape differentiates this gradient: the saved values carry no
          // history, so replay the forward and its gradient op by op, where that
          // tape records them. Replaying must not repeat effects or draws.
          for (const Node& n : self->graph().nodes())
            if (n.op->has_trait(kResourceWrite) || n.op->has_trait(kRandom))
              raise(ErrorCode::kUnimplemented, "[", self->graph().name(), "] a higher-order ",
                    "gradient through a function that ", n.op->name(), " runs in would run it ",
                    "again; compute the gradient inside the function instead");
          std::vector<bool> wanted;
          for (const Tensor& a : *args) wanted.push_back(can_receive_gradient(a.dtype()));
          return inline_graph_vjp(self->graph(), *args, output_grads, wanted).grads;
        }
        const Split& sp = self->split();
        std::vector<Tensor> in = *saved;
        for (int j : sp.grad_outputs) in.push_back(output_grads[j]);
        std::vector<Tensor> grads = sp.backward->call(in);
        std::vector<Tensor> result(n_in);
        for (size_t k = 0; k < sp.grad_inputs.size(); ++k) result[sp.grad_inputs[k]] = grads[k];
        return result;
      },
      /*watch_variables=*/true);
  return outputs;
}

const GraphFunction::Split& GraphFunction::split() const {
  std::call_once(split_once_, [this] {
    GradientSplit g = split_gradient(graph());
    auto s = std::make_unique<Split>();
    s->num_outputs = g.num_outputs;
    s->grad_outputs = std::move(g.grad_outputs);
    s->grad_inputs = std::move(g.grad_inputs);
    s->forward = Ref<GraphFunction>::adopt(new GraphFunction(g.forward));
    s->backward = Ref<GraphFunction>::adopt(new GraphFunction(g.backward));
    split_ = std::move(s);
  });
  return *split_;
}

}  // namespace loom
