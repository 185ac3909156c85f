// Softmax cross-entropy losses: SparseSoftmaxCrossEntropyWithLogits (integer labels)
// and SoftmaxCrossEntropyWithLogits (label distributions). Both return the per-example
// loss and its gradient with respect to the logits (`backprop`).

#include <Eigen/Core>
#include <cmath>
#include <sstream>

#include "loom/api/array.h"
#include "loom/api/math.h"
#include "loom/api/nn.h"
#include "loom/api/op_ref.h"
#include "loom/api/reduce.h"
#include "loom/autodiff/grad_util.h"
#include "loom/ops/broadcast.h"
#include "loom/ops/nn_common.h"

namespace loom {

namespace {

using namespace dtypes;
using Eigen::Dynamic;

template <class T>
using ConstArray = Eigen::Map<const Eigen::Array<T, Dynamic, 1>>;
template <class T>
using MutArray = Eigen::Map<Eigen::Array<T, Dynamic, 1>>;

// --- sparse labels ---------------------------------------------------------------

// features [..., classes], labels [...] with the same leading dims (TF's op takes the
// 2-D case; leading dims are flattened here so callers need no reshape).
void infer_sparse_xent(InferContext& ctx) {
  const Shape& features = ctx.input_shape(0);
  const Shape& labels = ctx.input_shape(1);
  if (features.has_rank() && features.rank() < 1)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
          "] logits must have rank at least 1, got shape ", features.to_string());
  if (!features.has_rank()) {
    ctx.set_output(0, labels);
    ctx.set_output(1, Shape::unknown_rank());
    return;
  }
  const int batch_rank = features.rank() - 1;
  std::vector<int64_t> loss(features.dims().begin(), features.dims().end() - 1);
  if (labels.has_rank()) {
    if (labels.rank() != batch_rank)
      raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
            "] labels must have rank one less than logits: logits shape ", features.to_string(),
            ", labels shape ", labels.to_string());
    for (int i = 0; i < batch_rank; ++i) {
      const int64_t l = labels.dim(i), f = loss[i];
      if (l >= 0 && f >= 0 && l != f)
        raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
              "] logits and labels must have the same first dimensions: logits shape ",
              features.to_string(), ", labels shape ", labels.to_string());
      if (f < 0) loss[i] = l;
    }
  }
  std::vector<int64_t> backprop = loss;
  backprop.push_back(features.dims().back());
  ctx.set_output(0, Shape(std::move(loss)));
  ctx.set_output(1, Shape(std::move(backprop)));
}

template <class L>
void check_labels(const L* labels, int64_t count, int64_t classes, const char* op) {
  for (int64_t i = 0; i < count; ++i) {
    if (labels[i] >= 0 && static_cast<int64_t>(labels[i]) < classes) continue;
    std::ostringstream shown;
    const int64_t limit = std::min<int64_t>(count, 32);
    for (int64_t j = 0; j < limit; ++j) shown << ' ' << static_cast<int64_t>(labels[j]);
    if (limit < count) shown << " ...";
    raise(ErrorCode::kInvalidArgument, "[", op, "] Received a label value of ",
          static_cast<int64_t>(labels[i]), " which is outside the valid range of [0, ", classes,
          ").  Label values:", shown.str());
  }
}

template <class T, class L>
void sparse_xent(const T* features, const L* labels, T* loss, T* backprop, int64_t batch,
                 int64_t classes) {
  using C = compute_t<T>;
  Eigen::Array<C, Dynamic, 1> row(classes);
  for (int64_t b = 0; b < batch; ++b) {
    row = ConstArray<T>(features + b * classes, classes).template cast<C>();
    row -= row.maxCoeff();
    const C lse = std::log(row.exp().sum());
    const int64_t label = static_cast<int64_t>(labels[b]);
    loss[b] = T(lse - row[label]);
    row = (row - lse).exp();
    row[label] -= C(1);
    MutArray<T>(backprop + b * classes, classes) = row.template cast<T>();
  }
}

void sparse_xent_kernel(KernelContext& ctx) {
  const Tensor& features = ctx.input(0);
  const Tensor& labels = ctx.input(1);
  const int64_t classes = features.shape().dims().back();
  const int64_t batch = labels.num_elements();
  if (batch > 0 && classes == 0)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
          "] Must have at least one class, but got logits shape ", features.shape().to_string());
  visit_dtype<kIndex.bits()>(labels.dtype(), ctx.name(), [&]<class L>() {
    check_labels(labels.data<L>(), batch, classes, ctx.name());
    visit_dtype<kFloat.bits()>(features.dtype(), ctx.name(), [&]<class T>() {
      sparse_xent<T, L>(features.data<T>(), labels.data<L>(), ctx.output(0).mutable_data<T>(),
                        ctx.output(1).mutable_data<T>(), batch, classes);
    });
  });
}

// --- dense labels ----------------------------------------------------------------

// features and labels broadcast to one shape; the class axis is `axis` (default last).
void infer_xent(InferContext& ctx) {
  Shape shape = broadcast_shapes(ctx.input_shape(0), ctx.input_shape(1), ctx.name());
  if (!shape.has_rank()) {
    ctx.set_output(0, Shape::unknown_rank());
    ctx.set_output(1, shape);
    return;
  }
  if (shape.rank() < 1)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
          "] logits and labels must have rank at least 1, got shapes ",
          ctx.input_shape(0).to_string(), " and ", ctx.input_shape(1).to_string());
  const int axis = normalize_axis(ctx.attr_int("axis"), shape.rank(), ctx.name());
  std::vector<int64_t> loss = shape.dims();
  loss.erase(loss.begin() + axis);
  ctx.set_output(0, Shape(std::move(loss)));
  ctx.set_output(1, std::move(shape));
}

// Copies `in` broadcast to `shape` into dst, converting to C.
template <class T, class C>
void broadcast_into(const Tensor& in, const Shape& shape, C* dst) {
  const int64_t n = shape.num_elements();
  if (n == 0) return;
  const T* src = in.data<T>();
  if (in.num_elements() == n) {
    MutArray<C>(dst, n) = ConstArray<T>(src, n).template cast<C>();
    return;
  }
  BroadcastPlan plan = plan_broadcast({&in.shape()}, shape);
  const int64_t inner = plan.inner_size(), outer = plan.outer_count();
  const bool contiguous = plan.strides[0].back() != 0;
  BroadcastWalker walk(plan);
  for (int64_t o = 0; o < outer; ++o, walk.next()) {
    MutArray<C> run(dst + o * inner, inner);
    if (contiguous)
      run = ConstArray<T>(src + walk.offset(0), inner).template cast<C>();
    else
      run.setConstant(static_cast<C>(src[walk.offset(0)]));
  }
}

// logits and labels are [outer, n, inner] blocks viewed as (inner x n) matrices whose
// rows are independent problems; for inner == 1 that is one row per example.
template <class T, class C>
void dense_xent(C* logits, const C* labels, T* loss, T* backprop, int64_t outer, int64_t n,
                int64_t inner) {
  using Mat = Eigen::Array<C, Dynamic, Dynamic>;
  Eigen::Array<C, Dynamic, 1> max(inner), lse(inner);
  for (int64_t o = 0; o < outer; ++o) {
    Eigen::Map<Mat> x(logits + o * n * inner, inner, n);
    Eigen::Map<const Mat> p(labels + o * n * inner, inner, n);
    max = x.rowwise().maxCoeff();
    x.colwise() -= max;
    lse = x.exp().rowwise().sum().log();
    // loss = sum(p * (lse - x)); backprop = softmax(x) - p.
    MutArray<T>(loss + o * inner, inner) =
        (((-x).colwise() + lse) * p).rowwise().sum().template cast<T>();
    Eigen::Map<Eigen::Array<T, Dynamic, Dynamic>>(backprop + o * n * inner, inner, n) =
        ((x.colwise() - lse).exp() - p).template cast<T>();
  }
}

void xent_kernel(KernelContext& ctx) {
  const Shape& shape = ctx.output_type(1).shape;
  const auto& dims = shape.dims();
  const int axis = normalize_axis(ctx.attr_int("axis"), shape.rank(), ctx.name());
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= dims[i];
  for (size_t i = axis + 1; i < dims.size(); ++i) inner *= dims[i];
  const int64_t n = dims[axis];
  if (n == 0 && outer * inner > 0)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
          "] Must have at least one class, but got logits shape ", shape.to_string());
  visit_dtype<kFloat.bits()>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
    using C = compute_t<T>;
    T* loss = ctx.output(0).mutable_data<T>();
    T* backprop = ctx.output(1).mutable_data<T>();
    const int64_t total = shape.num_elements();
    if (total == 0) return;
    std::vector<C> logits(total), labels(total);
    broadcast_into<T, C>(ctx.input(0), shape, logits.data());
    broadcast_into<T, C>(ctx.input(1), shape, labels.data());
    dense_xent<T, C>(logits.data(), labels.data(), loss, backprop, outer, n, inner);
  });
}

// --- gradients -------------------------------------------------------------------
//
// d loss / d logits is the op's own `backprop` output, scaled by the loss gradient.
// `backprop` = softmax(logits) - labels is itself differentiable: a gradient arriving at
// it (second derivatives) goes through the softmax Jacobian, (gg - sum(gg * s)) * s, to
// the logits, and as -gg to dense labels.

Tensor softmax_jacobian_product(const Tensor& gg, const Tensor& logits, int64_t axis) {
  const Tensor s = softmax(logits, axis);
  return (gg - reduce_sum(gg * s, {axis}, /*keep_dims=*/true)) * s;
}

std::vector<Tensor> sparse_xent_gradient(GradContext& ctx) {
  Tensor dx = expand_dims(ctx.grad(0), -1) * ctx.output(1);
  if (ctx.grad_arrived(1)) dx = dx + softmax_jacobian_product(ctx.grad(1), ctx.input(0), -1);
  return {dx, Tensor()};
}

std::vector<Tensor> xent_gradient(GradContext& ctx) {
  const Tensor& logits = ctx.input(0);
  const Tensor& labels = ctx.input(1);
  const Tensor& backprop = ctx.output(1);
  const int64_t axis = ctx.attr_int("axis");
  const Tensor dloss = expand_dims(ctx.grad(0), axis);
  // The softmax terms need the logits at the full (broadcast) shape; the common case,
  // only the logits' first-order gradient, needs no softmax at all.
  auto full_logits = [&]() -> Tensor {
    if (logits.shape().is_fully_defined() && logits.shape() == backprop.shape()) return logits;
    static const OpRef broadcast_to_op("BroadcastTo");
    return broadcast_to_op({logits, shape_tensor(backprop)});
  };
  Tensor dx, dp;
  if (ctx.needs(0)) {
    dx = dloss * backprop;
    if (ctx.grad_arrived(1)) dx = dx + softmax_jacobian_product(ctx.grad(1), full_logits(), axis);
    dx = sum_to_shape_of(dx, logits);
  }
  if (ctx.needs(1)) {
    dp = dloss * negative(log_softmax(full_logits(), axis));
    if (ctx.grad_arrived(1)) dp = dp - ctx.grad(1);
    dp = sum_to_shape_of(dp, labels);
  }
  return {dx, dp};
}

}  // namespace

void register_nn_xent_ops(OpRegistry& r) {
  r.add("SparseSoftmaxCrossEntropyWithLogits")
      .input("features", "T")
      .input("labels", "Tlabels")
      .output("loss", "T")
      .output("backprop", "T")
      .type_var("T", kFloat)
      .type_var("Tlabels", kIndex)
      .infer(infer_sparse_xent)
      .kernel(sparse_xent_kernel)
      .gradient(sparse_xent_gradient);
  // `axis` extends TF's op (whose classes are always the last axis) so that
  // tf.nn.softmax_cross_entropy_with_logits(axis=k) needs no transposes.
  r.add("SoftmaxCrossEntropyWithLogits")
      .input("features", "T")
      .input("labels", "T")
      .output("loss", "T")
      .output("backprop", "T")
      .type_var("T", kFloat)
      .attr("axis", int64_t{-1})
      .infer(infer_xent)
      .kernel(xent_kernel)
      .gradient(xent_gradient);
}

}  // namespace loom
