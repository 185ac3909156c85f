#include "loom/ops/array_index_util.h"

namespace loom::index_ops {

std::string index_label(int64_t flat, std::span<const int64_t> dims) {
  std::vector<int64_t> coords(dims.size());
  for (size_t i = dims.size(); i-- > 0;) {
    const int64_t d = dims[i] > 0 ? dims[i] : 1;
    coords[i] = flat % d;
    flat /= d;
  }
  if (coords.empty()) return "indices";
  std::string s = "indices[";
  for (size_t i = 0; i < coords.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(coords[i]);
  }
  return s + "]";
}

std::string format_index_values(const Tensor& indices, int64_t first, int64_t count) {
  std::string s = "[";
  visit_dtype<dtypes::kIndex.bits()>(indices.dtype(), "index", [&]<class I>() {
    const I* p = indices.data<I>() + first;
    for (int64_t i = 0; i < count; ++i) {
      if (i) s += ", ";
      s += std::to_string(static_cast<int64_t>(p[i]));
    }
  });
  return s + "]";
}

int64_t index_value_at(const Tensor& indices, int64_t i) {
  return visit_dtype<dtypes::kIndex.bits()>(indices.dtype(), "index", [&]<class I>() {
    return static_cast<int64_t>(indices.data<I>()[i]);
  });
}

int64_t first_out_of_range(const Tensor& indices, int64_t limit) {
  return visit_dtype<dtypes::kIndex.bits()>(indices.dtype(), "index", [&]<class I>() -> int64_t {
    const I* p = indices.data<I>();
    const int64_t n = indices.num_elements();
    // A negative value wraps to a huge unsigned one, so one compare checks both ends;
    // the branch-free pass vectorizes, the search runs only when something is wrong.
    const uint64_t bound = static_cast<uint64_t>(limit);
    bool any_bad = false;
    for (int64_t i = 0; i < n; ++i)
      any_bad |= static_cast<uint64_t>(static_cast<int64_t>(p[i])) >= bound;
    if (!any_bad) return -1;
    for (int64_t i = 0; i < n; ++i)
      if (static_cast<uint64_t>(static_cast<int64_t>(p[i])) >= bound) return i;
    return -1;
  });
}

std::vector<int64_t> nd_slice_offsets(const Tensor& indices, const NdIndexing& plan, const char* op,
                                      const char* what, const Shape& target) {
  const int64_t k = static_cast<int64_t>(plan.indexed_dims.size());
  const int64_t rows = plan.batches * plan.rows_per_batch;
  const std::vector<int64_t> strides = row_major_strides(plan.indexed_dims);
  std::vector<int64_t> offsets(rows);
  visit_dtype<dtypes::kIndex.bits()>(indices.dtype(), op, [&]<class I>() {
    const I* p = indices.data<I>();
    for (int64_t r = 0; r < rows; ++r) {
      const I* tuple = p + r * k;
      // Unsigned arithmetic: a bad tuple may overflow before it is reported.
      uint64_t offset = static_cast<uint64_t>(r / std::max<int64_t>(plan.rows_per_batch, 1)) *
                        static_cast<uint64_t>(plan.batch_stride);
      bool bad = false;
      for (int64_t j = 0; j < k; ++j) {
        const uint64_t v = static_cast<uint64_t>(static_cast<int64_t>(tuple[j]));
        bad |= v >= static_cast<uint64_t>(plan.indexed_dims[j]);
        offset += v * static_cast<uint64_t>(strides[j]);
      }
      if (bad) {
        const auto& idims = indices.shape().dims();
        std::span<const int64_t> lead(idims.data(), idims.empty() ? 0 : idims.size() - 1);
        raise(ErrorCode::kInvalidArgument, "[", op, "] ", index_label(r, lead), " = ",
              format_index_values(indices, r * k, k), " does not index into ", what, " ",
              target.to_string());
      }
      offsets[r] = static_cast<int64_t>(offset);
    }
  });
  return offsets;
}

int64_t dims_product(const Shape& s, int begin, int end) {
  int64_t n = 1;
  for (int i = begin; i < end; ++i) {
    if (s.dim(i) < 0) return -1;
    n *= s.dim(i);
  }
  return n;
}

int64_t scalar_index_value(const Tensor& t, const char* op, const char* what) {
  if (t.rank() != 0)
    raise(ErrorCode::kInvalidArgument, "[", op, "] ", what, " must be a scalar, got shape ",
          t.shape().to_string());
  return visit_dtype<dtypes::kIndex.bits()>(
      t.dtype(), op, [&]<class I>() { return static_cast<int64_t>(t.data<I>()[0]); });
}

}  // namespace loom::index_ops
