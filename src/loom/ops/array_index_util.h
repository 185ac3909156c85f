// Shared pieces of the indexing ops (gather, scatter, one_hot, where, boolean_mask,
// unique): dtype-agnostic element moves, index validation, and error text that names
// the offending index the way TensorFlow does.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "loom/ops/registry.h"

namespace loom::index_ops {

// Registration entry points of the indexing family's files (array_index_*.cc).
void register_gather_ops(OpRegistry& r);
void register_scatter_ops(OpRegistry& r);
void register_select_ops(OpRegistry& r);
void register_one_hot_ops(OpRegistry& r);

// Calls f.template operator()<W>() with an unsigned integer "word" as wide as one
// element. Moving values as raw words lets one instantiation serve every dtype of a
// width, which keeps compile time down for ops that only copy elements.
template <class F>
decltype(auto) visit_word(DType dtype, const char* op, F&& f) {
  switch (dtype_size(dtype)) {
    case 1:
      return f.template operator()<uint8_t>();
    case 2:
      return f.template operator()<uint16_t>();
    case 4:
      return f.template operator()<uint32_t>();
    case 8:
      return f.template operator()<uint64_t>();
    default:
      break;
  }
  raise(ErrorCode::kInternal, "[", op, "] no word type for dtype ", dtype_name(dtype));
}

// Copies `count` rows of `width` words: dst row r <- src row rows[r]. Width 1 turns
// into a plain indexed load, wider rows into memcpy.
template <class W, class I>
void copy_rows(const W* src, const I* rows, int64_t count, int64_t width, W* dst) {
  if (width == 1) {
    for (int64_t r = 0; r < count; ++r) dst[r] = src[rows[r]];
    return;
  }
  const size_t bytes = static_cast<size_t>(width) * sizeof(W);
  for (int64_t r = 0; r < count; ++r)
    std::memcpy(dst + r * width, src + static_cast<int64_t>(rows[r]) * width, bytes);
}

// "indices[1,2]": names position `flat` of an indices tensor of shape `dims` by its
// row-major multi-index ("indices" alone for a scalar).
std::string index_label(int64_t flat, std::span<const int64_t> dims);

// "[2, 0]": `count` values of an int32/int64 tensor starting at flat position `first`.
std::string format_index_values(const Tensor& indices, int64_t first, int64_t count);

// Value `i` of an int32/int64 tensor.
int64_t index_value_at(const Tensor& indices, int64_t i);

// Position of the first value of an int32/int64 tensor outside [0, limit), or -1.
int64_t first_out_of_range(const Tensor& indices, int64_t limit);

// Where an N-d index tuple points: indices of shape [..., k] select slices of a tensor
// whose leading dims (after `batch_dims` matched batch dims) are `indexed_dims`.
struct NdIndexing {
  int64_t batches = 1;                // product of the batch dims
  int64_t rows_per_batch = 0;         // index tuples per batch
  int64_t batch_stride = 0;           // slices per batch in the indexed tensor
  std::vector<int64_t> indexed_dims;  // the k dims the tuples index
};

// Flat slice offset of every index tuple (batch offset included). Raises
// InvalidArgument "[op] indices[1] = [2, 0] does not index into <what> [2,2]" for a
// tuple outside `indexed_dims`; `target` is the shape named in that message.
std::vector<int64_t> nd_slice_offsets(const Tensor& indices, const NdIndexing& plan, const char* op,
                                      const char* what, const Shape& target);

// Product of dims[begin, end), or -1 if any of them is unknown.
int64_t dims_product(const Shape& s, int begin, int end);

// Reads a scalar int32/int64 input value (axis, depth); raises unless it is a scalar.
int64_t scalar_index_value(const Tensor& t, const char* op, const char* what);

}  // namespace loom::index_ops
