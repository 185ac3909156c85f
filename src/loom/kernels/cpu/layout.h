// Byte-generic data movement for layout ops (transpose, slice, concat, pad, tile, ...).
// These ops only move elements, so they dispatch on the element size, never on the
// dtype: one instantiation per size (1, 2, 4, 8 bytes) serves all 13 dtypes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "loom/core/tensor.h"

namespace loom::cpu {

// Copies the box `dims` from `src` to `dst`. Strides are in elements and may be zero
// (broadcast) or negative (reverse). Size-1 dims are dropped and contiguous dims merged
// first; a contiguous innermost run becomes memcpy, and a run whose source is strided
// while another dim is source-contiguous is copied in cache-sized tiles (transposes).
void strided_copy(std::span<const int64_t> dims, void* dst, std::span<const int64_t> dst_strides,
                  const void* src, std::span<const int64_t> src_strides, size_t elem_size);

// Writes `n` copies of the `elem_size`-byte value at `value` to `dst`.
void fill_pattern(void* dst, int64_t n, const void* value, size_t elem_size);

// out = transpose(in, perm); `out` is allocated with the permuted shape.
void transpose(const Tensor& in, const Tensor& out, std::span<const int> perm);

// A tensor of `shape` whose bytes are [offset, offset + nbytes) of `src`'s buffer, sharing
// the buffer when the offset keeps its alignment and copying otherwise.
Tensor contiguous_range(const Tensor& src, DType dtype, Shape shape, size_t offset, const char* op);

// The bytes of the value 1 (0 for false) in `dtype`, for writing ones byte-generically.
void one_value(DType dtype, void* out);

}  // namespace loom::cpu
