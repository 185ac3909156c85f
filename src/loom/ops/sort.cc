// TopKV2 and Sort. Sort is Loom's own op (TF builds tf.sort from top_k in Python): one
// stable sort along `axis`, returning values and int32 indices; tf.sort and tf.argsort
// each take one output.
#include "loom/kernels/cpu/sort.h"

#include "loom/api/math.h"
#include "loom/ops/reduce_common.h"

namespace loom {

using namespace dtypes;

namespace {

constexpr int64_t kMaxIndexable = std::numeric_limits<int32_t>::max();

// ---- Gradients: the selected values' gradients scattered back to where they came from.
// Positions are computed as int64 flat offsets, so inputs above 2^31 elements work too.

Tensor int64_vector(const std::vector<int64_t>& v) {
  return constant_of(Tensor::from_vector<int64_t>(v, Shape{static_cast<int64_t>(v.size())}));
}
Tensor int64_scalar(int64_t v) {
  return constant_of(Tensor::scalar<int64_t>(v));
}

Tensor shape64(const Tensor& x) {
  if (x.shape().is_fully_defined()) return int64_vector(x.shape().dims());
  static const OpRef shape("Shape");
  return shape({x}, {{"out_type", DType::kInt64}});
}

Tensor size64(const Tensor& x) {
  if (x.shape().is_fully_defined()) return int64_scalar(x.num_elements());
  static const OpRef size("Size");
  return size({x}, {{"out_type", DType::kInt64}});
}

// Dims [begin, end) of x's shape (end 0: to the last), as an int64 vector.
Tensor dims_slice(const Tensor& x, int64_t begin, int64_t end) {
  static const OpRef strided_slice("StridedSlice");
  return strided_slice({shape64(x), int64_vector({begin}), int64_vector({end}), int64_vector({1})},
                       {{"end_mask", int64_t{end == 0 ? 1 : 0}}});
}

// A zero tensor shaped like `like` holding g's entries at flat positions `target`.
Tensor scatter_flat(const Tensor& g, const Tensor& target, const Tensor& like) {
  static const OpRef scatter_nd("ScatterNd");
  Tensor total = size64(like);
  Tensor flat =
      scatter_nd({reshape_to(target, int64_vector({-1, 1})), reshape_to(g, int64_vector({-1})),
                  reshape_to(total, int64_vector({1}))});
  return reshape_to(flat, shape64(like));
}

// g [..., k] scattered to positions `indices` [..., k] along the last axis of a zero
// tensor shaped like `like` [..., n]. Works for inputs of unknown rank.
Tensor scatter_along_last_axis(const Tensor& g, const Tensor& indices, const Tensor& like) {
  if (like.shape().is_fully_defined() && like.num_elements() == 0) return zeros_like(like);
  static const OpRef range("Range"), concat("ConcatV2"), maximum("Maximum");
  Tensor n = reshape_to(dims_slice(like, -1, 0), int64_vector({}));
  Tensor rows_by_k =
      reshape_to(cast_to(indices, DType::kInt64),
                 concat({int64_vector({-1}), dims_slice(indices, -1, 0), int64_scalar(0)}));
  // Row r of the flattened input starts at r * n.
  Tensor starts = range({int64_scalar(0), size64(like), maximum({n, int64_scalar(1)})});
  Tensor target = add(rows_by_k, reshape_to(starts, int64_vector({-1, 1})));
  return scatter_flat(g, target, like);
}

std::vector<Tensor> top_k_grad(GradContext& ctx) {
  return {scatter_along_last_axis(ctx.grad(0), ctx.output(1), ctx.input(0)), Tensor()};
}

// Sort permutes each line along `axis`: values[..., j, ...] came from
// x[..., indices[..., j, ...], ...], i.e. from its own flat position moved by
// (indices - j) * stride, stride being the product of the dims after `axis`.
std::vector<Tensor> sort_grad(GradContext& ctx) {
  const Tensor &x = ctx.input(0), &g = ctx.grad(0), &indices = ctx.output(1);
  if (!x.shape().has_rank()) {
    if (ctx.attr_int("axis") != -1)
      raise(ErrorCode::kUnimplemented,
            "[Sort] the gradient along an axis other than -1 needs an input of known rank");
    return {scatter_along_last_axis(g, indices, x)};
  }
  if (x.shape().is_fully_defined() && x.num_elements() == 0) return {zeros_like(x)};
  const int rank = x.rank();
  const int axis = normalize_axis(ctx.attr_int("axis"), rank, ctx.name());
  if (axis == rank - 1) return {scatter_along_last_axis(g, indices, x)};
  static const OpRef range("Range"), prod("Prod");
  Tensor own = reshape_to(range({int64_scalar(0), size64(x), int64_scalar(1)}), shape64(x));
  std::vector<int64_t> line_shape(rank - axis, 1);
  line_shape[0] = -1;
  Tensor position = reshape_to(
      range({int64_scalar(0), reshape_to(dims_slice(x, axis, axis + 1), int64_vector({})),
             int64_scalar(1)}),
      int64_vector(line_shape));
  Tensor stride = prod({dims_slice(x, axis + 1, 0), int64_scalar(0)});
  Tensor moved = multiply(subtract(cast_to(indices, DType::kInt64), position), stride);
  return {scatter_flat(g, add(own, moved), x)};
}

void infer_top_k(InferContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  const Shape& k_shape = ctx.input_shape(1);
  if (k_shape.has_rank() && k_shape.rank() != 0)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] k must be a scalar, got shape ",
          k_shape.to_string());
  if (in.has_rank() && in.rank() == 0)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] input must be at least 1-D, got shape ",
          in.to_string());
  int64_t k = kUnknownDim;
  if (const Tensor* k_value = ctx.input_value(1)) {
    k = k_value->item<int64_t>();
    if (k < 0) raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] Need k >= 0, got ", k);
  }
  if (!in.has_rank()) {
    ctx.set_output(0, Shape::unknown_rank());
    ctx.set_output(1, Shape::unknown_rank());
    return;
  }
  const int64_t n = in.dim(in.rank() - 1);
  if (k >= 0 && n >= 0 && k > n)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] input must have at least k=", k,
          " columns, had ", n, " (shape ", in.to_string(), ")");
  if (n > kMaxIndexable)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] last dimension ", n,
          " is too large for int32 indices");
  std::vector<int64_t> dims = in.dims();
  dims.back() = k;
  ctx.set_output(0, Shape(dims));
  ctx.set_output(1, Shape(std::move(dims)));
}

void top_k_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t n = x.dim(x.rank() - 1);
  const int64_t rows = n == 0 ? 0 : x.num_elements() / n;
  const int64_t k = ctx.input(1).item<int64_t>();
  visit_dtype<kNumeric.bits()>(x.dtype(), ctx.name(), [&]<class T>() {
    cpu::top_k_rows(x.data<T>(), ctx.output(0).mutable_data<T>(),
                    ctx.output(1).mutable_data<int32_t>(), rows, n, k);
  });
}

void infer_sort(InferContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  if (in.has_rank()) {
    if (in.rank() == 0)
      raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
            "] input must be at least 1-D, got shape ", in.to_string());
    const int axis = normalize_axis(ctx.attr_int("axis"), in.rank(), ctx.name());
    if (in.dim(axis) > kMaxIndexable)
      raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] dimension ", in.dim(axis),
            " is too large for int32 indices");
  }
  ctx.set_output(0, in);
  ctx.set_output(1, in);
}

void sort_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int axis = normalize_axis(ctx.attr_int("axis"), x.rank(), ctx.name());
  const cpu::AxisSplit split = cpu::split_at_axis(x.shape(), axis);
  if (x.num_elements() == 0) return;
  const bool descending = ctx.attr_bool("descending");
  visit_dtype<kNumeric.bits()>(x.dtype(), ctx.name(), [&]<class T>() {
    T* values = ctx.output(0).mutable_data<T>();
    int32_t* indices = ctx.output(1).mutable_data<int32_t>();
    if (descending)
      cpu::sort_lines<T, true>(x.data<T>(), values, indices, split);
    else
      cpu::sort_lines<T, false>(x.data<T>(), values, indices, split);
  });
}

}  // namespace

void register_sort_ops(OpRegistry& r) {
  r.add("TopKV2")
      .input("input", "T")
      .input("k", "Tk")
      .output("values", "T")
      .output("indices", DType::kInt32)
      .attr("sorted", true)
      .type_var("T", kNumeric)
      .type_var("Tk", kIndex)
      .infer(infer_top_k)
      .kernel(top_k_kernel)
      .gradient(top_k_grad);
  r.add("Sort")
      .input("input", "T")
      .output("values", "T")
      .output("indices", DType::kInt32)
      .attr("axis", int64_t{-1})
      .attr("descending", false)
      .type_var("T", kNumeric)
      .infer(infer_sort)
      .kernel(sort_kernel)
      .gradient(sort_grad);
}

}  // namespace loom
