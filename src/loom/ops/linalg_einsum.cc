// Einsum: parsed and shape-checked in inference; evaluated by einsum_contract.
#include <type_traits>
#include <vector>

#include "loom/kernels/cpu/gemm.h"
#include "loom/ops/einsum_contract.h"
#include "loom/ops/registry.h"

namespace loom {

namespace {

std::vector<const Shape*> input_shapes(InferContext& ctx) {
  std::vector<const Shape*> shapes;
  for (int i = 0; i < ctx.num_inputs(); ++i) shapes.push_back(&ctx.input_shape(i));
  return shapes;
}

void check_n_attr(int64_t n_attr, int num_inputs) {
  if (n_attr >= 0 && n_attr != num_inputs)
    raise(ErrorCode::kInvalidArgument, "[Einsum] attr N is ", n_attr, " but ", num_inputs,
          " inputs were given");
}

void infer_einsum(InferContext& ctx) {
  check_n_attr(ctx.attr_int("N"), ctx.num_inputs());
  einsum::Equation eq = einsum::parse(ctx.attr_string("equation"), ctx.num_inputs());
  std::vector<const Shape*> shapes = input_shapes(ctx);
  einsum::Binding b = einsum::bind(eq, shapes);
  if (!b.output_rank_known) {
    ctx.set_output(0, Shape::unknown_rank());
    return;
  }
  std::vector<int64_t> dims;
  for (int label : b.output) dims.push_back(b.sizes[label]);
  Shape out(std::move(dims));
  if (out.is_fully_defined()) checked_num_elements(out.dims(), "Einsum");
  ctx.set_output(0, std::move(out));
}

// Half types are computed in float; everything else in its own type.
template <class T>
using ComputeType =
    std::conditional_t<std::is_same_v<T, half> || std::is_same_v<T, bfloat16>, float, T>;

template <class T>
void run_einsum(KernelContext& ctx, const einsum::Binding& b) {
  using C = ComputeType<T>;
  std::vector<einsum::Operand<C>> operands(ctx.num_inputs());
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor& t = ctx.input(i);
    einsum::Operand<C>& op = operands[i];
    op.labels = b.inputs[i];
    op.dims = t.shape().dims();
    if constexpr (std::is_same_v<C, T>) {
      op.data = t.data<T>();
    } else {
      op.storage.resize(t.num_elements());
      const T* src = t.data<T>();
      for (int64_t j = 0; j < t.num_elements(); ++j) op.storage[j] = static_cast<C>(src[j]);
      op.data = op.storage.data();
    }
  }
  Tensor& out = ctx.output(0);
  T* dst = out.mutable_data<T>();
  if constexpr (std::is_same_v<C, T>) {
    einsum::evaluate<C>(b, std::move(operands), dst);
  } else {
    std::vector<C> result(out.num_elements());
    einsum::evaluate<C>(b, std::move(operands), result.data());
    for (size_t j = 0; j < result.size(); ++j) dst[j] = static_cast<T>(result[j]);
  }
}

void einsum_kernel(KernelContext& ctx) {
  einsum::Equation eq = einsum::parse(ctx.attr_string("equation"), ctx.num_inputs());
  std::vector<const Shape*> shapes;
  for (int i = 0; i < ctx.num_inputs(); ++i) shapes.push_back(&ctx.input(i).shape());
  einsum::Binding b = einsum::bind(eq, shapes);
  visit_dtype<cpu::kGemmTypes.bits()>(ctx.input(0).dtype(), ctx.name(),
                                      [&]<class T>() { run_einsum<T>(ctx, b); });
}

}  // namespace

void register_einsum_ops(OpRegistry& r) {
  r.add("Einsum")
      .variadic_input("inputs", "T")
      .output("output", "T")
      .type_var("T", cpu::kGemmTypes)
      .attr("equation")
      .attr("N", int64_t{-1})
      .infer(infer_einsum)
      .kernel(einsum_kernel);
}

}  // namespace loom
