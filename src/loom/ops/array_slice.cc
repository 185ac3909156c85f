// Reading a box or a reordering of a tensor: Slice, ReverseV2, Roll, Transpose.
#include <algorithm>
#include <string>

#include "loom/ops/array_common.h"
#include "loom/ops/array_grad_util.h"

namespace loom {

using namespace dtypes;

namespace {

void infer_slice(InferContext& ctx) {
  require_rank(ctx, 1, 1, "begin");
  require_rank(ctx, 2, 1, "size");
  const Shape& in = ctx.input_shape(0);
  const Shape& bs = ctx.input_shape(1);
  const Shape& ss = ctx.input_shape(2);
  if (in.has_rank() && bs.has_rank() && ss.has_rank() &&
      ((bs[0] >= 0 && bs[0] != in.rank()) || (ss[0] >= 0 && ss[0] != in.rank())))
    raise(ErrorCode::kInvalidArgument,
          "[Slice] Expected begin and size arguments to be 1-D "
          "tensors of size ",
          in.rank(), ", but got shapes ", bs.to_string(), " and ", ss.to_string(), " instead.");
  auto begin = known_ints(ctx, 1);
  auto size = known_ints(ctx, 2);
  if (!in.has_rank() || !begin || !size) {
    ctx.set_output(0, unknown_dims(in.rank()));
    return;
  }
  std::vector<int64_t> dims(in.rank());
  for (int i = 0; i < in.rank(); ++i) {
    const int64_t b = (*begin)[i], d = in[i];
    int64_t s = (*size)[i];
    if (d < 0) {
      dims[i] = s == -1 ? kUnknownDim : s;
      continue;
    }
    if (b < 0 || b > d)
      raise(ErrorCode::kInvalidArgument, "[Slice] Expected begin[", i, "] in [0, ", d,
            "], but got ", b);
    if (s == -1) s = d - b;
    if (s < 0 || s > d - b)
      raise(ErrorCode::kInvalidArgument, "[Slice] Expected size[", i, "] in [0, ", d - b,
            "], but got ", s);
    dims[i] = s;
  }
  ctx.set_output(0, Shape(std::move(dims)));
}

void slice_kernel(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  const std::vector<int64_t> begin = ctx.input(1).to_int64_vector(ctx.name());
  ctx.set_output(0, copy_box(in, begin, ctx.output_type(0).shape,
                             std::vector<int64_t>(in.rank(), 1), ctx.name()));
}

// Checks ReverseV2's axes (known rank and values): in range and not repeated.
void check_reverse_axes(const InferContext& ctx) {
  const int rank = ctx.input_shape(0).rank();
  std::vector<bool> seen(rank, false);
  const std::vector<int64_t> axes = *known_ints(ctx, 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = axes[i];
    if (a < -rank || a >= rank)
      raise(ErrorCode::kInvalidArgument, "[ReverseV2] 'axis'[", i, "] = ", a,
            " is out of valid range [", -rank, ", ", rank, ") for a tensor of shape ",
            ctx.input_shape(0).to_string());
    const int axis = static_cast<int>(a < 0 ? a + rank : a);
    if (seen[axis])
      raise(ErrorCode::kInvalidArgument, "[ReverseV2] axis ", axis, " specified more than once.");
    seen[axis] = true;
  }
}

void reverse_kernel(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  const int rank = in.rank();
  std::vector<int64_t> begin(rank, 0), steps(rank, 1);
  bool any = false;
  for (int64_t a : ctx.input(1).to_int64_vector(ctx.name())) {
    const int axis = static_cast<int>(a < 0 ? a + rank : a);
    if (in.dim(axis) <= 1) continue;
    begin[axis] = in.dim(axis) - 1;
    steps[axis] = -1;
    any = true;
  }
  if (!any) return forward_input(ctx);
  ctx.set_output(0, copy_box(in, begin, in.shape(), steps, ctx.name()));
}

void infer_roll(InferContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  for (int i : {1, 2}) {
    const Shape& s = ctx.input_shape(i);
    if (s.has_rank() && s.rank() > 1)
      raise(ErrorCode::kInvalidArgument, "[Roll] ", i == 1 ? "shift" : "axis",
            " must be a scalar or a 1-D vector. Found: ", s.to_string());
  }
  auto shift = known_ints(ctx, 1);
  auto axis = known_ints(ctx, 2);
  if (shift && axis && shift->size() != axis->size())
    raise(ErrorCode::kInvalidArgument, "[Roll] shift and axis must have the same size, got ",
          shift->size(), " and ", axis->size());
  if (axis && in.has_rank()) {
    const int rank = in.rank();
    for (int64_t a : *axis)
      if (a < -rank || a >= rank)
        raise(ErrorCode::kInvalidArgument, "[Roll] axis ", a, " is out of range [", -rank, ", ",
              rank, ") for a tensor of shape ", in.to_string());
  }
  ctx.set_output(0, in);
}

// Each rolled dim splits into two segments that swap places; every combination of
// segments is one strided box copy (2^k boxes for k rolled dims).
void roll_kernel(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  const int rank = in.rank();
  const std::vector<int64_t> shifts = ctx.input(1).to_int64_vector(ctx.name());
  const std::vector<int64_t> axes = ctx.input(2).to_int64_vector(ctx.name());
  std::vector<int64_t> shift(rank, 0);
  for (size_t k = 0; k < axes.size(); ++k) {
    const int a = static_cast<int>(axes[k] < 0 ? axes[k] + rank : axes[k]);
    const int64_t n = in.dim(a);
    if (n > 0) shift[a] = ((shift[a] + shifts[k] % n) % n + n) % n;
  }
  std::vector<int> rolled;
  for (int d = 0; d < rank; ++d)
    if (shift[d] != 0) rolled.push_back(d);
  if (rolled.empty() || in.num_elements() == 0) return forward_input(ctx);
  const Tensor& out = ctx.output(0);
  const std::vector<int64_t> strides = strides_of(in.shape());
  const size_t es = dtype_size(in.dtype());
  const char* src = static_cast<const char*>(in.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  for (uint32_t combo = 0; combo < (1u << rolled.size()); ++combo) {
    std::vector<int64_t> dims = in.shape().dims();
    int64_t src_off = 0, dst_off = 0;
    for (size_t k = 0; k < rolled.size(); ++k) {
      const int d = rolled[k];
      const int64_t n = in.dim(d), s = shift[d];
      if (combo & (1u << k)) {  // the tail of the input wraps to the front
        dims[d] = s;
        src_off += (n - s) * strides[d];
      } else {
        dims[d] = n - s;
        dst_off += s * strides[d];
      }
    }
    cpu::strided_copy(dims, dst + dst_off * es, strides, src + src_off * es, strides, es);
  }
}

std::string join_ints(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s.push_back(',');
    s.append(std::to_string(v[i]));
  }
  return s;
}

void infer_transpose(InferContext& ctx) {
  require_rank(ctx, 1, 1, "perm");
  const Shape& in = ctx.input_shape(0);
  const Shape& ps = ctx.input_shape(1);
  if (in.has_rank() && ps.has_rank() && ps[0] >= 0 && ps[0] != in.rank())
    raise(ErrorCode::kInvalidArgument, "[Transpose] transpose expects a vector of size ", in.rank(),
          ". But input(1) is a vector of size ", ps[0]);
  auto perm = known_ints(ctx, 1);
  const int rank = in.has_rank() ? in.rank() : (ps.has_rank() ? static_cast<int>(ps[0]) : -1);
  if (!perm || !in.has_rank()) {
    ctx.set_output(0, unknown_dims(rank));
    return;
  }
  std::vector<bool> seen(rank, false);
  for (int64_t p : *perm) {
    if (p < 0 || p >= rank)
      raise(ErrorCode::kInvalidArgument, "[Transpose] ", p, " is out of range [0 .. ", rank, ")");
    seen[p] = true;
  }
  for (int i = 0; i < rank; ++i)
    if (!seen[i])
      raise(ErrorCode::kInvalidArgument, "[Transpose] ", i, " is missing from {", join_ints(*perm),
            "}.");
  std::vector<int64_t> dims(rank);
  for (int i = 0; i < rank; ++i) dims[i] = in[(*perm)[i]];
  ctx.set_output(0, Shape(std::move(dims)));
}

void transpose_kernel(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  const std::vector<int64_t> perm64 = ctx.input(1).to_int64_vector(ctx.name());
  std::vector<int> perm(perm64.begin(), perm64.end());
  // Moving only size-1 dims leaves the bytes in place.
  std::vector<int> moved;
  for (int p : perm)
    if (in.dim(p) != 1) moved.push_back(p);
  if (std::is_sorted(moved.begin(), moved.end()) || in.num_elements() <= 1)
    return reshape_input(ctx);
  cpu::transpose(in, ctx.output(0), perm);
}

// Slice: the gradient padded back to the input's shape around the box.
std::vector<Tensor> slice_grad(GradContext& ctx) {
  static const OpRef pad("Pad");
  const Tensor& x = ctx.input(0);
  const Tensor& y = ctx.output(0);
  const auto begin = grad::known_ints(ctx.input(1));
  Tensor paddings;
  if (begin && x.shape().is_fully_defined() && y.shape().is_fully_defined()) {
    std::vector<int64_t> p;
    for (int i = 0; i < x.rank(); ++i)
      p.insert(p.end(), {(*begin)[i], x.dim(i) - (*begin)[i] - y.dim(i)});
    paddings = reshape_to(grad::int_vector(p), grad::int_vector({x.rank(), 2}));
  } else {
    static const OpRef sub("Sub"), pack("Pack");
    Tensor b = grad::cast_as(ctx.input(1), DType::kInt64);
    Tensor after = sub({sub({grad::shape_vec(x), b}), grad::shape_vec(y)});
    Attrs axis1;
    axis1.set("axis", int64_t{1});
    const Tensor cols[] = {b, after};
    paddings = pack.multi(cols, axis1)[0];
  }
  return {pad({ctx.grad(0), paddings}), Tensor(), Tensor()};
}

// Roll: rolling the gradient back by the negated shifts.
Tensor negated_shift(const Tensor& shift) {
  if (auto k = grad::known_ints(shift)) {
    for (int64_t& v : *k) v = -v;
    return shift.rank() == 0 ? grad::int_scalar((*k)[0], shift.dtype())
                             : grad::int_vector(*k, shift.dtype());
  }
  return grad::negate(shift);
}

// Transpose: transposing back by the inverse permutation.
Tensor inverse_permutation(const Tensor& perm) {
  if (auto p = grad::known_ints(perm)) {
    std::vector<int64_t> inv(p->size());
    for (size_t i = 0; i < p->size(); ++i) inv[(*p)[i]] = static_cast<int64_t>(i);
    return grad::int_vector(inv, perm.dtype());
  }
  static const OpRef invert("InvertPermutation");
  return invert({perm});
}

void invert_permutation_kernel(KernelContext& ctx) {
  const std::vector<int64_t> p = ctx.input(0).to_int64_vector(ctx.name());
  const int64_t n = static_cast<int64_t>(p.size());
  std::vector<int64_t> inv(p.size(), -1);
  for (int64_t i = 0; i < n; ++i) {
    if (p[i] < 0 || p[i] >= n)
      raise(ErrorCode::kInvalidArgument, "[InvertPermutation] ", p[i], " is not between 0 and ", n);
    if (inv[p[i]] >= 0)
      raise(ErrorCode::kInvalidArgument, "[InvertPermutation] ", p[i],
            " is duplicated in the input.");
    inv[p[i]] = i;
  }
  const Tensor& out = ctx.output(0);
  visit_dtype<kIndex.bits()>(out.dtype(), ctx.name(), [&]<class T>() {
    T* dst = out.mutable_data<T>();
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<T>(inv[i]);
  });
}

}  // namespace

void register_array_slice_ops(OpRegistry& r) {
  r.add("Slice")
      .input("input", "T")
      .input("begin", "Index")
      .input("size", "Index")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("Index", kIndex)
      .infer(infer_slice)
      .kernel(slice_kernel)
      .gradient(slice_grad);

  r.add("ReverseV2")
      .input("tensor", "T")
      .input("axis", "Tidx")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("Tidx", kIndex)
      .infer([](InferContext& ctx) {
        require_rank(ctx, 1, 1, "axis");
        if (ctx.input_shape(0).has_rank() && ctx.input_value(1)) check_reverse_axes(ctx);
        ctx.set_output(0, ctx.input_shape(0));
      })
      .kernel(reverse_kernel)
      .gradient([](GradContext& ctx) {
        static const OpRef reverse("ReverseV2");
        return std::vector<Tensor>{reverse({ctx.grad(0), ctx.input(1)}), Tensor()};
      });

  r.add("Roll")
      .input("input", "T")
      .input("shift", "Tshift")
      .input("axis", "Taxis")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("Tshift", kIndex)
      .type_var("Taxis", kIndex)
      .infer(infer_roll)
      .kernel(roll_kernel)
      .gradient([](GradContext& ctx) {
        static const OpRef roll("Roll");
        return std::vector<Tensor>{roll({ctx.grad(0), negated_shift(ctx.input(1)), ctx.input(2)}),
                                   Tensor(), Tensor()};
      });

  r.add("Transpose")
      .input("x", "T")
      .input("perm", "Tperm")
      .output("y", "T")
      .type_var("T", kAll)
      .type_var("Tperm", kIndex)
      .infer(infer_transpose)
      .kernel(transpose_kernel)
      .gradient([](GradContext& ctx) {
        static const OpRef transpose("Transpose");
        return std::vector<Tensor>{transpose({ctx.grad(0), inverse_permutation(ctx.input(1))}),
                                   Tensor()};
      });

  r.add("InvertPermutation")
      .input("x", "T")
      .output("y", "T")
      .type_var("T", kIndex)
      .traits(kNotDifferentiable)
      .infer([](InferContext& ctx) {
        require_rank(ctx, 0, 1, "x");
        ctx.set_output(0, ctx.input_shape(0));
      })
      .kernel(invert_permutation_kernel);
}

}  // namespace loom
