#include <gtest/gtest.h>

#include <cmath>

#include "loom/loom.h"

namespace loom {
namespace {

std::vector<float> values(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.num_elements());
}

TEST(NnApi, ActivationsAndSoftmax) {
  Tensor x = Tensor::from_vector<float>({-2, 0, 3}, Shape{3});
  EXPECT_EQ(values(relu(x)), (std::vector<float>{0, 0, 3}));
  EXPECT_EQ(values(leaky_relu(x, 0.5)), (std::vector<float>{-1, 0, 3}));
  EXPECT_NEAR(values(softplus(x))[2], std::log1p(std::exp(3.0)), 1e-6);
  std::vector<float> s = values(softmax(x));
  EXPECT_NEAR(s[0] + s[1] + s[2], 1.0, 1e-6);
  EXPECT_NEAR(values(log_softmax(x))[2], std::log(s[2]), 1e-6);
}

TEST(NnApi, Conv2DSumsTheWindow) {
  // A 3x3 all-ones filter over a 3x3 all-ones image with SAME padding counts neighbours.
  Tensor image = Tensor::from_vector<float>(std::vector<float>(9, 1.0f), Shape{1, 3, 3, 1});
  Tensor filter = Tensor::from_vector<float>(std::vector<float>(9, 1.0f), Shape{3, 3, 1, 1});
  Tensor out = conv2d(image, filter, {1, 1, 1, 1}, "SAME");
  EXPECT_EQ(out.shape(), (Shape{1, 3, 3, 1}));
  EXPECT_EQ(values(out), (std::vector<float>{4, 6, 4, 6, 9, 6, 4, 6, 4}));
  Tensor pooled = avg_pool2d(out, {1, 2, 2, 1}, {1, 2, 2, 1}, "SAME");
  EXPECT_EQ(values(pooled), (std::vector<float>{6.25f, 5, 5, 4}));
  EXPECT_EQ(values(max_pool2d(out, {1, 3, 3, 1}, {1, 1, 1, 1}, "VALID")), (std::vector<float>{9}));
}

TEST(NnApi, CrossEntropyAndBiasAdd) {
  Tensor logits = Tensor::from_vector<float>({0, 0, 0, 0}, Shape{2, 2});
  Tensor labels = Tensor::from_vector<int32_t>({0, 1}, Shape{2});
  std::vector<float> loss = values(sparse_softmax_cross_entropy_with_logits(labels, logits));
  EXPECT_NEAR(loss[0], std::log(2.0), 1e-6);
  Tensor dense = Tensor::from_vector<float>({1, 0, 0, 1}, Shape{2, 2});
  EXPECT_NEAR(values(softmax_cross_entropy_with_logits(dense, logits))[1], std::log(2.0), 1e-6);
  Tensor bias = Tensor::from_vector<float>({1, 2}, Shape{2});
  EXPECT_EQ(values(bias_add(logits, bias)), (std::vector<float>{1, 2, 1, 2}));
}

TEST(NnApi, BadInputsRaise) {
  Tensor logits = Tensor::from_vector<float>({0, 0, 0, 0}, Shape{2, 2});
  Tensor labels = Tensor::from_vector<int64_t>({0, 2}, Shape{2});
  try {
    sparse_softmax_cross_entropy_with_logits(labels, logits);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("label value of 2"), std::string::npos) << e.what();
  }
  Tensor image = Tensor::from_vector<float>(std::vector<float>(4, 1.0f), Shape{1, 2, 2, 1});
  Tensor filter = Tensor::from_vector<float>(std::vector<float>(9, 1.0f), Shape{3, 3, 1, 1});
  EXPECT_THROW(conv2d(image, filter, {1, 1, 1, 1}, "VALID"), Error);
  EXPECT_THROW(conv2d(image, filter, {1, 1, 1}, "SAME"), Error);
  EXPECT_THROW(bias_add(logits, Tensor::from_vector<float>({1, 2, 3}, Shape{3})), Error);
}

// Graph-time inference: unknown dims and ranks give unknown outputs, not errors.
std::vector<TensorType> infer(const char* op, std::vector<Shape> shapes, std::vector<DType> dtypes,
                              const Attrs& attrs) {
  std::vector<InputInfo> info;
  for (size_t i = 0; i < shapes.size(); ++i) info.push_back({dtypes[i], &shapes[i], nullptr});
  return check_and_infer(OpRegistry::global().get(op), info, attrs);
}

TEST(NnInfer, UnknownDimsPropagate) {
  const DType f = DType::kFloat32;
  Attrs conv{{"strides", std::vector<int64_t>{1, 2, 2, 1}}, {"padding", std::string("SAME")}};
  auto out =
      infer("Conv2D", {Shape{kUnknownDim, 9, kUnknownDim, 3}, Shape{3, 3, 3, 8}}, {f, f}, conv);
  EXPECT_EQ(out[0].shape, (Shape{kUnknownDim, 5, kUnknownDim, 8}));
  out = infer("Conv2D", {Shape::unknown_rank(), Shape{3, 3, 3, 8}}, {f, f}, conv);
  EXPECT_EQ(out[0].shape, (Shape{kUnknownDim, kUnknownDim, kUnknownDim, 8}));
  Attrs pool{{"ksize", std::vector<int64_t>{1, 2, 2, 1}},
             {"strides", std::vector<int64_t>{1, 2, 2, 1}},
             {"padding", std::string("VALID")}};
  out = infer("MaxPool", {Shape{2, kUnknownDim, 7, 4}}, {f}, pool);
  EXPECT_EQ(out[0].shape, (Shape{2, kUnknownDim, 3, 4}));
  out = infer("SparseSoftmaxCrossEntropyWithLogits", {Shape{kUnknownDim, 10}, Shape{4}},
              {f, DType::kInt32}, {});
  EXPECT_EQ(out[0].shape, (Shape{4}));
  EXPECT_EQ(out[1].shape, (Shape{4, 10}));
  out = infer("Softmax", {Shape::unknown_rank()}, {f}, {});
  EXPECT_FALSE(out[0].shape.has_rank());
  EXPECT_THROW(infer("Conv2D", {Shape{1, 5, 5, 2}, Shape{3, 3, 4, 8}}, {f, f}, conv), Error);
}

}  // namespace
}  // namespace loom
