#include "loom/api/nn.h"

#include "loom/api/op_ref.h"

namespace loom {

#define LOOM_NN_UNARY(fn, op_name)    \
  Tensor fn(const Tensor& features) { \
    static const OpRef op(op_name);   \
    return op({features});            \
  }
LOOM_NN_UNARY(relu, "Relu")
LOOM_NN_UNARY(relu6, "Relu6")
LOOM_NN_UNARY(elu, "Elu")
LOOM_NN_UNARY(selu, "Selu")
LOOM_NN_UNARY(softplus, "Softplus")
LOOM_NN_UNARY(softsign, "Softsign")
#undef LOOM_NN_UNARY

Tensor gelu(const Tensor& features, bool approximate) {
  static const OpRef op("Gelu");
  return op({features}, {{"approximate", approximate}});
}
Tensor leaky_relu(const Tensor& features, double alpha) {
  static const OpRef op("LeakyRelu");
  return op({features}, {{"alpha", alpha}});
}

Tensor softmax(const Tensor& logits, int64_t axis) {
  static const OpRef op("Softmax");
  return op({logits}, {{"axis", axis}});
}
Tensor log_softmax(const Tensor& logits, int64_t axis) {
  static const OpRef op("LogSoftmax");
  return op({logits}, {{"axis", axis}});
}

Tensor bias_add(const Tensor& value, const Tensor& bias, const std::string& data_format) {
  static const OpRef op("BiasAdd");
  return op({value, bias}, {{"data_format", data_format}});
}

Tensor sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits) {
  static const OpRef op("SparseSoftmaxCrossEntropyWithLogits");
  const Tensor inputs[] = {logits, labels};
  return op.multi(inputs)[0];
}
Tensor softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits, int64_t axis) {
  static const OpRef op("SoftmaxCrossEntropyWithLogits");
  const Tensor inputs[] = {logits, labels};
  return op.multi(inputs, {{"axis", axis}})[0];
}

Tensor conv2d(const Tensor& input, const Tensor& filters, const std::vector<int64_t>& strides,
              const std::string& padding, const std::vector<int64_t>& dilations) {
  static const OpRef op("Conv2D");
  return op({input, filters},
            {{"strides", strides}, {"padding", padding}, {"dilations", dilations}});
}
Tensor max_pool2d(const Tensor& input, const std::vector<int64_t>& ksize,
                  const std::vector<int64_t>& strides, const std::string& padding) {
  static const OpRef op("MaxPool");
  return op({input}, {{"ksize", ksize}, {"strides", strides}, {"padding", padding}});
}
Tensor avg_pool2d(const Tensor& input, const std::vector<int64_t>& ksize,
                  const std::vector<int64_t>& strides, const std::string& padding) {
  static const OpRef op("AvgPool");
  return op({input}, {{"ksize", ksize}, {"strides", strides}, {"padding", padding}});
}

}  // namespace loom
