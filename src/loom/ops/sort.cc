// TopKV2 and Sort. Sort is Loom's own op (TF builds tf.sort from top_k in Python): one
// stable sort along `axis`, returning values and int32 indices; tf.sort and tf.argsort
// each take one output.
#include "loom/kernels/cpu/sort.h"

#include "loom/ops/reduce_common.h"

namespace loom {

using namespace dtypes;

namespace {

constexpr int64_t kMaxIndexable = std::numeric_limits<int32_t>::max();

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
      .kernel(top_k_kernel);
  r.add("Sort")
      .input("input", "T")
      .output("values", "T")
      .output("indices", DType::kInt32)
      .attr("axis", int64_t{-1})
      .attr("descending", false)
      .type_var("T", kNumeric)
      .infer(infer_sort)
      .kernel(sort_kernel);
}

}  // namespace loom
