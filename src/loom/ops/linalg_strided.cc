#include "loom/ops/linalg_strided.h"

namespace loom::linalg {

std::vector<int64_t> strided_offsets(std::span<const int64_t> dims,
                                     std::span<const int64_t> strides) {
  int64_t count = 1;
  for (int64_t d : dims) count *= d;
  std::vector<int64_t> offsets(count);
  if (count == 0) return offsets;
  std::vector<int64_t> index(dims.size(), 0);
  int64_t offset = 0;
  for (int64_t i = 0; i < count; ++i) {
    offsets[i] = offset;
    // Odometer step: bump the last dim, carrying into earlier ones.
    for (int j = static_cast<int>(dims.size()) - 1; j >= 0; --j) {
      offset += strides[j];
      if (++index[j] < dims[j]) break;
      offset -= strides[j] * dims[j];
      index[j] = 0;
    }
  }
  return offsets;
}

std::vector<int64_t> broadcast_batch_strides(std::span<const int64_t> out_batch,
                                             std::span<const int64_t> batch, int64_t item_size) {
  const size_t r = out_batch.size(), lead = r - batch.size();
  std::vector<int64_t> strides(r, 0);
  int64_t stride = item_size;
  for (size_t i = r; i-- > lead;) {
    int64_t d = batch[i - lead];
    strides[i] = d == 1 ? 0 : stride;
    stride *= d;
  }
  return strides;
}

}  // namespace loom::linalg
