// Python value -> Tensor with TensorFlow's rules, and Tensor -> NumPy without copies.
#include <nanobind/ndarray.h>

#include <cmath>
#include <limits>

#include "common.h"
#include "loom/graph/builder.h"

namespace loom::py {

namespace {

bool is_tensor(nb::handle v) {
  return nb::isinstance<Tensor>(v);
}
bool is_py_bool(nb::handle v) {
  return PyBool_Check(v.ptr());
}
bool is_py_int(nb::handle v) {
  return PyLong_Check(v.ptr()) && !PyBool_Check(v.ptr());
}
bool is_py_float(nb::handle v) {
  return PyFloat_Check(v.ptr());
}
bool is_sequence(nb::handle v) {
  return PyList_Check(v.ptr()) || PyTuple_Check(v.ptr());
}

nb::module_& numpy() {
  static auto* np = new nb::module_(nb::module_::import_("numpy"));
  return *np;
}
bool is_ndarray_like(nb::handle v) {
  static nb::object ndarray = numpy().attr("ndarray");
  static nb::object generic = numpy().attr("generic");
  return nb::isinstance(v, ndarray) || nb::isinstance(v, generic);
}

[[noreturn]] void cannot_convert(nb::handle v, DType dt) {
  std::string repr = nb::cast<std::string>(nb::repr(v));
  if (repr.size() > 80) repr = repr.substr(0, 77) + "...";
  throw nb::type_error(
      ("Cannot convert " + repr + " to a Tensor of dtype " + std::string(dtype_name(dt))).c_str());
}

// What a nested list of Python scalars holds.
struct ListScan {
  std::vector<int64_t> shape;
  std::vector<PyObject*> leaves;
  bool any_float = false, any_int = false, any_bool = false, other = false;
};

void scan(nb::handle v, int depth, ListScan& s) {
  if (is_sequence(v)) {
    int64_t n = static_cast<int64_t>(nb::len(v));
    if (static_cast<int>(s.shape.size()) == depth) {
      s.shape.push_back(n);
    } else if (static_cast<int>(s.shape.size()) < depth || s.shape[depth] != n) {
      throw nb::value_error("Can't convert non-rectangular Python sequence to Tensor.");
    }
    for (nb::handle item : v) scan(item, depth + 1, s);
    return;
  }
  if (static_cast<int>(s.shape.size()) != depth)
    throw nb::value_error("Can't convert non-rectangular Python sequence to Tensor.");
  if (is_py_bool(v))
    s.any_bool = true;
  else if (is_py_int(v))
    s.any_int = true;
  else if (is_py_float(v))
    s.any_float = true;
  else
    s.other = true;
  s.leaves.push_back(v.ptr());
}

// Stores Python scalar `v` into out[i] as T, raising TypeError if it does not fit.
template <class T>
void store_scalar(PyObject* v, T* out, size_t i, DType dt) {
  nb::handle h(v);
  if constexpr (std::is_same_v<T, bool>) {
    if (!is_py_bool(h)) cannot_convert(h, dt);
    out[i] = v == Py_True;
  } else {
    if (is_py_bool(h)) cannot_convert(h, dt);
    if constexpr (std::is_integral_v<T>) {
      if (!is_py_int(h)) cannot_convert(h, dt);
      int overflow = 0;
      long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
      if (overflow > 0 && std::is_unsigned_v<T>) {
        unsigned long long ux = PyLong_AsUnsignedLongLong(v);
        if (PyErr_Occurred()) {
          PyErr_Clear();
          cannot_convert(h, dt);
        }
        if (ux > std::numeric_limits<T>::max()) cannot_convert(h, dt);
        out[i] = static_cast<T>(ux);
        return;
      }
      if (overflow != 0) cannot_convert(h, dt);
      if constexpr (std::is_unsigned_v<T>) {
        if (x < 0 || static_cast<unsigned long long>(x) > std::numeric_limits<T>::max())
          cannot_convert(h, dt);
      } else {
        if (x < std::numeric_limits<T>::min() || x > std::numeric_limits<T>::max())
          cannot_convert(h, dt);
      }
      out[i] = static_cast<T>(x);
    } else {
      double x = PyFloat_AsDouble(v);  // works for ints too
      if (x == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        cannot_convert(h, dt);
      }
      out[i] = static_cast<T>(x);
    }
  }
}

Tensor from_leaves(const ListScan& s, DType dt) {
  Tensor t = Tensor::empty(dt, Shape(s.shape), "convert_to_tensor");
  visit_dtype(dt, "convert_to_tensor", [&]<class T>() {
    T* out = t.mutable_data<T>();
    for (size_t i = 0; i < s.leaves.size(); ++i) store_scalar<T>(s.leaves[i], out, i, dt);
  });
  return t;
}

bool fits_int32(const ListScan& s) {
  for (PyObject* v : s.leaves) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow || x < INT32_MIN || x > INT32_MAX) return false;
  }
  return true;
}

DType from_dlpack(nb::dlpack::dtype d) {
  using nb::dlpack::dtype_code;
  auto code = static_cast<dtype_code>(d.code);
  if (d.lanes != 1) return DType::kInvalid;
  switch (code) {
    case dtype_code::Bool:
      return DType::kBool;
    case dtype_code::Int:
      return d.bits == 8    ? DType::kInt8
             : d.bits == 16 ? DType::kInt16
             : d.bits == 32 ? DType::kInt32
             : d.bits == 64 ? DType::kInt64
                            : DType::kInvalid;
    case dtype_code::UInt:
      return d.bits == 8    ? DType::kUInt8
             : d.bits == 16 ? DType::kUInt16
             : d.bits == 32 ? DType::kUInt32
             : d.bits == 64 ? DType::kUInt64
                            : DType::kInvalid;
    case dtype_code::Float:
      return d.bits == 16   ? DType::kFloat16
             : d.bits == 32 ? DType::kFloat32
             : d.bits == 64 ? DType::kFloat64
                            : DType::kInvalid;
    case dtype_code::Bfloat:
      return d.bits == 16 ? DType::kBFloat16 : DType::kInvalid;
    default:
      return DType::kInvalid;
  }
}

nb::dlpack::dtype to_dlpack(DType t) {
  using nb::dlpack::dtype_code;
  auto make = [](dtype_code c, int bits) {
    return nb::dlpack::dtype{static_cast<uint8_t>(c), static_cast<uint8_t>(bits), 1};
  };
  const int bits = static_cast<int>(dtype_size(t) * 8);
  if (t == DType::kBool) return make(dtype_code::Bool, 8);
  if (t == DType::kBFloat16) return make(dtype_code::Bfloat, 16);
  if (is_floating(t)) return make(dtype_code::Float, bits);
  if (is_unsigned(t)) return make(dtype_code::UInt, bits);
  return make(dtype_code::Int, bits);
}

// Copies a NumPy array (made C-contiguous first) into fresh aligned storage.
Tensor from_numpy(nb::handle v) {
  // asarray(order="C") rather than ascontiguousarray, which turns 0-d arrays into 1-d.
  nb::object arr = numpy().attr("asarray")(v, nb::arg("order") = "C");
  auto nd = nb::cast<nb::ndarray<nb::ro, nb::c_contig, nb::device::cpu>>(arr);
  DType dt = from_dlpack(nd.dtype());
  if (dt == DType::kInvalid) {
    std::string desc = nb::cast<std::string>(nb::str(arr.attr("dtype")));
    throw nb::type_error(("NumPy dtype " + desc + " has no loom equivalent").c_str());
  }
  std::vector<int64_t> dims(nd.ndim());
  for (size_t i = 0; i < nd.ndim(); ++i) dims[i] = static_cast<int64_t>(nd.shape(i));
  Tensor t = Tensor::empty(dt, Shape(std::move(dims)), "convert_to_tensor");
  if (t.nbytes()) std::memcpy(t.raw_data(), nd.data(), t.nbytes());
  return t;
}

}  // namespace

bool has_own_dtype(nb::handle v) {
  return is_tensor(v) || is_ndarray_like(v) || nb::hasattr(v, "_loom_tensor");
}

bool is_convertible(nb::handle v) {
  return is_tensor(v) || nb::hasattr(v, "_loom_tensor") || is_py_bool(v) || is_py_int(v) || is_py_float(v) || is_sequence(v) ||
         is_ndarray_like(v) || nb::hasattr(v, "__array__");
}

Tensor to_eager_tensor(nb::handle v, DType dtype, Convert mode) {
  const bool exact = mode == Convert::kExact && dtype != DType::kInvalid;
  if (is_tensor(v)) {
    const Tensor& t = nb::cast<const Tensor&>(v);
    if (exact && t.dtype() != dtype)
      throw nb::value_error(("Tensor conversion requested dtype " + std::string(dtype_name(dtype)) +
                             " for Tensor with dtype " + std::string(dtype_name(t.dtype())))
                                .c_str());
    return t;
  }
  // Python scalars: the common case, kept free of allocation beyond the tensor.
  if (is_py_float(v) || is_py_int(v) || is_py_bool(v)) {
    DType dt = dtype;
    if (dt == DType::kInvalid) {
      if (is_py_bool(v)) {
        dt = DType::kBool;
      } else if (is_py_float(v)) {
        dt = DType::kFloat32;
      } else {
        int overflow = 0;
        long long x = PyLong_AsLongLongAndOverflow(v.ptr(), &overflow);
        dt = (!overflow && x >= INT32_MIN && x <= INT32_MAX) ? DType::kInt32 : DType::kInt64;
      }
    }
    Tensor t = Tensor::empty(dt, Shape{}, "convert_to_tensor");
    visit_dtype(dt, "convert_to_tensor",
                [&]<class T>() { store_scalar<T>(v.ptr(), t.mutable_data<T>(), 0, dt); });
    return t;
  }
  // Objects standing for a tensor (variables) convert through their own method.
  if (nb::hasattr(v, "_loom_tensor")) return to_eager_tensor(v.attr("_loom_tensor")(), dtype, mode);
  if (is_sequence(v)) {
    ListScan s;
    scan(v, 0, s);
    if (!s.other) {
      DType dt = dtype;
      if (dt == DType::kInvalid) {
        if (s.any_bool && (s.any_int || s.any_float))
          throw nb::type_error("Can't convert a list mixing bools and numbers to a Tensor");
        dt = s.any_float  ? DType::kFloat32
             : s.any_int  ? (fits_int32(s) ? DType::kInt32 : DType::kInt64)
             : s.any_bool ? DType::kBool
                          : DType::kFloat32;  // [] is float32, as in TF
      }
      return from_leaves(s, dt);
    }
    // Lists holding tensors or arrays: let NumPy stack them, keeping their dtype.
    nb::object arr = numpy().attr("asarray")(v);
    return to_eager_tensor(arr, dtype, mode);
  }
  if (v.is_none())
    throw nb::value_error(
        "Attempt to convert a value (None) with an unsupported type (<class 'NoneType'>) to a "
        "Tensor.");
  if (PyUnicode_Check(v.ptr()) || PyBytes_Check(v.ptr()))
    throw nb::type_error("loom has no string dtype: cannot convert a str or bytes to a Tensor");
  if (is_ndarray_like(v) || nb::hasattr(v, "__array__")) {
    nb::object arr = is_ndarray_like(v) ? nb::borrow(v) : numpy().attr("asarray")(v);
    if (dtype != DType::kInvalid) {
      nb::object np_dtype = dtype_to_py(dtype).attr("as_numpy_dtype");
      if (!arr.attr("dtype").equal(numpy().attr("dtype")(np_dtype)))
        arr = numpy().attr("asarray")(arr, np_dtype);
    }
    Tensor t = from_numpy(arr);
    if (dtype == DType::kBFloat16 && t.dtype() == DType::kFloat32) {
      // bfloat16's NumPy stand-in is float32: round to bfloat16 here.
      Tensor b = Tensor::empty(DType::kBFloat16, t.shape(), "convert_to_tensor");
      const float* src = t.data<float>();
      bfloat16* dst = b.mutable_data<bfloat16>();
      for (int64_t i = 0; i < t.num_elements(); ++i) dst[i] = bfloat16(src[i]);
      return b;
    }
    return t;
  }
  std::string tname =
      nb::cast<std::string>(nb::str(nb::handle(reinterpret_cast<PyObject*>(Py_TYPE(v.ptr())))));
  throw nb::type_error(
      ("Attempt to convert a value of unsupported type " + tname + " to a Tensor.").c_str());
}

Tensor from_dlpack_view(nb::handle obj) {
  using View = nb::ndarray<nb::ro, nb::c_contig, nb::device::cpu>;
  View nd;
  if (!nb::try_cast<View>(obj, nd, false))
    throw nb::type_error("from_dlpack expects a C-contiguous CPU array exporting __dlpack__");
  DType dt = from_dlpack(nd.dtype());
  if (dt == DType::kInvalid) throw nb::type_error("from_dlpack: unsupported element type");
  std::vector<int64_t> dims(nd.ndim());
  for (size_t i = 0; i < nd.ndim(); ++i) dims[i] = static_cast<int64_t>(nd.shape(i));
  auto* keep = new View(nd);
  auto release = [](void* p) {
    nb::gil_scoped_acquire gil;  // the last reference may drop on a worker thread
    delete static_cast<View*>(p);
  };
  size_t nbytes = nd.nbytes();
  Ref<Buffer> buf = Buffer::wrap(const_cast<void*>(nd.data()), nbytes, release, keep);
  return Tensor::from_buffer(dt, Shape(std::move(dims)), std::move(buf));
}

Tensor to_tensor(nb::handle v, DType dtype, Convert mode) {
  Tensor t = to_eager_tensor(v, dtype, mode);
  // Values made from Python while tracing are constants of the graph, not captures.
  if (!nb::isinstance<Tensor>(v) && !t.is_symbolic())
    if (GraphBuilder* b = current_builder()) return b->constant(t);
  return t;
}

nb::object dlpack_view(const Tensor& t) {
  if (t.dtype() == DType::kResource)
    throw nb::type_error("a resource tensor (a variable's handle) cannot be exported");
  auto* keep = new Ref<Buffer>(t.buffer());
  nb::capsule owner(keep, [](void* p) noexcept { delete static_cast<Ref<Buffer>*>(p); });
  std::vector<size_t> shape(t.shape().dims().begin(), t.shape().dims().end());
  // Legacy DLPack cannot mark memory read-only, so this view is exported as writable.
  nb::ndarray<> arr(const_cast<void*>(t.raw_data()), shape.size(), shape.data(), owner, nullptr,
                    to_dlpack(t.dtype()));
  return nb::cast(arr, nb::rv_policy::reference);
}

nb::object to_numpy(const Tensor& t) {
  if (t.dtype() == DType::kResource)
    throw nb::type_error("a resource tensor (a variable's handle) has no NumPy value");
  if (t.dtype() == DType::kBFloat16) {
    // NumPy has no bfloat16: hand out a (read-only) float32 copy.
    Tensor f = Tensor::empty(DType::kFloat32, t.shape(), "numpy");
    const bfloat16* src = t.data<bfloat16>();
    float* dst = f.mutable_data<float>();
    for (int64_t i = 0; i < t.num_elements(); ++i) dst[i] = static_cast<float>(src[i]);
    return to_numpy(f);
  }
  auto* keep = new Ref<Buffer>(t.buffer());
  nb::capsule owner(keep, [](void* p) noexcept { delete static_cast<Ref<Buffer>*>(p); });
  std::vector<size_t> shape(t.shape().dims().begin(), t.shape().dims().end());
  nb::ndarray<nb::numpy, nb::ro> arr(t.raw_data(), shape.size(), shape.data(), owner, nullptr,
                                     to_dlpack(t.dtype()));
  return nb::cast(arr, nb::rv_policy::reference);
}

}  // namespace loom::py
