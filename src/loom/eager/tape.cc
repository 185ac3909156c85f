#include "loom/eager/tape.h"

#include <algorithm>

#include "loom/autodiff/grad_util.h"
#include "loom/ops/state.h"

namespace loom {

namespace {
thread_local std::vector<Ref<Tape>> tls_tapes;

// A tensor of its own for an output that aliases an input (Identity forwards its
// input): the tape keys values by identity, so each recorded value needs one.
Tensor fresh_identity(const Tensor& t) {
  return Tensor::from_buffer(t.dtype(), t.shape(), t.buffer());
}

bool reads_trainable_variable(const OpDef& op, std::span<const Tensor> inputs,
                              std::span<const Tensor> outputs) {
  if (!op.has_trait(kResourceRead) || inputs.empty() || outputs.empty()) return false;
  const Tensor& handle = inputs[0];
  if (handle.dtype() != DType::kResource || handle.is_symbolic()) return false;
  if (!is_differentiable(outputs[0].dtype())) return false;
  const VariableState* v = variable_of(handle);
  return v && v->trainable();
}
}  // namespace

Tape::Tape(bool persistent, bool watch_accessed_variables)
    : persistent_(persistent),
      watch_variables_(watch_accessed_variables),
      context_(current_handler()) {}

void Tape::watch(const Tensor& t) {
  if (!t.defined()) return;
  if (t.dtype() != DType::kResource && !is_differentiable(t.dtype())) return;
  if (tracked_.insert(t.impl()).second) watched_.push_back(t);
  if (t.dtype() == DType::kResource && std::none_of(variables_.begin(), variables_.end(),
                                                    [&](const Tensor& v) { return v.same_as(t); }))
    variables_.push_back(t);
}

bool Tape::tracks_any(std::span<const Tensor> ts) const {
  for (const Tensor& t : ts)
    if (t.defined() && tracked_.count(t.impl())) return true;
  return false;
}

void Tape::track_outputs(std::span<const Tensor> outputs) {
  for (const Tensor& t : outputs)
    if (t.defined() && is_differentiable(t.dtype())) tracked_.insert(t.impl());
}

void Tape::record(const OpDef& op, const Attrs& attrs, std::span<const Tensor> inputs,
                  std::span<const Tensor> outputs) {
  if (!tracks_any(inputs)) return;
  TapeRecord r;
  r.op = &op;
  r.attrs = attrs;
  r.inputs.assign(inputs.begin(), inputs.end());
  r.outputs.assign(outputs.begin(), outputs.end());
  records_.push_back(std::move(r));
  track_outputs(outputs);
}

void Tape::record_custom(std::span<const Tensor> inputs, std::span<const Tensor> outputs,
                         BackwardFn backward) {
  if (!tracks_any(inputs)) return;
  TapeRecord r;
  r.inputs.assign(inputs.begin(), inputs.end());
  r.outputs.assign(outputs.begin(), outputs.end());
  r.backward = std::move(backward);
  records_.push_back(std::move(r));
  track_outputs(outputs);
}

void Tape::reset() {
  records_.clear();
  tracked_.clear();
  watched_.clear();
  variables_.clear();
}

std::vector<Tensor> Tape::gradient(std::span<const Tensor> targets, std::span<const Tensor> sources,
                                   std::span<const Tensor> output_grads, bool zero_unconnected) {
  if (!output_grads.empty() && output_grads.size() != targets.size())
    raise(ErrorCode::kInvalidArgument, "[gradient] ", output_grads.size(),
          " output gradients were given for ", targets.size(), " targets");
  for (size_t t = 0; t < output_grads.size(); ++t) {
    const Tensor& w = output_grads[t];
    if (!w.defined() || !targets[t].defined()) continue;
    if (w.dtype() != targets[t].dtype() || !w.shape().compatible_with(targets[t].shape()))
      raise(ErrorCode::kInvalidArgument, "[gradient] output_gradients[", t, "] is ",
            dtype_name(w.dtype()), w.shape().to_string(), " but target ", t, " is ",
            dtype_name(targets[t].dtype()), targets[t].shape().to_string(),
            "; they must have the same dtype and shape");
  }
  // Gradient ops are not recorded on this tape (outer tapes do record them).
  pause();
  struct Resume {
    Tape* t;
    ~Resume() { t->resume(); }
  } resume{this};

  // Forward: which values depend on a source; only records using one matter.
  std::unordered_set<const TensorImpl*> reached;
  for (const Tensor& s : sources)
    if (s.defined()) reached.insert(s.impl());
  std::vector<uint64_t> needed(records_.size(), 0);
  for (size_t r = 0; r < records_.size(); ++r) {
    const TapeRecord& rec = records_[r];
    uint64_t mask = 0;
    for (size_t i = 0; i < rec.inputs.size(); ++i)
      if (reached.count(rec.inputs[i].impl())) mask |= i < 64 ? (uint64_t{1} << i) : 0;
    bool wide = rec.inputs.size() > 64 &&
                std::any_of(rec.inputs.begin() + 64, rec.inputs.end(),
                            [&](const Tensor& t) { return reached.count(t.impl()) > 0; });
    if (!mask && !wide) continue;
    needed[r] = wide ? ~uint64_t{0} : mask;
    for (const Tensor& o : rec.outputs)
      if (is_differentiable(o.dtype())) reached.insert(o.impl());
  }

  // Backward, in reverse recording order (a valid reverse topological order).
  std::unordered_map<const TensorImpl*, std::vector<Tensor>> pending;
  for (size_t t = 0; t < targets.size(); ++t) {
    const Tensor& y = targets[t];
    if (!y.defined() || !is_differentiable(y.dtype())) continue;
    Tensor seed =
        output_grads.empty() || !output_grads[t].defined() ? ones_like(y) : output_grads[t];
    pending[y.impl()].push_back(std::move(seed));
  }
  auto take = [&](const Tensor& v) -> Tensor {
    auto it = pending.find(v.impl());
    if (it == pending.end()) return Tensor();
    Tensor g = add_gradients(it->second);
    it->second.assign(1, g);
    return g;
  };
  std::unordered_set<const TensorImpl*> source_set;
  for (const Tensor& s : sources)
    if (s.defined()) source_set.insert(s.impl());
  for (size_t r = records_.size(); r-- > 0;) {
    if (!needed[r]) continue;
    const TapeRecord& rec = records_[r];
    std::vector<Tensor> out_grads(rec.outputs.size());
    bool any = false;
    for (size_t i = 0; i < rec.outputs.size(); ++i) {
      out_grads[i] = take(rec.outputs[i]);
      // A source's gradient stays with it; it is not consumed by its producer twice.
      if (out_grads[i].defined() && !source_set.count(rec.outputs[i].impl()))
        pending.erase(rec.outputs[i].impl());
      any |= out_grads[i].defined();
    }
    if (!any) continue;
    std::vector<Tensor> in_grads;
    if (rec.op) {
      in_grads =
          op_input_gradients(*rec.op, rec.attrs, rec.inputs, rec.outputs, out_grads, needed[r]);
    } else {
      for (size_t i = 0; i < out_grads.size(); ++i)
        if (!out_grads[i].defined() && is_differentiable(rec.outputs[i].dtype()))
          out_grads[i] = zeros_like(rec.outputs[i]);
      in_grads = rec.backward(out_grads);
      in_grads.resize(rec.inputs.size());
    }
    for (size_t i = 0; i < rec.inputs.size(); ++i) {
      if (!in_grads[i].defined() || !reached.count(rec.inputs[i].impl())) continue;
      pending[rec.inputs[i].impl()].push_back(std::move(in_grads[i]));
    }
  }

  std::vector<Tensor> result(sources.size());
  for (size_t s = 0; s < sources.size(); ++s) {
    if (!sources[s].defined()) continue;
    result[s] = take(sources[s]);
    if (!result[s].defined() && zero_unconnected) {
      if (sources[s].dtype() == DType::kResource) {
        const VariableState* v = variable_of(sources[s]);
        if (v && v->initialized()) result[s] = zeros_like(v->read("gradient"));
      } else {
        result[s] = zeros_like(sources[s]);
      }
    }
  }
  return result;
}

// --- the thread's active tapes ---------------------------------------------------------

void push_tape(Ref<Tape> tape) {
  tls_tapes.push_back(std::move(tape));
}

void pop_tape(const Tape* tape) {
  for (size_t i = tls_tapes.size(); i-- > 0;) {
    if (tls_tapes[i].get() == tape) {
      tls_tapes.erase(tls_tapes.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
  raise(ErrorCode::kFailedPrecondition, "[GradientTape] the tape is not recording on this thread");
}

bool any_tape_active() {
  return !tls_tapes.empty();
}

bool should_record(std::span<const Tensor> inputs) {
  OpHandler* context = current_handler();
  for (const Ref<Tape>& t : tls_tapes)
    if (!t->paused() && t->context() == context && t->tracks_any(inputs)) return true;
  return false;
}

void record_operation(const OpDef& op, const Attrs& attrs, std::span<const Tensor> inputs,
                      std::vector<Tensor>& outputs) {
  OpHandler* context = current_handler();
  // A variable read anywhere (a loop body or branch being traced included) counts as
  // accessed by every tape, as a loop reading it is one op of the tape's context.
  if (reads_trainable_variable(op, inputs, outputs))
    for (const Ref<Tape>& t : tls_tapes)
      if (!t->paused()) t->variable_accessed(inputs[0]);
  if (op.has_trait(kNotDifferentiable)) {
    // Not recorded; but an output aliasing a watched input (StopGradient forwards its
    // input) must not carry the input's identity, or the path would not stop.
    for (Tensor& o : outputs)
      for (const Tensor& in : inputs)
        if (o.same_as(in)) o = fresh_identity(o);
    return;
  }
  bool aliased_checked = false;
  for (const Ref<Tape>& t : tls_tapes) {
    if (t->paused() || t->context() != context) continue;
    if (!aliased_checked && (t->tracks_any(inputs) || op.has_trait(kResourceRead))) {
      // A read returns the variable's current value, which may be a tensor some
      // recorded op produced: the read starts a history of its own.
      for (Tensor& o : outputs) {
        bool alias = op.has_trait(kResourceRead) && !o.is_symbolic();
        for (const Tensor& in : inputs) alias = alias || o.same_as(in);
        if (alias) o = fresh_identity(o);
      }
      aliased_checked = true;
    }
    t->record(op, attrs, inputs, outputs);
  }
}

void record_custom_operation(std::span<const Tensor> inputs, std::vector<Tensor>& outputs,
                             BackwardFn backward, bool watch_variables) {
  OpHandler* context = current_handler();
  for (Tensor& o : outputs)
    for (const Tensor& in : inputs)
      if (o.defined() && o.same_as(in)) o = fresh_identity(o);
  for (const Ref<Tape>& t : tls_tapes) {
    if (t->paused() || t->context() != context) continue;
    if (watch_variables) {
      for (const Tensor& in : inputs)
        if (const VariableState* v = variable_of(in); v && v->trainable()) t->variable_accessed(in);
    }
    t->record_custom(inputs, outputs, backward);
  }
}

StopRecordingScope::StopRecordingScope() {
  for (const Ref<Tape>& t : tls_tapes) {
    t->pause();
    paused_.push_back(t);
  }
}

StopRecordingScope::~StopRecordingScope() {
  for (const Ref<Tape>& t : paused_) t->resume();
}

}  // namespace loom
