// Index helpers shared by the matmul and einsum kernels: offsets of strided views.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace loom::linalg {

// Offset (in elements) of every index of `dims`, in row-major order, into a view with
// `strides` (0 along broadcast dims). dims and strides have the same length.
std::vector<int64_t> strided_offsets(std::span<const int64_t> dims,
                                     std::span<const int64_t> strides);

// Strides over `out_batch` for an operand whose batch dims are `batch` (right-aligned,
// size-1 dims broadcast) and whose items are `item_size` elements apart.
std::vector<int64_t> broadcast_batch_strides(std::span<const int64_t> out_batch,
                                             std::span<const int64_t> batch, int64_t item_size);

}  // namespace loom::linalg
