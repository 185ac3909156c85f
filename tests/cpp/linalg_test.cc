#include <gtest/gtest.h>

#include "loom/loom.h"

namespace loom {
namespace {

template <class T>
std::vector<float> values_of(const Tensor& t) {
  std::vector<float> out;
  for (int64_t i = 0; i < t.num_elements(); ++i) out.push_back(static_cast<float>(t.data<T>()[i]));
  return out;
}

TEST(LinalgMatMul, AffineLayerExample) {
  Tensor a = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  Tensor x = Tensor::from_vector<float>({1, 0, 0, 1, 1, 1}, Shape{3, 2});
  Tensor b = Tensor::from_vector<float>({0.5f, -0.5f}, Shape{2});
  Tensor y = matmul(a, x) + b;
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(values_of<float>(y), (std::vector<float>{4.5f, 4.5f, 10.5f, 10.5f}));
}

TEST(LinalgMatMul, TransposesReadTheStoredLayout) {
  Tensor a = Tensor::from_vector<double>({1, 2, 3, 4, 5, 6}, Shape{3, 2});  // a^T is [2,3]
  Tensor b = Tensor::from_vector<double>({1, 2, 3}, Shape{1, 3});           // b^T is [3,1]
  Tensor y = matmul(a, b, /*transpose_a=*/true, /*transpose_b=*/true);
  EXPECT_EQ(y.shape(), (Shape{2, 1}));
  EXPECT_EQ(values_of<double>(y), (std::vector<float>{22, 28}));
}

TEST(LinalgMatMul, HalfBFloat16AndIntegerTypes) {
  Tensor h = Tensor::from_vector<half>({half(1), half(2), half(3), half(4)}, Shape{2, 2});
  EXPECT_EQ(values_of<half>(matmul(h, h)), (std::vector<float>{7, 10, 15, 22}));
  EXPECT_EQ(matmul(h, h).dtype(), DType::kFloat16);
  Tensor bf = Tensor::from_vector<bfloat16>({bfloat16(1), bfloat16(2), bfloat16(3), bfloat16(4)},
                                            Shape{2, 2});
  EXPECT_EQ(values_of<bfloat16>(matmul(bf, bf, true, false)), (std::vector<float>{10, 14, 14, 20}));
  EXPECT_EQ(matmul(bf, bf).dtype(), DType::kBFloat16);
  Tensor i = Tensor::from_vector<int64_t>({1, 2, 3, 4}, Shape{2, 2});
  EXPECT_EQ(values_of<int64_t>(matmul(i, i, false, true)), (std::vector<float>{5, 11, 11, 25}));
}

TEST(LinalgMatMul, LargeHalfProductsGoThroughFloatBlas) {
  // 16x40 times 40x16 is past the small-product loop: exercises the convert-to-float path.
  std::vector<half> ones(16 * 40, half(1));
  Tensor a = Tensor::from_vector<half>(ones, Shape{16, 40});
  Tensor y = matmul(a, a, false, true);
  EXPECT_EQ(y.shape(), (Shape{16, 16}));
  EXPECT_EQ(values_of<half>(y), std::vector<float>(256, 40.0f));
  std::vector<bfloat16> bones(2 * 16 * 40, bfloat16(0.5f));
  Tensor b = Tensor::from_vector<bfloat16>(bones, Shape{2, 40, 16});
  Tensor z = matmul(
      Tensor::from_vector<bfloat16>(std::vector<bfloat16>(16 * 40, bfloat16(2)), Shape{16, 40}), b);
  EXPECT_EQ(z.shape(), (Shape{2, 16, 16}));
  EXPECT_EQ(values_of<bfloat16>(z), std::vector<float>(512, 40.0f));
}

TEST(LinalgMatMul, BatchDimsBroadcast) {
  Tensor a = Tensor::from_vector<float>({1, 0, 0, 1, 2, 0, 0, 2}, Shape{2, 1, 2, 2});
  Tensor b = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, Shape{3, 2, 1});
  Tensor y = matmul(a, b);
  EXPECT_EQ(y.shape(), (Shape{2, 3, 2, 1}));
  EXPECT_EQ(values_of<float>(y), (std::vector<float>{1, 2, 3, 4, 5, 6, 2, 4, 6, 8, 10, 12}));
}

TEST(LinalgMatMul, EmptyInnerDimGivesZeros) {
  Tensor a = Tensor::empty(DType::kFloat32, Shape{2, 0});
  Tensor b = Tensor::empty(DType::kFloat32, Shape{0, 3});
  Tensor y = matmul(a, b);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(values_of<float>(y), std::vector<float>(6, 0.0f));
}

TEST(LinalgMatMul, SizeMismatchIsInvalidArgument) {
  Tensor a = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  try {
    matmul(a, a);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_STREQ(e.what(), "[MatMul] Matrix size-incompatible: In[0]: [2,3], In[1]: [2,3]");
  }
}

TEST(LinalgEinsum, ContractionsDiagonalsAndTrace) {
  Tensor a = Tensor::from_vector<float>({1, 2, 3, 4}, Shape{2, 2});
  Tensor v = Tensor::from_vector<float>({1, -1}, Shape{2});
  EXPECT_EQ(values_of<float>(einsum("ij,jk->ik", {a, a})), (std::vector<float>{7, 10, 15, 22}));
  EXPECT_EQ(values_of<float>(einsum("ij->ji", {a})), (std::vector<float>{1, 3, 2, 4}));
  EXPECT_EQ(values_of<float>(einsum("ii->i", {a})), (std::vector<float>{1, 4}));
  EXPECT_EQ(values_of<float>(einsum("i,ij,j->", {v, a, v})), (std::vector<float>{0}));
  EXPECT_EQ(values_of<float>(trace(a)), (std::vector<float>{5}));
  Tensor bf = Tensor::from_vector<bfloat16>({bfloat16(1), bfloat16(2), bfloat16(3), bfloat16(4)},
                                            Shape{2, 2});
  Tensor out = einsum("ij,ij->i", {bf, bf});
  EXPECT_EQ(out.dtype(), DType::kBFloat16);
  EXPECT_EQ(values_of<bfloat16>(out), (std::vector<float>{5, 25}));
}

TEST(LinalgEinsum, LabelSizeMismatchIsInvalidArgument) {
  Tensor a = Tensor::empty(DType::kFloat32, Shape{2, 3});
  Tensor b = Tensor::empty(DType::kFloat32, Shape{4, 5});
  try {
    einsum("ij,jk->ik", {a, b});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("[Einsum] Expected dimension 3 for label 'j' but got 4"),
              std::string::npos);
  }
}

// Graph-time inference: unknown dims and ranks give unknown outputs, not errors.
Shape infer(const char* op, std::vector<Shape> shapes, const Attrs& attrs = {}) {
  std::vector<InputInfo> info;
  for (const Shape& s : shapes) info.push_back({DType::kFloat32, &s, nullptr});
  return check_and_infer(OpRegistry::global().get(op), info, attrs).at(0).shape;
}

TEST(LinalgInference, UnknownDimsAndRanks) {
  const int64_t u = kUnknownDim;
  EXPECT_EQ(infer("MatMul", {Shape{u, 3}, Shape{3, u}}), (Shape{u, u}));
  EXPECT_EQ(infer("MatMul", {Shape::unknown_rank(), Shape{3, 5}}), (Shape{u, 5}));
  EXPECT_EQ(infer("BatchMatMulV2", {Shape{u, 2, 3}, Shape{3, 4}}), (Shape{u, 2, 4}));
  EXPECT_FALSE(infer("BatchMatMulV2", {Shape::unknown_rank(), Shape{3, 4}}).has_rank());
  Attrs eq{{"equation", std::string("ij,jk->ik")}};
  EXPECT_EQ(infer("Einsum", {Shape{u, 3}, Shape{u, u}}, eq), (Shape{u, u}));
  EXPECT_EQ(infer("Einsum", {Shape{u, 3}, Shape::unknown_rank()}, eq), (Shape{u, u}));
  Attrs broadcast{{"equation", std::string("...ij,...jk->...ik")}};
  EXPECT_FALSE(infer("Einsum", {Shape::unknown_rank(), Shape{3, 4}}, broadcast).has_rank());
  EXPECT_EQ(infer("Einsum", {Shape{u, 2, 3}, Shape{5, 1, 3, 4}}, broadcast), (Shape{5, u, 2, 4}));
  EXPECT_THROW(infer("MatMul", {Shape{u, 3}, Shape{4, u}}), Error);
  EXPECT_THROW(infer("Einsum", {Shape{u, 3}, Shape{4, u}}, eq), Error);
}

}  // namespace
}  // namespace loom
