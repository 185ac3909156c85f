// Ops that create tensors from scalars: Fill, Range, LinSpace and Eye.
#include <cmath>
#include <cstring>

#include "loom/ops/array_common.h"
#include "loom/ops/array_grad_util.h"

namespace loom {

using namespace dtypes;

namespace {

constexpr DTypeSet kRangeTypes{DType::kInt32, DType::kInt64, DType::kFloat32, DType::kFloat64};

// Half types convert to double through float.
template <class T>
double to_double(T x) {
  if constexpr (std::is_arithmetic_v<T>)
    return static_cast<double>(x);
  else
    return static_cast<double>(static_cast<float>(x));
}

double scalar_as_double(const Tensor& t, const char* op) {
  return visit_dtype<kFloat.bits()>(t.dtype(), op,
                                    [&]<class T>() { return to_double(t.data<T>()[0]); });
}

void require_scalars(const InferContext& ctx,
                     std::initializer_list<std::pair<int, const char*>> args) {
  for (auto [i, what] : args) require_rank(ctx, i, 0, what);
}

void infer_fill(InferContext& ctx) {
  require_scalars(ctx, {{1, "value"}});
  require_rank(ctx, 0, 1, "dims");
  auto dims = known_ints(ctx, 0);
  if (!dims) {
    const Shape& s = ctx.input_shape(0);
    ctx.set_output(0, unknown_dims(s.has_rank() ? static_cast<int>(s[0]) : -1));
    return;
  }
  checked_num_elements(*dims, "Fill");
  ctx.set_output(0, Shape(*dims));
}

// Number of elements of range(start, limit, delta), validated as TF does.
int64_t range_size(const InferContext& ctx, DType dt) {
  const Tensor &start = *ctx.input_value(0), &limit = *ctx.input_value(1),
               &delta = *ctx.input_value(2);
  if (is_integer(dt)) {
    const int64_t s = start.item<int64_t>(), l = limit.item<int64_t>(), d = delta.item<int64_t>();
    if (d == 0) raise(ErrorCode::kInvalidArgument, "[Range] Requires delta != 0: ", d);
    if (d > 0 && s > l)
      raise(ErrorCode::kInvalidArgument, "[Range] Requires start <= limit when delta > 0: ", s, "/",
            l);
    if (d < 0 && s < l)
      raise(ErrorCode::kInvalidArgument, "[Range] Requires start >= limit when delta < 0: ", s, "/",
            l);
    // Unsigned arithmetic: the span of two int64s always fits a uint64.
    const uint64_t span = d > 0 ? static_cast<uint64_t>(l) - static_cast<uint64_t>(s)
                                : static_cast<uint64_t>(s) - static_cast<uint64_t>(l);
    const uint64_t step = d > 0 ? static_cast<uint64_t>(d) : 0 - static_cast<uint64_t>(d);
    const uint64_t n = span / step + (span % step != 0 ? 1 : 0);
    if (n > static_cast<uint64_t>(kMaxElements))
      raise(ErrorCode::kResourceExhausted, "[Range] a range of ", n,
            " elements has more than 2^40 elements");
    return static_cast<int64_t>(n);
  }
  const double s = scalar_as_double(start, "Range"), l = scalar_as_double(limit, "Range"),
               d = scalar_as_double(delta, "Range");
  if (d == 0) raise(ErrorCode::kInvalidArgument, "[Range] Requires delta != 0: ", d);
  if (!std::isfinite(s) || !std::isfinite(l) || !std::isfinite(d))
    raise(ErrorCode::kInvalidArgument, "[Range] Requires start, limit and delta to be finite: ", s,
          ", ", l, ", ", d);
  if (d > 0 && s > l)
    raise(ErrorCode::kInvalidArgument, "[Range] Requires start <= limit when delta > 0: ", s, "/",
          l);
  if (d < 0 && s < l)
    raise(ErrorCode::kInvalidArgument, "[Range] Requires start >= limit when delta < 0: ", s, "/",
          l);
  const double n = std::ceil(std::abs((l - s) / d));
  if (n > static_cast<double>(kMaxElements))
    raise(ErrorCode::kResourceExhausted, "[Range] a range of ", n,
          " elements has more than 2^40 elements");
  return static_cast<int64_t>(n);
}

void infer_range(InferContext& ctx) {
  require_scalars(ctx, {{0, "start"}, {1, "limit"}, {2, "delta"}});
  if (!ctx.input_value(0) || !ctx.input_value(1) || !ctx.input_value(2)) {
    ctx.set_output(0, Shape{kUnknownDim});
    return;
  }
  ctx.set_output(0, Shape{range_size(ctx, ctx.type_var("Tidx"))});
}

void range_kernel(KernelContext& ctx) {
  const Tensor& out = ctx.output(0);
  const int64_t n = out.num_elements();
  visit_dtype<kRangeTypes.bits()>(out.dtype(), ctx.name(), [&]<class T>() {
    T* p = out.mutable_data<T>();
    // Wide arithmetic: start + i * delta stays within [start, limit] by construction.
    using Wide = std::conditional_t<std::is_integral_v<T>, int64_t, double>;
    const Wide start = static_cast<Wide>(ctx.input(0).data<T>()[0]);
    const Wide delta = static_cast<Wide>(ctx.input(2).data<T>()[0]);
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + static_cast<Wide>(i) * delta);
  });
}

void infer_linspace(InferContext& ctx) {
  require_scalars(ctx, {{0, "start"}, {1, "stop"}, {2, "num"}});
  auto num = known_ints(ctx, 2);
  if (!num) {
    ctx.set_output(0, Shape{kUnknownDim});
    return;
  }
  if ((*num)[0] <= 0)
    raise(ErrorCode::kInvalidArgument, "[LinSpace] Requires num > 0: ", (*num)[0]);
  checked_num_elements(*num, "LinSpace");
  ctx.set_output(0, Shape{(*num)[0]});
}

void linspace_kernel(KernelContext& ctx) {
  const Tensor& out = ctx.output(0);
  const int64_t n = out.num_elements();
  visit_dtype<kFloat.bits()>(out.dtype(), ctx.name(), [&]<class T>() {
    T* p = out.mutable_data<T>();
    const double start = to_double(ctx.input(0).data<T>()[0]);
    const double stop = to_double(ctx.input(1).data<T>()[0]);
    const double step = n > 1 ? (stop - start) / static_cast<double>(n - 1) : 0.0;
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + static_cast<double>(i) * step);
    if (n > 1) p[n - 1] = static_cast<T>(stop);  // exact end point, as NumPy and TF
  });
}

void infer_eye(InferContext& ctx) {
  require_scalars(ctx, {{0, "num_rows"}, {1, "num_columns"}});
  require_rank(ctx, 2, 1, "batch_shape");
  auto rows = known_ints(ctx, 0), cols = known_ints(ctx, 1), batch = known_ints(ctx, 2);
  std::vector<int64_t> dims;
  if (batch) {
    dims = *batch;
  } else {
    const Shape& bs = ctx.input_shape(2);
    if (!bs.has_rank() || bs[0] < 0) {
      ctx.set_output(0, Shape::unknown_rank());
      return;
    }
    dims.assign(bs[0], kUnknownDim);
  }
  for (auto [v, what] : {std::pair{&rows, "num_rows"}, std::pair{&cols, "num_columns"}}) {
    if (*v && (**v)[0] < 0)
      raise(ErrorCode::kInvalidArgument, "[Eye] ", what, " must be non-negative, got ", (**v)[0]);
    dims.push_back(*v ? (**v)[0] : kUnknownDim);
  }
  if (batch)
    for (int64_t d : *batch)
      if (d < 0)
        raise(ErrorCode::kInvalidArgument, "[Eye] batch_shape has a negative dimension ", d);
  if (Shape(dims).is_fully_defined()) checked_num_elements(dims, "Eye");
  ctx.set_output(0, Shape(std::move(dims)));
}

void eye_kernel(KernelContext& ctx) {
  const Tensor& out = ctx.output(0);
  if (out.num_elements() == 0) return;
  std::memset(out.raw_data(), 0, out.nbytes());
  const int rank = out.rank();
  const int64_t rows = out.dim(rank - 2), cols = out.dim(rank - 1);
  const int64_t batch = out.num_elements() / (rows * cols);
  const size_t es = dtype_size(out.dtype());
  alignas(8) unsigned char one[8];
  cpu::one_value(out.dtype(), one);
  char* p = static_cast<char*>(out.raw_data());
  const int64_t diag = std::min(rows, cols);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < diag; ++i) std::memcpy(p + ((b * rows + i) * cols + i) * es, one, es);
}

}  // namespace

void register_array_create_ops(OpRegistry& r) {
  r.add("Fill")
      .input("dims", "index_type")
      .input("value", "T")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("index_type", kIndex)
      .infer(infer_fill)
      .kernel([](KernelContext& ctx) {
        const Tensor& out = ctx.output(0);
        cpu::fill_pattern(out.raw_data(), out.num_elements(), ctx.input(1).raw_data(),
                          dtype_size(out.dtype()));
      })
      // The value is copied into every element: it collects all their gradients.
      .gradient([](GradContext& ctx) {
        return std::vector<Tensor>{Tensor(), grad::sum_all(ctx.grad(0))};
      });

  r.add("Range")
      .input("start", "Tidx")
      .input("limit", "Tidx")
      .input("delta", "Tidx")
      .output("output", "Tidx")
      .type_var("Tidx", kRangeTypes)
      .traits(kNotDifferentiable)
      .infer(infer_range)
      .kernel(range_kernel);

  r.add("LinSpace")
      .input("start", "T")
      .input("stop", "T")
      .input("num", "Tidx")
      .output("output", "T")
      .type_var("T", kFloat)
      .type_var("Tidx", kIndex)
      .traits(kNotDifferentiable)
      .infer(infer_linspace)
      .kernel(linspace_kernel);

  r.add("Eye")
      .input("num_rows", "Tidx")
      .input("num_columns", "Tidx")
      .input("batch_shape", "Tidx")
      .output_from_attr("output", "dtype")
      .type_var("Tidx", kIndex)
      .attr("dtype", DType::kFloat32)
      .traits(kNotDifferentiable)
      .infer(infer_eye)
      .kernel(eye_kernel);
}

}  // namespace loom
