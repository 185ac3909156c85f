// Maps loom::Error codes onto the Python classes of loom.errors, registered at import.
#include <array>

#include "common.h"

namespace loom::py {

namespace {
std::array<PyObject*, 19> error_classes{};
}

void init_errors(nb::module_& m) {
  m.def("_register_error_class", [](int code, nb::handle cls) {
    if (code < 0 || code >= static_cast<int>(error_classes.size()))
      throw nb::value_error("error code out of range");
    Py_XINCREF(cls.ptr());
    error_classes[code] = cls.ptr();
  });
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const Error& e) {
      int code = static_cast<int>(e.code());
      PyObject* cls = code < static_cast<int>(error_classes.size()) ? error_classes[code] : nullptr;
      PyErr_SetString(cls ? cls : PyExc_RuntimeError, e.what());
    }
  });
}

}  // namespace loom::py
