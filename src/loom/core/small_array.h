// Scratch storage for n items: inline when n is small, on the heap otherwise. Op calls
// use it for their per-call input lists so the common case allocates nothing.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

namespace loom {

template <class T, size_t N>
class SmallArray {
 public:
  explicit SmallArray(size_t n) : size_(n) {
    if (n > N) heap_.resize(n);
    data_ = n > N ? heap_.data() : inline_.data();
  }
  SmallArray(const SmallArray&) = delete;
  SmallArray& operator=(const SmallArray&) = delete;

  T* data() { return data_; }
  size_t size() const { return size_; }
  T& operator[](size_t i) { return data_[i]; }

 private:
  std::array<T, N> inline_{};
  std::vector<T> heap_;
  T* data_;
  size_t size_;
};

}  // namespace loom
