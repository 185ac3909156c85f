// Joining tensors along an axis (ConcatV2, Pack) and splitting one apart (Unpack,
// Split, SplitV). All of them move whole rows of bytes with memcpy.
#include <cstring>

#include "loom/ops/array_common.h"
#include "loom/ops/array_grad_util.h"

namespace loom {

using namespace dtypes;

namespace {

int64_t product(const std::vector<int64_t>& dims, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t i = from; i < to; ++i) n *= dims[i];
  return n;
}

// Interleaves rows: for each of `outer` steps, row k of source k is appended in turn.
void join_rows(char* dst, int64_t outer, const std::vector<const char*>& srcs,
               const std::vector<size_t>& row_bytes) {
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t k = 0; k < srcs.size(); ++k) {
      if (row_bytes[k] == 0) continue;
      std::memcpy(dst, srcs[k] + o * row_bytes[k], row_bytes[k]);
      dst += row_bytes[k];
    }
  }
}

// Cuts `in` along `axis` into consecutive pieces of `sizes`; output k's shape is the
// inferred one (the axis kept, or dropped for Unpack). A piece that is one contiguous
// range of the input shares its bytes.
void split_pieces(KernelContext& ctx, const Tensor& in, int axis,
                  const std::vector<int64_t>& sizes) {
  const std::vector<int64_t>& dims = in.shape().dims();
  const size_t es = dtype_size(in.dtype());
  const int64_t outer = product(dims, 0, axis);
  const size_t inner = static_cast<size_t>(product(dims, axis + 1, dims.size())) * es;
  const size_t in_row = static_cast<size_t>(dims[axis]) * inner;
  const char* src = static_cast<const char*>(in.raw_data());
  size_t start = 0;
  for (size_t k = 0; k < sizes.size(); ++k) {
    const size_t piece = static_cast<size_t>(sizes[k]) * inner;
    const Shape& shape = ctx.output_type(static_cast<int>(k)).shape;
    if (outer == 1) {
      ctx.set_output(static_cast<int>(k),
                     cpu::contiguous_range(in, in.dtype(), shape, start, ctx.name()));
    } else {
      char* dst = static_cast<char*>(ctx.output(static_cast<int>(k)).raw_data());
      if (piece > 0)
        for (int64_t o = 0; o < outer; ++o)
          std::memcpy(dst + o * piece, src + o * in_row + start, piece);
    }
    start += piece;
  }
}

int checked_axis(const InferContext& ctx, int64_t axis, int rank, const char* what) {
  if (axis < -rank || axis >= rank)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] ", what, " ", axis, " is out of range [",
          -rank, ", ", rank, ")");
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

int64_t scalar_value(const std::vector<int64_t>& v, const InferContext& ctx, const char* what) {
  if (v.size() != 1)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] ", what, " must be a scalar, got ",
          v.size(), " values");
  return v[0];
}

void infer_concat(InferContext& ctx) {
  const int n = ctx.num_inputs() - 1;
  if (n < 1) raise(ErrorCode::kInvalidArgument, "[ConcatV2] needs at least one value");
  require_rank(ctx, n, 0, "axis");
  const Shape* first = nullptr;
  int first_i = 0;
  for (int i = 0; i < n && !first; ++i)
    if (ctx.input_shape(i).has_rank()) first = &ctx.input_shape(first_i = i);
  if (!first) {
    ctx.set_output(0, Shape::unknown_rank());
    return;
  }
  const int rank = first->rank();
  if (rank == 0)
    raise(ErrorCode::kInvalidArgument,
          "[ConcatV2] Can't concatenate scalars (use tf.stack instead)");
  for (int i = 0; i < n; ++i) {
    const Shape& s = ctx.input_shape(i);
    if (s.has_rank() && s.rank() != rank)
      raise(ErrorCode::kInvalidArgument,
            "[ConcatV2] Ranks of all input tensors should match: shape[", first_i,
            "] = ", first->to_string(), " vs. shape[", i, "] = ", s.to_string());
  }
  auto axis_value = known_ints(ctx, n);
  if (!axis_value) {
    ctx.set_output(0, unknown_dims(rank));
    return;
  }
  const int64_t raw_axis = scalar_value(*axis_value, ctx, "axis");
  if (raw_axis < -rank || raw_axis >= rank)
    raise(ErrorCode::kInvalidArgument,
          "[ConcatV2] Expected concatenating dimensions in the range [", -rank, ", ", rank,
          "), but got ", raw_axis);
  const int axis = static_cast<int>(raw_axis < 0 ? raw_axis + rank : raw_axis);
  std::vector<int64_t> dims = first->dims();
  dims[axis] = 0;
  for (int i = 0; i < n; ++i) {
    const Shape& s = ctx.input_shape(i);
    if (!s.has_rank()) {
      dims[axis] = kUnknownDim;
      continue;
    }
    for (int d = 0; d < rank; ++d) {
      if (d == axis) continue;
      if (dims[d] >= 0 && s[d] >= 0 && dims[d] != s[d])
        raise(ErrorCode::kInvalidArgument, "[ConcatV2] Dimension ", d,
              " in both shapes must be equal: shape[", first_i, "] = ", first->to_string(),
              " vs. shape[", i, "] = ", s.to_string());
      if (dims[d] < 0) dims[d] = s[d];
    }
    if (dims[axis] >= 0) dims[axis] = s[axis] < 0 ? kUnknownDim : dims[axis] + s[axis];
  }
  ctx.set_output(0, Shape(std::move(dims)));
}

// Concatenation of n inputs whose rows (from `axis` inward) are laid end to end.
void concat_kernel(KernelContext& ctx, int n, int axis) {
  const Tensor& out = ctx.output(0);
  if (out.num_elements() == 0) return;
  const size_t es = dtype_size(out.dtype());
  std::vector<const char*> srcs(n);
  std::vector<size_t> rows(n);
  for (int k = 0; k < n; ++k) {
    const Tensor& t = ctx.input(k);
    srcs[k] = static_cast<const char*>(t.raw_data());
    rows[k] = static_cast<size_t>(product(t.shape().dims(), axis, t.rank())) * es;
  }
  join_rows(static_cast<char*>(out.raw_data()), product(out.shape().dims(), 0, axis), srcs, rows);
}

void infer_pack(InferContext& ctx) {
  const int n = ctx.num_inputs();
  if (n < 1) raise(ErrorCode::kInvalidArgument, "[Pack] needs at least one value");
  Shape merged = ctx.input_shape(0);
  for (int i = 1; i < n; ++i) {
    const Shape& s = ctx.input_shape(i);
    if (!merged.compatible_with(s))
      raise(ErrorCode::kInvalidArgument,
            "[Pack] Shapes of all inputs must match: values[0].shape = ",
            ctx.input_shape(0).to_string(), " != values[", i, "].shape = ", s.to_string());
    if (!merged.has_rank()) {
      merged = s;
    } else if (s.has_rank()) {
      for (int d = 0; d < s.rank(); ++d)
        if (merged[d] < 0) merged.mutable_dims()[d] = s[d];
    }
  }
  if (!merged.has_rank()) {
    ctx.set_output(0, Shape::unknown_rank());
    return;
  }
  const int rank = merged.rank();
  const int64_t a = ctx.attr_int("axis");
  if (a < -(rank + 1) || a > rank)
    raise(ErrorCode::kInvalidArgument, "[Pack] axis = ", a, " not in [", -(rank + 1), ", ",
          rank + 1, ")");
  std::vector<int64_t> dims = merged.dims();
  dims.insert(dims.begin() + (a < 0 ? a + rank + 1 : a), n);
  ctx.set_output(0, Shape(std::move(dims)));
}

// More outputs than this is a mistake, not a split: refused before any is set up (an
// empty axis divides into any number of pieces).
constexpr int64_t kMaxPieces = int64_t{1} << 20;

void check_num_pieces(const char* op, const char* attr, int64_t num, int64_t min) {
  if (num < min || num > kMaxPieces)
    raise(ErrorCode::kInvalidArgument, "[", op, "] ", attr, " must be in [", min, ", ", kMaxPieces,
          "], got ", num);
}

void infer_unpack(InferContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  const int64_t num = ctx.attr_int("num");
  check_num_pieces("Unpack", "num", num, 0);
  Shape piece = Shape::unknown_rank();
  if (in.has_rank()) {
    const int rank = in.rank();
    const int64_t a = ctx.attr_int("axis");
    if (a < -rank || a >= rank)
      raise(ErrorCode::kInvalidArgument, "[Unpack] axis = ", a, " not in [", -rank, ", ", rank,
            ")");
    const int axis = static_cast<int>(a < 0 ? a + rank : a);
    if (in[axis] >= 0 && in[axis] != num)
      raise(ErrorCode::kInvalidArgument, "[Unpack] Input shape axis ", axis, " must equal ", num,
            ", got shape ", in.to_string());
    std::vector<int64_t> dims = in.dims();
    dims.erase(dims.begin() + axis);
    piece = Shape(std::move(dims));
  }
  for (int64_t k = 0; k < num; ++k) ctx.set_output(static_cast<int>(k), piece);
}

void infer_split(InferContext& ctx) {
  const int64_t num = ctx.attr_int("num_split");
  if (num < 1)
    raise(ErrorCode::kInvalidArgument, "[Split] Number of ways to split should be > 0, but got ",
          num);
  check_num_pieces("Split", "num_split", num, 1);
  require_rank(ctx, 0, 0, "split_dim");
  const Shape& in = ctx.input_shape(1);
  auto axis_value = known_ints(ctx, 0);
  Shape piece = unknown_dims(in.rank());
  if (in.has_rank() && axis_value) {
    const int axis =
        checked_axis(ctx, scalar_value(*axis_value, ctx, "split_dim"), in.rank(), "split_dim");
    piece = in;
    if (in[axis] >= 0) {
      if (in[axis] % num != 0)
        raise(ErrorCode::kInvalidArgument,
              "[Split] Number of ways to split should evenly divide the split dimension, but "
              "got split_dim ",
              axis, " (size = ", in[axis], ") and num_split ", num);
      piece.mutable_dims()[axis] = in[axis] / num;
    }
  }
  for (int64_t k = 0; k < num; ++k) ctx.set_output(static_cast<int>(k), piece);
}

// The resolved sizes of SplitV (with its -1 filled in) for an axis of `dim` elements.
std::vector<int64_t> resolve_split_sizes(std::vector<int64_t> sizes, int64_t dim) {
  int unknown = -1;
  int64_t total = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1) {
      if (unknown >= 0)
        raise(ErrorCode::kInvalidArgument, "[SplitV] There can only be one -1 in the input.");
      unknown = static_cast<int>(i);
    } else if (sizes[i] < 0) {
      raise(ErrorCode::kInvalidArgument, "[SplitV] Split size at index ", i,
            " must be >= 0 (or -1 to infer it), got ", sizes[i]);
    } else {
      // Compared before adding: the sum of two huge sizes would overflow.
      if (sizes[i] > kMaxElements - total)
        raise(ErrorCode::kInvalidArgument, "[SplitV] split sizes add up to more than 2^40");
      total += sizes[i];
    }
  }
  if (dim < 0) {
    if (unknown >= 0) sizes[unknown] = kUnknownDim;
    return sizes;
  }
  if ((unknown < 0 && total != dim) || (unknown >= 0 && total > dim))
    raise(ErrorCode::kInvalidArgument,
          "[SplitV] Determined shape must either match input shape along split_dim exactly if "
          "fully specified, or be less than the size of input along split_dim if not fully "
          "specified.  Got: ",
          total, " for a split_dim of size ", dim);
  if (unknown >= 0) sizes[unknown] = dim - total;
  return sizes;
}

void infer_split_v(InferContext& ctx) {
  const int64_t num = ctx.attr_int("num_split");
  if (num < 1)
    raise(ErrorCode::kInvalidArgument, "[SplitV] Number of ways to split should be > 0, but got ",
          num);
  check_num_pieces("SplitV", "num_split", num, 1);
  require_rank(ctx, 1, 1, "size_splits");
  require_rank(ctx, 2, 0, "split_dim");
  const Shape& in = ctx.input_shape(0);
  auto sizes = known_ints(ctx, 1);
  auto axis_value = known_ints(ctx, 2);
  if (sizes && static_cast<int64_t>(sizes->size()) != num)
    raise(ErrorCode::kInvalidArgument, "[SplitV] size_splits has ", sizes->size(),
          " values but num_split is ", num);
  if (!in.has_rank() || !axis_value) {
    for (int64_t k = 0; k < num; ++k) ctx.set_output(static_cast<int>(k), unknown_dims(in.rank()));
    return;
  }
  const int axis =
      checked_axis(ctx, scalar_value(*axis_value, ctx, "split_dim"), in.rank(), "split_dim");
  std::vector<int64_t> resolved = sizes
                                      ? resolve_split_sizes(*sizes, in[axis])
                                      : std::vector<int64_t>(static_cast<size_t>(num), kUnknownDim);
  for (int64_t k = 0; k < num; ++k) {
    Shape piece = in;
    piece.mutable_dims()[axis] = resolved[k];
    ctx.set_output(static_cast<int>(k), std::move(piece));
  }
}

int kernel_axis(const KernelContext& ctx, int axis_input, int rank) {
  const int64_t a = ctx.input(axis_input).to_int64_vector(ctx.name())[0];
  return static_cast<int>(a < 0 ? a + rank : a);
}

// ConcatV2: the gradient is split back into pieces as long as the inputs along the axis.
std::vector<Tensor> concat_grad(GradContext& ctx) {
  const int n = ctx.num_inputs() - 1;
  std::vector<Tensor> out(n + 1);
  const Tensor& g = ctx.grad(0);
  if (n == 1) {
    out[0] = g;
    return out;
  }
  const int rank = g.shape().has_rank() ? g.rank() : -1;
  const auto known_axis = grad::known_int(ctx.input(n));
  std::vector<Tensor> sizes;
  Tensor split_dim;
  if (known_axis && rank >= 0) {
    const int a = static_cast<int>(*known_axis < 0 ? *known_axis + rank : *known_axis);
    for (int i = 0; i < n; ++i) sizes.push_back(grad::dim_of(ctx.input(i), a));
    split_dim = grad::int_scalar(a, DType::kInt32);
  } else {
    // The axis is only known when the graph runs: pick the sizes out of the shapes there.
    static const OpRef floor_mod("FloorMod"), rank_op("Rank"), gather("GatherV2");
    Tensor r = rank >= 0 ? grad::int_scalar(rank) : grad::cast_as(rank_op({g}), DType::kInt64);
    Tensor a = floor_mod({grad::cast_as(ctx.input(n), DType::kInt64), r});
    for (int i = 0; i < n; ++i)
      sizes.push_back(gather({grad::shape_vec(ctx.input(i)), a, grad::int_scalar(0)}));
    split_dim = grad::cast_as(a, DType::kInt32);
  }
  static const OpRef split_v("SplitV");
  const Tensor in[] = {g, grad::pack_dims(sizes), split_dim};
  Attrs attrs;
  attrs.set("num_split", int64_t{n});
  std::vector<Tensor> pieces = split_v.multi(in, attrs);
  for (int i = 0; i < n; ++i) out[i] = std::move(pieces[i]);
  return out;
}

// Split and SplitV: the pieces' gradients joined again along the split axis.
Tensor join_grads(const GradContext& ctx, const Tensor& split_dim) {
  static const OpRef concat("ConcatV2");
  std::vector<Tensor> in(ctx.grads().begin(), ctx.grads().end());
  in.push_back(split_dim);
  return concat.multi(in)[0];
}

}  // namespace

void register_array_join_ops(OpRegistry& r) {
  r.add("ConcatV2")
      .variadic_input("values", "T")
      .input("axis", "Tidx")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("Tidx", kIndex)
      .infer(infer_concat)
      .kernel([](KernelContext& ctx) {
        const int n = ctx.num_inputs() - 1;
        if (n == 1) return forward_input(ctx);
        concat_kernel(ctx, n, kernel_axis(ctx, n, ctx.output_type(0).shape.rank()));
      })
      .gradient(concat_grad);

  r.add("Pack")
      .variadic_input("values", "T")
      .output("output", "T")
      .type_var("T", kAll)
      .attr("axis", int64_t{0})
      .infer(infer_pack)
      .kernel([](KernelContext& ctx) {
        const int rank = ctx.output_type(0).shape.rank();
        const int64_t a = ctx.attr_int("axis");
        concat_kernel(ctx, ctx.num_inputs(), static_cast<int>(a < 0 ? a + rank : a));
      })
      .gradient([](GradContext& ctx) {
        static const OpRef unpack("Unpack");
        Attrs attrs;
        attrs.set("num", int64_t{ctx.num_inputs()});
        attrs.set("axis", ctx.attr_int("axis"));
        const Tensor in[] = {ctx.grad(0)};
        return unpack.multi(in, attrs);
      });

  r.add("Unpack")
      .input("value", "T")
      .output("output", "T")
      .type_var("T", kAll)
      .attr("num")
      .attr("axis", int64_t{0})
      .infer(infer_unpack)
      .kernel([](KernelContext& ctx) {
        const Tensor& in = ctx.input(0);
        const int64_t a = ctx.attr_int("axis");
        const int axis = static_cast<int>(a < 0 ? a + in.rank() : a);
        split_pieces(ctx, in, axis, std::vector<int64_t>(in.dim(axis), 1));
      })
      .gradient([](GradContext& ctx) {
        static const OpRef pack("Pack");
        Attrs attrs;
        attrs.set("axis", ctx.attr_int("axis"));
        return pack.multi(ctx.grads(), attrs);
      });

  r.add("Split")
      .input("split_dim", DType::kInt32)
      .input("value", "T")
      .output("output", "T")
      .type_var("T", kAll)
      .attr("num_split")
      .infer(infer_split)
      .kernel([](KernelContext& ctx) {
        const Tensor& in = ctx.input(1);
        const int axis = kernel_axis(ctx, 0, in.rank());
        const int64_t num = ctx.attr_int("num_split");
        split_pieces(ctx, in, axis, std::vector<int64_t>(num, in.dim(axis) / num));
      })
      .gradient([](GradContext& ctx) {
        return std::vector<Tensor>{Tensor(), join_grads(ctx, ctx.input(0))};
      });

  r.add("SplitV")
      .input("value", "T")
      .input("size_splits", "Tlen")
      .input("split_dim", DType::kInt32)
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("Tlen", kIndex)
      .attr("num_split")
      .infer(infer_split_v)
      .kernel([](KernelContext& ctx) {
        const Tensor& in = ctx.input(0);
        const int axis = kernel_axis(ctx, 2, in.rank());
        std::vector<int64_t> sizes(ctx.num_outputs());
        for (int k = 0; k < ctx.num_outputs(); ++k) sizes[k] = ctx.output_type(k).shape[axis];
        split_pieces(ctx, in, axis, sizes);
      })
      .gradient([](GradContext& ctx) {
        return std::vector<Tensor>{join_grads(ctx, ctx.input(2)), Tensor(), Tensor()};
      });
}

}  // namespace loom
