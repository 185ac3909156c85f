// Shared pieces of the Python bindings: conversion between Python values and tensors,
// dtype objects, and the error-class table.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include "loom/autodiff/graph_function.h"
#include "loom/loom.h"

namespace nb = nanobind;

namespace loom::py {

enum class Convert {
  kDefault,  // Python values take TF's defaults: float -> float32, int -> int32
  kExact,    // the value must become exactly `dtype` (losslessly for Python values)
};

// TF's conversion rules (see python/loom/framework/convert docs in ARCHITECTURE.md).
Tensor to_tensor(nb::handle value, DType dtype = DType::kInvalid, Convert mode = Convert::kDefault);
// True for values to_tensor understands (tensors, numbers, lists, arrays).
bool is_convertible(nb::handle value);
// Tensors and NumPy arrays carry their own dtype; Python scalars and lists do not.
bool has_own_dtype(nb::handle value);

nb::object to_numpy(const Tensor& t);
// A DLPack capsule over the tensor's memory (the tensor stays alive while it is used).
nb::object dlpack_view(const Tensor& t);
// Wraps a DLPack-capable CPU array without copying; the tensor keeps it alive.
Tensor from_dlpack_view(nb::handle obj);

DType dtype_from_py(nb::handle obj);
nb::object dtype_to_py(DType t);

// A traced function as Python holds it (the engine shares it with the tapes that
// recorded calls of it).
struct FunctionHandle {
  Ref<GraphFunction> fn;
};

void init_errors(nb::module_& m);
void init_autodiff(nb::module_& m);
void init_dtypes(nb::module_& m);
void init_tensor(nb::module_& m);
void init_ops(nb::module_& m);
void init_graph(nb::module_& m);
void init_function(nb::module_& m);
void init_state(nb::module_& m);

// A tensor's shape for Python: a tuple with None for unknown dims, None if rank unknown.
nb::object shape_of(const Tensor& t);
void init_random(nb::module_& m);

}  // namespace loom::py
