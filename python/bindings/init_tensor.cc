// The Tensor class. Operators are bound here, in C++, because `a + b` is the hottest
// path in eager code; the rest of Tensor's Python surface lives in loom/_tensor.py.
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "common.h"
#include "loom/graph/graph.h"

namespace loom::py {

namespace {

// Resolved on first use: op families register after this file is compiled.
struct LazyOp {
  const char* name;
  const char* node_name;  // TF's default node name for the operator ("add", "truediv")
  const OpDef* def = nullptr;
  const OpDef& get() {
    if (!def) def = &OpRegistry::global().get(name);
    return *def;
  }
};

LazyOp kAdd{"AddV2", "add"}, kSub{"Sub", "sub"}, kMul{"Mul", "mul"}, kRealDiv{"RealDiv", "truediv"},
    kFloorDiv{"FloorDiv", "floordiv"}, kFloorMod{"FloorMod", "mod"}, kPow{"Pow", "pow"},
    kNeg{"Neg", "Neg"}, kAbs{"Abs", "Abs"}, kLess{"Less", "Less"},
    kLessEqual{"LessEqual", "LessEqual"}, kGreater{"Greater", "Greater"},
    kGreaterEqual{"GreaterEqual", "GreaterEqual"}, kEqual{"Equal", "Equal"},
    kNotEqual{"NotEqual", "NotEqual"}, kAnd{"LogicalAnd", "LogicalAnd"},
    kOr{"LogicalOr", "LogicalOr"}, kXor{"LogicalXor", "LogicalXor"},
    kNot{"LogicalNot", "LogicalNot"}, kCast{"Cast", "Cast"}, kMatMul{"BatchMatMulV2", "matmul"};

Tensor run1(LazyOp& op, std::initializer_list<Tensor> in, const Attrs& attrs = {}) {
  if (current_handler()) set_next_node_name(op.node_name);
  return execute1(op.get(), std::span<const Tensor>(in.begin(), in.size()), attrs);
}

// Symbolic tensors have no value: Python conversions that need one explain why.
void require_value(const Tensor& t, const char* what) {
  if (t.is_symbolic())
    throw nb::type_error((std::string("Using a symbolic tensor as ") + what +
                          " is not allowed: inside a loom.function a tensor has no value "
                          "until the graph runs. Use tensor ops (tf.cond, tf.where, ...) or "
                          "AutoGraph (loom.function(autograph=True)) instead.")
                             .c_str());
}

// Converts the other operand of `self <op> other` to self's dtype, as TF does. Returns
// an undefined tensor when `other` is not something a tensor can be made from.
Tensor coerce_other(const Tensor& self, nb::handle other) {
  if (nb::isinstance<Tensor>(other)) return nb::cast<Tensor>(other);
  if (!is_convertible(other)) return Tensor();
  return to_tensor(other, self.dtype(), Convert::kExact);
}

nb::object binary(LazyOp& op, const Tensor& self, nb::handle other, bool reflected) {
  Tensor o = coerce_other(self, other);
  if (!o.defined()) return nb::borrow(Py_NotImplemented);
  return nb::cast(reflected ? run1(op, {o, self}) : run1(op, {self, o}));
}

Tensor cast(const Tensor& x, DType to) {
  return run1(kCast, {x}, {{"DstT", to}});
}

// TF's truediv: integers become floats first (small ints -> float32, others -> float64).
nb::object truediv(const Tensor& self, nb::handle other, bool reflected) {
  Tensor o = coerce_other(self, other);
  if (!o.defined()) return nb::borrow(Py_NotImplemented);
  Tensor a = reflected ? o : self, b = reflected ? self : o;
  if (is_integer(a.dtype()) && a.dtype() == b.dtype()) {
    DType dt = dtype_size(a.dtype()) <= 2 ? DType::kFloat32 : DType::kFloat64;
    a = cast(a, dt);
    b = cast(b, dt);
  }
  return nb::cast(run1(kRealDiv, {a, b}));
}

// Equality is elementwise (TF2); shapes that cannot broadcast compare unequal.
nb::object equality(LazyOp& op, const Tensor& self, nb::handle other, bool equal) {
  if (other.is_none()) return nb::bool_(!equal);
  Tensor o = coerce_other(self, other);
  if (!o.defined()) return nb::borrow(Py_NotImplemented);
  try {
    broadcast_shapes(self.shape(), o.shape(), op.name);
  } catch (const Error&) {
    return nb::cast(Tensor::scalar<bool>(!equal));
  }
  return nb::cast(run1(op, {self, o}));
}

// Logical operators on bools; on integers they are bitwise (BitwiseAnd, ...).
nb::object logical(LazyOp& op, const char* bitwise, const Tensor& self, nb::handle other,
                   bool reflected) {
  Tensor o = coerce_other(self, other);
  if (!o.defined()) return nb::borrow(Py_NotImplemented);
  Tensor a = reflected ? o : self, b = reflected ? self : o;
  if (self.dtype() == DType::kBool) return nb::cast(run1(op, {a, b}));
  const OpDef& def = OpRegistry::global().get(bitwise);
  Tensor in[2] = {a, b};
  return nb::cast(execute1(def, in));
}

void require_single(const Tensor& t, const char* what) {
  if (t.num_elements() != 1)
    throw nb::value_error((std::string("The truth value of a Tensor with ") +
                           std::to_string(t.num_elements()) + " elements is ambiguous; " + what)
                              .c_str());
}

}  // namespace

void init_tensor(nb::module_& m) {
  nb::class_<Tensor> cls(m, "Tensor");
  cls.def_prop_ro("dtype", [](const Tensor& t) { return dtype_to_py(t.dtype()); })
      .def_prop_ro("ndim", [](const Tensor& t) { return t.rank(); })
      .def("_shape_tuple", &shape_of)
      .def("_is_symbolic", &Tensor::is_symbolic)
      .def_prop_ro("name",
                   [](const Tensor& t) -> nb::object {
                     if (!t.is_symbolic()) return nb::none();
                     auto* g = static_cast<const Graph*>(t.graph());
                     return nb::str(g->value_name({t.node(), t.output_index()}).c_str());
                   })
      .def("_num_elements", [](const Tensor& t) { return t.num_elements(); })
      .def("numpy",
           [](const Tensor& t) {
             if (t.is_symbolic())
               throw nb::attribute_error(
                   "a symbolic tensor has no numpy(): inside a loom.function its value exists only "
                   "when the graph runs; return it from the function or print it with tf.print");
             return to_numpy(t);
           })
      .def("_same_buffer",
           [](const Tensor& a, const Tensor& b) { return a.buffer().get() == b.buffer().get(); });

#define LOOM_BINARY(py, op)                                                                     \
  cls.def("__" py "__", [](const Tensor& a, nb::handle b) { return binary(op, a, b, false); }); \
  cls.def("__r" py "__", [](const Tensor& a, nb::handle b) { return binary(op, a, b, true); });
  LOOM_BINARY("add", kAdd)
  LOOM_BINARY("sub", kSub)
  LOOM_BINARY("mul", kMul)
  LOOM_BINARY("floordiv", kFloorDiv)
  LOOM_BINARY("mod", kFloorMod)
  LOOM_BINARY("pow", kPow)
  LOOM_BINARY("matmul", kMatMul)
#undef LOOM_BINARY
  cls.def("__truediv__", [](const Tensor& a, nb::handle b) { return truediv(a, b, false); });
  cls.def("__rtruediv__", [](const Tensor& a, nb::handle b) { return truediv(a, b, true); });
  cls.def("__lt__", [](const Tensor& a, nb::handle b) { return binary(kLess, a, b, false); });
  cls.def("__le__", [](const Tensor& a, nb::handle b) { return binary(kLessEqual, a, b, false); });
  cls.def("__gt__", [](const Tensor& a, nb::handle b) { return binary(kGreater, a, b, false); });
  cls.def("__ge__",
          [](const Tensor& a, nb::handle b) { return binary(kGreaterEqual, a, b, false); });
  // .none(): `t == None` must reach equality() (nanobind refuses None by default).
  cls.def(
      "__eq__", [](const Tensor& a, nb::handle b) { return equality(kEqual, a, b, true); },
      nb::arg("other").none());
  cls.def(
      "__ne__", [](const Tensor& a, nb::handle b) { return equality(kNotEqual, a, b, false); },
      nb::arg("other").none());
  cls.def("__hash__", [](const Tensor&) -> Py_ssize_t {
    throw nb::type_error("Tensor is unhashable. Instead, use tensor.ref() as the key.");
  });
#define LOOM_LOGICAL(py, op, bitwise)                                                       \
  cls.def("__" py "__",                                                                     \
          [](const Tensor& a, nb::handle b) { return logical(op, bitwise, a, b, false); }); \
  cls.def("__r" py "__",                                                                    \
          [](const Tensor& a, nb::handle b) { return logical(op, bitwise, a, b, true); });
  LOOM_LOGICAL("and", kAnd, "BitwiseAnd")
  LOOM_LOGICAL("or", kOr, "BitwiseOr")
  LOOM_LOGICAL("xor", kXor, "BitwiseXor")
#undef LOOM_LOGICAL
  cls.def("__invert__", [](const Tensor& a) {
    if (a.dtype() == DType::kBool) return run1(kNot, {a});
    return execute1(OpRegistry::global().get("Invert"), std::span<const Tensor>(&a, 1));
  });
  cls.def("__neg__", [](const Tensor& a) { return run1(kNeg, {a}); });
  cls.def("__pos__", [](const Tensor& a) { return a; });
  cls.def("__abs__", [](const Tensor& a) { return run1(kAbs, {a}); });

  cls.def("__bool__", [](const Tensor& t) {
    require_value(t, "a Python `bool`");
    require_single(t, "use tf.reduce_any or tf.reduce_all");
    return t.item<double>() != 0.0;
  });
  cls.def("__float__", [](const Tensor& t) {
    require_value(t, "a Python `float`");
    require_single(t, "only single-element tensors convert to float");
    return t.item<double>();
  });
  cls.def("__int__", [](const Tensor& t) -> nb::object {
    require_value(t, "a Python `int`");
    require_single(t, "only single-element tensors convert to int");
    if (is_floating(t.dtype())) return nb::int_(nb::float_(t.item<double>()));
    if (is_unsigned(t.dtype())) return nb::cast(t.item<uint64_t>());
    return nb::cast(t.item<int64_t>());
  });
  cls.def("__index__", [](const Tensor& t) -> nb::object {
    require_value(t, "an index");
    if (!is_integer(t.dtype()) || t.rank() != 0)
      throw nb::type_error("only integer scalar tensors can be used as an index");
    if (is_unsigned(t.dtype())) return nb::cast(t.item<uint64_t>());
    return nb::cast(t.item<int64_t>());
  });
  cls.def("__len__", [](const Tensor& t) -> int64_t {
    if (t.rank() == 0) throw nb::type_error("Scalar tensor has no `len()`");
    if (t.is_symbolic() && (t.rank() < 0 || t.dim(0) < 0))
      throw nb::type_error("len() of a tensor whose first dimension is unknown until it runs");
    return t.dim(0);
  });

  // DLPack export goes through nanobind's ndarray, which speaks the protocol.
  cls.def("__dlpack__", [](const Tensor& t, nb::kwargs kwargs) {
    if (t.is_symbolic()) throw nb::type_error("a symbolic tensor has no memory to export");
    (void)kwargs;  // a legacy (unversioned) capsule is what every consumer accepts
    return dlpack_view(t);
  });
  cls.def("__dlpack_device__", [](const Tensor&) { return nb::make_tuple(1, 0); });

  m.def(
      "convert_to_tensor",
      [](nb::handle value, nb::handle dtype) {
        if (dtype.is_none()) return to_tensor(value);
        return to_tensor(value, dtype_from_py(dtype), Convert::kExact);
      },
      nb::arg("value").none(), nb::arg("dtype").none() = nb::none());
  m.def("from_dlpack", &from_dlpack_view);
}

}  // namespace loom::py
