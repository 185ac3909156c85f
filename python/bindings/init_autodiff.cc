// GradientTape's engine side: tapes, custom gradients recorded from Python, and the
// identity of tensors (tapes key values by it; Python maps variable handles back).
#include <nanobind/stl/optional.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include "common.h"
#include "loom/autodiff/custom_gradient.h"
#include "loom/autodiff/graph_grad.h"
#include "loom/eager/tape.h"
#include "loom/graph/builder.h"
#include "loom/ops/control_grad.h"

namespace loom::py {

namespace {

struct TapeHandle {
  Ref<Tape> tape;
};

std::vector<Tensor> tensors_or_undefined(const std::vector<std::optional<Tensor>>& in) {
  std::vector<Tensor> out;
  out.reserve(in.size());
  for (const auto& t : in) out.push_back(t ? *t : Tensor());
  return out;
}

std::vector<std::optional<Tensor>> optional_tensors(std::vector<Tensor> in) {
  std::vector<std::optional<Tensor>> out;
  out.reserve(in.size());
  for (Tensor& t : in) {
    if (t.defined())
      out.emplace_back(std::move(t));
    else
      out.emplace_back(std::nullopt);
  }
  return out;
}

}  // namespace

void init_autodiff(nb::module_& m) {
  nb::class_<TapeHandle>(m, "Tape")
      .def("__init__",
           [](TapeHandle* h, bool persistent, bool watch_accessed_variables) {
             new (h) TapeHandle{Ref<Tape>::adopt(new Tape(persistent, watch_accessed_variables))};
           })
      .def("push", [](TapeHandle& h) { push_tape(h.tape); })
      .def("pop", [](TapeHandle& h) { pop_tape(h.tape.get()); })
      .def("watch", [](TapeHandle& h, const Tensor& t) { h.tape->watch(t); })
      .def("pause", [](TapeHandle& h) { h.tape->pause(); })
      .def("resume", [](TapeHandle& h) { h.tape->resume(); })
      .def("reset", [](TapeHandle& h) { h.tape->reset(); })
      .def("watched_variables", [](TapeHandle& h) { return h.tape->watched_variables(); })
      .def("gradient",
           [](TapeHandle& h, const std::vector<Tensor>& targets,
              const std::vector<std::optional<Tensor>>& sources,
              const std::vector<std::optional<Tensor>>& output_grads, bool zero_unconnected) {
             std::vector<Tensor> src = tensors_or_undefined(sources);
             std::vector<Tensor> weights = tensors_or_undefined(output_grads);
             return optional_tensors(h.tape->gradient(targets, src, weights, zero_unconnected));
           });

  // Records a call whose gradient is a Python function (tf.custom_gradient): it gets
  // one gradient per output and returns one per input (None for none).
  // A gradient function written in Python (tf.custom_gradient): it gets one gradient
  // per output and returns one per input (None for none). Eagerly the call is recorded
  // on the tapes; while tracing it is registered for a CustomGradient node.
  auto python_backward = [](nb::object backward, size_t n_in) -> BackwardFn {
    auto fn = std::shared_ptr<nb::object>(new nb::object(std::move(backward)), [](nb::object* p) {
      nb::gil_scoped_acquire gil;
      delete p;
    });
    return [fn, n_in](std::span<const Tensor> grads) {
      nb::gil_scoped_acquire gil;
      std::vector<Tensor> in(grads.begin(), grads.end());
      nb::object result = (*fn)(optional_tensors(std::move(in)));
      auto out = tensors_or_undefined(nb::cast<std::vector<std::optional<Tensor>>>(result));
      if (out.size() != n_in)
        raise(ErrorCode::kInvalidArgument, "[custom_gradient] the gradient function returned ",
              out.size(), " gradients for ", n_in, " inputs");
      return out;
    };
  };
  m.def("record_custom_gradient", [python_backward](const std::vector<Tensor>& inputs,
                                                    std::vector<Tensor> outputs,
                                                    nb::object backward) {
    record_custom_operation(inputs, outputs, python_backward(std::move(backward), inputs.size()));
    return outputs;
  });
  m.def("register_custom_gradient", [python_backward](nb::object backward, size_t num_inputs) {
    return register_custom_gradient(python_backward(std::move(backward), num_inputs));
  });
  struct StopRecording {
    std::unique_ptr<StopRecordingScope> scope = std::make_unique<StopRecordingScope>();
  };
  nb::class_<StopRecording>(m, "StopRecording")
      .def(nb::init<>())
      .def("close", [](StopRecording& s) { s.scope.reset(); });
  m.def("symbolic_gradients", [](const std::vector<Tensor>& ys, const std::vector<Tensor>& xs,
                                 const std::vector<std::optional<Tensor>>& grad_ys,
                                 const std::vector<Tensor>& stop, bool zero_unconnected) {
    GraphBuilder* b = current_builder();
    if (!b)
      throw nb::type_error(
          "tf.gradients is not supported when eager execution is enabled. Use "
          "tf.GradientTape instead.");
    return optional_tensors(
        symbolic_gradients(*b, ys, xs, tensors_or_undefined(grad_ys), stop, zero_unconnected));
  });
  m.def("should_record", [](const std::vector<Tensor>& inputs) { return should_record(inputs); });
  m.def("any_tape_active", &any_tape_active);
  m.def("set_loop_history_stride", &set_loop_history_stride);
  m.def("loop_history_stride", &loop_history_stride);
  m.def("tensor_id", [](const Tensor& t) { return reinterpret_cast<uintptr_t>(t.impl()); });
}

}  // namespace loom::py
