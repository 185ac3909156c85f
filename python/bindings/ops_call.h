// Helpers to call registry ops from bindings with Python arguments.
#pragma once

#include "common.h"

namespace loom::py {

Attrs attrs_from_py(nb::handle attrs);
std::vector<Tensor> convert_inputs(const OpDef& op, nb::handle inputs);
nb::object wrap_outputs(const OpDef& op, std::vector<Tensor>&& outs);

}  // namespace loom::py
