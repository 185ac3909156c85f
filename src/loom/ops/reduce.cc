// Reductions over a set of axes: Sum, Mean, Max, Min, Prod, Any, All. The family's
// other files (arg_reduce.cc, scan.cc, sort.cc) are registered from here too.
#include "loom/kernels/cpu/reduce.h"

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

template <class R, bool kMean = false>
void def_numeric_reduction(OpRegistry& r, const char* name, DTypeSet types) {
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
      });
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
  def_numeric_reduction<cpu::SumReducer>(r, "Sum", kNumeric);
  def_numeric_reduction<cpu::SumReducer, true>(r, "Mean", kNumeric);
  def_numeric_reduction<cpu::ProdReducer>(r, "Prod", kNumeric);
  def_numeric_reduction<cpu::MaxReducer>(r, "Max", kNumeric);
  def_numeric_reduction<cpu::MinReducer>(r, "Min", kNumeric);
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
