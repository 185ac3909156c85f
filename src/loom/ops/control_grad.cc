#include "loom/ops/control_grad.h"

#include <atomic>
#include <optional>

#include "loom/api/op_ref.h"
#include "loom/autodiff/grad_util.h"
#include "loom/autodiff/gradient_split.h"
#include "loom/autodiff/graph_grad.h"
#include "loom/graph/builder.h"
#include "loom/graph/library.h"

namespace loom {

namespace {

LoopHistory& history_of(const Tensor& handle, const char* op) {
  auto* h = dynamic_cast<LoopHistory*>(resource_of(handle));
  if (!h) raise(ErrorCode::kInvalidArgument, "[", op, "] expected a loop history handle");
  return *h;
}

// What a gradient of type `like` needs to be zero: the value's type, or for a variable
// handle the variable's (known only for concrete handles of fully known shape).
bool gradient_type(const Tensor& value, TensorType& out) {
  if (value.dtype() != DType::kResource) {
    if (!is_differentiable(value.dtype())) return false;
    out = {value.dtype(), value.shape()};
    return true;
  }
  const VariableState* v = variable_of(value);
  if (!v) return false;
  out = {v->dtype(), v->shape()};
  return true;
}

// The type of the value graph `g` reads from its input `input` when that input is a
// variable handle (a placeholder of a graph being built has no variable to ask).
bool read_type_of_input(const Graph& g, size_t input, TensorType& out) {
  if (input >= g.inputs().size()) return false;
  const int32_t ph = g.inputs()[input];
  for (const Node& n : g.nodes()) {
    if (!n.op->has_trait(kResourceRead) || n.inputs.empty() || n.inputs[0].node != ph) continue;
    if (n.outputs.empty() || !is_differentiable(n.outputs[0].dtype)) continue;
    out = n.outputs[0];
    return true;
  }
  return false;
}

Tensor zeros_of(const TensorType& t, const Tensor& like) {
  if (like.dtype() != DType::kResource) return zeros_like(like);
  if (!t.shape.is_fully_defined()) {
    static const OpRef read("ReadVariableOp");
    Attrs a;
    a.set("dtype", t.dtype);
    return zeros_like(read({like}, a));
  }
  static const OpRef fill("Fill");
  std::vector<int32_t> dims(t.shape.dims().begin(), t.shape.dims().end());
  Tensor shape = Tensor::from_vector<int32_t>(dims, Shape{static_cast<int64_t>(dims.size())});
  return fill({constant_of(shape), scalar_like(0.0, t.dtype)});
}

std::string register_graph(const Ref<Graph>& g) {
  return FunctionLibrary::global().add(g);
}

// Builds a graph with `build` run under a fresh builder and registers it.
template <class F>
std::string build_function(const std::string& name, F&& build) {
  auto g = Ref<Graph>::adopt(new Graph(name));
  GraphBuilder b(g);
  std::vector<Tensor> outs;
  {
    TraceScope scope(b);
    outs = build(b);
    b.finish(outs);
  }
  inline_captures(*g, b.captures());
  return register_graph(g);
}

std::atomic<int64_t> history_stride{1};

}  // namespace

void set_loop_history_stride(int64_t stride) {
  if (stride < 1)
    raise(ErrorCode::kInvalidArgument, "[loop gradients] the history stride must be >= 1, got ",
          stride);
  history_stride = stride;
}

int64_t loop_history_stride() {
  return history_stride;
}

void LoopHistory::record(int64_t iteration, std::span<const Tensor> vars) {
  if (iteration % stride_ == 0) checkpoints_.emplace_back(vars.begin(), vars.end());
  iterations_ = iteration + 1;
}

std::vector<Tensor> LoopHistory::at(int64_t step, const char* op) {
  if (step < 0 || step >= iterations_)
    raise(ErrorCode::kOutOfRange, "[", op, "] step ", step, " of a loop that ran ", iterations_,
          " iterations");
  if (stride_ == 1) return checkpoints_[step];
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t segment = step / stride_;
  if (segment != segment_) {
    // Replays the segment from its checkpoint; reads go backwards, so each segment is
    // recomputed once.
    segment_vars_.clear();
    segment_vars_.push_back(checkpoints_[segment]);
    const int64_t end = std::min(iterations_, (segment + 1) * stride_);
    for (int64_t it = segment * stride_ + 1; it < end; ++it) {
      std::vector<Tensor> in = segment_vars_.back();
      const size_t n = in.size();
      in.insert(in.end(), captures_.begin(), captures_.end());
      std::vector<Tensor> next = body_->run(in);
      next.resize(n);
      segment_vars_.push_back(std::move(next));
    }
    segment_ = segment;
  }
  return segment_vars_[step - segment * stride_];
}

void register_loop_history_ops(OpRegistry& r) {
  r.add("LoopHistorySize")
      .input("history", DType::kResource)
      .output("size", DType::kInt32)
      .traits(kNotDifferentiable)
      .infer([](InferContext& ctx) { ctx.set_output(0, Shape{}); })
      .kernel([](KernelContext& ctx) {
        const LoopHistory& h = history_of(ctx.input(0), ctx.name());
        *ctx.output(0).mutable_data<int32_t>() = static_cast<int32_t>(h.num_iterations());
      });
  r.add("LoopHistoryRead")
      .input("history", DType::kResource)
      .input("step", DType::kInt32)
      .output_from_attr("value", "dtype")
      .attr("index")
      .attr("dtype")
      .attr("shape", Shape::unknown_rank())
      .traits(kNotDifferentiable)
      .infer([](InferContext& ctx) {
        if (ctx.input_shape(1).has_rank() && ctx.input_shape(1).rank() != 0)
          raise(ErrorCode::kInvalidArgument, "[LoopHistoryRead] step must be a scalar, got ",
                ctx.input_shape(1).to_string());
        if (ctx.attr_int("index") < 0)
          raise(ErrorCode::kInvalidArgument, "[LoopHistoryRead] index must be >= 0");
        const AttrValue& s = ctx.attr("shape");
        ctx.set_output(
            0, std::holds_alternative<Shape>(s) ? std::get<Shape>(s) : Shape::unknown_rank());
      })
      .kernel([](KernelContext& ctx) {
        LoopHistory& h = history_of(ctx.input(0), ctx.name());
        const int64_t index = ctx.attr_int("index");
        const std::vector<Tensor> vars = h.at(ctx.input(1).item<int64_t>(), ctx.name());
        if (index >= static_cast<int64_t>(vars.size()))
          raise(ErrorCode::kOutOfRange, "[LoopHistoryRead] loop variable ", index, " of ",
                vars.size());
        if (vars[index].dtype() != ctx.attr_dtype("dtype"))
          raise(ErrorCode::kInvalidArgument, "[LoopHistoryRead] loop variable ", index, " is ",
                dtype_name(vars[index].dtype()), ", not ", dtype_name(ctx.attr_dtype("dtype")));
        ctx.set_output(0, vars[index]);
      });
}

// --- If ------------------------------------------------------------------------------

namespace {

// Rewrites the forward If (a node of the graph being built, not rewritten before) so
// each branch also returns the values its gradient reads, and zero-size placeholders
// for the other branch's. False when that is not possible: the If ran eagerly, or a
// branch would have to save a resource.
bool save_branch_values(GradContext& ctx, std::optional<GradientSplit>& split_then,
                        std::optional<GradientSplit>& split_else, std::vector<Tensor>& saved_then,
                        std::vector<Tensor>& saved_else) {
  GraphBuilder* builder = current_builder();
  if (!builder || ctx.num_outputs() == 0 || !builder->owns(ctx.output(0))) return false;
  const int node = ctx.output(0).node();
  if (static_cast<int>(builder->graph().node(node).outputs.size()) != ctx.num_outputs())
    return false;  // already rewritten by an earlier gradient of the same If
  auto& lib = FunctionLibrary::global();
  split_then = split_gradient(lib.graph(ctx.attr_string("then_branch")));
  split_else = split_gradient(lib.graph(ctx.attr_string("else_branch")));
  for (const GradientSplit* sp : {&*split_then, &*split_else})
    for (const TensorType& t : sp->saved)
      if (t.dtype == DType::kResource) return false;

  // Branch `mine` returns its outputs, then the then-branch's saved values, then the
  // else-branch's (the other branch's as zero-size stand-ins).
  auto with_saved = [&](const GradientSplit& mine, bool is_then) {
    const Graph& fwd = *mine.forward;
    return build_function(fwd.name() + "_saving", [&](GraphBuilder& b) {
      std::vector<Tensor> in;
      for (int32_t id : fwd.inputs()) {
        const Node& p = fwd.node(id);
        in.push_back(b.placeholder(p.outputs[0].dtype, p.outputs[0].shape, p.name));
      }
      std::vector<Tensor> all = inline_graph(fwd, in);
      std::vector<Tensor> outs(all.begin(), all.begin() + mine.num_outputs);
      auto stand_ins = [&](const GradientSplit& other) {
        for (const TensorType& t : other.saved)
          outs.push_back(constant_of(Tensor::empty(t.dtype, Shape{0}, "If")));
      };
      auto own = [&] { outs.insert(outs.end(), all.begin() + mine.num_outputs, all.end()); };
      if (is_then) {
        own();
        stand_ins(*split_else);
      } else {
        stand_ins(*split_then);
        own();
      }
      return outs;
    });
  };
  const std::string then_name = with_saved(*split_then, true);
  const std::string else_name = with_saved(*split_else, false);
  Node& fwd = builder->graph().mutable_node(node);
  fwd.attrs.set("then_branch", then_name);
  fwd.attrs.set("else_branch", else_name);
  for (const TensorType& t : split_then->saved)
    saved_then.push_back(builder->add_output(node, {t.dtype, Shape::unknown_rank()}));
  for (const TensorType& t : split_else->saved)
    saved_else.push_back(builder->add_output(node, {t.dtype, Shape::unknown_rank()}));
  return true;
}

}  // namespace

std::vector<Tensor> if_gradient(GradContext& ctx) {
  auto& lib = FunctionLibrary::global();
  const int n_in = ctx.num_inputs() - 1;
  std::vector<Tensor> ins(ctx.inputs().begin() + 1, ctx.inputs().end());
  std::vector<TensorType> grad_types(n_in);
  std::vector<bool> wanted(n_in);
  for (int i = 0; i < n_in; ++i) {
    wanted[i] = ctx.needs(i + 1) && gradient_type(ins[i], grad_types[i]);
    if (wanted[i] || !ctx.needs(i + 1) || ins[i].dtype() != DType::kResource) continue;
    // A handle that is itself a graph input: a branch reading it tells the type.
    for (const char* branch : {"then", "else"}) {
      const Graph& g = lib.graph(ctx.attr_string(std::string(branch) + "_branch"));
      const std::vector<int64_t>& sel = ctx.attr_ints(std::string(branch) + "_inputs");
      for (size_t k = 0; k < sel.size() && !wanted[i]; ++k)
        wanted[i] = sel[k] == i && read_type_of_input(g, k, grad_types[i]);
    }
  }
  std::vector<Tensor> dys;  // the defined output gradients, in output order
  std::vector<int> dy_of_output(ctx.num_outputs(), -1);
  for (int j = 0; j < ctx.num_outputs(); ++j) {
    if (!ctx.grad(j).defined()) continue;
    dy_of_output[j] = static_cast<int>(dys.size());
    dys.push_back(ctx.grad(j));
  }

  auto branch_gradient = [&](const char* branch, const char* selection) {
    const Graph& g = lib.graph(ctx.attr_string(branch));
    const std::vector<int64_t>& sel = ctx.attr_ints(selection);
    return build_function(std::string(ctx.attr_string(branch)) + "_grad", [&](GraphBuilder& b) {
      std::vector<Tensor> xs, dy_ph;
      for (int i = 0; i < n_in; ++i)
        xs.push_back(b.placeholder(ins[i].dtype(), ins[i].shape(), "x"));
      for (const Tensor& d : dys) dy_ph.push_back(b.placeholder(d.dtype(), d.shape(), "dy"));
      std::vector<Tensor> branch_in;
      std::vector<bool> branch_wanted;
      for (int64_t k : sel) {
        branch_in.push_back(xs[k]);
        branch_wanted.push_back(wanted[k]);
      }
      std::vector<Tensor> weights(g.outputs().size());
      for (size_t j = 0; j < weights.size(); ++j)
        if (dy_of_output[j] >= 0) weights[j] = dy_ph[dy_of_output[j]];
      GraphVjp vjp = inline_graph_vjp(g, branch_in, weights, branch_wanted);
      std::vector<Tensor> outs;
      for (int i = 0; i < n_in; ++i) {
        if (!wanted[i]) continue;
        std::vector<Tensor> parts;
        for (size_t k = 0; k < sel.size(); ++k)
          if (sel[k] == i && vjp.grads[k].defined()) parts.push_back(vjp.grads[k]);
        outs.push_back(parts.empty() ? zeros_of(grad_types[i], xs[i]) : add_gradients(parts));
      }
      return outs;
    });
  };
  // The backward branch reads the values its forward branch saved, when the forward If
  // can be asked to return them (it is a node of the graph being built); otherwise it
  // replays the forward branch.
  std::vector<Tensor> saved_then, saved_else;
  std::optional<GradientSplit> split_then, split_else;
  if (save_branch_values(ctx, split_then, split_else, saved_then, saved_else)) {
    auto from_saved = [&](const char* selection, const GradientSplit& split) {
      const std::vector<int64_t>& sel = ctx.attr_ints(selection);
      return build_function(split.backward->name() + "_if", [&](GraphBuilder& b) {
        std::vector<Tensor> xs, in;
        for (int i = 0; i < n_in; ++i)
          xs.push_back(b.placeholder(ins[i].dtype(), ins[i].shape(), "x"));
        for (const TensorType& t : split.saved)
          in.push_back(b.placeholder(t.dtype, t.shape, "saved"));
        std::vector<Tensor> dy_ph;
        for (const Tensor& d : dys) dy_ph.push_back(b.placeholder(d.dtype(), d.shape(), "dy"));
        for (int j : split.grad_outputs) in.push_back(dy_ph[dy_of_output[j]]);
        std::vector<Tensor> grads = inline_graph(*split.backward, in);
        std::vector<Tensor> outs;
        for (int i = 0; i < n_in; ++i) {
          if (!wanted[i]) continue;
          std::vector<Tensor> parts;
          for (size_t k = 0; k < split.grad_inputs.size(); ++k)
            if (sel[split.grad_inputs[k]] == i) parts.push_back(grads[k]);
          outs.push_back(parts.empty() ? zeros_of(grad_types[i], xs[i]) : add_gradients(parts));
        }
        return outs;
      });
    };
    Attrs attrs;
    attrs.set("then_branch", from_saved("then_inputs", *split_then));
    attrs.set("else_branch", from_saved("else_inputs", *split_else));
    const int64_t n_then = static_cast<int64_t>(saved_then.size());
    const int64_t n_else = static_cast<int64_t>(saved_else.size());
    std::vector<int64_t> then_sel, else_sel;
    for (int64_t i = 0; i < n_in; ++i) {
      then_sel.push_back(i);
      else_sel.push_back(i);
    }
    for (int64_t k = 0; k < n_then; ++k) then_sel.push_back(n_in + k);
    for (int64_t k = 0; k < n_else; ++k) else_sel.push_back(n_in + n_then + k);
    for (int64_t k = 0; k < static_cast<int64_t>(dys.size()); ++k) {
      then_sel.push_back(n_in + n_then + n_else + k);
      else_sel.push_back(n_in + n_then + n_else + k);
    }
    attrs.set("then_inputs", then_sel);
    attrs.set("else_inputs", else_sel);
    std::vector<Tensor> in{ctx.input(0)};
    in.insert(in.end(), ins.begin(), ins.end());
    in.insert(in.end(), saved_then.begin(), saved_then.end());
    in.insert(in.end(), saved_else.begin(), saved_else.end());
    in.insert(in.end(), dys.begin(), dys.end());
    std::vector<Tensor> grads = execute(ctx.op().name(), in, attrs);
    std::vector<Tensor> result(ctx.num_inputs());
    size_t next = 0;
    for (int i = 0; i < n_in; ++i)
      if (wanted[i]) result[i + 1] = grads[next++];
    return result;
  }

  Attrs attrs;
  attrs.set("then_branch", branch_gradient("then_branch", "then_inputs"));
  attrs.set("else_branch", branch_gradient("else_branch", "else_inputs"));
  std::vector<int64_t> all(n_in + dys.size());
  for (size_t k = 0; k < all.size(); ++k) all[k] = static_cast<int64_t>(k);
  attrs.set("then_inputs", all);
  attrs.set("else_inputs", all);
  std::vector<Tensor> in{ctx.input(0)};
  in.insert(in.end(), ins.begin(), ins.end());
  in.insert(in.end(), dys.begin(), dys.end());
  std::vector<Tensor> grads = execute(ctx.op().name(), in, attrs);
  std::vector<Tensor> result(ctx.num_inputs());
  size_t next = 0;
  for (int i = 0; i < n_in; ++i)
    if (wanted[i]) result[i + 1] = grads[next++];
  return result;
}

// --- While ---------------------------------------------------------------------------

std::vector<Tensor> while_gradient(GradContext& ctx) {
  auto& lib = FunctionLibrary::global();
  const int n = static_cast<int>(ctx.attr_int("num_loop_vars"));
  GraphBuilder* builder = current_builder();
  const Tensor& first_out = ctx.output(0);
  if (n == 0 || !builder || !builder->owns(first_out))
    raise(ErrorCode::kUnimplemented, "[", ctx.name(), "] the gradient of a loop needs the ",
          "loop's iteration history, which only a loop inside a function keeps: compute the ",
          "gradient inside the loom.function that runs the loop");
  // A gradient loop's body reads the forward loop's history, which carries no gradient:
  // differentiating it again would silently drop the history's dependence on inputs.
  for (const Node& n : FunctionLibrary::global().graph(ctx.attr_string("body")).nodes())
    if (n.op->name() == "LoopHistoryRead")
      raise(ErrorCode::kUnimplemented, "[", ctx.name(), "] second derivatives through a graph ",
            "loop are not supported: the loop's gradient cannot itself be differentiated");
  // The forward loop starts keeping its history (a node of the graph being built).
  const int node = first_out.node();
  Node& fwd = builder->graph().mutable_node(node);
  Tensor history;
  const AttrValue* recorded = fwd.attrs.find("record_history");
  if (recorded && std::holds_alternative<bool>(*recorded) && std::get<bool>(*recorded)) {
    history = builder->output_tensor(node, n);
  } else {
    fwd.attrs.set("record_history", true);
    fwd.attrs.set("history_stride", loop_history_stride());
    history = builder->add_output(node, {DType::kResource, Shape{}});
  }

  const Graph& body = lib.graph(ctx.attr_string("body"));
  std::vector<Tensor> captured(ctx.inputs().begin() + n, ctx.inputs().end());
  const std::vector<int64_t>& body_sel = ctx.attr_ints("body_captures");
  const int m = static_cast<int>(captured.size());
  std::vector<TensorType> var_types(n), cap_types(m);
  std::vector<bool> var_wanted(n), cap_wanted(m);
  for (int k = 0; k < n; ++k) {
    const Node& ph = body.node(body.inputs()[k]);
    var_types[k] = ph.outputs[0];
    var_wanted[k] = is_differentiable(var_types[k].dtype);
  }
  for (int j = 0; j < m; ++j) {
    cap_wanted[j] = ctx.needs(n + j) && gradient_type(captured[j], cap_types[j]);
    if (cap_wanted[j] || !ctx.needs(n + j) || captured[j].dtype() != DType::kResource) continue;
    for (size_t c = 0; c < body_sel.size() && !cap_wanted[j]; ++c)
      cap_wanted[j] = body_sel[c] == j && read_type_of_input(body, n + c, cap_types[j]);
  }

  // Backward loop variables: step, then one gradient per float loop variable, then one
  // accumulator per wanted capture. Its captures: the history, then the body's captures.
  std::vector<int> dv_vars, dc_caps;
  for (int k = 0; k < n; ++k)
    if (var_wanted[k]) dv_vars.push_back(k);
  for (int j = 0; j < m; ++j)
    if (cap_wanted[j]) dc_caps.push_back(j);
  const int n_back = 1 + static_cast<int>(dv_vars.size() + dc_caps.size());

  static const OpRef size_op("LoopHistorySize");
  static const OpRef sub("Sub");
  static const OpRef add("AddV2");
  static const OpRef ge("GreaterEqual");
  static const OpRef read("LoopHistoryRead");

  std::string cond_name = build_function("while_grad_cond", [&](GraphBuilder& b) {
    Tensor step = b.placeholder(DType::kInt32, Shape{}, "step");
    for (int k : dv_vars) b.placeholder(var_types[k].dtype, var_types[k].shape, "dv");
    for (int j : dc_caps) b.placeholder(cap_types[j].dtype, cap_types[j].shape, "dc");
    return std::vector<Tensor>{ge({step, constant_of(Tensor::scalar<int32_t>(0))})};
  });
  std::string body_name = build_function("while_grad_body", [&](GraphBuilder& b) {
    Tensor step = b.placeholder(DType::kInt32, Shape{}, "step");
    std::vector<Tensor> dv, dc;
    for (int k : dv_vars) dv.push_back(b.placeholder(var_types[k].dtype, var_types[k].shape, "dv"));
    for (int j : dc_caps) dc.push_back(b.placeholder(cap_types[j].dtype, cap_types[j].shape, "dc"));
    Tensor hist = b.placeholder(DType::kResource, Shape{}, "history");
    std::vector<Tensor> caps;
    for (int64_t c : body_sel)
      caps.push_back(b.placeholder(captured[c].dtype(), captured[c].shape(), "capture"));
    // The loop variables that entered this iteration, then the body replayed on them.
    std::vector<Tensor> xs;
    std::vector<bool> wanted;
    for (int k = 0; k < n; ++k) {
      Attrs a;
      a.set("index", int64_t{k});
      a.set("dtype", var_types[k].dtype);
      a.set("shape", var_types[k].shape);
      xs.push_back(read({hist, step}, a));
      wanted.push_back(var_wanted[k]);
    }
    for (size_t c = 0; c < body_sel.size(); ++c) {
      xs.push_back(caps[c]);
      wanted.push_back(cap_wanted[body_sel[c]]);
    }
    std::vector<Tensor> weights(n);
    for (size_t i = 0; i < dv_vars.size(); ++i) weights[dv_vars[i]] = dv[i];
    GraphVjp vjp = inline_graph_vjp(body, xs, weights, wanted);
    std::vector<Tensor> outs{sub({step, constant_of(Tensor::scalar<int32_t>(1))})};
    for (int k : dv_vars) outs.push_back(vjp.grads[k].defined() ? vjp.grads[k] : zeros_like(xs[k]));
    for (size_t i = 0; i < dc_caps.size(); ++i) {
      std::vector<Tensor> parts{dc[i]};
      for (size_t c = 0; c < body_sel.size(); ++c)
        if (body_sel[c] == dc_caps[i] && vjp.grads[n + c].defined())
          parts.push_back(vjp.grads[n + c]);
      outs.push_back(add_gradients(parts));
    }
    return outs;
  });

  // The backward loop, run in the context of the forward one.
  std::vector<Tensor> in{sub({size_op({history}), constant_of(Tensor::scalar<int32_t>(1))})};
  for (int k : dv_vars)
    in.push_back(ctx.grad(k).defined() ? ctx.grad(k) : zeros_like(ctx.output(k)));
  for (int j : dc_caps) in.push_back(zeros_of(cap_types[j], captured[j]));
  in.push_back(history);
  std::vector<int64_t> body_caps;
  for (size_t c = 0; c <= body_sel.size(); ++c) body_caps.push_back(static_cast<int64_t>(c));
  for (int64_t c : body_sel) in.push_back(captured[c]);
  Attrs attrs;
  attrs.set("cond", cond_name);
  attrs.set("body", body_name);
  attrs.set("num_loop_vars", int64_t{n_back});
  attrs.set("body_captures", body_caps);
  std::vector<Tensor> out = execute(ctx.op().name(), in, attrs);

  std::vector<Tensor> result(ctx.num_inputs());
  for (size_t i = 0; i < dv_vars.size(); ++i) result[dv_vars[i]] = out[1 + i];
  for (size_t i = 0; i < dc_caps.size(); ++i) result[n + dc_caps[i]] = out[1 + dv_vars.size() + i];
  return result;
}

}  // namespace loom
