// Growing a tensor: constant padding (Pad, PadV2), mirrored padding (MirrorPad) and
// repetition (Tile). Kernels fill or copy rows; the interior is one strided copy.
#include <algorithm>
#include <cstring>

#include "loom/ops/array_common.h"
#include "loom/ops/array_grad_util.h"

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
  const std::vector<int64_t> pads = ctx.input(1).to_int64_vector(ctx.name());
  if (std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; })) {
    ctx.set_output(0, in);  // nothing to add (a TensorArray write that does not grow it)
    return;
  }
  const Tensor& out = ctx.output(0);
  if (out.num_elements() == 0) return;
  const size_t es = dtype_size(in.dtype());
  if (ctx.num_inputs() == 3) {
    cpu::fill_pattern(out.raw_data(), out.num_elements(), ctx.input(2).raw_data(), es);
  } else {
    std::memset(out.raw_data(), 0, out.nbytes());
  }
  copy_interior(in, out, pads);
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

// MirrorPadGrad: the padded gradient with every mirrored border added back onto the
// elements it copies. Shape: the input's minus the paddings.
void infer_mirror_pad_grad(InferContext& ctx) {
  require_rank(ctx, 1, 2, "paddings");
  const std::string& mode = ctx.attr_string("mode");
  if (mode != "REFLECT" && mode != "SYMMETRIC")
    raise(ErrorCode::kInvalidArgument, "[MirrorPadGrad] mode must be REFLECT or SYMMETRIC, got '",
          mode, "'");
  const Shape& in = ctx.input_shape(0);
  const Shape& pshape = ctx.input_shape(1);
  if (in.has_rank() && pshape.has_rank() &&
      ((pshape[0] >= 0 && pshape[0] != in.rank()) || (pshape[1] >= 0 && pshape[1] != 2)))
    raise(ErrorCode::kInvalidArgument,
          "[MirrorPadGrad] The first dimension of paddings must be the rank of inputs and the "
          "second 2: paddings shape ",
          pshape.to_string(), ", input shape ", in.to_string());
  auto pads = known_ints(ctx, 1);
  if (!in.has_rank() || !pads) {
    ctx.set_output(0, unknown_dims(in.rank()));
    return;
  }
  const int64_t limit_offset = mode == "REFLECT" ? 1 : 0;
  std::vector<int64_t> dims = in.dims();
  for (int i = 0; i < in.rank(); ++i) {
    const int64_t before = (*pads)[2 * i], after = (*pads)[2 * i + 1];
    if (before < 0 || after < 0)
      raise(ErrorCode::kInvalidArgument, "[MirrorPadGrad] Paddings must be non-negative: ", before,
            " ", after);
    if (in[i] < 0) continue;
    if (before > in[i] || after > in[i] - before)
      raise(ErrorCode::kInvalidArgument, "[MirrorPadGrad] paddings ", before, ", ", after,
            " exceed dimension ", i, " of the gradient's shape ", in.to_string());
    dims[i] = in[i] - before - after;
    if (before > dims[i] - limit_offset || after > dims[i] - limit_offset)
      raise(ErrorCode::kInvalidArgument, "[MirrorPadGrad] paddings must be ",
            limit_offset ? "less than" : "no greater than", " the dimension size: ", before, ", ",
            after, " for dimension ", i, " of size ", dims[i]);
  }
  ctx.set_output(0, Shape(std::move(dims)));
}

// Folds one dim at a time: viewed as [outer, padded, inner], row p of the padded dim is
// added to the input row it mirrors.
void mirror_pad_grad_kernel(KernelContext& ctx) {
  const std::vector<int64_t> pads = ctx.input(1).to_int64_vector(ctx.name());
  const bool reflect = ctx.attr_string("mode") == "REFLECT";
  Tensor cur = ctx.input(0);
  const int rank = cur.rank();
  for (int d = 0; d < rank; ++d) {
    const int64_t before = pads[2 * d], after = pads[2 * d + 1];
    if (before == 0 && after == 0) continue;
    std::vector<int64_t> dims = cur.shape().dims();
    const int64_t padded = dims[d], n = padded - before - after;
    dims[d] = n;
    Tensor next = Tensor::empty(cur.dtype(), Shape(dims), ctx.name());
    if (next.nbytes()) std::memset(next.raw_data(), 0, next.nbytes());
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < d; ++i) outer *= dims[i];
    for (int i = d + 1; i < rank; ++i) inner *= dims[i];
    visit_dtype<kNumeric.bits()>(cur.dtype(), ctx.name(), [&]<class T>() {
      const T* src = cur.data<T>();
      T* dst = next.mutable_data<T>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t p = 0; p < padded; ++p) {
          int64_t i = p - before;
          if (i < 0) i = reflect ? -i : -i - 1;
          if (i >= n) i = reflect ? 2 * (n - 1) - i : 2 * n - 1 - i;
          const T* s = src + (o * padded + p) * inner;
          T* t = dst + (o * n + i) * inner;
          for (int64_t k = 0; k < inner; ++k) t[k] += s[k];
        }
      }
    });
    cur = next;
  }
  ctx.set_output(0, cur);
}

// The begin corner ([rank] int64) of the unpadded box: column 0 of the paddings.
Tensor pad_begin(const Tensor& paddings) {
  if (auto p = grad::known_ints(paddings)) {
    std::vector<int64_t> begin(p->size() / 2);
    for (size_t i = 0; i < begin.size(); ++i) begin[i] = (*p)[2 * i];
    return grad::int_vector(begin);
  }
  static const OpRef slice("Slice");
  Tensor column = slice({grad::cast_as(paddings, DType::kInt64), grad::int_vector({0, 0}),
                         grad::int_vector({-1, 1})});
  return reshape_to(column, grad::int_vector({-1}));
}

// Pad and PadV2: the input's gradient is the interior box; PadV2's constant gets the
// sum over the padding, i.e. everything outside that box.
std::vector<Tensor> pad_grad(GradContext& ctx) {
  static const OpRef slice("Slice");
  static const OpRef sub("Sub");
  const Tensor& x = ctx.input(0);
  std::vector<Tensor> out(ctx.num_inputs());
  out[0] = slice({ctx.grad(0), pad_begin(ctx.input(1)), grad::shape_vec(x)});
  if (ctx.num_inputs() == 3 && ctx.needs(2))
    out[2] = sub({grad::sum_all(ctx.grad(0)), grad::sum_all(out[0])});
  if (!ctx.needs(0)) out[0] = Tensor();
  return out;
}

// Tile: the gradient viewed as [m0, d0, m1, d1, ...] summed over the repeats.
std::vector<Tensor> tile_grad(GradContext& ctx) {
  static const OpRef sum("Sum");
  const Tensor& x = ctx.input(0);
  const Tensor& multiples = ctx.input(1);
  const Tensor& g = ctx.grad(0);
  if (!x.shape().has_rank()) {
    // Rank known only at run time: build the split shape and the axes there.
    static const OpRef pack("Pack"), range("Range"), size("Size");
    Attrs axis1;
    axis1.set("axis", int64_t{1});
    const Tensor pair[] = {grad::cast_as(multiples, DType::kInt64), grad::shape_vec(x)};
    Tensor split = reshape_to(pack.multi(pair, axis1)[0], grad::int_vector({-1}));
    Attrs int64_out;
    int64_out.set("out_type", DType::kInt64);
    Tensor axes = range({grad::int_scalar(0), size({split}, int64_out), grad::int_scalar(2)});
    return {sum({reshape_to(g, split), axes}), Tensor()};
  }
  const int rank = x.rank();
  if (rank == 0) return {g, Tensor()};
  const auto known = grad::known_ints(multiples);
  std::vector<Tensor> split;
  std::vector<int64_t> axes;
  for (int i = 0; i < rank; ++i) {
    if (known) {
      split.push_back(grad::int_scalar((*known)[i]));
    } else {
      static const OpRef gather("GatherV2");
      split.push_back(gather(
          {grad::cast_as(multiples, DType::kInt64), grad::int_scalar(i), grad::int_scalar(0)}));
    }
    split.push_back(grad::dim_of(x, i));
    axes.push_back(2 * i);
  }
  return {sum({grad::reshape(g, split), grad::int_vector(axes)}), Tensor()};
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
      .kernel(pad_kernel)
      .gradient(pad_grad);

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
      .kernel(pad_kernel)
      .gradient(pad_grad);

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
      .kernel(mirror_pad_kernel)
      .gradient([](GradContext& ctx) {
        static const OpRef fold("MirrorPadGrad");
        Attrs attrs;
        attrs.set("mode", ctx.attr_string("mode"));
        return std::vector<Tensor>{fold({ctx.grad(0), ctx.input(1)}, attrs), Tensor()};
      });

  // TF's MirrorPadGrad: adds the mirrored borders of a padded gradient back onto the
  // input elements they copy. Linear, so its own gradient pads the same way again.
  r.add("MirrorPadGrad")
      .input("input", "T")
      .input("paddings", "Tpaddings")
      .output("output", "T")
      .type_var("T", kNumeric)
      .type_var("Tpaddings", kIndex)
      .attr("mode")
      .infer(infer_mirror_pad_grad)
      .kernel(mirror_pad_grad_kernel)
      .gradient([](GradContext& ctx) {
        static const OpRef mirror_pad("MirrorPad");
        Attrs attrs;
        attrs.set("mode", ctx.attr_string("mode"));
        return std::vector<Tensor>{mirror_pad({ctx.grad(0), ctx.input(1)}, attrs), Tensor()};
      });

  r.add("Tile")
      .input("input", "T")
      .input("multiples", "Tmultiples")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("Tmultiples", kIndex)
      .infer(infer_tile)
      .kernel(tile_kernel)
      .gradient(tile_grad);
}

}  // namespace loom
