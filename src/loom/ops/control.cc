// Functional control flow: If runs one of two library graphs, While runs a body graph
// until a condition graph says stop. Branches and bodies are traced by the frontend.
#include "loom/graph/library.h"
#include "loom/ops/control_grad.h"
#include "loom/ops/registry.h"

namespace loom {

namespace {

// The inputs of a branch: `indices` into the op's inputs after the condition.
std::vector<Tensor> select_inputs(std::span<const Tensor> inputs,
                                  const std::vector<int64_t>& indices, const char* op) {
  std::vector<Tensor> out;
  out.reserve(indices.size());
  for (int64_t i : indices) {
    if (i < 0 || i >= static_cast<int64_t>(inputs.size()))
      raise(ErrorCode::kInvalidArgument, "[", op, "] branch input index ", i, " is out of range");
    out.push_back(inputs[i]);
  }
  return out;
}

bool truthy(const Tensor& t, const char* op) {
  if (t.is_symbolic() || t.num_elements() != 1)
    raise(ErrorCode::kInvalidArgument, "[", op, "] the condition must be a single value, got ",
          t.debug_string());
  return t.item<double>() != 0.0;
}

// Output types of If: the branches' outputs, with shapes relaxed where they differ.
void infer_if(InferContext& ctx) {
  auto& lib = FunctionLibrary::global();
  const Graph& a = lib.graph(ctx.attr_string("then_branch"));
  const Graph& b = lib.graph(ctx.attr_string("else_branch"));
  if (a.outputs().size() != b.outputs().size())
    raise(ErrorCode::kInvalidArgument, "[If] the branches return ", a.outputs().size(), " and ",
          b.outputs().size(), " values; they must return the same structure");
  for (size_t i = 0; i < a.outputs().size(); ++i) {
    const TensorType& ta = a.type_of(a.outputs()[i]);
    const TensorType& tb = b.type_of(b.outputs()[i]);
    if (ta.dtype != tb.dtype)
      raise(ErrorCode::kInvalidArgument, "[If] output ", i, " is ", dtype_name(ta.dtype),
            " in the true branch but ", dtype_name(tb.dtype), " in the false branch");
    Shape s = ta.shape;
    if (!s.has_rank() || !tb.shape.has_rank() || s.rank() != tb.shape.rank()) {
      s = Shape::unknown_rank();
    } else {
      for (int d = 0; d < s.rank(); ++d)
        if (s[d] != tb.shape[d]) s.mutable_dims()[d] = kUnknownDim;
    }
    ctx.set_output(static_cast<int>(i), s, ta.dtype);
  }
}

void run_if(KernelContext& ctx) {
  const bool pick_then = truthy(ctx.input(0), ctx.name());
  const std::string& name = ctx.attr_string(pick_then ? "then_branch" : "else_branch");
  auto plan = FunctionLibrary::global().plan(name);
  std::vector<Tensor> in =
      select_inputs(ctx.inputs().subspan(1),
                    ctx.attr_ints(pick_then ? "then_inputs" : "else_inputs"), ctx.name());
  std::vector<Tensor> out = plan->run(in);
  for (size_t i = 0; i < out.size(); ++i) ctx.set_output(static_cast<int>(i), std::move(out[i]));
}

// While: inputs are the loop variables followed by captured values.
void infer_while(InferContext& ctx) {
  const Graph& body = FunctionLibrary::global().graph(ctx.attr_string("body"));
  const int64_t n = ctx.attr_int("num_loop_vars");
  if (n < 0 || n > ctx.num_inputs() || static_cast<int64_t>(body.outputs().size()) != n)
    raise(ErrorCode::kInvalidArgument, "[While] the body must return the ", n, " loop variables");
  for (int64_t i = 0; i < n; ++i) {
    const TensorType& t = body.type_of(body.outputs()[i]);
    if (t.dtype != ctx.input_dtype(static_cast<int>(i)))
      raise(ErrorCode::kInvalidArgument, "[While] loop variable ", i, " enters as ",
            dtype_name(ctx.input_dtype(static_cast<int>(i))), " but the body returns ",
            dtype_name(t.dtype));
    // The loop's result has the (possibly relaxed) shape the body was traced with.
    const Node& ph = body.node(body.inputs()[i]);
    ctx.set_output(static_cast<int>(i), ph.outputs[0].shape, t.dtype);
  }
  if (ctx.attr_bool("record_history"))
    ctx.set_output(static_cast<int>(n), Shape{}, DType::kResource);
}

void run_while(KernelContext& ctx) {
  auto& lib = FunctionLibrary::global();
  auto cond = lib.plan(ctx.attr_string("cond"));
  auto body = lib.plan(ctx.attr_string("body"));
  const int64_t n = ctx.attr_int("num_loop_vars");
  const int64_t max_iterations = ctx.attr_int("maximum_iterations");
  auto captured = ctx.inputs().subspan(n);
  // Each graph takes the loop variables followed by the captures it uses.
  const std::vector<Tensor> cond_captures =
      select_inputs(captured, ctx.attr_ints("cond_captures"), ctx.name());
  const std::vector<Tensor> body_captures =
      select_inputs(captured, ctx.attr_ints("body_captures"), ctx.name());
  std::vector<Tensor> vars(ctx.inputs().begin(), ctx.inputs().begin() + n);
  Ref<LoopHistory> history;
  if (ctx.attr_bool("record_history"))
    history = Ref<LoopHistory>::adopt(
        new LoopHistory(ctx.attr_int("history_stride"), body, body_captures));
  auto with = [](const std::vector<Tensor>& front, const std::vector<Tensor>& back) {
    std::vector<Tensor> all = front;
    all.insert(all.end(), back.begin(), back.end());
    return all;
  };
  for (int64_t it = 0; max_iterations < 0 || it < max_iterations; ++it) {
    if (!truthy(cond->run(with(vars, cond_captures))[0], ctx.name())) break;
    if (history) history->record(it, vars);
    // The body takes the variables over: one only it holds (a buffer written a slice per
    // iteration) can then be updated in place.
    std::vector<Tensor> body_in = std::move(vars);
    body_in.insert(body_in.end(), body_captures.begin(), body_captures.end());
    std::vector<Tensor> next = body->run(std::move(body_in));
    next.resize(n);
    vars = std::move(next);
  }
  for (int64_t i = 0; i < n; ++i) ctx.set_output(static_cast<int>(i), std::move(vars[i]));
  if (history) ctx.set_output(static_cast<int>(n), make_resource(history));
}

}  // namespace

void register_control_ops(OpRegistry& r) {
  for (const char* name : {"If", "StatelessIf"}) {
    OpDef& def = r.add(name)
                     .input("cond", "Tcond")
                     .type_var("Tcond", dtypes::kAll)
                     .variadic_input_any("input")
                     .attr("then_branch")
                     .attr("else_branch")
                     .attr("then_inputs", std::vector<int64_t>{})
                     .attr("else_inputs", std::vector<int64_t>{})
                     .infer(infer_if)
                     .kernel(run_if)
                     .gradient(if_gradient);
    if (std::string(name) == "If") def.traits(kStateful);
  }
  register_loop_history_ops(r);
  for (const char* name : {"While", "StatelessWhile"}) {
    OpDef& def = r.add(name)
                     .variadic_input_any("input")
                     .attr("cond")
                     .attr("body")
                     .attr("num_loop_vars")
                     .attr("cond_captures", std::vector<int64_t>{})
                     .attr("body_captures", std::vector<int64_t>{})
                     .attr("maximum_iterations", int64_t{-1})
                     // Also return the loop variables entering each iteration (a
                     // resource), which the gradient replays in reverse.
                     .attr("record_history", false)
                     .attr("history_stride", int64_t{1})
                     .infer(infer_while)
                     .kernel(run_while)
                     .gradient(while_gradient);
    if (std::string(name) == "While") def.traits(kStateful);
  }
}

}  // namespace loom
