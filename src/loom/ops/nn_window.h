// Attribute parsing shared by the windowed NHWC ops (Conv2D, MaxPool, AvgPool).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "loom/core/shape.h"
#include "loom/kernels/cpu/conv.h"

namespace loom {

// data_format must be NHWC: NCHW is Unimplemented on CPU (as in TF), anything else is
// InvalidArgument.
void check_nhwc_format(const std::string& data_format, const char* op);

// A 4-element NHWC list attr (strides, dilations, ksize): every entry positive and the
// batch and depth entries 1. Returns the {height, width} entries.
std::array<int64_t, 2> spatial_window_attr(const std::vector<int64_t>& values, const char* attr,
                                           const char* op);

// The 4-D rank check for an input whose rank may be unknown.
void check_rank4(const Shape& shape, const char* what, const char* op);

// Dimension i of a shape, or -1 when the rank is unknown.
inline int64_t dim_or_unknown(const Shape& s, int i) {
  return s.has_rank() ? s.dim(i) : kUnknownDim;
}

}  // namespace loom
