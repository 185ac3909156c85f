// Reference-counted, 64-byte aligned storage shared by immutable tensors.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace loom {

// Intrusive reference counting: one allocation per object, no control block.
class RefCounted {
 public:
  void ref() const { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Returns true when this was the last reference.
  bool unref() const { return refs_.fetch_sub(1, std::memory_order_acq_rel) == 1; }
  int64_t use_count() const { return refs_.load(std::memory_order_acquire); }

 protected:
  RefCounted() = default;
  ~RefCounted() = default;

 private:
  mutable std::atomic<int64_t> refs_{1};
};

template <class T>
class Ref {
 public:
  Ref() = default;
  // Adopts an object whose count is already 1 (fresh from `new`).
  static Ref adopt(T* p) {
    Ref r;
    r.p_ = p;
    return r;
  }
  // Shares an object already owned by other Refs.
  static Ref retain(T* p) {
    if (p) p->ref();
    return adopt(p);
  }
  Ref(const Ref& o) : p_(o.p_) {
    if (p_) p_->ref();
  }
  Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  template <class U>
    requires std::is_convertible_v<U*, T*>
  Ref(const Ref<U>& o) : p_(o.get()) {
    if (p_) p_->ref();
  }
  Ref& operator=(Ref o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~Ref() {
    if (p_ && p_->unref()) delete p_;
  }
  T* get() const { return p_; }
  T* operator->() const { return p_; }
  T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }
  bool operator==(const Ref& o) const { return p_ == o.p_; }

 private:
  T* p_ = nullptr;
};

inline constexpr size_t kBufferAlignment = 64;

class Buffer : public RefCounted {
 public:
  using Release = void (*)(void* context);

  // Fresh uninitialized storage; raises ResourceExhausted when allocation fails.
  static Ref<Buffer> allocate(size_t nbytes);
  // Wraps memory owned elsewhere (NumPy, DLPack); `release(context)` runs when the
  // last reference goes.
  static Ref<Buffer> wrap(void* data, size_t nbytes, Release release, void* context);

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  ~Buffer();

 private:
  Buffer() = default;
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Release release_ = nullptr;
  void* context_ = nullptr;
};

}  // namespace loom
