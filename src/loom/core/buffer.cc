#include "loom/core/buffer.h"

#include <cstdlib>
#include <new>

#include "loom/core/error.h"

namespace loom {

Ref<Buffer> Buffer::allocate(size_t nbytes) {
  // Never hand out a null pointer, even for empty tensors: kernels may take &data[0].
  size_t padded = (nbytes + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
  if (padded == 0) padded = kBufferAlignment;
  void* p = std::aligned_alloc(kBufferAlignment, padded);
  if (!p)
    raise(ErrorCode::kResourceExhausted, "failed to allocate ", nbytes, " bytes for a tensor");
  auto* b = new Buffer();
  b->data_ = p;
  b->nbytes_ = nbytes;
  return Ref<Buffer>::adopt(b);
}

Ref<Buffer> Buffer::wrap(void* data, size_t nbytes, Release release, void* context) {
  auto* b = new Buffer();
  b->data_ = data;
  b->nbytes_ = nbytes;
  b->release_ = release;
  b->context_ = context;
  return Ref<Buffer>::adopt(b);
}

Buffer::~Buffer() {
  if (release_)
    release_(context_);
  else
    std::free(data_);
}

}  // namespace loom
