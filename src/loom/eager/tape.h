// GradientTape: records the ops run on watched tensors so their gradients can be
// computed later. execute() reports every op to the active tapes of its thread; a
// tape records only ops run in the context it was opened in (eagerly, or into one
// graph being traced), so a function's body is recorded inside that function, and
// the function call, an If or a While is one recorded op outside it.
#pragma once

#include <functional>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "loom/eager/execute.h"

namespace loom {

// The gradient of a recorded call that is not a registered op (a function call, a
// custom gradient): given one gradient per output (zeros where none arrives), returns
// one per input (undefined for none).
using BackwardFn = std::function<std::vector<Tensor>(std::span<const Tensor> output_grads)>;

struct TapeRecord {
  const OpDef* op = nullptr;  // null: `backward` computes the gradient
  Attrs attrs;
  std::vector<Tensor> inputs, outputs;
  BackwardFn backward;
};

class Tape : public RefCounted {
 public:
  Tape(bool persistent, bool watch_accessed_variables);

  bool persistent() const { return persistent_; }
  void watch(const Tensor& t);
  // Whether gradients can flow to `t` through this tape.
  bool tracks(const Tensor& t) const { return tracked_.count(t.impl()) > 0; }
  bool tracks_any(std::span<const Tensor> ts) const;
  // Resource handles of the variables watched, in the order they were first watched.
  const std::vector<Tensor>& watched_variables() const { return variables_; }

  // A trainable variable was read: watched when the tape watches accessed variables.
  void variable_accessed(const Tensor& handle) {
    if (watch_variables_ && !tracks(handle)) watch(handle);
  }

  void record(const OpDef& op, const Attrs& attrs, std::span<const Tensor> inputs,
              std::span<const Tensor> outputs);
  void record_custom(std::span<const Tensor> inputs, std::span<const Tensor> outputs,
                     BackwardFn backward);

  // d(sum of targets)/d(source) for each source (a variable is named by its handle).
  // `output_grads` (empty, or one per target, undefined entries meaning ones) weight
  // the targets. Sources the targets do not depend on get undefined tensors, or
  // zeros when `zero_unconnected`. The records stay: a non-persistent tape's owner
  // resets it after its one gradient call.
  std::vector<Tensor> gradient(std::span<const Tensor> targets, std::span<const Tensor> sources,
                               std::span<const Tensor> output_grads, bool zero_unconnected);

  void reset();
  // A paused tape records nothing (stop_recording, and while it computes gradients).
  bool paused() const { return paused_ > 0; }
  void pause() { ++paused_; }
  void resume() { --paused_; }
  // The context this tape records in: the graph builder active when it was opened, or
  // null for eager execution.
  OpHandler* context() const { return context_; }

 private:
  void track_outputs(std::span<const Tensor> outputs);

  bool persistent_;
  bool watch_variables_;
  int paused_ = 0;
  OpHandler* context_;
  std::vector<TapeRecord> records_;
  std::unordered_set<const TensorImpl*> tracked_;
  std::vector<Tensor> watched_;  // keeps watched tensors (and so their identities) alive
  std::vector<Tensor> variables_;
};

// Tapes that record on this thread, innermost last.
void push_tape(Ref<Tape> tape);
void pop_tape(const Tape* tape);  // raises if `tape` is not active on this thread
bool any_tape_active();

// Called by execute() after an op ran: records it on every active tape of the current
// context that tracks one of its inputs. Outputs that alias an input get a tensor of
// their own first, so each recorded value has one identity.
void record_operation(const OpDef& op, const Attrs& attrs, std::span<const Tensor> inputs,
                      std::vector<Tensor>& outputs);
// Whether some active tape of the current context would record an op on these inputs.
bool should_record(std::span<const Tensor> inputs);
// Records a call with its own gradient on the tapes that track one of its inputs
// (outputs aliasing an input get a tensor of their own first). With
// `watch_variables`, tapes that watch accessed variables first watch each trainable
// variable handle among the inputs (a function call reads its captured variables).
void record_custom_operation(std::span<const Tensor> inputs, std::vector<Tensor>& outputs,
                             BackwardFn backward, bool watch_variables = false);

// The C++ face of tf.GradientTape: records from construction until stop() or scope
// end; gradients may be asked after recording stopped.
class GradientTape {
 public:
  explicit GradientTape(bool persistent = false, bool watch_accessed_variables = true)
      : tape_(Ref<Tape>::adopt(new Tape(persistent, watch_accessed_variables))) {
    push_tape(tape_);
  }
  ~GradientTape() { stop(); }
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;

  void watch(const Tensor& t) { tape_->watch(t); }
  void stop() {
    if (recording_) pop_tape(tape_.get());
    recording_ = false;
  }
  // Undefined tensors for sources the target does not depend on.
  std::vector<Tensor> gradient(const Tensor& target, const std::vector<Tensor>& sources) {
    stop();
    std::vector<Tensor> targets{target};
    return tape_->gradient(targets, sources, {}, /*zero_unconnected=*/false);
  }

 private:
  Ref<Tape> tape_;
  bool recording_ = true;
};

// Pauses every active tape for the scope's lifetime (gradients computed inside are not
// recorded).
class StopRecordingScope {
 public:
  StopRecordingScope();
  ~StopRecordingScope();
  StopRecordingScope(const StopRecordingScope&) = delete;
  StopRecordingScope& operator=(const StopRecordingScope&) = delete;

 private:
  std::vector<Ref<Tape>> paused_;
};

}  // namespace loom
