// 2-D convolution on CPU (NHWC): im2col into row blocks, then one BLAS GEMM per block;
// its input and filter gradients use the same blocks (GEMM then col2im, im2col then GEMM).
// Also the windowed output-size rules that convolution and pooling share.
#pragma once

#include <cstdint>
#include <string>

namespace loom {

enum class Padding { kSame, kValid, kExplicit };

// "SAME" / "VALID" (/ "EXPLICIT" where allowed); raises InvalidArgument naming `op`.
Padding parse_padding(const std::string& name, const char* op, bool allow_explicit);

struct WindowDim {
  int64_t out = -1;  // -1 when the input size is unknown
  int64_t pad_before = 0;
  int64_t pad_after = 0;
};

// Output size and padding along one spatial dimension, as TensorFlow defines them:
// SAME gives ceil(in / stride) with the odd padding element after; VALID and EXPLICIT
// give (padded_in - effective_filter) / stride + 1. A filter larger than the padded
// input or sizes that overflow raise InvalidArgument naming `op`. `in` or `filter`
// may be -1 (unknown), which gives an unknown output where it matters.
WindowDim window_dim(int64_t in, int64_t filter, int64_t dilation, int64_t stride, Padding padding,
                     int64_t explicit_before, int64_t explicit_after, const char* op);

namespace cpu {

struct Conv2DGeometry {
  int64_t batch, in_h, in_w, in_c;
  int64_t filter_h, filter_w, out_c;
  int64_t stride_h, stride_w, dilation_h, dilation_w;
  int64_t out_h, out_w, pad_top, pad_left;
};

// output[b, oh, ow, oc] = sum over (kh, kw, ic) of
//   input[b, oh*sh - pad_top + kh*dh, ow*sw - pad_left + kw*dw, ic] * filter[kh, kw, ic, oc]
// with out-of-range input positions reading zero. T is float or double.
template <class T>
void conv2d_nhwc(const Conv2DGeometry& g, const T* input, const T* filter, T* output);

// The gradient of conv2d_nhwc's output with respect to its input: every output position's
// out_backprop row times the filter, added back onto the input positions it read.
template <class T>
void conv2d_backprop_input_nhwc(const Conv2DGeometry& g, const T* filter, const T* out_backprop,
                                T* in_backprop);

// The gradient with respect to the filter: the im2col patches transposed times
// out_backprop, summed over every output position.
template <class T>
void conv2d_backprop_filter_nhwc(const Conv2DGeometry& g, const T* input, const T* out_backprop,
                                 T* filter_backprop);

}  // namespace cpu
}  // namespace loom
