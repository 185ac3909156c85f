#include <gtest/gtest.h>

#include <numeric>

#include "loom/loom.h"

namespace loom {
namespace {

Tensor iota(const std::vector<int64_t>& dims) {
  Shape shape(dims);
  std::vector<float> v(static_cast<size_t>(checked_num_elements(dims, "test")));
  std::iota(v.begin(), v.end(), 0.0f);
  return Tensor::from_vector<float>(v, shape);
}

std::vector<float> values(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.num_elements());
}

TEST(ArrayApi, ReshapeSharesTheBuffer) {
  Tensor x = iota({2, 3});
  Tensor y = reshape(x, {3, -1});
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_EQ(y.buffer().get(), x.buffer().get());
  try {
    reshape(x, {4});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_STREQ(e.what(),
                 "[Reshape] Input to reshape is a tensor with 6 values, but the requested shape "
                 "has 4");
  }
}

TEST(ArrayApi, TransposeBlockedAndGeneral) {
  Tensor x = iota({37, 45});  // not a multiple of the tile size
  Tensor y = transpose(x);
  ASSERT_EQ(y.shape(), (Shape{45, 37}));
  for (int i = 0; i < 45; ++i)
    for (int j = 0; j < 37; ++j) ASSERT_EQ(y.data<float>()[i * 37 + j], j * 45 + i);
  Tensor z = transpose(iota({2, 3, 4}), {1, 2, 0});
  EXPECT_EQ(z.shape(), (Shape{3, 4, 2}));
  EXPECT_EQ(values(z)[0], 0);
  EXPECT_EQ(values(z)[1], 12);
  EXPECT_EQ(values(z)[2], 1);
}

TEST(ArrayApi, ConcatSplitRoundTrip) {
  Tensor a = iota({2, 3});
  std::vector<Tensor> parts = split_sizes(a, {1, -1}, 1);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1].shape(), (Shape{2, 2}));
  Tensor back = concat(parts, 1);
  EXPECT_EQ(values(back), values(a));
  Tensor stacked = stack(unstack(a, 1), 1);
  EXPECT_EQ(values(stacked), values(a));
}

TEST(ArrayApi, StridedSliceMasks) {
  Tensor x = iota({3, 4});
  StridedSliceMasks m;
  m.end = 1;
  m.shrink_axis = 2;
  Tensor col = strided_slice(x, {-1, 1}, {0, 2}, {-1, 1}, m);  // x[::-1, 1]
  EXPECT_EQ(col.shape(), (Shape{3}));
  EXPECT_EQ(values(col), (std::vector<float>{9, 5, 1}));
  try {
    strided_slice(x, {5}, {6}, {1}, {0, 0, 0, 0, 1});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("slice index 5 of dimension 0 out of bounds"),
              std::string::npos);
  }
}

TEST(ArrayApi, PadTileAndCreation) {
  Tensor x = iota({1, 2});
  Tensor p = pad(x, {0, 0, 1, 1}, Tensor::scalar<float>(9));
  EXPECT_EQ(values(p), (std::vector<float>{9, 0, 1, 9}));
  Tensor m = mirror_pad(iota({3}), {2, 2}, "REFLECT");
  EXPECT_EQ(values(m), (std::vector<float>{2, 1, 0, 1, 2, 1, 0}));
  EXPECT_EQ(values(tile(x, {2, 1})), (std::vector<float>{0, 1, 0, 1}));
  Tensor e = eye(2, 3, {2}, DType::kInt8);
  EXPECT_EQ(e.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(e.data<int8_t>()[6 + 4], 1);
  Tensor r =
      range(Tensor::scalar<int64_t>(5), Tensor::scalar<int64_t>(0), Tensor::scalar<int64_t>(-2));
  EXPECT_EQ(r.to_int64_vector("test"), (std::vector<int64_t>{5, 3, 1}));
  EXPECT_EQ(ones({2}, DType::kBool).data<bool>()[1], true);
  EXPECT_EQ(shape_of(iota({4, 0})).to_int64_vector("test"), (std::vector<int64_t>{4, 0}));
}

}  // namespace
}  // namespace loom
