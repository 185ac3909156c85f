// Factories for elementwise op families: declaring a new unary or binary op is one call.
#pragma once

#include "loom/kernels/cpu/elementwise.h"
#include "loom/ops/registry.h"

namespace loom {

void infer_same_shape(InferContext& ctx);
void infer_broadcast_binary(InferContext& ctx);

// y = f(x), same dtype. `Types` is the set of dtypes instantiated.
template <uint32_t Types, class F>
OpDef& def_unary(OpRegistry& r, const char* name, F f) {
  return r.add(name)
      .input("x", "T")
      .output("y", "T")
      .type_var("T", DTypeSet(Types))
      .traits(kElementwise)
      .infer(infer_same_shape)
      .kernel([f](KernelContext& ctx) {
        visit_dtype<Types>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
          cpu::unary_loop<T, T>(ctx.input(0), ctx.output(0), f);
        });
      });
}

// y = f(x) with a bool result (is_nan, ...).
template <uint32_t Types, class F>
OpDef& def_unary_predicate(OpRegistry& r, const char* name, F f) {
  return r.add(name)
      .input("x", "T")
      .output("y", DType::kBool)
      .type_var("T", DTypeSet(Types))
      .traits(kElementwise | kNotDifferentiable)
      .infer(infer_same_shape)
      .kernel([f](KernelContext& ctx) {
        visit_dtype<Types>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
          cpu::unary_loop<T, bool>(ctx.input(0), ctx.output(0), f);
        });
      });
}

// z = f(x, y) with broadcasting, same dtype in and out.
template <uint32_t Types, class F>
OpDef& def_binary(OpRegistry& r, const char* name, F f, uint32_t traits = 0) {
  return r.add(name)
      .input("x", "T")
      .input("y", "T")
      .output("z", "T")
      .type_var("T", DTypeSet(Types))
      .traits(kElementwise | traits)
      .infer(infer_broadcast_binary)
      .kernel([f](KernelContext& ctx) {
        visit_dtype<Types>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
          cpu::binary_loop<T, T>(ctx.input(0), ctx.input(1), ctx.output(0), f);
        });
      });
}

// z = f(x, y) with broadcasting and a bool result (comparisons, logical ops).
template <uint32_t Types, class F>
OpDef& def_binary_predicate(OpRegistry& r, const char* name, F f, uint32_t traits = 0) {
  return r.add(name)
      .input("x", "T")
      .input("y", "T")
      .output("z", DType::kBool)
      .type_var("T", DTypeSet(Types))
      .traits(kElementwise | kNotDifferentiable | traits)
      .infer(infer_broadcast_binary)
      .kernel([f](KernelContext& ctx) {
        visit_dtype<Types>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
          cpu::binary_loop<T, bool>(ctx.input(0), ctx.input(1), ctx.output(0), f);
        });
      });
}

}  // namespace loom
