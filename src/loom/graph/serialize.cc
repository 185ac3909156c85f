// Binary graph format: a magic header, then length-prefixed fields. Every read is
// bounds-checked, so truncated or corrupt bytes raise DataLoss instead of crashing.
#include <cstring>

#include "loom/eager/execute.h"
#include "loom/graph/graph.h"
#include "loom/ops/registry.h"

namespace loom {

namespace {

constexpr char kMagic[8] = {'L', 'O', 'O', 'M', 'G', 'R', 'F', '1'};

class Writer {
 public:
  void u64(uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>(v | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  void i64(int64_t v) { u64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void f64(double v) {
    char b[8];
    std::memcpy(b, &v, 8);
    out_.append(b, 8);
  }
  void str(std::string_view s) {
    u64(s.size());
    out_.append(s);
  }
  void shape(const Shape& s) {
    i64(s.rank());
    for (int i = 0; i < s.rank(); ++i) i64(s[i]);
  }
  void tensor(const Tensor& t) {
    u64(static_cast<uint64_t>(t.dtype()));
    shape(t.shape());
    str(std::string_view(static_cast<const char*>(t.raw_data()), t.nbytes()));
  }
  void attr(const AttrValue& v) {
    u64(v.index());
    std::visit(
        [&](const auto& x) {
          using V = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<V, std::monostate>) {
          } else if constexpr (std::is_same_v<V, bool>) {
            u64(x);
          } else if constexpr (std::is_same_v<V, int64_t>) {
            i64(x);
          } else if constexpr (std::is_same_v<V, double>) {
            f64(x);
          } else if constexpr (std::is_same_v<V, std::string>) {
            str(x);
          } else if constexpr (std::is_same_v<V, DType>) {
            u64(static_cast<uint64_t>(x));
          } else if constexpr (std::is_same_v<V, std::vector<int64_t>>) {
            u64(x.size());
            for (int64_t e : x) i64(e);
          } else if constexpr (std::is_same_v<V, std::vector<double>>) {
            u64(x.size());
            for (double e : x) f64(e);
          } else if constexpr (std::is_same_v<V, Shape>) {
            shape(x);
          } else {
            tensor(x);
          }
        },
        v);
  }
  std::string take() { return std::move(out_); }
  std::string out_;
};

class Reader {
 public:
  explicit Reader(const std::string& s) : p_(s.data()), end_(s.data() + s.size()) {}
  [[noreturn]] void corrupt(const char* what) {
    raise(ErrorCode::kDataLoss, "graph bytes are truncated or corrupt (", what, ")");
  }
  uint64_t u64() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) corrupt("varint");
      uint8_t b = static_cast<uint8_t>(*p_++);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    corrupt("varint too long");
  }
  int64_t i64() {
    uint64_t u = u64();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  size_t count(size_t limit) {
    uint64_t n = u64();
    if (n > limit || n > static_cast<uint64_t>(end_ - p_) + 1) corrupt("count");
    return static_cast<size_t>(n);
  }
  double f64() {
    need(8);
    double v;
    std::memcpy(&v, p_, 8);
    p_ += 8;
    return v;
  }
  std::string str() {
    uint64_t n = u64();
    need(n);
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  // A name, source or string attr: must be valid UTF-8 (it reaches Python as str).
  std::string text() {
    std::string s = str();
    for (size_t i = 0; i < s.size();) {
      auto c = static_cast<unsigned char>(s[i]);
      size_t len = c < 0x80           ? 1
                   : (c >> 5) == 0x6  ? 2
                   : (c >> 4) == 0xe  ? 3
                   : (c >> 3) == 0x1e ? 4
                                      : 0;
      if (len == 0 || i + len > s.size()) corrupt("text is not UTF-8");
      for (size_t k = 1; k < len; ++k)
        if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) corrupt("text is not UTF-8");
      i += len;
    }
    return s;
  }
  DType dtype() {
    uint64_t d = u64();
    if (d >= static_cast<uint64_t>(kNumDTypes)) corrupt("dtype");
    return static_cast<DType>(d);
  }
  Shape shape() {
    int64_t rank = i64();
    if (rank == -1) return Shape::unknown_rank();
    if (rank < 0 || rank > 1024) corrupt("rank");
    std::vector<int64_t> dims(static_cast<size_t>(rank));
    for (auto& d : dims) d = i64();
    return Shape(std::move(dims));
  }
  Tensor tensor() {
    DType dt = dtype();
    Shape s = shape();
    std::string bytes = str();
    // Check the size against the bytes present before allocating anything.
    if (!s.is_fully_defined()) corrupt("tensor shape");
    uint64_t elements = 1;
    for (int i = 0; i < s.rank(); ++i) {
      uint64_t d = static_cast<uint64_t>(s[i]);
      if (d != 0 && elements > bytes.size() / d) corrupt("tensor size");
      elements *= d;
    }
    if (elements * dtype_size(dt) != bytes.size()) corrupt("tensor size");
    Tensor t = Tensor::empty(dt, s, "deserialize_graph");
    if (!bytes.empty()) std::memcpy(t.raw_data(), bytes.data(), bytes.size());
    return t;
  }
  AttrValue attr() {
    switch (u64()) {
      case 0:
        return std::monostate{};
      case 1:
        return u64() != 0;
      case 2:
        return i64();
      case 3:
        return f64();
      case 4:
        return text();
      case 5:
        return dtype();
      case 6: {
        std::vector<int64_t> v(count(1 << 20));
        for (auto& e : v) e = i64();
        return v;
      }
      case 7: {
        std::vector<double> v(count(1 << 20));
        for (auto& e : v) e = f64();
        return v;
      }
      case 8:
        return shape();
      case 9:
        return tensor();
      default:
        corrupt("attr kind");
    }
  }
  bool done() const { return p_ == end_; }
  void need(uint64_t n) {
    if (n > static_cast<uint64_t>(end_ - p_)) corrupt("length");
  }
  void magic() {
    need(sizeof(kMagic));
    if (std::memcmp(p_, kMagic, sizeof(kMagic)) != 0) corrupt("not a loom graph");
    p_ += sizeof(kMagic);
  }

 private:
  const char* p_;
  const char* end_;
};

[[noreturn]] void corrupt_graph(std::string_view why) {
  raise(ErrorCode::kDataLoss, "graph bytes are truncated or corrupt (", why, ")");
}

// True when `stored` claims nothing `inferred` does not know (unknown dims are fine).
bool no_more_specific(const Shape& stored, const Shape& inferred) {
  if (!stored.has_rank()) return true;
  if (!inferred.has_rank() || inferred.rank() != stored.rank()) return false;
  for (int i = 0; i < stored.rank(); ++i)
    if (stored[i] >= 0 && stored[i] != inferred[i]) return false;
  return true;
}

// Well-formed bytes can still describe an impossible graph. The executor trusts each
// node's recorded types, so re-infer them from the op and its inputs and require the
// record to agree: no kernel ever runs on types or sizes it did not produce.
void check_types(Graph& g) {
  for (int i = 0; i < g.num_nodes(); ++i) {
    Node& n = g.mutable_node(i);
    const std::string& op = n.op->name();
    if (op == "Placeholder" || op == "Const") {
      const AttrValue* a = n.attrs.find(op == "Const" ? "value" : "dtype");
      if (n.outputs.size() != 1 || !a) corrupt_graph("malformed " + op + " node '" + n.name + "'");
      const TensorType& t = n.outputs[0];
      if (op == "Const") {
        const Tensor* v = std::get_if<Tensor>(a);
        if (!v || v->dtype() != t.dtype || !(v->shape() == t.shape))
          corrupt_graph("constant '" + n.name + "' does not match its type");
      } else if (!std::holds_alternative<DType>(*a) || std::get<DType>(*a) != t.dtype) {
        corrupt_graph("placeholder '" + n.name + "' does not match its type");
      }
      continue;
    }
    std::vector<InputInfo> info(n.inputs.size());
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      const Node& src = g.node(n.inputs[k].node);
      const TensorType& t = src.outputs[n.inputs[k].index];
      const Tensor* value = nullptr;
      if (src.op->name() == "Const") value = &std::get<Tensor>(*src.attrs.find("value"));
      info[k] = {t.dtype, &t.shape, value};
    }
    std::vector<TensorType> inferred;
    bool value_dependent = false;
    try {
      inferred = check_and_infer(*n.op, info, n.attrs, &value_dependent);
    } catch (const Error& e) {
      corrupt_graph(std::string("node '") + n.name + "': " + e.what());
    }
    if (inferred.size() != n.outputs.size())
      corrupt_graph("node '" + n.name + "' has the wrong number of outputs");
    for (size_t k = 0; k < inferred.size(); ++k)
      if (inferred[k].dtype != n.outputs[k].dtype ||
          !no_more_specific(n.outputs[k].shape, inferred[k].shape))
        corrupt_graph("node '" + n.name + "' output types do not match its op");
    n.value_dependent = n.value_dependent || value_dependent;
  }
}

}  // namespace

std::string serialize_graph(const Graph& g) {
  Writer w;
  w.out_.append(kMagic, sizeof(kMagic));
  w.str(g.name());
  w.u64(g.num_nodes());
  for (const Node& n : g.nodes()) {
    w.str(n.op->name());
    w.str(n.name);
    w.u64(n.inputs.size());
    for (const ValueRef& v : n.inputs) {
      w.u64(v.node);
      w.u64(v.index);
    }
    w.u64(n.control_inputs.size());
    for (int32_t c : n.control_inputs) w.u64(c);
    w.u64(n.attrs.items().size());
    for (const auto& [k, v] : n.attrs.items()) {
      w.str(k);
      w.attr(v);
    }
    w.u64(n.outputs.size());
    for (const TensorType& t : n.outputs) {
      w.u64(static_cast<uint64_t>(t.dtype));
      w.shape(t.shape);
    }
    w.str(n.source);
    w.u64(n.value_dependent);
  }
  w.u64(g.inputs().size());
  for (int32_t i : g.inputs()) w.u64(i);
  w.u64(g.outputs().size());
  for (const ValueRef& v : g.outputs()) {
    w.u64(v.node);
    w.u64(v.index);
  }
  w.u64(g.control_outputs().size());
  for (int32_t c : g.control_outputs()) w.u64(c);
  return w.take();
}

Ref<Graph> deserialize_graph(const std::string& bytes) {
  Reader r(bytes);
  r.magic();
  auto g = Ref<Graph>::adopt(new Graph(r.text()));
  size_t n = r.count(1 << 24);
  auto value = [&]() {
    ValueRef v;
    v.node = static_cast<int32_t>(r.u64());
    v.index = static_cast<int32_t>(r.u64());
    return v;
  };
  for (size_t i = 0; i < n; ++i) {
    Node node;
    std::string op = r.text();
    node.op = OpRegistry::global().find(op);
    if (!node.op) corrupt_graph("unknown op '" + op + "'");
    std::string name = r.text();
    node.inputs.resize(r.count(1 << 20));
    for (auto& v : node.inputs) v = value();
    node.control_inputs.resize(r.count(1 << 20));
    for (auto& c : node.control_inputs) c = static_cast<int32_t>(r.u64());
    size_t na = r.count(1 << 16);
    for (size_t a = 0; a < na; ++a) {
      std::string k = r.text();
      node.attrs.set(k, r.attr());
    }
    node.outputs.resize(r.count(1 << 16));
    for (auto& t : node.outputs) {
      t.dtype = r.dtype();
      t.shape = r.shape();
    }
    node.source = r.text();
    node.value_dependent = r.u64() != 0;
    int id = g->add_node(std::move(node), name);
    if (g->node(id).name != name) r.corrupt("duplicate node name");
  }
  g->inputs().resize(r.count(1 << 20));
  for (auto& i : g->inputs()) i = static_cast<int32_t>(r.u64());
  g->outputs().resize(r.count(1 << 20));
  for (auto& v : g->outputs()) v = value();
  g->control_outputs().resize(r.count(1 << 20));
  for (auto& c : g->control_outputs()) c = static_cast<int32_t>(r.u64());
  if (!r.done()) r.corrupt("trailing bytes");
  try {
    g->verify();
  } catch (const Error& e) {
    corrupt_graph(e.what());
  }
  for (const ValueRef& v : g->outputs())
    if (v.index < 0) corrupt_graph("output index");
  for (int32_t c : g->control_outputs())
    if (c < 0 || c >= g->num_nodes()) corrupt_graph("control output");
  // Every placeholder is fed exactly once, or a kernel would read an empty slot.
  std::vector<bool> fed(g->num_nodes(), false);
  for (int32_t p : g->inputs()) {
    if (fed[p]) corrupt_graph("an input is listed twice");
    fed[p] = true;
  }
  for (int i = 0; i < g->num_nodes(); ++i)
    if (g->node(i).op->name() == "Placeholder" && !fed[i]) corrupt_graph("unfed placeholder");
  check_types(*g);
  return g;
}

}  // namespace loom
