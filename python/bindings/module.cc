#include "common.h"

NB_MODULE(_C, m) {
  m.doc() = "Loom's native engine";
  // Op handles and dtype objects live for the whole process by design.
  nb::set_leak_warnings(false);
  loom::py::init_errors(m);
  loom::py::init_dtypes(m);
  loom::py::init_tensor(m);
  loom::py::init_ops(m);
  loom::py::init_graph(m);
  loom::py::init_function(m);
  loom::py::init_state(m);
  loom::py::init_random(m);
  loom::py::init_autodiff(m);
}
