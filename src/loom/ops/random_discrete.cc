// Integer-valued random ops: uniform integers, categorical draws (Multinomial) and
// row shuffles, stateful (seed attrs) and stateless (seed tensor) where TF has both.
#include "loom/kernels/cpu/random_sampling.h"
#include "loom/ops/random_common.h"

namespace loom {

using namespace dtypes;

namespace {

constexpr uint32_t kIndexTypes = kIndex.bits();
constexpr uint32_t kFloatTypes = kFloat.bits();

// Uniform integers need a non-empty range unless nothing is drawn (as in TF).
void check_int_range(const char* op, int64_t lo, int64_t hi, int64_t n) {
  if (n != 0 && lo >= hi)
    raise(ErrorCode::kInvalidArgument, "[", op, "] Need minval < maxval: got minval ", lo,
          " >= maxval ", hi);
}

// RandomUniformInt(shape, minval, maxval) and
// StatelessRandomUniformInt(shape, seed, minval, maxval).
void def_uniform_int(OpRegistry& r, const char* name, Seeding seeding) {
  const int lo_input = seeding == Seeding::kStateless ? 2 : 1;
  const char* out_var = seeding == Seeding::kStateless ? "dtype" : "Tout";
  OpDef& def = r.add(name).input("shape", "T").type_var("T", kIndex);
  declare_seeding(def, seeding)
      .input("minval", out_var)
      .input("maxval", out_var)
      .output("output", out_var)
      .type_var(out_var, kIndex)
      .traits(kNotDifferentiable)
      .infer([seeding, lo_input](InferContext& ctx) {
        Shape shape = shape_from_shape_input(ctx, 0);
        if (seeding == Seeding::kStateless) check_seed_input(ctx, 1);
        check_scalar_input(ctx, lo_input, "minval");
        check_scalar_input(ctx, lo_input + 1, "maxval");
        const Tensor* lo = ctx.input_value(lo_input);
        const Tensor* hi = ctx.input_value(lo_input + 1);
        if (lo && hi)
          check_int_range(ctx.name(), lo->item<int64_t>(), hi->item<int64_t>(),
                          shape.num_elements());
        ctx.set_output(0, std::move(shape));
      })
      .kernel([seeding, lo_input](KernelContext& ctx) {
        Tensor& out = ctx.output(0);
        const int64_t n = out.num_elements();
        const Tensor& lo = ctx.input(lo_input);
        const Tensor& hi = ctx.input(lo_input + 1);
        check_int_range(ctx.name(), lo.item<int64_t>(), hi.item<int64_t>(), n);
        if (n == 0) return;
        visit_dtype<kIndexTypes>(out.dtype(), ctx.name(), [&]<class T>() {
          const T lo_v = *lo.data<T>(), hi_v = *hi.data<T>();
          const auto s = open_stream(ctx, seeding, 1,
                                     static_cast<uint64_t>(cpu::uniform_int_blocks(n, lo_v, hi_v)));
          cpu::fill_uniform_int<T>(s, out.mutable_data<T>(), n, lo_v, hi_v);
        });
      });
}

// Multinomial(logits, num_samples) and StatelessMultinomial(logits, num_samples, seed):
// [batch, classes] logits -> [batch, num_samples] class indices.
void def_multinomial(OpRegistry& r, const char* name, Seeding seeding) {
  OpDef& def =
      r.add(name).input("logits", "T").input("num_samples", DType::kInt32).type_var("T", kFloat);
  declare_seeding(def, seeding)
      .output_from_attr("output", "output_dtype")
      .attr("output_dtype", DType::kInt64)
      .traits(kNotDifferentiable)
      .infer([seeding](InferContext& ctx) {
        const DType out_dtype = checked_dtype_attr(ctx, "output_dtype", kIndex);
        const Shape& logits = ctx.input_shape(0);
        if (logits.has_rank() && logits.rank() != 2)
          raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
                "] logits should be a matrix [batch, classes], got shape ", logits.to_string());
        check_scalar_input(ctx, 1, "num_samples");
        if (seeding == Seeding::kStateless) check_seed_input(ctx, 2);
        const int64_t batch = logits.has_rank() ? logits.dim(0) : kUnknownDim;
        if (logits.has_rank() && logits.dim(1) == 0)
          raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
                "] num_classes should be positive, got logits of shape ", logits.to_string());
        int64_t samples = kUnknownDim;
        if (const Tensor* v = ctx.input_value(1)) {
          samples = v->item<int64_t>();
          if (samples < 0)
            raise(ErrorCode::kInvalidArgument, "[", ctx.name(),
                  "] num_samples should be nonnegative, got ", samples);
        }
        if (batch >= 0 && samples >= 0) {
          const int64_t dims[] = {batch, samples};
          checked_num_elements(dims, ctx.name());
        }
        ctx.set_output(0, Shape{batch, samples}, out_dtype);
      })
      .kernel([seeding](KernelContext& ctx) {
        Tensor& out = ctx.output(0);
        const Tensor& logits = ctx.input(0);
        const int64_t batch = logits.dim(0), classes = logits.dim(1);
        const int64_t samples = out.dim(1);
        const int64_t n = batch * samples;
        if (n == 0) return;
        const auto s = open_stream(
            ctx, seeding, 2, static_cast<uint64_t>(cpu::blocks_for(n, cpu::kCategoricalPerBlock)));
        visit_dtype<kFloatTypes>(logits.dtype(), ctx.name(), [&]<class T>() {
          visit_dtype<kIndexTypes>(out.dtype(), ctx.name(), [&]<class Out>() {
            cpu::sample_categorical<T, Out>(s, logits.data<T>(), batch, classes, samples,
                                            out.mutable_data<Out>());
          });
        });
      });
}

// RandomShuffle(value): a random permutation along the first dimension.
void def_shuffle(OpRegistry& r) {
  OpDef& def = r.add("RandomShuffle").input("value", "T").output("output", "T").type_var("T", kAll);
  declare_seeding(def, Seeding::kStateful)
      .traits(kNotDifferentiable)
      .infer([](InferContext& ctx) { ctx.set_output(0, ctx.input_shape(0)); })
      .kernel([](KernelContext& ctx) {
        const Tensor& value = ctx.input(0);
        const int64_t rows = value.rank() == 0 ? 1 : value.dim(0);
        if (rows <= 1) {
          ctx.set_output(0, value);  // tensors are immutable: nothing to permute
          return;
        }
        Tensor& out = ctx.output(0);
        const auto s = open_stream(ctx, Seeding::kStateful, -1, static_cast<uint64_t>(rows));
        cpu::gather_rows(cpu::random_permutation(s, rows), value.raw_data(), out.raw_data(),
                         value.nbytes() / static_cast<size_t>(rows));
      });
}

}  // namespace

void register_random_discrete_ops(OpRegistry& r) {
  def_uniform_int(r, "RandomUniformInt", Seeding::kStateful);
  def_uniform_int(r, "StatelessRandomUniformInt", Seeding::kStateless);
  def_multinomial(r, "Multinomial", Seeding::kStateful);
  def_multinomial(r, "StatelessMultinomial", Seeding::kStateless);
  def_shuffle(r);
}

}  // namespace loom
