// Ops whose output size depends on the data: Where (coordinates of true elements),
// BooleanMask and Unique. Their kernels size the output with allocate_output.
#include "loom/ops/array_grad_util.h"
#include "loom/ops/array_index_util.h"

namespace loom::index_ops {

using namespace dtypes;

namespace {

// --- Where ----------------------------------------------------------------------------

template <class T>
bool is_nonzero(T v) {
  if constexpr (std::is_same_v<T, bool>)
    return v;
  else
    return v != T(0);
}

void infer_where(InferContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  ctx.set_output(0,
                 in.has_rank() ? Shape{kUnknownDim, in.rank()} : Shape{kUnknownDim, kUnknownDim});
}

void where_kernel(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  const int rank = in.rank();
  const int64_t n = in.num_elements();
  visit_dtype<kAll.bits()>(in.dtype(), ctx.name(), [&]<class T>() {
    const T* p = in.data<T>();
    int64_t count = 0;
    for (int64_t i = 0; i < n; ++i) count += is_nonzero(p[i]);
    Tensor& out = ctx.allocate_output(0, Shape{count, rank});
    if (count == 0 || rank == 0) return;
    int64_t* dst = out.mutable_data<int64_t>();
    // Rows of the last dim; `lead` is the multi-index of the current row.
    const int64_t width = in.dim(rank - 1);
    const int64_t rows = n / width;
    std::vector<int64_t> lead(rank - 1, 0);
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = p + r * width;
      for (int64_t j = 0; j < width; ++j) {
        if (!is_nonzero(row[j])) continue;
        for (int d = 0; d < rank - 1; ++d) *dst++ = lead[d];
        *dst++ = j;
      }
      for (int d = rank - 2; d >= 0; --d) {
        if (++lead[d] < in.dim(d)) break;
        lead[d] = 0;
      }
    }
  });
}

// --- BooleanMask ---------------------------------------------------------------------

// tensor.shape[axis : axis + mask.rank] must equal mask.shape.
int check_boolean_mask(const Shape& tensor, const Shape& mask, int64_t axis, const char* op) {
  if (mask.rank() == 0) raise(ErrorCode::kInvalidArgument, "[", op, "] mask cannot be scalar");
  const int64_t a64 = axis < 0 ? axis + tensor.rank() : axis;
  if (a64 < 0 || a64 > tensor.rank() - mask.rank())
    raise(ErrorCode::kInvalidArgument, "[", op, "] a mask of rank ", mask.rank(), " at axis ", axis,
          " does not fit a tensor of shape ", tensor.to_string());
  const int a = static_cast<int>(a64);
  for (int i = 0; i < mask.rank(); ++i) {
    const int64_t t = tensor.dim(a + i), m = mask.dim(i);
    if (t >= 0 && m >= 0 && t != m)
      raise(ErrorCode::kInvalidArgument, "[", op, "] mask shape ", mask.to_string(),
            " must match dims [", a, ", ", a + mask.rank(), ") of tensor shape ",
            tensor.to_string());
  }
  return a;
}

void infer_boolean_mask(InferContext& ctx) {
  const Shape& tensor = ctx.input_shape(0);
  const Shape& mask = ctx.input_shape(1);
  if (!tensor.has_rank() || !mask.has_rank()) {
    ctx.set_output(0, Shape::unknown_rank());
    return;
  }
  const int a = check_boolean_mask(tensor, mask, ctx.attr_int("axis"), ctx.name());
  std::vector<int64_t> dims(tensor.dims().begin(), tensor.dims().begin() + a);
  dims.push_back(kUnknownDim);
  dims.insert(dims.end(), tensor.dims().begin() + a + mask.rank(), tensor.dims().end());
  ctx.set_output(0, Shape(std::move(dims)));
}

void boolean_mask_kernel(KernelContext& ctx) {
  const Tensor& tensor = ctx.input(0);
  const Tensor& mask = ctx.input(1);
  const Shape& ts = tensor.shape();
  const int a = check_boolean_mask(ts, mask.shape(), ctx.attr_int("axis"), ctx.name());
  const int end = a + mask.rank();
  const int64_t outer = dims_product(ts, 0, a);
  const int64_t masked = mask.num_elements();
  const int64_t inner = dims_product(ts, end, ts.rank());

  const bool* m = mask.data<bool>();
  int64_t true_count = 0;
  for (int64_t i = 0; i < masked; ++i) true_count += m[i];
  std::vector<int64_t> kept;
  kept.reserve(true_count);
  for (int64_t i = 0; i < masked; ++i)
    if (m[i]) kept.push_back(i);
  const int64_t count = static_cast<int64_t>(kept.size());

  std::vector<int64_t> dims(ts.dims().begin(), ts.dims().begin() + a);
  dims.push_back(count);
  dims.insert(dims.end(), ts.dims().begin() + end, ts.dims().end());
  Tensor& out = ctx.allocate_output(0, Shape(std::move(dims)));
  if (out.num_elements() == 0) return;
  visit_word(tensor.dtype(), ctx.name(), [&]<class W>() {
    const W* src = tensor.data<W>();
    W* dst = out.mutable_data<W>();
    for (int64_t o = 0; o < outer; ++o)
      copy_rows(src + o * masked * inner, kept.data(), count, inner, dst + o * count * inner);
  });
}

// --- Unique ------------------------------------------------------------------------

// Hash of a value consistent with ==: +0.0 and -0.0 hash alike; each NaN stays its own
// value (NaN != NaN), as in TensorFlow.
template <class T>
uint64_t value_hash(T v) {
  uint64_t bits;
  if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, half> ||
                std::is_same_v<T, bfloat16>) {
    const double d = v == T(0) ? 0.0 : static_cast<double>(v);
    std::memcpy(&bits, &d, sizeof bits);
  } else {
    bits = static_cast<uint64_t>(v);
  }
  // splitmix64 finalizer: spreads nearby integers over the table.
  bits ^= bits >> 30;
  bits *= 0xbf58476d1ce4e5b9ull;
  bits ^= bits >> 27;
  bits *= 0x94d049bb133111ebull;
  return bits ^ (bits >> 31);
}

// Fills idx[i] with the ordinal of x[i]'s first occurrence; returns the positions of
// first occurrences, in order. Open addressing keeps it to two allocations.
template <class T, class I>
std::vector<int64_t> unique_first_positions(const T* x, int64_t n, I* idx) {
  std::vector<int64_t> firsts;
  uint64_t capacity = 16;
  while (capacity < static_cast<uint64_t>(n) * 2) capacity <<= 1;
  std::vector<int64_t> slots(capacity, -1);  // ordinal of a unique value, or -1
  const uint64_t mask = capacity - 1;
  for (int64_t i = 0; i < n; ++i) {
    const T v = x[i];
    uint64_t s = value_hash(v) & mask;
    while (true) {
      const int64_t u = slots[s];
      if (u < 0) {
        slots[s] = static_cast<int64_t>(firsts.size());
        idx[i] = static_cast<I>(firsts.size());
        firsts.push_back(i);
        break;
      }
      if (x[firsts[u]] == v) {
        idx[i] = static_cast<I>(u);
        break;
      }
      s = (s + 1) & mask;
    }
  }
  return firsts;
}

void infer_unique(InferContext& ctx) {
  const Shape& x = ctx.input_shape(0);
  const DType out_idx = ctx.attr_dtype("out_idx");
  if (!kIndex.contains(out_idx))
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] out_idx must be int32 or int64, got ",
          dtype_name(out_idx));
  if (x.has_rank() && x.rank() != 1)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] unique expects a 1D vector, got shape ",
          x.to_string());
  if (out_idx == DType::kInt32 && x.has_rank() && x.dim(0) > INT32_MAX)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] ", x.dim(0),
          " elements do not fit int32 out_idx; use out_idx=int64");
  ctx.set_output(0, Shape{kUnknownDim});
  ctx.set_output(1, x.has_rank() ? x : Shape{kUnknownDim}, out_idx);
}

void unique_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& idx = ctx.output(1);
  const int64_t n = x.num_elements();
  visit_dtype<kAll.bits()>(x.dtype(), ctx.name(), [&]<class T>() {
    visit_dtype<kIndex.bits()>(idx.dtype(), ctx.name(), [&]<class I>() {
      const std::vector<int64_t> firsts =
          unique_first_positions(x.data<T>(), n, idx.mutable_data<I>());
      Tensor& y = ctx.allocate_output(0, Shape{static_cast<int64_t>(firsts.size())});
      copy_rows(x.data<T>(), firsts.data(), static_cast<int64_t>(firsts.size()), 1,
                y.mutable_data<T>());
    });
  });
}

// BooleanMask: the kept slices' gradients go back to the true positions of the mask,
// zeros elsewhere. Viewed as [outer, mask elements, inner] the scatter is over the
// middle dim, so it is moved first for the ScatterNd and back after.
std::vector<Tensor> boolean_mask_grad(GradContext& ctx) {
  const Tensor& tensor = ctx.input(0);
  const Tensor& mask = ctx.input(1);
  if (!tensor.shape().has_rank() || !mask.shape().has_rank())
    raise(ErrorCode::kUnimplemented,
          "[BooleanMask] the gradient needs tensor and mask of known rank");
  const int a =
      check_boolean_mask(tensor.shape(), mask.shape(), ctx.attr_int("axis"), "BooleanMask");
  const int r = tensor.rank(), mr = mask.rank();
  Tensor outer = grad::dims_product(tensor, 0, a);
  Tensor inner = grad::dims_product(tensor, a + mr, r);
  Tensor kept = grad::dim_of(ctx.output(0), a);
  const bool moves = grad::known_int(outer) != 1;
  Tensor rows = moves ? grad::transpose(grad::reshape(ctx.grad(0), {outer, kept, inner}), {1, 0, 2})
                      : grad::reshape(ctx.grad(0), {kept, outer, inner});
  static const OpRef where("Where"), scatter("ScatterNd");
  Tensor positions = where({reshape_to(mask, grad::int_vector({-1}))});
  Tensor out = scatter(
      {positions, rows, grad::pack_dims({grad::dims_product(tensor, a, a + mr), outer, inner})});
  if (moves) out = grad::transpose(out, {1, 0, 2});
  return {reshape_to(out, grad::shape_vec(tensor)), Tensor()};
}

}  // namespace

void register_select_ops(OpRegistry& r) {
  r.add("Where")
      .input("input", "T")
      .output("index", DType::kInt64)
      .type_var("T", kAll)
      .traits(kNotDifferentiable)
      .infer(infer_where)
      .kernel(where_kernel);

  r.add("BooleanMask")
      .input("tensor", "T")
      .input("mask", DType::kBool)
      .output("output", "T")
      .type_var("T", kAll)
      .attr("axis", int64_t{0})
      .infer(infer_boolean_mask)
      .kernel(boolean_mask_kernel)
      .gradient(boolean_mask_grad);

  r.add("Unique")
      .input("x", "T")
      .output("y", "T")
      .output_from_attr("idx", "out_idx")
      .type_var("T", kAll)
      .attr("out_idx", DType::kInt32)
      .infer(infer_unique)
      .kernel(unique_kernel)
      // Every element equal to y[j] sends y[j]'s gradient back to itself.
      .gradient([](GradContext& ctx) {
        static const OpRef gather("GatherV2");
        return std::vector<Tensor>{
            gather({ctx.grad(0), ctx.output(1), grad::int_scalar(0, ctx.output(1).dtype())})};
      });
}

}  // namespace loom::index_ops
