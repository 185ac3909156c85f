#include <gtest/gtest.h>

#include <cmath>

#include "loom/loom.h"

namespace loom {
namespace {

template <class T>
std::vector<T> values_of(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.num_elements());
}

TEST(Reduce, SumOverAxesAndKeepDims) {
  Tensor x = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  EXPECT_EQ(values_of<float>(reduce_sum(x, {0})), (std::vector<float>{5, 7, 9}));
  Tensor rows = reduce_sum(x, {-1}, /*keep_dims=*/true);
  EXPECT_EQ(rows.shape(), (Shape{2, 1}));
  EXPECT_EQ(values_of<float>(rows), (std::vector<float>{6, 15}));
  EXPECT_EQ(reduce_sum(x).item<float>(), 21.0f);
  EXPECT_EQ(values_of<float>(reduce_sum(x, {1, 1, -1})), (std::vector<float>{6, 15}));
}

TEST(Reduce, MiddleAxisOfRank4) {
  // [2,3,4,5] reduced over axes {1,3}: two passes, one across rows and one along them.
  std::vector<double> data(120);
  for (int i = 0; i < 120; ++i) data[i] = i;
  Tensor x = Tensor::from_vector(data, Shape{2, 3, 4, 5});
  Tensor y = reduce_sum(x, {1, 3});
  ASSERT_EQ(y.shape(), (Shape{2, 4}));
  for (int a = 0; a < 2; ++a)
    for (int c = 0; c < 4; ++c) {
      double want = 0;
      for (int b = 0; b < 3; ++b)
        for (int d = 0; d < 5; ++d) want += data[((a * 3 + b) * 4 + c) * 5 + d];
      EXPECT_EQ(y.data<double>()[a * 4 + c], want);
    }
}

TEST(Reduce, LongFloatSumIsAccurate) {
  std::vector<float> data(1 << 20, 0.1f);
  Tensor total = reduce_sum(Tensor::from_vector(data, Shape{1 << 20}));
  EXPECT_NEAR(total.item<double>(), 0.1 * (1 << 20), 1e-5 * 0.1 * (1 << 20));
}

TEST(Reduce, EmptyReductionsGiveIdentities) {
  Tensor x = Tensor::empty(DType::kFloat32, Shape{0, 2});
  EXPECT_EQ(values_of<float>(reduce_sum(x, {0})), (std::vector<float>{0, 0}));
  EXPECT_EQ(values_of<float>(reduce_prod(x, {0})), (std::vector<float>{1, 1}));
  EXPECT_EQ(reduce_max(x, {0}).data<float>()[0], -INFINITY);
  EXPECT_EQ(reduce_min(x, {0}).data<float>()[0], INFINITY);
  EXPECT_TRUE(std::isnan(reduce_mean(x, {0}).data<float>()[0]));
  Tensor ints = Tensor::empty(DType::kInt32, Shape{0});
  EXPECT_EQ(reduce_max(ints).item<int32_t>(), std::numeric_limits<int32_t>::lowest());
}

TEST(Reduce, HalfTypesAccumulateInFloat) {
  // 4096 ones: a bfloat16 accumulator would stall at 256.
  std::vector<bfloat16> ones(4096, bfloat16(1.0f));
  Tensor total = reduce_sum(Tensor::from_vector(ones, Shape{4096}));
  EXPECT_EQ(total.dtype(), DType::kBFloat16);
  EXPECT_EQ(total.item<float>(), 4096.0f);
  std::vector<half> h(3000, half(1.0f));
  Tensor sum_h = reduce_sum(Tensor::from_vector(h, Shape{3, 1000}), {0});
  EXPECT_EQ(sum_h.data<half>()[0], half(3.0f));
}

TEST(Reduce, IntegerMeanTruncatesWithoutOverflow) {
  Tensor x = Tensor::from_vector<int8_t>({100, 100, 101, -7, -8, 0}, Shape{2, 3});
  EXPECT_EQ(values_of<int8_t>(reduce_mean(x, {1})), (std::vector<int8_t>{100, -5}));
}

TEST(Reduce, AnyAll) {
  Tensor b = Tensor::from_vector<bool>({true, false, true, true}, Shape{2, 2});
  EXPECT_EQ(values_of<bool>(reduce_any(b, {1})), (std::vector<bool>{true, true}));
  EXPECT_EQ(values_of<bool>(reduce_all(b, {1})), (std::vector<bool>{false, true}));
  EXPECT_TRUE(reduce_all(Tensor::empty(DType::kBool, Shape{0})).item<bool>());
  EXPECT_FALSE(reduce_any(Tensor::empty(DType::kBool, Shape{0})).item<bool>());
}

TEST(Reduce, BadAxisIsInvalidArgument) {
  Tensor x = Tensor::from_vector<float>({1, 2, 3, 4}, Shape{2, 2});
  try {
    reduce_sum(x, {3});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_STREQ(e.what(), "[Sum] Invalid reduction dimension 3 for input with 2 dimensions");
  }
}

TEST(Reduce, ArgMaxArgMin) {
  Tensor x = Tensor::from_vector<float>({3, 1, 3, 0, 5, 0}, Shape{2, 3});
  EXPECT_EQ(values_of<int64_t>(argmax(x, 1)), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(values_of<int64_t>(argmin(x, 1)), (std::vector<int64_t>{1, 0}));
  Tensor cols = argmax(x, 0, DType::kInt32);
  EXPECT_EQ(cols.dtype(), DType::kInt32);
  EXPECT_EQ(values_of<int32_t>(cols), (std::vector<int32_t>{0, 1, 0}));
  EXPECT_THROW(argmax(Tensor::empty(DType::kFloat32, Shape{0, 2}), 0), Error);
}

TEST(Reduce, CumsumCumprod) {
  Tensor x = Tensor::from_vector<int32_t>({1, 2, 3, 4}, Shape{4});
  EXPECT_EQ(values_of<int32_t>(cumsum(x)), (std::vector<int32_t>{1, 3, 6, 10}));
  EXPECT_EQ(values_of<int32_t>(cumsum(x, 0, true, true)), (std::vector<int32_t>{9, 7, 4, 0}));
  EXPECT_EQ(values_of<int32_t>(cumprod(x, 0, true)), (std::vector<int32_t>{1, 1, 2, 6}));
}

TEST(Reduce, TopKAndSort) {
  Tensor x = Tensor::from_vector<float>({1, 5, 3, 5, 2}, Shape{5});
  TopK top = top_k(x, 3);
  EXPECT_EQ(values_of<float>(top.values), (std::vector<float>{5, 5, 3}));
  EXPECT_EQ(values_of<int32_t>(top.indices), (std::vector<int32_t>{1, 3, 2}));
  EXPECT_EQ(values_of<float>(sort(x)), (std::vector<float>{1, 2, 3, 5, 5}));
  EXPECT_EQ(values_of<int32_t>(argsort(x, -1, true)), (std::vector<int32_t>{1, 3, 2, 4, 0}));
  try {
    top_k(x, 6);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("[TopKV2]"), std::string::npos);
  }
}

TEST(Reduce, InferenceWithUnknownAxesOrDims) {
  const OpDef& sum = OpRegistry::global().get("Sum");
  const Shape in{2, 1, kUnknownDim};
  const Shape axes_shape{1};
  const InputInfo unknown_axes[] = {{DType::kFloat32, &in, nullptr},
                                    {DType::kInt32, &axes_shape, nullptr}};
  EXPECT_FALSE(check_and_infer(sum, unknown_axes, {})[0].shape.has_rank());
  EXPECT_EQ(check_and_infer(sum, unknown_axes, Attrs{{"keep_dims", true}})[0].shape,
            (Shape{kUnknownDim, 1, kUnknownDim}));
  const Tensor axis = Tensor::from_vector<int32_t>({-1}, Shape{1});
  const InputInfo known_axes[] = {{DType::kFloat32, &in, nullptr},
                                  {DType::kInt32, &axes_shape, &axis}};
  EXPECT_EQ(check_and_infer(sum, known_axes, {})[0].shape, (Shape{2, 1}));
  const Shape any = Shape::unknown_rank();
  const Shape scalar{};
  const InputInfo top_k_in[] = {{DType::kFloat32, &any, nullptr},
                                {DType::kInt32, &scalar, nullptr}};
  auto top = check_and_infer(OpRegistry::global().get("TopKV2"), top_k_in, {});
  EXPECT_FALSE(top[0].shape.has_rank());
  EXPECT_EQ(top[1].dtype, DType::kInt32);
}

// Small integers are exact in bfloat16, so every op must agree with float32.
TEST(Reduce, BFloat16AgreesWithFloat32) {
  const std::vector<float> values{3, -1, 4, 1, -5, 9, 2, 6, -5, 3, 5, 8};
  std::vector<bfloat16> halves;
  for (float v : values) halves.push_back(bfloat16(v));
  const Tensor f = Tensor::from_vector(values, Shape{3, 4});
  const Tensor b = Tensor::from_vector(halves, Shape{3, 4});
  auto same = [](const Tensor& want, const Tensor& got) {
    ASSERT_EQ(got.dtype(), DType::kBFloat16);
    ASSERT_EQ(got.shape(), want.shape());
    for (int64_t i = 0; i < want.num_elements(); ++i)
      EXPECT_EQ(static_cast<float>(got.data<bfloat16>()[i]), want.data<float>()[i]) << i;
  };
  same(reduce_sum(f, {0}), reduce_sum(b, {0}));
  same(reduce_max(f, {1}), reduce_max(b, {1}));
  same(reduce_min(f), reduce_min(b));
  same(reduce_prod(f, {0}), reduce_prod(b, {0}));
  same(cumsum(f, 1), cumsum(b, 1));
  same(sort(f, 0, true), sort(b, 0, true));
  same(top_k(f, 2).values, top_k(b, 2).values);
  EXPECT_EQ(values_of<int64_t>(argmax(f, 1)), values_of<int64_t>(argmax(b, 1)));
}

}  // namespace
}  // namespace loom
