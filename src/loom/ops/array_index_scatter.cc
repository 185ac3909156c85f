// ScatterNd and the TensorScatter* family: writing slices into a tensor at N-d indices.
#include "loom/kernels/cpu/elementwise.h"
#include "loom/ops/array_grad_util.h"
#include "loom/ops/array_index_util.h"

namespace loom::index_ops {

using namespace dtypes;

namespace {

enum class Combine { kAssign, kAdd, kSub, kMax, kMin };

// Checks indices [..., k] and updates against the shape scattered into: updates must
// be indices.shape[:-1] + target.shape[k:]. Unknown dims and ranks pass.
void check_scatter_shapes(const Shape& indices, const Shape& updates, const Shape& target,
                          const char* op, const char* target_name) {
  if (!indices.has_rank()) return;
  if (indices.rank() < 1)
    raise(ErrorCode::kInvalidArgument, "[", op,
          "] indices must be at least 1 dimensional, got shape ", indices.to_string());
  const int64_t k = indices.dim(indices.rank() - 1);
  if (!target.has_rank() || k < 0) return;
  if (k > target.rank())
    raise(ErrorCode::kInvalidArgument, "[", op, "] index innermost dimension length ", k,
          " must be <= the rank of ", target_name, " ", target.to_string());
  if (!updates.has_rank()) return;
  std::vector<int64_t> want(indices.dims().begin(), indices.dims().end() - 1);
  want.insert(want.end(), target.dims().begin() + k, target.dims().end());
  const Shape expected(std::move(want));
  if (!updates.compatible_with(expected))
    raise(ErrorCode::kInvalidArgument, "[", op, "] updates shape ", updates.to_string(),
          " must equal indices.shape[:-1] + ", target_name, "[", k, ":] = ", expected.to_string(),
          " (indices shape ", indices.to_string(), ", ", target_name, " ", target.to_string(), ")");
}

// Output shape of ScatterNd from its `shape` input: the value when known, else only
// the rank when the length of `shape` is known.
Shape scatter_nd_output_shape(const InferContext& ctx) {
  const Shape& shape_shape = ctx.input_shape(2);
  if (shape_shape.has_rank() && shape_shape.rank() != 1)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] shape must be a vector, got shape ",
          shape_shape.to_string());
  if (const Tensor* value = ctx.input_value(2)) {
    std::vector<int64_t> dims = value->to_int64_vector(ctx.name());
    checked_num_elements(dims, ctx.name());
    return Shape(std::move(dims));
  }
  if (shape_shape.has_rank() && shape_shape.dim(0) >= 0)
    return Shape(std::vector<int64_t>(shape_shape.dim(0), kUnknownDim));
  return Shape::unknown_rank();
}

void infer_scatter_nd(InferContext& ctx) {
  Shape out = scatter_nd_output_shape(ctx);
  check_scatter_shapes(ctx.input_shape(0), ctx.input_shape(1), out, ctx.name(), "shape");
  ctx.set_output(0, std::move(out));
}

void infer_tensor_scatter(InferContext& ctx) {
  const Shape& tensor = ctx.input_shape(0);
  check_scatter_shapes(ctx.input_shape(1), ctx.input_shape(2), tensor, ctx.name(), "tensor shape");
  ctx.set_output(0, tensor);
}

// Slice offsets of every index tuple into `target`, validated.
std::vector<int64_t> scatter_offsets(const Tensor& indices, const Shape& target, const char* op) {
  const int64_t k = indices.dim(indices.rank() - 1);
  NdIndexing plan;
  plan.rows_per_batch = dims_product(indices.shape(), 0, indices.rank() - 1);
  plan.indexed_dims.assign(target.dims().begin(), target.dims().begin() + k);
  return nd_slice_offsets(indices, plan, op, "shape", target);
}

template <Combine C, class T>
T combine_one(T acc, T v) {
  if constexpr (C == Combine::kAssign) {
    return v;
  } else if constexpr (std::is_same_v<T, bool>) {
    return acc || v;  // bool "addition" saturates, as a logical or
  } else if constexpr (C == Combine::kAdd) {
    return static_cast<T>(acc + v);
  } else if constexpr (C == Combine::kSub) {
    return static_cast<T>(acc - v);
  } else if constexpr (C == Combine::kMax) {
    return v > acc ? v : acc;
  } else {
    return v < acc ? v : acc;
  }
}

// out[offsets[r]] (+)= updates[r], slice by slice, in order (so later duplicates win
// for kAssign). Long slices go through Eigen's vectorized array ops.
template <Combine C, class T>
void combine_rows(T* out, const T* updates, const std::vector<int64_t>& offsets, int64_t slice) {
  constexpr int64_t kVectorSlice = 16;
  const int64_t rows = static_cast<int64_t>(offsets.size());
  for (int64_t r = 0; r < rows; ++r) {
    T* dst = out + offsets[r] * slice;
    const T* src = updates + r * slice;
    if constexpr (!std::is_same_v<T, bool> && C != Combine::kAssign) {
      if (slice >= kVectorSlice) {
        cpu::Vec<T> d(dst, slice);
        cpu::ConstVec<T> s(src, slice);
        if constexpr (C == Combine::kAdd) d += s;
        if constexpr (C == Combine::kSub) d -= s;
        if constexpr (C == Combine::kMax) d = d.max(s);
        if constexpr (C == Combine::kMin) d = d.min(s);
        continue;
      }
    }
    for (int64_t j = 0; j < slice; ++j) dst[j] = combine_one<C>(dst[j], src[j]);
  }
}

template <uint32_t Types, Combine C>
void scatter_into(const Tensor& indices, const std::vector<int64_t>& offsets, const Tensor& updates,
                  Tensor& out, const char* op) {
  const int64_t k = indices.dim(indices.rank() - 1);
  const int64_t slice = dims_product(out.shape(), static_cast<int>(k), out.rank());
  if (offsets.empty() || slice == 0) return;
  if constexpr (C == Combine::kAssign) {
    visit_word(out.dtype(), op, [&]<class W>() {
      combine_rows<C>(out.mutable_data<W>(), updates.data<W>(), offsets, slice);
    });
  } else {
    visit_dtype<Types>(out.dtype(), op, [&]<class T>() {
      combine_rows<C>(out.mutable_data<T>(), updates.data<T>(), offsets, slice);
    });
  }
}

void scatter_nd_kernel(KernelContext& ctx) {
  const Tensor& indices = ctx.input(0);
  const Tensor& updates = ctx.input(1);
  if (ctx.input(2).rank() != 1)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] shape must be a vector, got shape ",
          ctx.input(2).shape().to_string());
  const Shape target(ctx.input(2).to_int64_vector(ctx.name()));
  check_scatter_shapes(indices.shape(), updates.shape(), target, ctx.name(), "shape");
  // Indices are validated before the output is allocated.
  const std::vector<int64_t> offsets = scatter_offsets(indices, target, ctx.name());
  Tensor& out = ctx.allocate_output(0, target);
  if (out.nbytes()) std::memset(out.raw_data(), 0, out.nbytes());
  const int64_t k = indices.dim(indices.rank() - 1);
  const int64_t slice = dims_product(target, static_cast<int>(k), target.rank());
  if (offsets.empty() || slice == 0) return;
  visit_dtype<kAll.bits()>(out.dtype(), ctx.name(), [&]<class T>() {
    combine_rows<Combine::kAdd>(out.mutable_data<T>(), updates.data<T>(), offsets, slice);
  });
}

template <uint32_t Types, Combine C>
OpDef& def_tensor_scatter(OpRegistry& r, const char* name) {
  return r.add(name)
      .input("tensor", "T")
      .input("indices", "Tindices")
      .input("updates", "T")
      .output("output", "T")
      .type_var("T", DTypeSet(Types))
      .type_var("Tindices", kIndex)
      .traits(kInPlaceInput0)
      .infer(infer_tensor_scatter)
      .kernel([](KernelContext& ctx) {
        const Tensor& tensor = ctx.input(0);
        const Tensor& indices = ctx.input(1);
        const Tensor& updates = ctx.input(2);
        check_scatter_shapes(indices.shape(), updates.shape(), tensor.shape(), ctx.name(),
                             "tensor shape");
        // Every index is validated before the copy is made.
        const std::vector<int64_t> offsets = scatter_offsets(indices, tensor.shape(), ctx.name());
        Tensor& out = ctx.output(0);  // may be `tensor` itself, when it is dead
        if (out.nbytes() && out.raw_data() != tensor.raw_data())
          std::memcpy(out.raw_data(), tensor.raw_data(), out.nbytes());
        scatter_into<Types, C>(indices, offsets, updates, out, ctx.name());
      });
}

Tensor gather_nd(const Tensor& params, const Tensor& indices) {
  static const OpRef op("GatherNd");
  return op({params, indices});
}

// TensorScatterMax/Min: each output element's gradient goes to the operands that equal
// it (the tensor's element and/or updates scattered there), split evenly between ties.
std::vector<Tensor> scatter_extremum_grad(GradContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  const Tensor& updates = ctx.input(2);
  if (!is_differentiable(x.dtype())) return {};
  static const OpRef equal("Equal"), cast("Cast"), add("AddV2"), mul("Mul"), div("RealDiv"),
      scatter("ScatterNd");
  Attrs to_t;
  to_t.set("DstT", x.dtype());
  const Tensor& y = ctx.output(0);
  Tensor x_hits = cast({equal({y, x})}, to_t);
  Tensor u_hits = cast({equal({gather_nd(y, indices), updates})}, to_t);
  Tensor count = add({x_hits, scatter({indices, u_hits, grad::shape_vec(x, indices.dtype())})});
  Tensor share = div({ctx.grad(0), count});
  return {mul({share, x_hits}), Tensor(), mul({gather_nd(share, indices), u_hits})};
}

}  // namespace

void register_scatter_ops(OpRegistry& r) {
  r.add("ScatterNd")
      .input("indices", "Tindices")
      .input("updates", "T")
      .input("shape", "Tindices")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("Tindices", kIndex)
      .infer(infer_scatter_nd)
      .kernel(scatter_nd_kernel)
      // Each update lands (added) at its index: its gradient is read back from there.
      .gradient([](GradContext& ctx) {
        return std::vector<Tensor>{Tensor(), gather_nd(ctx.grad(0), ctx.input(0)), Tensor()};
      });
  // Overwritten elements of the tensor get no gradient; every update gets the gradient
  // at its index (as in TF, also an update a later duplicate overwrote).
  def_tensor_scatter<kAll.bits(), Combine::kAssign>(r, "TensorScatterUpdate")
      .gradient([](GradContext& ctx) {
        static const OpRef update("TensorScatterUpdate");
        const Tensor& indices = ctx.input(1);
        std::vector<Tensor> out(3);
        if (ctx.needs(0)) out[0] = update({ctx.grad(0), indices, zeros_like(ctx.input(2))});
        if (ctx.needs(2)) out[2] = gather_nd(ctx.grad(0), indices);
        return out;
      });
  def_tensor_scatter<kNumeric.bits(), Combine::kAdd>(r, "TensorScatterAdd")
      .gradient([](GradContext& ctx) {
        std::vector<Tensor> out{ctx.grad(0), Tensor(), Tensor()};
        if (ctx.needs(2)) out[2] = gather_nd(ctx.grad(0), ctx.input(1));
        return out;
      });
  def_tensor_scatter<kNumeric.bits(), Combine::kSub>(r, "TensorScatterSub")
      .gradient([](GradContext& ctx) {
        std::vector<Tensor> out{ctx.grad(0), Tensor(), Tensor()};
        if (ctx.needs(2)) out[2] = grad::negate(gather_nd(ctx.grad(0), ctx.input(1)));
        return out;
      });
  def_tensor_scatter<kNumeric.bits(), Combine::kMax>(r, "TensorScatterMax")
      .gradient(scatter_extremum_grad);
  def_tensor_scatter<kNumeric.bits(), Combine::kMin>(r, "TensorScatterMin")
      .gradient(scatter_extremum_grad);
}

}  // namespace loom::index_ops
