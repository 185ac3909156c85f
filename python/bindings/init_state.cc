// Variable handles for loom.Variable: creating a variable's state and inspecting it.
// Reads and writes go through the registry's ops, so they work eagerly and in graphs.
#include "common.h"
#include "loom/ops/state.h"

namespace loom::py {

namespace {
Shape shape_arg(nb::handle h) {
  if (h.is_none()) return Shape::unknown_rank();
  std::vector<int64_t> dims;
  for (nb::handle d : h) dims.push_back(d.is_none() ? kUnknownDim : nb::cast<int64_t>(d));
  return Shape(std::move(dims));
}
}  // namespace

void init_state(nb::module_& m) {
  m.def(
      "new_variable",
      [](nb::handle dtype, nb::handle shape, const std::string& name, bool trainable) {
        auto state = Ref<VariableState>::adopt(
            new VariableState(dtype_from_py(dtype), shape_arg(shape), name));
        state->set_trainable(trainable);
        return make_resource(std::move(state));
      },
      nb::arg("dtype"), nb::arg("shape"), nb::arg("name"), nb::arg("trainable") = true);
  m.def("variable_is_initialized",
        [](const Tensor& handle) { return resource_state(handle, "Variable").initialized(); });
  m.def("same_variable", [](const Tensor& a, const Tensor& b) {
    return &resource_state(a, "Variable") == &resource_state(b, "Variable");
  });
}

}  // namespace loom::py
