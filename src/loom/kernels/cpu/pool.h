// 2-D max and average pooling on CPU (NHWC) and their gradients, vectorized across
// channels.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace loom::cpu {

struct Pool2DGeometry {
  int64_t batch, in_h, in_w, channels;
  int64_t window_h, window_w, stride_h, stride_w;
  int64_t out_h, out_w, pad_top, pad_left;
};

// Calls f(batch, out_offset, h_begin, h_end, w_begin, w_end) for every output position, the
// window clipped to the input: padding positions never take part.
template <class F>
void for_each_window(const Pool2DGeometry& g, F&& f) {
  int64_t out = 0;
  for (int64_t b = 0; b < g.batch; ++b)
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      const int64_t h0 = oh * g.stride_h - g.pad_top;
      const int64_t hb = std::max<int64_t>(h0, 0), he = std::min(h0 + g.window_h, g.in_h);
      for (int64_t ow = 0; ow < g.out_w; ++ow, out += g.channels) {
        const int64_t w0 = ow * g.stride_w - g.pad_left;
        const int64_t wb = std::max<int64_t>(w0, 0), we = std::min(w0 + g.window_w, g.in_w);
        f(b, out, hb, he, wb, we);
      }
    }
}

template <class T>
void max_pool_nhwc(const Pool2DGeometry& g, const T* input, T* output) {
  using Vec = Eigen::Array<T, Eigen::Dynamic, 1>;
  const int64_t c = g.channels;
  for_each_window(g, [&](int64_t b, int64_t out, int64_t hb, int64_t he, int64_t wb, int64_t we) {
    const T* image = input + b * g.in_h * g.in_w * c;
    Eigen::Map<Vec> dst(output + out, c);
    dst.setConstant(Eigen::NumTraits<T>::lowest());
    for (int64_t h = hb; h < he; ++h)
      for (int64_t w = wb; w < we; ++w)
        dst = dst.max(Eigen::Map<const Vec>(image + (h * g.in_w + w) * c, c));
  });
}

// Averages over the valid (non-padding) positions of each window, accumulating in C.
template <class T, class C>
void avg_pool_nhwc(const Pool2DGeometry& g, const T* input, T* output) {
  const int64_t c = g.channels;
  Eigen::Array<C, Eigen::Dynamic, 1> sum(c);
  for_each_window(g, [&](int64_t b, int64_t out, int64_t hb, int64_t he, int64_t wb, int64_t we) {
    const T* image = input + b * g.in_h * g.in_w * c;
    sum.setZero();
    for (int64_t h = hb; h < he; ++h)
      for (int64_t w = wb; w < we; ++w)
        sum += Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(image + (h * g.in_w + w) * c, c)
                   .template cast<C>();
    const C count = static_cast<C>(std::max<int64_t>((he - hb) * (we - wb), 1));
    Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(output + out, c) =
        (sum / count).template cast<T>();
  });
}

// Calls f(image_offset, out, argmax) for every window, where argmax[c] is the offset
// (h * in_w + w) * channels + c, within the batch entry's image, of channel c's maximum:
// the first one in row-major window order on ties, and the window's first position when
// nothing compares greater (NaN). image_offset is the batch entry's start.
template <class T, class F>
void for_each_window_argmax(const Pool2DGeometry& g, const T* input, F&& f) {
  const int64_t c = g.channels;
  const int64_t image_size = g.in_h * g.in_w * c;
  // Plain loops over contiguous channel runs with a 32-bit position index, which the
  // compiler turns into vector compares and blends.
  std::vector<T> best_buf(c);
  std::vector<int32_t> slot_buf(c);  // the maximum's position within the window
  std::vector<int64_t> at(c);
  for_each_window(g, [&](int64_t b, int64_t out, int64_t hb, int64_t he, int64_t wb, int64_t we) {
    if (hb >= he || wb >= we) return;  // a window wholly in the padding reads nothing
    const T* image = input + b * image_size;
    T* __restrict best = best_buf.data();
    int32_t* __restrict slot = slot_buf.data();
    const int64_t width = we - wb;
    std::copy_n(image + (hb * g.in_w + wb) * c, c, best);
    std::fill_n(slot, c, 0);
    int32_t s = 0;
    for (int64_t h = hb; h < he; ++h)
      for (int64_t w = wb; w < we; ++w, ++s) {
        const T* __restrict v = image + (h * g.in_w + w) * c;
        for (int64_t k = 0; k < c; ++k) {
          const bool greater = v[k] > best[k];
          best[k] = greater ? v[k] : best[k];
          slot[k] = greater ? s : slot[k];
        }
      }
    for (int64_t k = 0; k < c; ++k)
      at[k] = ((hb + slot[k] / width) * g.in_w + wb + slot[k] % width) * c + k;
    f(b * image_size, out, at.data());
  });
}

// in_backprop = the gradient of max_pool_nhwc: each output's gradient goes to the input
// position its maximum came from.
template <class T>
void max_pool_grad_nhwc(const Pool2DGeometry& g, const T* input, const T* grad, T* in_backprop) {
  std::fill_n(in_backprop, g.batch * g.in_h * g.in_w * g.channels, T(0));
  for_each_window_argmax(g, input, [&](int64_t image, int64_t out, const int64_t* at) {
    for (int64_t k = 0; k < g.channels; ++k) in_backprop[image + at[k]] += grad[out + k];
  });
}

// The gradient of max_pool_grad_nhwc in its `grad` input: each output reads the
// incoming gradient at its maximum's position.
template <class T>
void max_pool_grad_grad_nhwc(const Pool2DGeometry& g, const T* input, const T* grad, T* output) {
  std::fill_n(output, g.batch * g.out_h * g.out_w * g.channels, T(0));
  for_each_window_argmax(g, input, [&](int64_t image, int64_t out, const int64_t* at) {
    for (int64_t k = 0; k < g.channels; ++k) output[out + k] = grad[image + at[k]];
  });
}

// The gradient of avg_pool_nhwc: each output's gradient, divided by its window's count of
// real input values, is added to each of them. Accumulates in C.
template <class T, class C>
void avg_pool_grad_nhwc(const Pool2DGeometry& g, const T* grad, T* in_backprop) {
  using CVec = Eigen::Array<C, Eigen::Dynamic, 1>;
  const int64_t c = g.channels;
  const int64_t n = g.batch * g.in_h * g.in_w * c;
  std::vector<C> acc;  // half types accumulate in a float copy
  C* base;
  if constexpr (std::is_same_v<T, C>) {
    base = in_backprop;
  } else {
    acc.resize(n);
    base = acc.data();
  }
  std::fill_n(base, n, C(0));
  CVec share(c);
  for_each_window(g, [&](int64_t b, int64_t out, int64_t hb, int64_t he, int64_t wb, int64_t we) {
    C* image = base + b * g.in_h * g.in_w * c;
    const C count = static_cast<C>(std::max<int64_t>((he - hb) * (we - wb), 1));
    share = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(grad + out, c).template cast<C>() /
            count;
    for (int64_t h = hb; h < he; ++h)
      for (int64_t w = wb; w < we; ++w) Eigen::Map<CVec>(image + (h * g.in_w + w) * c, c) += share;
  });
  if constexpr (!std::is_same_v<T, C>)
    Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(in_backprop, n) =
        Eigen::Map<const CVec>(base, n).template cast<T>();
}

}  // namespace loom::cpu
