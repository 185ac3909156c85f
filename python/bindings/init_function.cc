// The cached-call fast path of loom.function, in C++: compute the cache key of a call
// whose arguments are tensors and Python scalars, find the traced plan, run it and
// pack the outputs, without running any Python. Anything unusual returns a miss and
// the Python slow path (def_function.py) handles it, then registers the entry here.
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstring>
#include <memory>
#include <unordered_map>

#include "common.h"
#include "loom/graph/builder.h"
#include "loom/runtime/plan.h"

namespace loom::py {

namespace {

enum class OutputKind { kTensor = 0, kTuple = 1, kList = 2, kNone = 3 };

struct Entry {
  Ref<GraphFunction> function;
  std::vector<Tensor> captures;
  OutputKind kind;
};

bool eager_functions = false;  // loom.config.run_functions_eagerly

// Appends the key of one argument; false when the fast path cannot handle it.
// Exact types only: subclasses (np.float64 is a float) get their own Python keys.
bool append_key(nb::handle v, std::string& key, std::vector<Tensor>& tensors) {
  PyObject* p = v.ptr();
  if (nb::isinstance<Tensor>(v)) {
    const Tensor& t = nb::cast<const Tensor&>(v);
    if (t.is_symbolic()) return false;
    key += 'T';
    key += static_cast<char>(t.dtype());
    key += static_cast<char>(t.rank());
    key.append(reinterpret_cast<const char*>(t.shape().dims().data()), t.rank() * sizeof(int64_t));
    tensors.push_back(t);
    return true;
  }
  if (PyBool_Check(p)) {
    key += p == Py_True ? "bT" : "bF";
    return true;
  }
  if (PyLong_CheckExact(p)) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(p, &overflow);
    if (overflow) return false;
    key += 'i';
    key.append(reinterpret_cast<const char*>(&x), sizeof(x));
    return true;
  }
  if (PyFloat_CheckExact(p)) {
    double x = PyFloat_AS_DOUBLE(p);
    if (x != x) return false;  // NaN: let Python's rules decide
    key += 'f';
    key.append(reinterpret_cast<const char*>(&x), sizeof(x));
    return true;
  }
  if (p == Py_None) {
    key += 'n';
    return true;
  }
  if (PyUnicode_CheckExact(p)) {
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(p, &n);
    if (!s) {
      PyErr_Clear();
      return false;
    }
    key += 's';
    key.append(reinterpret_cast<const char*>(&n), sizeof(n));
    key.append(s, n);
    return true;
  }
  return false;
}

bool key_of(nb::handle args, std::string& key, std::vector<Tensor>& tensors) {
  for (nb::handle a : args)
    if (!append_key(a, key, tensors)) return false;
  return true;
}

class CallCache {
 public:
  explicit CallCache(int num_params) : num_params_(num_params) {}

  // The outputs, or `miss` when the Python slow path must handle the call.
  nb::object call(nb::tuple args, nb::handle miss) {
    if (eager_functions || current_handler() || static_cast<int>(nb::len(args)) != num_params_)
      return nb::borrow(miss);
    std::string key;
    std::vector<Tensor> tensors;
    if (!key_of(args, key, tensors)) return nb::borrow(miss);
    auto it = entries_.find(key);
    if (it == entries_.end()) return nb::borrow(miss);
    std::shared_ptr<Entry> e = it->second;
    ++hits_;
    tensors.insert(tensors.end(), e->captures.begin(), e->captures.end());
    std::vector<Tensor> out;
    {
      nb::gil_scoped_release release;
      out = e->function->call(tensors);
    }
    switch (e->kind) {
      case OutputKind::kTensor:
        return nb::cast(std::move(out[0]));
      case OutputKind::kNone:
        return nb::none();
      case OutputKind::kTuple: {
        nb::tuple t = nb::steal<nb::tuple>(PyTuple_New(out.size()));
        for (size_t i = 0; i < out.size(); ++i)
          PyTuple_SET_ITEM(t.ptr(), i, nb::cast(std::move(out[i])).release().ptr());
        return t;
      }
      case OutputKind::kList: {
        nb::list l;
        for (auto& o : out) l.append(nb::cast(std::move(o)));
        return l;
      }
    }
    return nb::borrow(miss);
  }

  // Registers the plan serving calls with exactly these arguments' key.
  bool insert(nb::tuple args, nb::object plan, std::vector<Tensor> captures, int kind) {
    std::string key;
    std::vector<Tensor> tensors;
    if (static_cast<int>(nb::len(args)) != num_params_ || !key_of(args, key, tensors)) return false;
    auto e = std::make_shared<Entry>();
    e->function = nb::cast<const FunctionHandle&>(plan).fn;
    e->captures = std::move(captures);
    e->kind = static_cast<OutputKind>(kind);
    entries_[key] = std::move(e);
    return true;
  }

  // Cached calls since the last time this was asked (retracing statistics).
  int64_t take_hits() { return std::exchange(hits_, 0); }
  size_t size() const { return entries_.size(); }

 private:
  int num_params_;
  int64_t hits_ = 0;
  std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;
};

}  // namespace

void init_function(nb::module_& m) {
  nb::class_<CallCache>(m, "CallCache")
      .def(nb::init<int>())
      .def("call", &CallCache::call)
      .def("insert", &CallCache::insert)
      .def("take_hits", &CallCache::take_hits)
      .def("__len__", &CallCache::size);
  m.def("_set_functions_run_eagerly", [](bool v) { eager_functions = v; });
}

}  // namespace loom::py
