#include "loom/core/shape.h"

#include "loom/core/error.h"

namespace loom {

bool Shape::is_fully_defined() const {
  if (!known_rank_) return false;
  for (int64_t d : dims_)
    if (d < 0) return false;
  return true;
}

int64_t Shape::num_elements() const {
  if (!is_fully_defined()) return -1;
  int64_t n = 1;
  for (int64_t d : dims_) n *= d;
  return n;
}

bool Shape::compatible_with(const Shape& other) const {
  if (!known_rank_ || !other.known_rank_) return true;
  if (dims_.size() != other.dims_.size()) return false;
  for (size_t i = 0; i < dims_.size(); ++i)
    if (dims_[i] >= 0 && other.dims_[i] >= 0 && dims_[i] != other.dims_[i]) return false;
  return true;
}

std::string Shape::to_string() const {
  if (!known_rank_) return "<unknown>";
  std::string s = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += ",";
    s += dims_[i] < 0 ? std::string("?") : std::to_string(dims_[i]);
  }
  return s + "]";
}

int64_t checked_num_elements(std::span<const int64_t> dims, const char* op) {
  int64_t n = 1;
  bool zero = false;
  for (int64_t d : dims) {
    if (d < 0) raise(ErrorCode::kInvalidArgument, "[", op, "] dimension ", d, " is negative");
    if (d == 0) zero = true;
  }
  if (zero) return 0;
  for (int64_t d : dims) {
    if (n > kMaxElements / d)
      raise(ErrorCode::kResourceExhausted, "[", op, "] a tensor of shape ", Shape(dims).to_string(),
            " has more than 2^40 elements");
    n *= d;
  }
  return n;
}

std::vector<int64_t> row_major_strides(std::span<const int64_t> dims) {
  std::vector<int64_t> strides(dims.size());
  int64_t s = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    strides[i] = s;
    s *= dims[i];
  }
  return strides;
}

int normalize_axis(int64_t axis, int rank, const char* op) {
  if (axis < -rank || axis >= rank)
    raise(ErrorCode::kInvalidArgument, "[", op, "] axis ", axis,
          " is out of range for a tensor of rank ", rank, " (expected [", -rank, ", ", rank, "))");
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

}  // namespace loom
