// C++ API: nn ops as plain functions over loom::Tensor (tf.nn.* counterparts).
#pragma once

#include <string>
#include <vector>

#include "loom/core/tensor.h"

namespace loom {

Tensor relu(const Tensor& features);
Tensor relu6(const Tensor& features);
Tensor elu(const Tensor& features);
Tensor selu(const Tensor& features);
Tensor gelu(const Tensor& features, bool approximate = false);
Tensor softplus(const Tensor& features);
Tensor softsign(const Tensor& features);
Tensor leaky_relu(const Tensor& features, double alpha = 0.2);

Tensor softmax(const Tensor& logits, int64_t axis = -1);
Tensor log_softmax(const Tensor& logits, int64_t axis = -1);

Tensor bias_add(const Tensor& value, const Tensor& bias, const std::string& data_format = "NHWC");

// Per-example losses: labels [...] of class indices, logits [..., classes].
Tensor sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits);
// labels and logits broadcast together; classes along `axis`.
Tensor softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits,
                                         int64_t axis = -1);

// NHWC only. strides/dilations/ksize are the full 4-element lists ({1, h, w, 1}).
Tensor conv2d(const Tensor& input, const Tensor& filters, const std::vector<int64_t>& strides,
              const std::string& padding, const std::vector<int64_t>& dilations = {1, 1, 1, 1});
Tensor max_pool2d(const Tensor& input, const std::vector<int64_t>& ksize,
                  const std::vector<int64_t>& strides, const std::string& padding);
Tensor avg_pool2d(const Tensor& input, const std::vector<int64_t>& ksize,
                  const std::vector<int64_t>& strides, const std::string& padding);

}  // namespace loom
