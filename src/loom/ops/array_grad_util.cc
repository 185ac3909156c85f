#include "loom/ops/array_grad_util.h"

#include "loom/graph/graph.h"

namespace loom::grad {

namespace {

// The value behind `t`: itself when eager, the constant when it is a Const node's output.
std::optional<Tensor> known_value(const Tensor& t) {
  if (!t.defined()) return std::nullopt;
  if (!t.is_symbolic()) return t;
  const auto* g = dynamic_cast<const Graph*>(t.graph());
  if (!g || t.node() < 0 || t.node() >= g->num_nodes()) return std::nullopt;
  const Node& n = g->node(t.node());
  if (n.op->name() != "Const") return std::nullopt;
  const AttrValue* v = n.attrs.find("value");
  if (!v || !std::holds_alternative<Tensor>(*v)) return std::nullopt;
  return std::get<Tensor>(*v);
}

Tensor as_constant(const Tensor& t) {
  return current_handler() ? constant_of(t) : t;
}

}  // namespace

std::optional<std::vector<int64_t>> known_ints(const Tensor& t) {
  if (!is_integer(t.dtype())) return std::nullopt;
  std::optional<Tensor> v = known_value(t);
  if (!v) return std::nullopt;
  return v->to_int64_vector("gradient");
}

std::optional<int64_t> known_int(const Tensor& t) {
  auto v = known_ints(t);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
}

Tensor int_vector(const std::vector<int64_t>& v, DType dtype) {
  const Shape shape{static_cast<int64_t>(v.size())};
  if (dtype == DType::kInt32)
    return as_constant(
        Tensor::from_vector<int32_t>(std::vector<int32_t>(v.begin(), v.end()), shape));
  return as_constant(Tensor::from_vector<int64_t>(v, shape));
}

Tensor int_scalar(int64_t v, DType dtype) {
  if (dtype == DType::kInt32) return as_constant(Tensor::scalar<int32_t>(static_cast<int32_t>(v)));
  return as_constant(Tensor::scalar<int64_t>(v));
}

Tensor cast_as(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype) return t;
  static const OpRef cast("Cast");
  Attrs attrs;
  attrs.set("DstT", dtype);
  return cast({t}, attrs);
}

Tensor shape_vec(const Tensor& x, DType dtype) {
  if (x.shape().is_fully_defined()) return int_vector(x.shape().dims(), dtype);
  static const OpRef shape("Shape");
  Attrs attrs;
  attrs.set("out_type", dtype);
  return shape({x}, attrs);
}

Tensor dim_of(const Tensor& x, int i) {
  if (x.shape().has_rank() && x.shape()[i] >= 0) return int_scalar(x.shape()[i]);
  static const OpRef gather("GatherV2");
  return gather({shape_vec(x), int_scalar(i), int_scalar(0)});
}

Tensor mul_dims(const Tensor& a, const Tensor& b) {
  auto ka = known_int(a), kb = known_int(b);
  if (ka && kb) return int_scalar(*ka * *kb);
  if (ka && *ka == 1) return b;
  if (kb && *kb == 1) return a;
  static const OpRef mul("Mul");
  return mul({a, b});
}

Tensor dims_product(const Tensor& x, int begin, int end) {
  Tensor p = int_scalar(1);
  for (int i = begin; i < end; ++i) p = mul_dims(p, dim_of(x, i));
  return p;
}

Tensor pack_dims(const std::vector<Tensor>& dims) {
  std::vector<int64_t> values;
  for (const Tensor& d : dims) {
    auto k = known_int(d);
    if (!k) break;
    values.push_back(*k);
  }
  if (values.size() == dims.size()) return int_vector(values);
  static const OpRef pack("Pack");
  return pack.multi(dims)[0];
}

Tensor reshape(const Tensor& x, const std::vector<Tensor>& dims) {
  return reshape_to(x, pack_dims(dims));
}

Tensor transpose(const Tensor& x, const std::vector<int64_t>& perm) {
  static const OpRef op("Transpose");
  return op({x, int_vector(perm)});
}

Tensor sum_all(const Tensor& x) {
  static const OpRef sum("Sum");
  if (x.shape().has_rank()) {
    std::vector<int64_t> axes(x.rank());
    for (int i = 0; i < x.rank(); ++i) axes[i] = i;
    return sum({x, int_vector(axes)});
  }
  static const OpRef reshape_op("Reshape");
  return sum({reshape_op({x, int_vector({-1})}), int_vector({0})});
}

Tensor negate(const Tensor& x) {
  static const OpRef neg("Neg");
  return neg({x});
}

}  // namespace loom::grad
