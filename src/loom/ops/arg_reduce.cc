// ArgMax / ArgMin: the index of the extreme value along one axis.
#include "loom/kernels/cpu/arg_reduce.h"

#include "loom/ops/reduce_common.h"

namespace loom {

using namespace dtypes;

namespace {

void infer_arg_reduce(InferContext& ctx) {
  const DType out_type = ctx.attr_dtype("output_type");
  if (!kIndex.contains(out_type))
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
          "] output_type must be int32 or int64, got ", dtype_name(out_type));
  const Shape& in = ctx.input_shape(0);
  const std::optional<int> axis = scalar_axis_input(ctx, 1, in.rank(), "dimension");
  if (!axis) {
    ctx.set_output(0, in.has_rank() && in.rank() > 0
                          ? Shape(std::vector<int64_t>(in.rank() - 1, kUnknownDim))
                          : Shape::unknown_rank());
    return;
  }
  const int64_t n = in.dim(*axis);
  if (n == 0)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] Reduction axis ", *axis,
          " is empty in shape ", in.to_string());
  if (out_type == DType::kInt32 && n > std::numeric_limits<int32_t>::max())
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] dimension of size ", n,
          " does not fit the int32 output_type");
  std::vector<int64_t> dims = in.dims();
  dims.erase(dims.begin() + *axis);
  ctx.set_output(0, Shape(std::move(dims)), out_type);
}

template <bool kMax>
void def_arg_reduce(OpRegistry& r, const char* name) {
  r.add(name)
      .input("input", "T")
      .input("dimension", "Tidx")
      .output_from_attr("output", "output_type")
      .attr("output_type", DType::kInt64)
      .type_var("T", kAll)
      .type_var("Tidx", kIndex)
      .traits(kNotDifferentiable)
      .infer(infer_arg_reduce)
      .kernel([](KernelContext& ctx) {
        const Tensor& x = ctx.input(0);
        const int axis = normalize_axis(ctx.input(1).item<int64_t>(), x.rank(), ctx.name());
        const cpu::AxisSplit split = cpu::split_at_axis(x.shape(), axis);
        Tensor& y = ctx.output(0);
        if (y.num_elements() == 0) return;
        visit_dtype<kAll.bits()>(x.dtype(), ctx.name(), [&]<class T>() {
          if (y.dtype() == DType::kInt32)
            cpu::arg_reduce<kMax>(x.data<T>(), y.mutable_data<int32_t>(), split);
          else
            cpu::arg_reduce<kMax>(x.data<T>(), y.mutable_data<int64_t>(), split);
        });
      });
}

}  // namespace

void register_arg_reduce_ops(OpRegistry& r) {
  def_arg_reduce<true>(r, "ArgMax");
  def_arg_reduce<false>(r, "ArgMin");
}

}  // namespace loom
