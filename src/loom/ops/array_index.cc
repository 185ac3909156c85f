// The indexing op family: gather, scatter, one_hot, where, boolean_mask, unique.
// This file holds OneHot and the family's registration entry point.
#include "loom/ops/array_index_util.h"

namespace loom {

void register_array_index_ops(OpRegistry& r);

namespace index_ops {

using namespace dtypes;

namespace {

void check_scalar(const Shape& s, const char* op, const char* what) {
  if (s.has_rank() && s.rank() != 0)
    raise(ErrorCode::kInvalidArgument, "[", op, "] ", what, " must be a scalar, got shape ",
          s.to_string());
}

// The output dim that OneHot inserts, in [0, rank]; axis -1 means last.
int one_hot_axis(int64_t axis, int indices_rank, const char* op) {
  if (axis < -1 || axis > indices_rank)
    raise(ErrorCode::kInvalidArgument, "[", op, "] Expected axis to be -1 or between [0, ",
          indices_rank, "], but got ", axis);
  return static_cast<int>(axis == -1 ? indices_rank : axis);
}

int64_t checked_depth(const Tensor& depth, const char* op) {
  const int64_t d = scalar_index_value(depth, op, "depth");
  if (d < 0) raise(ErrorCode::kInvalidArgument, "[", op, "] depth must be non-negative, got: ", d);
  return d;
}

void infer_one_hot(InferContext& ctx) {
  const Shape& indices = ctx.input_shape(0);
  check_scalar(ctx.input_shape(1), ctx.name(), "depth");
  check_scalar(ctx.input_shape(2), ctx.name(), "on_value");
  check_scalar(ctx.input_shape(3), ctx.name(), "off_value");
  const int64_t depth =
      ctx.input_value(1) ? checked_depth(*ctx.input_value(1), ctx.name()) : kUnknownDim;
  if (!indices.has_rank()) {
    ctx.set_output(0, Shape::unknown_rank());
    return;
  }
  const int axis = one_hot_axis(ctx.attr_int("axis"), indices.rank(), ctx.name());
  std::vector<int64_t> dims = indices.dims();
  dims.insert(dims.begin() + axis, depth);
  ctx.set_output(0, Shape(std::move(dims)));
}

void one_hot_kernel(KernelContext& ctx) {
  const Tensor& indices = ctx.input(0);
  const int64_t depth = checked_depth(ctx.input(1), ctx.name());
  const int axis = one_hot_axis(ctx.attr_int("axis"), indices.rank(), ctx.name());
  Tensor& out = ctx.output(0);
  if (out.num_elements() == 0) return;
  // out viewed as [prefix, depth, suffix]; indices as [prefix, suffix].
  const int64_t prefix = dims_product(indices.shape(), 0, axis);
  const int64_t suffix = dims_product(indices.shape(), axis, indices.rank());
  visit_word(out.dtype(), ctx.name(), [&]<class W>() {
    const W on = *ctx.input(2).data<W>();
    const W off = *ctx.input(3).data<W>();
    W* dst = out.mutable_data<W>();
    std::fill(dst, dst + out.num_elements(), off);
    visit_dtype<DTypeSet{DType::kUInt8, DType::kInt8, DType::kInt32, DType::kInt64}.bits()>(
        indices.dtype(), ctx.name(), [&]<class I>() {
          const I* idx = indices.data<I>();
          for (int64_t p = 0; p < prefix; ++p) {
            W* block = dst + p * depth * suffix;
            for (int64_t s = 0; s < suffix; ++s) {
              // Out-of-range indices (negative included) leave an all-off row, as in TF.
              const int64_t v = static_cast<int64_t>(idx[p * suffix + s]);
              if (v >= 0 && v < depth) block[v * suffix + s] = on;
            }
          }
        });
  });
}

}  // namespace

void register_one_hot_ops(OpRegistry& r) {
  r.add("OneHot")
      .input("indices", "TI")
      .input("depth", DType::kInt32)
      .input("on_value", "T")
      .input("off_value", "T")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("TI", DTypeSet{DType::kUInt8, DType::kInt8, DType::kInt32, DType::kInt64})
      .attr("axis", int64_t{-1})
      // As in TF: on_value/off_value get no gradient.
      .traits(kNotDifferentiable)
      .infer(infer_one_hot)
      .kernel(one_hot_kernel);
}

}  // namespace index_ops

void register_array_index_ops(OpRegistry& r) {
  index_ops::register_gather_ops(r);
  index_ops::register_scatter_ops(r);
  index_ops::register_select_ops(r);
  index_ops::register_one_hot_ops(r);
}

}  // namespace loom
