// DType objects are Python (loom.dtypes.DType); the engine keeps one per enum value.
#include <array>

#include "common.h"

namespace loom::py {

namespace {
std::array<nb::object, kNumDTypes>& dtype_objects() {
  static auto* objects = new std::array<nb::object, kNumDTypes>();
  return *objects;
}
nb::object& as_dtype_fn() {
  static auto* fn = new nb::object();
  return *fn;
}
}  // namespace

nb::object dtype_to_py(DType t) {
  int i = static_cast<int>(t);
  if (i >= kNumDTypes || !dtype_objects()[i].is_valid())
    throw nb::value_error("dtype objects are not registered");
  return dtype_objects()[i];
}

DType dtype_from_py(nb::handle obj) {
  // Fast path: one of our DType objects.
  for (int i = 0; i < kNumDTypes; ++i)
    if (dtype_objects()[i].is(obj)) return static_cast<DType>(i);
  if (!as_dtype_fn().is_valid()) throw nb::type_error("dtype conversion is not registered");
  nb::object d = as_dtype_fn()(obj);
  for (int i = 0; i < kNumDTypes; ++i)
    if (dtype_objects()[i].is(d)) return static_cast<DType>(i);
  throw nb::type_error("not a loom dtype");
}

void init_dtypes(nb::module_& m) {
  m.def("_register_dtypes", [](nb::list objects, nb::object as_dtype) {
    if (nb::len(objects) != kNumDTypes) throw nb::value_error("expected one object per dtype");
    for (int i = 0; i < kNumDTypes; ++i) dtype_objects()[i] = objects[i];
    as_dtype_fn() = as_dtype;
  });
  m.def("dtype_names", [] {
    nb::list out;
    for (int i = 0; i < kNumDTypes; ++i)
      out.append(nb::str(dtype_name(static_cast<DType>(i)).data()));
    return out;
  });
}

}  // namespace loom::py
