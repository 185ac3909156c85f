// Float-valued random ops: uniform, normal and truncated normal, each stateful (seed
// attrs) and stateless (seed tensor).
#include "loom/ops/random_common.h"

namespace loom {

using namespace dtypes;

namespace {

constexpr uint32_t kFloatTypes = kFloat.bits();

// Declares `name`(shape[, seed]) -> dtype with the shared signature and inference;
// `declare` adds the op's own attrs and kernel.
template <class Declare>
void def_float_sampler(OpRegistry& r, const char* name, Seeding seeding, Declare&& declare) {
  OpDef& def = r.add(name).input("shape", "T").type_var("T", kIndex);
  declare_seeding(def, seeding)
      .output_from_attr("output", "dtype")
      .attr("dtype")
      .traits(kNotDifferentiable)
      .infer([seeding](InferContext& ctx) {
        const DType dt = checked_dtype_attr(ctx, "dtype", kFloat);
        Shape shape = shape_from_shape_input(ctx, 0);
        if (seeding == Seeding::kStateless) check_seed_input(ctx, 1);
        ctx.set_output(0, std::move(shape), dt);
      });
  declare(def);
}

// The stream for `blocks` Philox blocks; a stateless op's seed is input 1.
cpu::RandomStream stream_for(const KernelContext& ctx, Seeding seeding, int64_t blocks) {
  return open_stream(ctx, seeding, 1, static_cast<uint64_t>(blocks));
}

void def_uniform(OpRegistry& r, const char* name, Seeding seeding) {
  def_float_sampler(r, name, seeding, [seeding](OpDef& def) {
    // minval/maxval extend TF's op: the scaling happens here, so rounding to the
    // output dtype can be kept strictly below maxval.
    def.attr("minval", 0.0).attr("maxval", 1.0).kernel([seeding](KernelContext& ctx) {
      Tensor& out = ctx.output(0);
      const int64_t n = out.num_elements();
      const double lo = ctx.attr_float("minval"), hi = ctx.attr_float("maxval");
      const bool scaled = lo != 0.0 || hi != 1.0;
      visit_dtype<kFloatTypes>(out.dtype(), ctx.name(), [&]<class T>() {
        const auto s = stream_for(ctx, seeding, cpu::blocks_for(n, cpu::kUniformsPerBlock<T>));
        cpu::fill_uniform<T>(s, out.mutable_data<T>(), n, scaled, lo, hi);
      });
    });
  });
}

// Normal-family samplers differ only in how a Philox stream fills the output.
template <class Fill>
void def_normal_like(OpRegistry& r, const char* name, Seeding seeding, Fill fill) {
  def_float_sampler(r, name, seeding, [seeding, fill](OpDef& def) {
    def.kernel([seeding, fill](KernelContext& ctx) {
      Tensor& out = ctx.output(0);
      const int64_t n = out.num_elements();
      visit_dtype<kFloatTypes>(out.dtype(), ctx.name(), [&]<class T>() {
        const auto s = stream_for(ctx, seeding, cpu::blocks_for(n, cpu::kNormalsPerBlock<T>));
        fill.template operator()<T>(s, out.mutable_data<T>(), n);
      });
    });
  });
}

void def_normal(OpRegistry& r, const char* name, Seeding seeding) {
  def_normal_like(r, name, seeding, []<class T>(const auto& s, T* out, int64_t n) {
    cpu::fill_normal<T>(s, out, n);
  });
}

void def_truncated_normal(OpRegistry& r, const char* name, Seeding seeding) {
  def_normal_like(r, name, seeding, []<class T>(const auto& s, T* out, int64_t n) {
    cpu::fill_truncated_normal<T>(s, out, n);
  });
}

}  // namespace

void register_random_continuous_ops(OpRegistry& r) {
  def_uniform(r, "RandomUniform", Seeding::kStateful);
  def_normal(r, "RandomStandardNormal", Seeding::kStateful);
  def_truncated_normal(r, "TruncatedNormal", Seeding::kStateful);
  def_uniform(r, "StatelessRandomUniform", Seeding::kStateless);
  def_normal(r, "StatelessRandomNormal", Seeding::kStateless);
  def_truncated_normal(r, "StatelessTruncatedNormal", Seeding::kStateless);
}

}  // namespace loom
