// Graphs, tracing and plans for loom.function: Tracer (a GraphBuilder installed as
// the op handler), Graph inspection and serialization, and Plan execution.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <memory>

#include "common.h"
#include "loom/graph/builder.h"
#include "loom/graph/library.h"
#include "loom/passes/passes.h"
#include "loom/runtime/plan.h"

namespace loom::py {

namespace {

std::string& package_dir() {
  static auto* dir = new std::string();
  return *dir;
}

// "file.py:12" of the innermost Python frame outside the loom package.
std::string user_source() {
  PyFrameObject* frame = PyEval_GetFrame();
  if (frame) Py_INCREF(frame);
  while (frame) {
    PyCodeObject* code = PyFrame_GetCode(frame);
    const char* file = PyUnicode_AsUTF8(code->co_filename);
    std::string result;
    if (file && (package_dir().empty() || std::string_view(file).rfind(package_dir(), 0) != 0))
      result = std::string(file) + ":" + std::to_string(PyFrame_GetLineNumber(frame));
    Py_DECREF(code);
    if (!result.empty()) {
      Py_DECREF(frame);
      return result;
    }
    PyFrameObject* back = PyFrame_GetBack(frame);
    Py_DECREF(frame);
    frame = back;
  }
  return {};
}

// A trace in progress: owns the builder and, between enter() and exit(), the
// thread's handler scope.
struct Tracer {
  explicit Tracer(const std::string& name)
      : builder(Ref<Graph>::adopt(new Graph(name)), current_builder()) {
    builder.set_source_provider(user_source);
  }
  GraphBuilder builder;
  std::unique_ptr<HandlerScope> scope;
  bool finished = false;
};

nb::object shape_to_py(const Shape& s) {
  if (!s.has_rank()) return nb::none();
  nb::list dims;
  for (int i = 0; i < s.rank(); ++i) {
    if (s[i] < 0)
      dims.append(nb::none());
    else
      dims.append(s[i]);
  }
  return nb::tuple(dims);
}

Shape shape_from_py(nb::handle h) {
  if (h.is_none()) return Shape::unknown_rank();
  std::vector<int64_t> dims;
  for (nb::handle d : h) dims.push_back(d.is_none() ? kUnknownDim : nb::cast<int64_t>(d));
  return Shape(std::move(dims));
}

// Python's view of a graph: shares ownership with symbolic tensors and plans.
struct GraphHandle {
  Ref<Graph> g;
  const Graph& operator*() const { return *g; }
};

}  // namespace

nb::object shape_of(const Tensor& t) {
  return shape_to_py(t.shape());
}

void init_graph(nb::module_& m) {
  m.def("_set_package_dir", [](const std::string& dir) { package_dir() = dir; });
  m.def("is_tracing", [] { return current_builder() != nullptr; });

  nb::class_<GraphHandle>(m, "Graph")
      .def_prop_ro("name", [](const GraphHandle& h) { return h.g->name(); })
      .def("__str__", [](const GraphHandle& h) { return h.g->to_string(); })
      .def("num_nodes", [](const GraphHandle& h) { return h.g->num_nodes(); })
      .def("verify", [](const GraphHandle& h) { h.g->verify(); })
      .def("serialize",
           [](const GraphHandle& h) {
             const Graph& g = *h.g;
             std::string s = serialize_graph(g);
             return nb::bytes(s.data(), s.size());
           })
      .def_static("deserialize",
                  [](nb::bytes b) {
                    return GraphHandle{deserialize_graph(std::string(b.c_str(), b.size()))};
                  })
      // One tuple per node: (name, type, [input value names], [(dtype, shape)], source,
      // [control input names], {attr: text}).
      .def("operations",
           [](const GraphHandle& h) {
             const Graph& g = *h.g;
             nb::list out;
             for (const Node& n : g.nodes()) {
               nb::list inputs, outputs, controls;
               for (const ValueRef& v : n.inputs) inputs.append(g.value_name(v));
               for (const TensorType& t : n.outputs)
                 outputs.append(nb::make_tuple(dtype_to_py(t.dtype), shape_to_py(t.shape)));
               for (int32_t c : n.control_inputs) controls.append(g.node(c).name);
               nb::dict attrs;
               for (const auto& [k, v] : n.attrs.items()) attrs[k.c_str()] = attr_to_string(v);
               out.append(nb::make_tuple(n.name, n.op->name(), inputs, outputs, n.source, controls,
                                         attrs));
             }
             return out;
           })
      .def("input_names",
           [](const GraphHandle& h) {
             const Graph& g = *h.g;
             std::vector<std::string> v;
             for (int32_t i : g.inputs()) v.push_back(g.node(i).name);
             return v;
           })
      .def("output_names", [](const GraphHandle& h) {
        const Graph& g = *h.g;
        std::vector<std::string> v;
        for (const ValueRef& o : g.outputs()) v.push_back(g.value_name(o));
        return v;
      });

  nb::class_<Tracer>(m, "Tracer")
      .def(nb::init<const std::string&>())
      .def(
          "__enter__",
          [](Tracer& t) -> Tracer& {
            if (t.scope || t.finished) throw nb::value_error("a tracer can be entered once");
            t.scope = std::make_unique<HandlerScope>(&t.builder);
            return t;
          },
          nb::rv_policy::reference)
      .def("__exit__",
           [](Tracer& t, nb::args) {
             t.scope.reset();
             return false;
           })
      .def("placeholder",
           [](Tracer& t, nb::handle dtype, nb::handle shape, const std::string& name) {
             return t.builder.placeholder(dtype_from_py(dtype), shape_from_py(shape), name);
           })
      .def("finish",
           [](Tracer& t, const std::vector<Tensor>& outputs) {
             t.builder.finish(outputs);
             t.finished = true;
           })
      .def_prop_ro("graph", [](Tracer& t) { return GraphHandle{t.builder.graph_ref()}; })
      .def("captures", [](Tracer& t) { return t.builder.captures(); });

  m.def(
      "optimize",
      [](const GraphHandle& h, bool cse, bool fold, bool prune) {
        return GraphHandle{optimize_graph(*h.g, PassOptions{cse, fold, prune})};
      },
      nb::arg("graph"), nb::arg("cse") = true, nb::arg("fold") = true, nb::arg("prune") = true);

  // Registers an optimized graph in the function library; control-flow ops name it.
  // A library function's graph by name (the branches and bodies control-flow ops name).
  m.def("library_graph", [](const std::string& name) {
    return GraphHandle{
        Ref<Graph>::retain(const_cast<Graph*>(&FunctionLibrary::global().graph(name)))};
  });
  m.def("register_function",
        [](const GraphHandle& h) { return FunctionLibrary::global().add(optimize_graph(*h.g)); });

  nb::class_<FunctionHandle>(m, "GraphFunction")
      .def("__init__",
           [](FunctionHandle* f, const GraphHandle& h) {
             new (f) FunctionHandle{Ref<GraphFunction>::adopt(new GraphFunction(h.g))};
           })
      .def_prop_ro("num_steps", [](const FunctionHandle& f) { return f.fn->plan().num_steps(); })
      .def_prop_ro("parallel", [](const FunctionHandle& f) { return f.fn->plan().parallel(); })
      .def("run", [](const FunctionHandle& f, const std::vector<Tensor>& inputs) {
        nb::gil_scoped_release release;
        return f.fn->call(inputs);
      });

  nb::class_<Plan>(m, "Plan")
      .def("__init__", [](Plan* p, const GraphHandle& h) { new (p) Plan(h.g); })
      .def_prop_ro("num_steps", &Plan::num_steps)
      .def_prop_ro("parallel", &Plan::parallel)
      .def("run", [](const Plan& p, const std::vector<Tensor>& inputs) {
        nb::gil_scoped_release release;
        return p.run(inputs);
      });
}

}  // namespace loom::py
