// Array ops that change shape or layout, and creation ops. The ops live in the
// array_*.cc files by theme; this file registers them and holds their shared helpers.
#include "loom/ops/array_common.h"

namespace loom {

std::optional<std::vector<int64_t>> known_ints(const InferContext& ctx, int i) {
  const Tensor* v = ctx.input_value(i);
  if (!v) return std::nullopt;
  return v->to_int64_vector(ctx.name());
}

void require_rank(const InferContext& ctx, int i, int rank, const char* what) {
  const Shape& s = ctx.input_shape(i);
  if (!s.has_rank() || s.rank() == rank) return;
  raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] ", what, " must be ",
        rank == 0   ? "a scalar"
        : rank == 1 ? "a vector (1-D)"
                    : "a matrix (2-D)",
        ", got shape ", s.to_string());
}

void forward_input(KernelContext& ctx) {
  ctx.set_output(0, ctx.input(0));
}

void reshape_input(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  ctx.set_output(0, Tensor::from_buffer(in.dtype(), ctx.output_type(0).shape, in.buffer()));
}

void check_size_if_known(const std::vector<int64_t>& dims, const char* op) {
  for (int64_t d : dims)
    if (d < 0) return;
  checked_num_elements(dims, op);
}

Shape unknown_dims(int rank) {
  if (rank < 0) return Shape::unknown_rank();
  return Shape(std::vector<int64_t>(rank, kUnknownDim));
}

Tensor copy_box(const Tensor& in, const std::vector<int64_t>& begin, const Shape& out_shape,
                const std::vector<int64_t>& steps, const char* op) {
  const int rank = in.rank();
  const std::vector<int64_t> in_strides = strides_of(in.shape());
  int64_t offset = 0;
  for (int i = 0; i < rank; ++i)
    if (out_shape[i] > 0) offset += begin[i] * in_strides[i];
  const size_t es = dtype_size(in.dtype());
  // Contiguous when every dim inside the last partial one is whole and every dim
  // outside it has one element (stepping only matters where more than one is read).
  int last_partial = -1;
  for (int i = 0; i < rank; ++i)
    if (out_shape[i] != in.dim(i) || (steps[i] != 1 && out_shape[i] > 1)) last_partial = i;
  bool contiguous = last_partial < 0 || steps[last_partial] == 1 || out_shape[last_partial] <= 1;
  for (int i = 0; i < last_partial && contiguous; ++i) contiguous = out_shape[i] == 1;
  if (contiguous || out_shape.num_elements() == 0)
    return cpu::contiguous_range(in, in.dtype(), out_shape,
                                 out_shape.num_elements() == 0 ? 0 : offset * es, op);
  Tensor out = Tensor::empty(in.dtype(), out_shape, op);
  std::vector<int64_t> src_strides(rank);
  for (int i = 0; i < rank; ++i) src_strides[i] = in_strides[i] * steps[i];
  cpu::strided_copy(out_shape.dims(), out.raw_data(), strides_of(out_shape),
                    static_cast<const char*>(in.raw_data()) + offset * es, src_strides, es);
  return out;
}

void register_array_index_ops(OpRegistry& r);  // array_index.cc

void register_array_ops(OpRegistry& r) {
  register_array_index_ops(r);
  register_array_reshape_ops(r);
  register_array_join_ops(r);
  register_array_pad_ops(r);
  register_array_slice_ops(r);
  register_array_strided_slice_op(r);
  register_array_create_ops(r);
}

}  // namespace loom
