// 2-D max and average pooling on CPU (NHWC), vectorized across channels.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>

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

}  // namespace loom::cpu
