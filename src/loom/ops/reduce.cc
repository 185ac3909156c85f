// Reductions over a set of axes: Sum, Mean, Max, Min, Prod, Any, All. The family's
// other files (arg_reduce.cc, scan.cc, sort.cc) are registered from here too.
#include "loom/kernels/cpu/reduce.h"

#include <algorithm>

#include "loom/api/math.h"
#include "loom/ops/reduce_common.h"

namespace loom {

using namespace dtypes;

namespace {

// One flag per input dim: reduced or kept. Axes may be negative and repeat.
std::vector<bool> reduced_dims(const Tensor& axes, int rank, const char* op) {
  std::vector<bool> mask(rank, false);
  for (int64_t a : axes.to_int64_vector(op)) {
    if (a < -rank || a >= rank)
      raise(ErrorCode::kInvalidArgument, "[", op, "] Invalid reduction dimension ", a,
            " for input with ", rank, " dimensions");
    mask[a < 0 ? a + rank : a] = true;
  }
  return mask;
}

void infer_reduction(InferContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  const Shape& axes_shape = ctx.input_shape(1);
  if (axes_shape.has_rank() && axes_shape.rank() > 1)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
          "] reduction_indices must be a scalar or 1-D, got shape ", axes_shape.to_string());
  const bool keep_dims = ctx.attr_bool("keep_dims");
  const Tensor* axes = ctx.input_value(1);
  if (axes_shape.num_elements() == 0) {  // reducing over no axis at all
    ctx.set_output(0, in);
    return;
  }
  if (!in.has_rank() || (!axes && !keep_dims)) {
    ctx.set_output(0, Shape::unknown_rank());
    return;
  }
  std::vector<int64_t> dims;
  if (!axes) {
    // Any dim may be reduced to 1; dims already 1 stay 1.
    for (int64_t d : in.dims()) dims.push_back(d == 1 ? 1 : kUnknownDim);
  } else {
    const std::vector<bool> mask = reduced_dims(*axes, in.rank(), ctx.name());
    for (int i = 0; i < in.rank(); ++i) {
      if (!mask[i])
        dims.push_back(in.dim(i));
      else if (keep_dims)
        dims.push_back(1);
    }
  }
  ctx.set_output(0, Shape(std::move(dims)));
}

// Mean of integers accumulates in 64 bits, so the (truncated) mean never overflows.
template <class T>
using mean_acc_t =
    std::conditional_t<std::numeric_limits<T>::is_integer,
                       std::conditional_t<std::numeric_limits<T>::is_signed, int64_t, uint64_t>,
                       cpu::acc_t<T>>;

template <class R, bool kMean, class T>
void run_reduction(KernelContext& ctx, const T* in, T* out) {
  const Tensor& x = ctx.input(0);
  const std::vector<bool> mask = reduced_dims(ctx.input(1), x.rank(), ctx.name());
  using A = std::conditional_t<kMean, mean_acc_t<T>, cpu::acc_t<T>>;
  cpu::reduce_tensor<R, A, kMean>(in, x.shape().dims(), mask, out, ctx.output(0).num_elements());
}

// ---- Gradients ----------------------------------------------------------------------

// The reduced axes normalized to [0, rank), sorted and without repeats, when both the
// axes' values and x's rank are known while the gradient is built.
std::optional<std::vector<int64_t>> static_axes(const Tensor& x, const Tensor& axes) {
  const Tensor* value = known_value(axes);
  if (!value || !x.shape().has_rank()) return std::nullopt;
  const std::vector<bool> mask = reduced_dims(*value, x.rank(), "gradient");
  std::vector<int64_t> out;
  for (int i = 0; i < x.rank(); ++i)
    if (mask[i]) out.push_back(i);
  return out;
}

// The output shape with keep_dims: x's shape with every reduced dim set to 1 (a
// constant when everything is known statically, else computed from Shape(x)).
Tensor kept_dims_shape(const Tensor& x, const Tensor& axes) {
  const std::optional<std::vector<int64_t>> known = static_axes(x, axes);
  if (known && x.shape().is_fully_defined()) {
    std::vector<int64_t> dims = x.shape().dims();
    for (int64_t a : *known) dims[a] = 1;
    return int32_vector(dims);
  }
  static const OpRef shape_op("Shape"), size("Size"), range("Range"), cast("Cast"),
      floor_mod("FloorMod"), reshape("Reshape"), expand("ExpandDims"), equal("Equal"), any("Any"),
      fill("Fill"), select("SelectV2");
  // mask[d] = any(d == axes mod rank): the dims to set to 1.
  Tensor shape = shape_op({x});
  Tensor rank = size({shape});
  Tensor dims = range({int32_scalar(0), rank, int32_scalar(1)});
  Tensor a = cast({reshape({axes, int32_vector({1, -1})})}, {{"DstT", DType::kInt32}});
  Tensor mask =
      any({equal({expand({dims, int32_scalar(1)}), floor_mod({a, rank})}), int32_scalar(1)});
  Tensor ones = fill({shape_op({shape}), int32_scalar(1)});
  return select({mask, ones, shape});
}

// g reshaped to the keep_dims output shape (broadcastable against x).
Tensor grad_with_kept_dims(GradContext& ctx, const Tensor& g, const Tensor& kept) {
  // Same rank without keep_dims: nothing was reduced.
  const Shape& xs = ctx.input(0).shape();
  if (ctx.attr_bool("keep_dims") || (xs.has_rank() && g.shape() == xs)) return g;
  return reshape_to(g, kept);
}

Tensor broadcast_to_shape_of(const Tensor& g, const Tensor& x) {
  if (g.shape() == x.shape() && x.shape().is_fully_defined()) return g;
  static const OpRef broadcast("BroadcastTo");
  return broadcast({g, shape_tensor(x)});
}

std::vector<Tensor> sum_grad(GradContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor g = grad_with_kept_dims(ctx, ctx.grad(0), kept_dims_shape(x, ctx.input(1)));
  return {broadcast_to_shape_of(g, x), Tensor()};
}

// Sum's gradient scaled by 1/count, count = size(x) / size(y) (the scale is applied to
// the small gradient before it is broadcast).
std::vector<Tensor> mean_grad(GradContext& ctx) {
  const Tensor &x = ctx.input(0), &y = ctx.output(0);
  Tensor scale;
  if (x.shape().is_fully_defined() && y.shape().is_fully_defined()) {
    const double n = static_cast<double>(std::max<int64_t>(x.num_elements(), 1));
    scale = scalar_like(static_cast<double>(std::max<int64_t>(y.num_elements(), 1)) / n, x.dtype());
  } else {
    static const OpRef size("Size"), maximum("Maximum");
    Tensor one = int32_scalar(1);
    Tensor ny = cast_to(maximum({size({y}), one}), x.dtype());
    Tensor nx = cast_to(maximum({size({x}), one}), x.dtype());
    scale = divide(ny, nx);
  }
  Tensor g =
      grad_with_kept_dims(ctx, multiply(ctx.grad(0), scale), kept_dims_shape(x, ctx.input(1)));
  return {broadcast_to_shape_of(g, x), Tensor()};
}

// The gradient goes to the entries equal to the extreme value, split evenly among ties.
std::vector<Tensor> min_max_grad(GradContext& ctx) {
  const Tensor &x = ctx.input(0), &axes = ctx.input(1);
  const Tensor kept = kept_dims_shape(x, axes);
  Tensor y = grad_with_kept_dims(ctx, ctx.output(0), kept);
  Tensor g = grad_with_kept_dims(ctx, ctx.grad(0), kept);
  static const OpRef sum("Sum");
  Tensor hits = cast_to(equal(x, y), x.dtype());
  Tensor count = sum({hits, axes}, {{"keep_dims", true}});
  return {multiply(hits, divide(g, count)), Tensor()};
}

// The product of every entry of x's reduction group but the entry itself, without
// dividing (zeros in x are fine). Along one axis it is the exclusive running product
// from the front times the one from the back; over several axes, the entries off the
// entry's line along the first axis contribute the same quantity for the product of x
// along that axis, recursively.
Tensor product_of_others(const Tensor& x, std::span<const int64_t> axes) {
  static const OpRef cumprod("Cumprod"), prod("Prod");
  Tensor axis = int32_scalar(axes[0]);
  Tensor before = cumprod({x, axis}, {{"exclusive", true}});
  Tensor after = cumprod({x, axis}, {{"exclusive", true}, {"reverse", true}});
  Tensor others = multiply(before, after);
  if (axes.size() == 1) return others;
  Tensor line_product = prod({x, int32_vector({axes[0]})}, {{"keep_dims", true}});
  return multiply(others, product_of_others(line_product, axes.subspan(1)));
}

std::vector<Tensor> prod_grad(GradContext& ctx) {
  const Tensor &x = ctx.input(0), &axes = ctx.input(1);
  const std::optional<std::vector<int64_t>> known = static_axes(x, axes);
  if (!known)
    raise(ErrorCode::kUnimplemented,
          "[Prod] the gradient needs constant reduction axes and an input of known rank");
  if (known->empty()) return {ctx.grad(0), Tensor()};
  Tensor g = grad_with_kept_dims(ctx, ctx.grad(0), kept_dims_shape(x, axes));
  return {multiply(product_of_others(x, *known), g), Tensor()};
}

template <class R, bool kMean = false>
void def_numeric_reduction(OpRegistry& r, const char* name, DTypeSet types, GradFn grad) {
  r.add(name)
      .input("input", "T")
      .input("reduction_indices", "Tidx")
      .output("output", "T")
      .attr("keep_dims", false)
      .type_var("T", types)
      .type_var("Tidx", kIndex)
      .infer(infer_reduction)
      .kernel([](KernelContext& ctx) {
        visit_dtype<kNumeric.bits()>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
          run_reduction<R, kMean, T>(ctx, ctx.input(0).data<T>(), ctx.output(0).mutable_data<T>());
        });
      })
      .gradient(std::move(grad));
}

// Any / All: bools are bytes holding 0 or 1, reduced as uint8.
template <class R>
void def_bool_reduction(OpRegistry& r, const char* name) {
  r.add(name)
      .input("input", DType::kBool)
      .input("reduction_indices", "Tidx")
      .output("output", DType::kBool)
      .attr("keep_dims", false)
      .type_var("Tidx", kIndex)
      .traits(kNotDifferentiable)
      .infer(infer_reduction)
      .kernel([](KernelContext& ctx) {
        run_reduction<R, false, uint8_t>(ctx, ctx.input(0).data<uint8_t>(),
                                         ctx.output(0).mutable_data<uint8_t>());
      });
}

}  // namespace

void register_reduction_ops(OpRegistry& r) {
  def_numeric_reduction<cpu::SumReducer>(r, "Sum", kNumeric, sum_grad);
  def_numeric_reduction<cpu::SumReducer, true>(r, "Mean", kNumeric, mean_grad);
  def_numeric_reduction<cpu::ProdReducer>(r, "Prod", kNumeric, prod_grad);
  def_numeric_reduction<cpu::MaxReducer>(r, "Max", kNumeric, min_max_grad);
  def_numeric_reduction<cpu::MinReducer>(r, "Min", kNumeric, min_max_grad);
  def_bool_reduction<cpu::AnyReducer>(r, "Any");
  def_bool_reduction<cpu::AllReducer>(r, "All");
}

void register_reduce_ops(OpRegistry& r) {
  register_reduction_ops(r);
  register_arg_reduce_ops(r);
  register_scan_ops(r);
  register_sort_ops(r);
}

}  // namespace loom
