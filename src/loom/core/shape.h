// A shape whose rank or dimensions may be unknown (graphs need that); eager tensors
// always have fully known shapes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace loom {

inline constexpr int64_t kUnknownDim = -1;
// Largest element count a tensor may have; bigger requests are ResourceExhausted.
inline constexpr int64_t kMaxElements = int64_t{1} << 40;

class Shape {
 public:
  Shape() = default;  // a scalar
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}
  explicit Shape(std::span<const int64_t> dims) : dims_(dims.begin(), dims.end()) {}
  static Shape unknown_rank() {
    Shape s;
    s.known_rank_ = false;
    return s;
  }

  bool has_rank() const { return known_rank_; }
  int rank() const { return known_rank_ ? static_cast<int>(dims_.size()) : -1; }
  int64_t dim(int i) const { return dims_[i]; }
  int64_t operator[](int i) const { return dims_[i]; }
  const std::vector<int64_t>& dims() const { return dims_; }
  std::vector<int64_t>& mutable_dims() { return dims_; }
  bool is_fully_defined() const;
  bool is_scalar() const { return known_rank_ && dims_.empty(); }

  // Number of elements; -1 if not fully defined. Never overflows: shapes are
  // validated when built (see checked_num_elements).
  int64_t num_elements() const;

  // True when every known dimension agrees (unknowns match anything).
  bool compatible_with(const Shape& other) const;
  bool operator==(const Shape& o) const { return known_rank_ == o.known_rank_ && dims_ == o.dims_; }
  bool operator!=(const Shape& o) const { return !(*this == o); }

  std::string to_string() const;  // "[2,3]", "[?,3]", "<unknown>"

 private:
  std::vector<int64_t> dims_;
  bool known_rank_ = true;
};

// Product of dims, raising ResourceExhausted past kMaxElements and InvalidArgument for
// negative dimensions. `op` names the caller in the message.
int64_t checked_num_elements(std::span<const int64_t> dims, const char* op);

// Row-major strides in elements.
std::vector<int64_t> row_major_strides(std::span<const int64_t> dims);

// Normalizes a possibly negative axis into [0, rank); raises InvalidArgument naming `op`.
int normalize_axis(int64_t axis, int rank, const char* op);

}  // namespace loom
