// Generic op invocation from Python: op handles from the registry, input conversion
// driven by the op's type variables, attrs from a dict.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "common.h"
#include "ops_call.h"

namespace loom::py {

namespace {

AttrValue attr_from_py(nb::handle v) {
  if (v.is_none()) return std::monostate{};
  if (PyBool_Check(v.ptr())) return nb::cast<bool>(v);
  if (PyLong_Check(v.ptr())) return nb::cast<int64_t>(v);
  if (PyFloat_Check(v.ptr())) return nb::cast<double>(v);
  if (PyUnicode_Check(v.ptr())) return std::string(nb::borrow<nb::str>(v).c_str());
  if (nb::isinstance<Tensor>(v)) return nb::cast<Tensor>(v);
  if (nb::hasattr(v, "_is_loom_dtype")) return dtype_from_py(v);
  if (PyList_Check(v.ptr()) || PyTuple_Check(v.ptr())) {
    bool all_int = true;
    for (nb::handle item : v)
      if (!PyLong_Check(item.ptr()) || PyBool_Check(item.ptr())) all_int = false;
    if (all_int) return nb::cast<std::vector<int64_t>>(v);
    std::vector<double> out;
    for (nb::handle item : v) out.push_back(nb::cast<double>(item));
    return out;
  }
  throw nb::type_error(
      ("unsupported attribute value " + nb::cast<std::string>(nb::repr(v))).c_str());
}

}  // namespace

Attrs attrs_from_py(nb::handle attrs) {
  Attrs out;
  if (attrs.is_none()) return out;
  if (!PyDict_Check(attrs.ptr())) throw nb::type_error("op attributes must be a dict");
  for (auto [k, v] : nb::borrow<nb::dict>(attrs)) {
    if (v.is_none()) continue;  // None means "use the op's default"
    out.set(nb::str(k).c_str(), attr_from_py(v));
  }
  return out;
}

std::vector<Tensor> convert_inputs(const OpDef& op, nb::handle inputs) {
  // Flatten: the variadic argument arrives as one nested list.
  std::vector<nb::handle> flat;
  size_t pos = 0;
  for (nb::handle item : inputs) {
    if (static_cast<int>(pos) == op.variadic_index()) {
      if (!PyList_Check(item.ptr()) && !PyTuple_Check(item.ptr()))
        raise(ErrorCode::kInvalidArgument, "[", op.name(), "] argument '", op.inputs()[pos].name,
              "' must be a list of tensors");
      for (nb::handle x : item) flat.push_back(x);
    } else {
      flat.push_back(item);
    }
    ++pos;
  }
  const int n = static_cast<int>(flat.size());
  // Checked here too: the conversion below indexes the declared inputs by position.
  if (!op.has_variadic_input() && flat.size() != op.inputs().size())
    raise(ErrorCode::kInvalidArgument, "[", op.name(), "] expected ", op.inputs().size(),
          " inputs, got ", n);
  std::vector<Tensor> out(n);
  std::vector<DType> bound(op.type_vars().size(), DType::kInvalid);
  auto target = [&](int i) -> std::pair<DType, int> {
    const ArgDef& arg =
        op.inputs()[std::min<size_t>(op.input_arg_for(i, n), op.inputs().size() - 1)];
    if (arg.type_var.empty()) return {arg.fixed, -1};
    int v = op.type_var_index(arg.type_var);
    return {bound[v], v};
  };
  // Pass 1: values with their own dtype bind the type variables.
  for (int i = 0; i < n; ++i) {
    if (!has_own_dtype(flat[i])) continue;
    auto [dt, var] = target(i);
    out[i] = to_tensor(flat[i]);
    if (var >= 0 && dt == DType::kInvalid) bound[var] = out[i].dtype();
  }
  // Pass 2: Python values adopt the bound dtype (TF's convert_to_tensor(y, dtype=x.dtype)).
  for (int i = 0; i < n; ++i) {
    if (out[i].defined()) continue;
    auto [dt, var] = target(i);
    out[i] = to_tensor(flat[i], dt, Convert::kExact);
    if (var >= 0 && dt == DType::kInvalid) bound[var] = out[i].dtype();
  }
  return out;
}

nb::object wrap_outputs(const OpDef& op, std::vector<Tensor>&& outs) {
  if (outs.size() == 1 && op.outputs().size() == 1) return nb::cast(std::move(outs[0]));
  nb::list result;
  for (auto& t : outs) result.append(nb::cast(std::move(t)));
  return result;
}

void init_ops(nb::module_& m) {
  nb::class_<OpDef>(m, "OpDef")
      .def_prop_ro("name", &OpDef::name)
      .def_prop_ro("input_names",
                   [](const OpDef& d) {
                     std::vector<std::string> v;
                     for (auto& a : d.inputs()) v.push_back(a.name);
                     return v;
                   })
      .def_prop_ro("output_names",
                   [](const OpDef& d) {
                     std::vector<std::string> v;
                     for (auto& a : d.outputs()) v.push_back(a.name);
                     return v;
                   })
      .def_prop_ro("attr_names",
                   [](const OpDef& d) {
                     std::vector<std::string> v;
                     for (auto& a : d.attrs()) v.push_back(a.name);
                     return v;
                   })
      .def_prop_ro("is_stateful", [](const OpDef& d) { return d.has_trait(kStateful); })
      .def_prop_ro("is_elementwise", [](const OpDef& d) { return d.has_trait(kElementwise); })
      .def_prop_ro("is_differentiable",
                   [](const OpDef& d) { return !d.has_trait(kNotDifferentiable); })
      .def_prop_ro("has_gradient", [](const OpDef& d) { return static_cast<bool>(d.grad_fn()); })
      .def("__repr__", [](const OpDef& d) { return "<OpDef " + d.name() + ">"; });

  m.def(
      "op", [](const std::string& name) { return &OpRegistry::global().get(name); },
      nb::rv_policy::reference);
  m.def("op_names", [] {
    std::vector<std::string> names;
    for (const auto& d : OpRegistry::global().all()) names.push_back(d.name());
    return names;
  });
  // execute(op, inputs, attrs=None): inputs is a sequence; the variadic one is a list.
  m.def(
      "execute",
      [](const OpDef& op, nb::handle inputs, nb::handle attrs, nb::handle name) {
        std::vector<Tensor> in = convert_inputs(op, inputs);
        Attrs a = attrs_from_py(attrs);
        if (!name.is_none() && current_handler()) set_next_node_name(nb::str(name).c_str());
        return wrap_outputs(op, execute(op, in, a));
      },
      nb::arg("op"), nb::arg("inputs"), nb::arg("attrs").none() = nb::none(),
      nb::arg("name").none() = nb::none());
}

}  // namespace loom::py
