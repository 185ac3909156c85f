#include "loom/ops/random_common.h"

#include "loom/ops/random_state.h"

namespace loom {

Shape shape_from_shape_input(const InferContext& ctx, int i) {
  const Shape& s = ctx.input_shape(i);
  if (s.has_rank() && s.rank() != 1)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
          "] shape must be a 1-D integer tensor, got a tensor of shape ", s.to_string());
  if (const Tensor* value = ctx.input_value(i)) {
    std::vector<int64_t> dims = value->to_int64_vector(ctx.name());
    checked_num_elements(dims, ctx.name());  // negative -> InvalidArgument, huge -> exhausted
    return Shape(std::move(dims));
  }
  if (!s.has_rank() || s.dim(0) < 0) return Shape::unknown_rank();
  return Shape(std::vector<int64_t>(s.dim(0), kUnknownDim));
}

DType checked_dtype_attr(const InferContext& ctx, const char* name, DTypeSet allowed) {
  const DType dt = ctx.attr_dtype(name);
  if (!allowed.contains(dt))
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] attribute '", name, "' is ",
          dtype_name(dt), "; expected one of: ", dtype_set_names(allowed));
  return dt;
}

void check_seed_input(const InferContext& ctx, int i) {
  const Shape& s = ctx.input_shape(i);
  if (s.has_rank() && !s.compatible_with(Shape{2}))
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] seed must have shape [2], got shape ",
          s.to_string());
}

void check_scalar_input(const InferContext& ctx, int i, const char* what) {
  const Shape& s = ctx.input_shape(i);
  if (s.has_rank() && s.rank() != 0)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] ", what, " must be a scalar, got shape ",
          s.to_string());
}

OpDef& declare_seeding(OpDef& def, Seeding seeding) {
  if (seeding == Seeding::kStateless)
    return def.input("seed", "Tseed").type_var("Tseed", dtypes::kIndex);
  return def.attr("seed", int64_t{0}).attr("seed2", int64_t{0}).traits(kStateful | kRandom);
}

cpu::RandomStream open_stream(const KernelContext& ctx, Seeding seeding, int seed_input,
                              uint64_t blocks) {
  if (seeding == Seeding::kStateful)
    return reserve_random_blocks(ctx.attr_int("seed"), ctx.attr_int("seed2"), blocks);
  const std::vector<int64_t> seed = ctx.input(seed_input).to_int64_vector(ctx.name());
  return {cpu::philox_for_seeds(static_cast<uint64_t>(seed[0]), static_cast<uint64_t>(seed[1])), 0};
}

}  // namespace loom
