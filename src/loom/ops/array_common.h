// Pieces shared by the array-op family files (array_*.cc): reading shape-like inputs
// during inference, and the per-file registration functions array.cc calls.
#pragma once

#include <optional>
#include <vector>

#include "loom/kernels/cpu/layout.h"
#include "loom/ops/registry.h"

namespace loom {

void register_array_reshape_ops(OpRegistry& r);  // Reshape, ExpandDims, Squeeze, Shape, ...
void register_array_join_ops(OpRegistry& r);     // ConcatV2, Pack, Unpack, Split, SplitV
void register_array_pad_ops(OpRegistry& r);      // Pad, PadV2, MirrorPad, Tile
void register_array_slice_ops(OpRegistry& r);    // Slice, ReverseV2, Roll, Transpose
void register_array_strided_slice_op(OpRegistry& r);
void register_array_create_ops(OpRegistry& r);  // Fill, Range, LinSpace, Eye

// The values of integer input `i` when inference can see them (eager, or a graph
// constant); nullopt when unknown.
std::optional<std::vector<int64_t>> known_ints(const InferContext& ctx, int i);

// Raises unless input `i` (called `what`) has rank `rank`, when its rank is known.
void require_rank(const InferContext& ctx, int i, int rank, const char* what);

// Kernel of ops whose output is their first input unchanged (Identity, ...).
void forward_input(KernelContext& ctx);

// Kernel of ops whose output shares the input's bytes under the inferred shape.
void reshape_input(KernelContext& ctx);

// The box of `in` starting at `begin` with `out_shape` elements, stepping by `steps`
// (negative to walk backwards). A box that is one contiguous range shares the input's
// bytes (see cpu::contiguous_range); others are copied.
Tensor copy_box(const Tensor& in, const std::vector<int64_t>& begin, const Shape& out_shape,
                const std::vector<int64_t>& steps, const char* op);

// Row-major element strides of `shape` as a vector (shorthand for kernels).
inline std::vector<int64_t> strides_of(const Shape& shape) {
  return row_major_strides(shape.dims());
}

// Raises for a too-large result when every dim is known; unknown dims (-1) skip the check.
void check_size_if_known(const std::vector<int64_t>& dims, const char* op);

// A shape of `rank` unknown dims, or unknown rank when rank < 0.
Shape unknown_dims(int rank);

}  // namespace loom
