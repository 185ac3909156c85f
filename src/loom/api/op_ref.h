// A registry lookup done once per call site: `static const OpRef op("AddV2"); op({x, y})`.
#pragma once

#include "loom/eager/execute.h"

namespace loom {

class OpRef {
 public:
  explicit OpRef(const char* name) : def_(&OpRegistry::global().get(name)) {}
  Tensor operator()(std::initializer_list<Tensor> in, const Attrs& attrs = {}) const {
    return execute1(*def_, std::span<const Tensor>(in.begin(), in.size()), attrs);
  }
  std::vector<Tensor> multi(std::span<const Tensor> in, const Attrs& attrs = {}) const {
    return execute(*def_, in, attrs);
  }
  const OpDef& def() const { return *def_; }

 private:
  const OpDef* def_;
};

}  // namespace loom
