// GatherV2 and GatherNd: reading slices of a tensor at given indices.
#include "loom/ops/array_grad_util.h"
#include "loom/ops/array_index_util.h"

namespace loom::index_ops {

using namespace dtypes;

namespace {

// The parts of a GatherV2 call once axis and batch_dims are resolved against the ranks.
struct GatherAxes {
  int axis = 0;
  int batch_dims = 0;
};

int resolve_batch_dims(int64_t batch_dims, int indices_rank, const char* op) {
  if (batch_dims < -indices_rank || batch_dims > indices_rank)
    raise(ErrorCode::kInvalidArgument, "[", op, "] Expected batch_dims in the range [",
          -indices_rank, ", ", indices_rank, "], but got ", batch_dims);
  return static_cast<int>(batch_dims < 0 ? batch_dims + indices_rank : batch_dims);
}

// Checks that the leading `batch_dims` dims of params and indices agree.
void check_batch_dims(const Shape& params, const Shape& indices, int batch_dims, const char* op) {
  for (int i = 0; i < batch_dims; ++i) {
    const int64_t p = params.dim(i), q = indices.dim(i);
    if (p >= 0 && q >= 0 && p != q)
      raise(ErrorCode::kInvalidArgument, "[", op, "] params.shape[", i, "]: ", p,
            " should be equal to indices.shape[", i, "]: ", q, " (params shape ",
            params.to_string(), ", indices shape ", indices.to_string(), ")");
  }
}

GatherAxes resolve_gather_axes(const Shape& params, const Shape& indices, int64_t axis,
                               int64_t batch_dims, const char* op) {
  GatherAxes g;
  g.batch_dims = resolve_batch_dims(batch_dims, indices.rank(), op);
  if (g.batch_dims >= params.rank())
    raise(ErrorCode::kInvalidArgument, "[", op, "] batch_dims (", g.batch_dims,
          ") must be less than rank(params) (", params.rank(), ")");
  g.axis = normalize_axis(axis, params.rank(), op);
  if (g.axis < g.batch_dims)
    raise(ErrorCode::kInvalidArgument, "[", op, "] batch_dims (", g.batch_dims,
          ") must be less than or equal to axis (", g.axis, ")");
  check_batch_dims(params, indices, g.batch_dims, op);
  return g;
}

void infer_gather_v2(InferContext& ctx) {
  const Shape& params = ctx.input_shape(0);
  const Shape& indices = ctx.input_shape(1);
  const Shape& axis_shape = ctx.input_shape(2);
  if (axis_shape.has_rank() && axis_shape.rank() != 0)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] axis must be a scalar, got shape ",
          axis_shape.to_string());
  if (!params.has_rank() || !indices.has_rank()) {
    ctx.set_output(0, Shape::unknown_rank());
    return;
  }
  if (params.rank() < 1)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
          "] params must be at least 1 dimensional, got shape ", params.to_string());
  const int64_t batch_dims = ctx.attr_int("batch_dims");
  const Tensor* axis_value = ctx.input_value(2);
  if (!axis_value) {
    // The axis decides which dims survive; only the rank is known without it.
    const int bd = resolve_batch_dims(batch_dims, indices.rank(), ctx.name());
    const int rank = params.rank() - 1 + indices.rank() - bd;
    ctx.set_output(0, Shape(std::vector<int64_t>(std::max(rank, 0), kUnknownDim)));
    return;
  }
  const int64_t axis = scalar_index_value(*axis_value, ctx.name(), "axis");
  const GatherAxes g = resolve_gather_axes(params, indices, axis, batch_dims, ctx.name());
  std::vector<int64_t> dims(params.dims().begin(), params.dims().begin() + g.axis);
  for (int i = 0; i < g.batch_dims; ++i)
    if (dims[i] < 0) dims[i] = indices.dim(i);
  dims.insert(dims.end(), indices.dims().begin() + g.batch_dims, indices.dims().end());
  dims.insert(dims.end(), params.dims().begin() + g.axis + 1, params.dims().end());
  ctx.set_output(0, Shape(std::move(dims)));
}

void gather_v2_kernel(KernelContext& ctx) {
  const Tensor& params = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  const int64_t axis = scalar_index_value(ctx.input(2), ctx.name(), "axis");
  const GatherAxes g = resolve_gather_axes(params.shape(), indices.shape(), axis,
                                           ctx.attr_int("batch_dims"), ctx.name());
  const Shape& ps = params.shape();
  const int64_t batches = dims_product(ps, 0, g.batch_dims);
  const int64_t outer = dims_product(ps, g.batch_dims, g.axis);
  const int64_t axis_size = ps.dim(g.axis);
  const int64_t inner = dims_product(ps, g.axis + 1, ps.rank());
  const int64_t per_batch = dims_product(indices.shape(), g.batch_dims, indices.rank());

  const int64_t bad = first_out_of_range(indices, axis_size);
  if (bad >= 0)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] ",
          index_label(bad, indices.shape().dims()), " = ", index_value_at(indices, bad),
          " is not in [0, ", axis_size, ")");

  Tensor& out = ctx.output(0);
  if (out.num_elements() == 0) return;
  visit_word(params.dtype(), ctx.name(), [&]<class W>() {
    visit_dtype<kIndex.bits()>(indices.dtype(), ctx.name(), [&]<class I>() {
      const W* src = params.data<W>();
      const I* idx = indices.data<I>();
      W* dst = out.mutable_data<W>();
      for (int64_t b = 0; b < batches; ++b) {
        const I* rows = idx + b * per_batch;
        for (int64_t o = 0; o < outer; ++o) {
          const W* block = src + (b * outer + o) * axis_size * inner;
          copy_rows(block, rows, per_batch, inner, dst);
          dst += per_batch * inner;
        }
      }
    });
  });
}

// GatherNd with `batch_dims` leading dims shared by params and indices.
struct GatherNdDims {
  int batch_dims = 0;
  int64_t index_depth = -1;  // indices.shape[-1]; -1 when unknown
};

GatherNdDims check_gather_nd(const Shape& params, const Shape& indices, int64_t batch_dims,
                             const char* op) {
  GatherNdDims d;
  if (batch_dims < 0)
    raise(ErrorCode::kInvalidArgument, "[", op, "] batch_dims must be non-negative, got ",
          batch_dims);
  if (indices.rank() < 1)
    raise(ErrorCode::kInvalidArgument, "[", op,
          "] indices must be at least 1 dimensional, got shape ", indices.to_string());
  if (batch_dims >= indices.rank() || batch_dims > params.rank())
    raise(ErrorCode::kInvalidArgument, "[", op, "] batch_dims (", batch_dims,
          ") must be less than rank(indices) (", indices.rank(), ") and at most rank(params) (",
          params.rank(), ")");
  d.batch_dims = static_cast<int>(batch_dims);
  d.index_depth = indices.dim(indices.rank() - 1);
  if (d.index_depth > params.rank() - d.batch_dims)
    raise(ErrorCode::kInvalidArgument, "[", op,
          "] index innermost dimension length must be <= params rank; saw: ", d.index_depth,
          " vs. ", params.rank() - d.batch_dims, " (params shape ", params.to_string(),
          ", indices shape ", indices.to_string(), ", batch_dims ", batch_dims, ")");
  check_batch_dims(params, indices, d.batch_dims, op);
  return d;
}

void infer_gather_nd(InferContext& ctx) {
  const Shape& params = ctx.input_shape(0);
  const Shape& indices = ctx.input_shape(1);
  if (!params.has_rank() || !indices.has_rank()) {
    ctx.set_output(0, Shape::unknown_rank());
    return;
  }
  const GatherNdDims d = check_gather_nd(params, indices, ctx.attr_int("batch_dims"), ctx.name());
  if (d.index_depth < 0) {
    ctx.set_output(0, Shape::unknown_rank());
    return;
  }
  std::vector<int64_t> dims(indices.dims().begin(), indices.dims().end() - 1);
  for (int i = 0; i < d.batch_dims; ++i)
    if (dims[i] < 0) dims[i] = params.dim(i);
  dims.insert(dims.end(), params.dims().begin() + d.batch_dims + d.index_depth,
              params.dims().end());
  ctx.set_output(0, Shape(std::move(dims)));
}

void gather_nd_kernel(KernelContext& ctx) {
  const Tensor& params = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  const Shape& ps = params.shape();
  const GatherNdDims d =
      check_gather_nd(ps, indices.shape(), ctx.attr_int("batch_dims"), ctx.name());
  const int k_end = d.batch_dims + static_cast<int>(d.index_depth);
  NdIndexing plan;
  plan.batches = dims_product(ps, 0, d.batch_dims);
  plan.rows_per_batch = dims_product(indices.shape(), d.batch_dims, indices.rank() - 1);
  plan.batch_stride = dims_product(ps, d.batch_dims, k_end);
  plan.indexed_dims.assign(ps.dims().begin() + d.batch_dims, ps.dims().begin() + k_end);
  const std::vector<int64_t> offsets =
      nd_slice_offsets(indices, plan, ctx.name(), "param shape", ps);

  Tensor& out = ctx.output(0);
  if (out.num_elements() == 0) return;
  const int64_t slice = dims_product(ps, k_end, ps.rank());
  visit_word(params.dtype(), ctx.name(), [&]<class W>() {
    copy_rows(params.data<W>(), offsets.data(), static_cast<int64_t>(offsets.size()), slice,
              out.mutable_data<W>());
  });
}

// [mb, 1] int64 offsets b * n: batch b's rows start at b * n in the flattened target.
Tensor batch_offsets(const Tensor& mb, const Tensor& n) {
  const auto kmb = grad::known_int(mb), kn = grad::known_int(n);
  if (kmb && kn) {
    std::vector<int64_t> v(*kmb);
    for (int64_t b = 0; b < *kmb; ++b) v[b] = b * *kn;
    return reshape_to(grad::int_vector(v), grad::int_vector({*kmb, 1}));
  }
  static const OpRef range("Range"), mul("Mul");
  Tensor ids = range({grad::int_scalar(0), mb, grad::int_scalar(1)});
  return reshape_to(mul({ids, n}), grad::int_vector({-1, 1}));
}

// GatherV2: the params' gradient is the output gradient added (duplicates sum) into
// zeros at the gathered rows. With the params viewed as [batch, outer, n, inner] and
// the gradient as [batch, outer, k, inner], batch b's indices are offset by b * n so a
// single ScatterNd over [batch * n, outer, inner] does every batch at once.
std::vector<Tensor> gather_v2_grad(GradContext& ctx) {
  const Tensor& params = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  const auto axis = grad::known_int(ctx.input(2));
  if (!axis || !params.shape().has_rank() || !indices.shape().has_rank())
    raise(ErrorCode::kUnimplemented,
          "[GatherV2] the gradient needs a constant axis and params and indices of known rank");
  const GatherAxes ga = resolve_gather_axes(params.shape(), indices.shape(), *axis,
                                            ctx.attr_int("batch_dims"), "GatherV2");
  const int bd = ga.batch_dims, a = ga.axis;
  Tensor mb = grad::dims_product(params, 0, bd);
  Tensor outer = grad::dims_product(params, bd, a);
  Tensor n = grad::dim_of(params, a);
  Tensor inner = grad::dims_product(params, a + 1, params.rank());
  Tensor k = grad::dims_product(indices, bd, indices.rank());
  const bool moves = grad::known_int(outer) != 1;  // the gathered dim is not outermost
  Tensor rows = grad::reshape(ctx.grad(0), {mb, outer, k, inner});
  if (moves) rows = grad::transpose(rows, {0, 2, 1, 3});
  Tensor mbk = grad::mul_dims(mb, k);
  rows = grad::reshape(rows, {mbk, outer, inner});
  Tensor idx = grad::cast_as(indices, DType::kInt64);
  if (grad::known_int(mb) != 1) {
    static const OpRef add("AddV2");
    idx = add({grad::reshape(idx, {mb, k}), batch_offsets(mb, n)});
  }
  idx = grad::reshape(idx, {mbk, grad::int_scalar(1)});
  static const OpRef scatter("ScatterNd");
  Tensor out = scatter({idx, rows, grad::pack_dims({grad::mul_dims(mb, n), outer, inner})});
  if (moves) out = grad::transpose(grad::reshape(out, {mb, n, outer, inner}), {0, 2, 1, 3});
  return {reshape_to(out, grad::shape_vec(params)), Tensor(), Tensor()};
}

// GatherNd: the gradient added into zeros at the gathered index tuples. Batch dims are
// folded in as one leading index column holding each row's flattened batch number.
std::vector<Tensor> gather_nd_grad(GradContext& ctx) {
  const Tensor& params = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  static const OpRef scatter("ScatterNd");
  if (!params.shape().has_rank() || !indices.shape().has_rank())
    raise(ErrorCode::kUnimplemented,
          "[GatherNd] the gradient needs params and indices of known rank");
  const GatherNdDims d =
      check_gather_nd(params.shape(), indices.shape(), ctx.attr_int("batch_dims"), "GatherNd");
  Tensor idx = grad::cast_as(indices, DType::kInt64);
  if (d.batch_dims == 0) return {scatter({idx, ctx.grad(0), grad::shape_vec(params)}), Tensor()};
  if (d.index_depth < 0)
    raise(ErrorCode::kUnimplemented,
          "[GatherNd] the gradient with batch_dims needs the index depth to be known");
  const int bd = d.batch_dims, q = static_cast<int>(d.index_depth);
  Tensor mb = grad::dims_product(params, 0, bd);
  Tensor k = grad::dims_product(indices, bd, indices.rank() - 1);
  Tensor mbk = grad::mul_dims(mb, k);
  Tensor batch_ids;
  const auto kmb = grad::known_int(mb), kk = grad::known_int(k);
  if (kmb && kk) {
    std::vector<int64_t> v;
    for (int64_t b = 0; b < *kmb; ++b) v.insert(v.end(), *kk, b);
    batch_ids = reshape_to(grad::int_vector(v), grad::int_vector({-1, 1}));
  } else {
    static const OpRef range("Range"), tile("Tile");
    Tensor ids = reshape_to(range({grad::int_scalar(0), mb, grad::int_scalar(1)}),
                            grad::int_vector({-1, 1}));
    batch_ids = reshape_to(tile({ids, grad::pack_dims({grad::int_scalar(1), k})}),
                           grad::int_vector({-1, 1}));
  }
  static const OpRef concat("ConcatV2");
  Tensor full =
      concat({batch_ids, grad::reshape(idx, {mbk, grad::int_scalar(q)}), grad::int_scalar(1)});
  std::vector<Tensor> row_dims{mbk}, target{mb};
  for (int i = bd + q; i < params.rank(); ++i) row_dims.push_back(grad::dim_of(params, i));
  for (int i = bd; i < params.rank(); ++i) target.push_back(grad::dim_of(params, i));
  Tensor out = scatter({full, grad::reshape(ctx.grad(0), row_dims), grad::pack_dims(target)});
  return {reshape_to(out, grad::shape_vec(params)), Tensor()};
}

}  // namespace

void register_gather_ops(OpRegistry& r) {
  r.add("GatherV2")
      .input("params", "Tparams")
      .input("indices", "Tindices")
      .input("axis", "Taxis")
      .output("output", "Tparams")
      .type_var("Tparams", kAll)
      .type_var("Tindices", kIndex)
      .type_var("Taxis", kIndex)
      .attr("batch_dims", int64_t{0})
      .infer(infer_gather_v2)
      .kernel(gather_v2_kernel)
      .gradient(gather_v2_grad);

  r.add("GatherNd")
      .input("params", "Tparams")
      .input("indices", "Tindices")
      .output("output", "Tparams")
      .type_var("Tparams", kAll)
      .type_var("Tindices", kIndex)
      .attr("batch_dims", int64_t{0})
      .infer(infer_gather_nd)
      .kernel(gather_nd_kernel)
      .gradient(gather_nd_grad);
}

}  // namespace loom::index_ops
