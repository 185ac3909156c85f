// StridedSlice with TensorFlow's full mask semantics: the sparse spec (one entry per
// index expression, with ellipsis, new-axis and shrink entries) is expanded into one
// (begin, size, step) per input dim plus the final shape.
#include <bit>
#include <cstring>

#include "loom/ops/array_common.h"
#include "loom/ops/array_grad_util.h"

namespace loom {

using namespace dtypes;

namespace {

struct SliceMasks {
  int64_t begin, end, ellipsis, new_axis, shrink;
  bool has(int64_t mask, size_t i) const { return i < 63 && ((mask >> i) & 1); }
};

// The dense form: per input dim, where to start, how many and which step; `out_dims` is
// the result's shape (new axes added, shrunk dims dropped). Unknown input dims give
// unknown sizes (graphs); `begin` is only meaningful when the shape is known.
struct DenseSlice {
  std::vector<int64_t> begin, size, step, out_dims;
};

void dense_dim(int dim, int64_t d, int64_t b, int64_t e, int64_t s, bool begin_masked,
               bool end_masked, bool shrink, DenseSlice& out) {
  if (s == 0)
    raise(ErrorCode::kInvalidArgument, "[StridedSlice] strides[", dim, "] must be non-zero");
  if (shrink) {
    if (s <= 0)
      raise(ErrorCode::kInvalidArgument,
            "[StridedSlice] only stride 1 allowed on non-range indexing.");
    int64_t idx = b < 0 && d >= 0 ? b + d : b;
    if (d >= 0 && (idx < 0 || idx >= d))
      raise(ErrorCode::kInvalidArgument, "[StridedSlice] slice index ", b, " of dimension ", dim,
            " out of bounds.");
    out.begin.push_back(idx);
    out.size.push_back(1);
    out.step.push_back(1);
    return;
  }
  if (d < 0) {
    out.begin.push_back(0);
    out.size.push_back(kUnknownDim);
    out.step.push_back(s);
    out.out_dims.push_back(kUnknownDim);
    return;
  }
  const int64_t lo = s > 0 ? 0 : -1, hi = s > 0 ? d : d - 1;
  auto canonical = [&](int64_t x, bool masked, bool is_begin) {
    if (masked) return s > 0 ? (is_begin ? 0 : d) : (is_begin ? d - 1 : -1);
    const int64_t fwd = x < 0 ? x + d : x;
    return fwd < lo ? lo : fwd > hi ? hi : fwd;
  };
  const int64_t cb = canonical(b, begin_masked, true), ce = canonical(e, end_masked, false);
  const int64_t interval = ce - cb;
  int64_t size = 0;
  if (interval != 0 && (interval > 0) == (s > 0)) size = interval / s + (interval % s != 0 ? 1 : 0);
  out.begin.push_back(cb);
  out.size.push_back(size);
  out.step.push_back(s);
  out.out_dims.push_back(size);
}

DenseSlice plan_strided_slice(const Shape& in, const std::vector<int64_t>& begin,
                              const std::vector<int64_t>& end, const std::vector<int64_t>& strides,
                              const SliceMasks& m) {
  const size_t n = begin.size();
  if (end.size() != n || strides.size() != n)
    raise(ErrorCode::kInvalidArgument,
          "[StridedSlice] Expected begin, end, and strides to be 1D equal size tensors, but "
          "got ",
          n, ", ", end.size(), " and ", strides.size(), " values instead.");
  const int64_t spec_bits = n >= 63 ? -1 : (int64_t{1} << n) - 1;
  const int64_t ellipsis = m.ellipsis & spec_bits;
  if (std::popcount(static_cast<uint64_t>(ellipsis)) > 1)
    raise(ErrorCode::kInvalidArgument,
          "[StridedSlice] Multiple ellipses in slice spec not allowed");
  const int rank = in.rank();
  int consuming = 0;
  for (size_t i = 0; i < n; ++i)
    if (!m.has(ellipsis, i) && !m.has(m.new_axis, i)) ++consuming;
  if (consuming > rank)
    raise(ErrorCode::kInvalidArgument, "[StridedSlice] Index out of range using input dim ", rank,
          "; input has only ", rank, " dims (the slice spec indexes ", consuming, " dims of ",
          in.to_string(), ")");
  DenseSlice out;
  int dim = 0;
  auto full = [&](int count) {
    for (int k = 0; k < count; ++k, ++dim) dense_dim(dim, in[dim], 0, 0, 1, true, true, false, out);
  };
  for (size_t i = 0; i < n; ++i) {
    if (m.has(ellipsis, i)) {
      full(rank - consuming);
    } else if (m.has(m.new_axis, i)) {
      out.out_dims.push_back(1);
    } else {
      dense_dim(dim, in[dim], begin[i], end[i], strides[i], m.has(m.begin, i), m.has(m.end, i),
                m.has(m.shrink, i), out);
      ++dim;
    }
  }
  full(rank - dim);  // an implicit ellipsis at the end
  return out;
}

SliceMasks masks_of(const auto& ctx) {
  return {ctx.attr_int("begin_mask"), ctx.attr_int("end_mask"), ctx.attr_int("ellipsis_mask"),
          ctx.attr_int("new_axis_mask"), ctx.attr_int("shrink_axis_mask")};
}

void infer_strided_slice(InferContext& ctx) {
  for (int i = 1; i <= 3; ++i)
    require_rank(ctx, i, 1, i == 1 ? "begin" : i == 2 ? "end" : "strides");
  const Shape& in = ctx.input_shape(0);
  auto begin = known_ints(ctx, 1);
  auto end = known_ints(ctx, 2);
  auto strides = known_ints(ctx, 3);
  if (!in.has_rank() || !begin || !end || !strides) {
    ctx.set_output(0, Shape::unknown_rank());
    return;
  }
  ctx.set_output(0, Shape(plan_strided_slice(in, *begin, *end, *strides, masks_of(ctx)).out_dims));
}

void strided_slice_kernel(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  DenseSlice plan = plan_strided_slice(in.shape(), ctx.input(1).to_int64_vector(ctx.name()),
                                       ctx.input(2).to_int64_vector(ctx.name()),
                                       ctx.input(3).to_int64_vector(ctx.name()), masks_of(ctx));
  Tensor box = copy_box(in, plan.begin, Shape(plan.size), plan.step, ctx.name());
  ctx.set_output(0, Tensor::from_buffer(in.dtype(), ctx.output_type(0).shape, box.buffer()));
}

// StridedSliceGrad(shape, begin, end, strides, dy): zeros of `shape` with dy written
// into the elements StridedSlice(begin, end, strides) of that shape reads.
void infer_strided_slice_grad(InferContext& ctx) {
  for (int i = 0; i <= 3; ++i)
    require_rank(ctx, i, 1, i == 0 ? "shape" : i == 1 ? "begin" : i == 2 ? "end" : "strides");
  auto shape = known_ints(ctx, 0);
  if (!shape) {
    const Shape& s = ctx.input_shape(0);
    ctx.set_output(0, unknown_dims(s.has_rank() && s[0] >= 0 ? static_cast<int>(s[0]) : -1));
    return;
  }
  checked_num_elements(*shape, "StridedSliceGrad");
  const Shape out(*shape);
  auto begin = known_ints(ctx, 1);
  auto end = known_ints(ctx, 2);
  auto strides = known_ints(ctx, 3);
  if (begin && end && strides) {
    const Shape sliced(plan_strided_slice(out, *begin, *end, *strides, masks_of(ctx)).out_dims);
    if (!ctx.input_shape(4).compatible_with(sliced))
      raise(ErrorCode::kInvalidArgument, "[StridedSliceGrad] dy has shape ",
            ctx.input_shape(4).to_string(), " but the slice of ", out.to_string(), " has shape ",
            sliced.to_string());
  }
  ctx.set_output(0, out);
}

void strided_slice_grad_kernel(KernelContext& ctx) {
  const Tensor& dy = ctx.input(4);
  const Shape shape(ctx.input(0).to_int64_vector(ctx.name()));
  DenseSlice plan = plan_strided_slice(shape, ctx.input(1).to_int64_vector(ctx.name()),
                                       ctx.input(2).to_int64_vector(ctx.name()),
                                       ctx.input(3).to_int64_vector(ctx.name()), masks_of(ctx));
  if (dy.shape() != Shape(plan.out_dims))
    raise(ErrorCode::kInvalidArgument, "[StridedSliceGrad] dy has shape ", dy.shape().to_string(),
          " but the slice of ", shape.to_string(), " has shape ", Shape(plan.out_dims).to_string());
  Tensor& out = ctx.allocate_output(0, shape);
  if (out.nbytes()) std::memset(out.raw_data(), 0, out.nbytes());
  const Shape box(plan.size);
  if (box.num_elements() == 0) return;
  const std::vector<int64_t> strides = strides_of(shape);
  std::vector<int64_t> dst_strides(strides.size());
  int64_t offset = 0;
  for (size_t i = 0; i < strides.size(); ++i) {
    offset += plan.begin[i] * strides[i];
    dst_strides[i] = strides[i] * plan.step[i];
  }
  const size_t es = dtype_size(dy.dtype());
  cpu::strided_copy(box.dims(), static_cast<char*>(out.raw_data()) + offset * es, dst_strides,
                    dy.raw_data(), strides_of(box), es);
}

// Attrs carrying the five masks of a StridedSlice-family op over to another.
Attrs mask_attrs(const GradContext& ctx) {
  Attrs attrs;
  for (const char* name :
       {"begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"})
    attrs.set(name, ctx.attr_int(name));
  return attrs;
}

// The type variables and mask attrs StridedSlice and its gradient share.
OpDef& declare_slice_attrs(OpDef& def) {
  return def.type_var("T", kAll)
      .type_var("Index", kIndex)
      .attr("begin_mask", int64_t{0})
      .attr("end_mask", int64_t{0})
      .attr("ellipsis_mask", int64_t{0})
      .attr("new_axis_mask", int64_t{0})
      .attr("shrink_axis_mask", int64_t{0});
}

}  // namespace

void register_array_strided_slice_op(OpRegistry& r) {
  declare_slice_attrs(r.add("StridedSlice")
                          .input("input", "T")
                          .input("begin", "Index")
                          .input("end", "Index")
                          .input("strides", "Index")
                          .output("output", "T"))
      .infer(infer_strided_slice)
      .kernel(strided_slice_kernel)
      .gradient([](GradContext& ctx) {
        static const OpRef slice_grad("StridedSliceGrad");
        Tensor shape = grad::shape_vec(ctx.input(0), ctx.input(1).dtype());
        return std::vector<Tensor>{
            slice_grad({shape, ctx.input(1), ctx.input(2), ctx.input(3), ctx.grad(0)},
                       mask_attrs(ctx)),
            Tensor(), Tensor(), Tensor()};
      });

  declare_slice_attrs(r.add("StridedSliceGrad")
                          .input("shape", "Index")
                          .input("begin", "Index")
                          .input("end", "Index")
                          .input("strides", "Index")
                          .input("dy", "T")
                          .output("output", "T"))
      .infer(infer_strided_slice_grad)
      .kernel(strided_slice_grad_kernel)
      // Linear in dy: its gradient reads the same elements back out.
      .gradient([](GradContext& ctx) {
        static const OpRef slice("StridedSlice");
        return std::vector<Tensor>{
            Tensor(), Tensor(), Tensor(), Tensor(),
            slice({ctx.grad(0), ctx.input(1), ctx.input(2), ctx.input(3)}, mask_attrs(ctx))};
      });
}

}  // namespace loom
