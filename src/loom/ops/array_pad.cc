// Growing a tensor: constant padding (Pad, PadV2), mirrored padding (MirrorPad) and
// repetition (Tile). Kernels fill or copy rows; the interior is one strided copy.
#include <cstring>

#include "loom/ops/array_common.h"

namespace loom {

using namespace dtypes;

namespace {

// Validates the [rank, 2] paddings input and returns the padded shape. `limit_offset` is
// -1 for constant padding (no limit), 1 for REFLECT and 0 for SYMMETRIC mirror padding.
void infer_padded(InferContext& ctx, int limit_offset) {
  require_rank(ctx, 1, 2, "paddings");
  const Shape& in = ctx.input_shape(0);
  const Shape& pshape = ctx.input_shape(1);
  if (in.has_rank() && pshape.has_rank() &&
      ((pshape[0] >= 0 && pshape[0] != in.rank()) || (pshape[1] >= 0 && pshape[1] != 2)))
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
          "] The first dimension of paddings must be the rank of inputs and the second 2: "
          "paddings shape ",
          pshape.to_string(), ", input shape ", in.to_string());
  auto pads = known_ints(ctx, 1);
  if (!in.has_rank() || !pads) {
    ctx.set_output(0, unknown_dims(in.rank()));
    return;
  }
  std::vector<int64_t> dims = in.dims();
  for (int i = 0; i < in.rank(); ++i) {
    const int64_t before = (*pads)[2 * i], after = (*pads)[2 * i + 1];
    if (before < 0 || after < 0)
      raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
            "] Paddings must be non-negative: ", before, " ", after);
    if (limit_offset >= 0 && in[i] >= 0) {
      const int64_t limit = in[i] - limit_offset;
      if (before > limit || after > limit)
        raise(ErrorCode::kInvalidArgument, "[MirrorPad] paddings must be ",
              limit_offset ? "less than" : "no greater than", " the dimension size: ", before, ", ",
              after, limit_offset ? " not less than " : " greater than ", in[i], " (dimension ", i,
              " of input shape ", in.to_string(), ")");
    }
    if (in[i] >= 0) {
      if (before > kMaxElements || after > kMaxElements)
        raise(ErrorCode::kResourceExhausted, "[", ctx.name(), "] padding ", before, ", ", after,
              " is too large");
      dims[i] += before + after;
    }
  }
  check_size_if_known(dims, ctx.name());
  ctx.set_output(0, Shape(std::move(dims)));
}

// Byte offset in `out` of the element at the padding's "before" corner.
int64_t interior_offset(const std::vector<int64_t>& pads, const std::vector<int64_t>& strides) {
  int64_t off = 0;
  for (size_t i = 0; i < strides.size(); ++i) off += pads[2 * i] * strides[i];
  return off;
}

void copy_interior(const Tensor& in, const Tensor& out, const std::vector<int64_t>& pads) {
  const std::vector<int64_t> out_strides = strides_of(out.shape());
  const size_t es = dtype_size(in.dtype());
  char* dst = static_cast<char*>(out.raw_data()) + interior_offset(pads, out_strides) * es;
  cpu::strided_copy(in.shape().dims(), dst, out_strides, in.raw_data(), strides_of(in.shape()), es);
}

void pad_kernel(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  const Tensor& out = ctx.output(0);
  if (out.num_elements() == 0) return;
  const size_t es = dtype_size(in.dtype());
  if (ctx.num_inputs() == 3) {
    cpu::fill_pattern(out.raw_data(), out.num_elements(), ctx.input(2).raw_data(), es);
  } else {
    std::memset(out.raw_data(), 0, out.nbytes());
  }
  copy_interior(in, out, ctx.input(1).to_int64_vector(ctx.name()));
}

// Fills the borders of `out` (whose interior already holds the input) by mirroring,
// one dimension at a time from the innermost out: dim d's borders are copied with the
// dims inside d already complete and the dims outside d restricted to the interior.
void mirror_pad_kernel(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  const Tensor& out = ctx.output(0);
  if (out.num_elements() == 0) return;
  const std::vector<int64_t> pads = ctx.input(1).to_int64_vector(ctx.name());
  const int64_t edge = ctx.attr_string("mode") == "REFLECT" ? 0 : 1;  // SYMMETRIC repeats it
  copy_interior(in, out, pads);
  const int rank = in.rank();
  const size_t es = dtype_size(in.dtype());
  const std::vector<int64_t> strides = strides_of(out.shape());
  char* base = static_cast<char*>(out.raw_data());
  for (int d = rank - 1; d >= 0; --d) {
    const int64_t before = pads[2 * d], after = pads[2 * d + 1], n = in.dim(d);
    std::vector<int64_t> dims(rank);
    int64_t corner = 0;  // offset of the interior start in dims < d, 0 elsewhere
    for (int i = 0; i < rank; ++i) {
      dims[i] = i < d ? in.dim(i) : out.dim(i);
      if (i < d) corner += pads[2 * i] * strides[i];
    }
    std::vector<int64_t> src_strides = strides;
    src_strides[d] = -strides[d];  // mirrored: walk the source backwards
    if (before > 0) {
      dims[d] = before;
      const int64_t src_index = 2 * before - edge;
      cpu::strided_copy(dims, base + corner * es, strides,
                        base + (corner + src_index * strides[d]) * es, src_strides, es);
    }
    if (after > 0) {
      dims[d] = after;
      const int64_t dst_index = before + n, src_index = before + n - 2 + edge;
      cpu::strided_copy(dims, base + (corner + dst_index * strides[d]) * es, strides,
                        base + (corner + src_index * strides[d]) * es, src_strides, es);
    }
  }
}

void infer_tile(InferContext& ctx) {
  require_rank(ctx, 1, 1, "multiples");
  const Shape& in = ctx.input_shape(0);
  const Shape& mshape = ctx.input_shape(1);
  if (in.has_rank() && mshape.has_rank() && mshape[0] >= 0 && mshape[0] != in.rank())
    raise(ErrorCode::kInvalidArgument,
          "[Tile] Expected multiples argument to be a vector of length ", in.rank(),
          " but got length ", mshape[0]);
  auto multiples = known_ints(ctx, 1);
  if (!in.has_rank() || !multiples) {
    ctx.set_output(0, unknown_dims(in.rank()));
    return;
  }
  std::vector<int64_t> dims = in.dims();
  for (int i = 0; i < in.rank(); ++i) {
    const int64_t m = (*multiples)[i];
    if (m < 0)
      raise(ErrorCode::kInvalidArgument, "[Tile] Expected multiples[", i, "] >= 0, but got ", m);
    if (dims[i] >= 0) {
      std::vector<int64_t> pair{dims[i], m};
      dims[i] = checked_num_elements(pair, "Tile");
    }
  }
  check_size_if_known(dims, "Tile");
  ctx.set_output(0, Shape(std::move(dims)));
}

// Output viewed as [m0, d0, m1, d1, ...]: the source stride along each m is 0.
void tile_kernel(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  const Tensor& out = ctx.output(0);
  if (out.num_elements() == 0) return;
  const int rank = in.rank();
  if (rank == 0 || out.num_elements() == in.num_elements()) {
    std::memcpy(out.raw_data(), in.raw_data(), in.nbytes());
    return;
  }
  const std::vector<int64_t> mult = ctx.input(1).to_int64_vector(ctx.name());
  const std::vector<int64_t> in_strides = strides_of(in.shape());
  std::vector<int64_t> dims, src;
  for (int i = 0; i < rank; ++i) {
    dims.insert(dims.end(), {mult[i], in.dim(i)});
    src.insert(src.end(), {0, in_strides[i]});
  }
  cpu::strided_copy(dims, out.raw_data(), row_major_strides(dims), in.raw_data(), src,
                    dtype_size(in.dtype()));
}

}  // namespace

void register_array_pad_ops(OpRegistry& r) {
  r.add("Pad")
      .input("input", "T")
      .input("paddings", "Tpaddings")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("Tpaddings", kIndex)
      .infer([](InferContext& ctx) { infer_padded(ctx, -1); })
      .kernel(pad_kernel);

  r.add("PadV2")
      .input("input", "T")
      .input("paddings", "Tpaddings")
      .input("constant_values", "T")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("Tpaddings", kIndex)
      .infer([](InferContext& ctx) {
        require_rank(ctx, 2, 0, "constant_values");
        infer_padded(ctx, -1);
      })
      .kernel(pad_kernel);

  r.add("MirrorPad")
      .input("input", "T")
      .input("paddings", "Tpaddings")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("Tpaddings", kIndex)
      .attr("mode")
      .infer([](InferContext& ctx) {
        const std::string& mode = ctx.attr_string("mode");
        if (mode != "REFLECT" && mode != "SYMMETRIC")
          raise(ErrorCode::kInvalidArgument, "[MirrorPad] mode must be REFLECT or SYMMETRIC, got '",
                mode, "'");
        infer_padded(ctx, mode == "REFLECT" ? 1 : 0);
      })
      .kernel(mirror_pad_kernel);

  r.add("Tile")
      .input("input", "T")
      .input("multiples", "Tmultiples")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("Tmultiples", kIndex)
      .infer(infer_tile)
      .kernel(tile_kernel);
}

}  // namespace loom
