#include <gtest/gtest.h>

#include "loom/loom.h"

namespace loom {
namespace {

TEST(Shape, NumElementsAndToString) {
  Shape s{2, 3};
  EXPECT_EQ(s.num_elements(), 6);
  EXPECT_EQ(s.to_string(), "[2,3]");
  Shape partial{kUnknownDim, 3};
  EXPECT_EQ(partial.num_elements(), -1);
  EXPECT_EQ(partial.to_string(), "[?,3]");
  EXPECT_TRUE(partial.compatible_with(s));
  EXPECT_EQ(Shape::unknown_rank().to_string(), "<unknown>");
}

TEST(Shape, HugeShapesAreRejectedNotOverflowed) {
  std::vector<int64_t> dims{int64_t{1} << 32, int64_t{1} << 32};
  try {
    checked_num_elements(dims, "test");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kResourceExhausted);
  }
  std::vector<int64_t> neg{2, -3};
  EXPECT_THROW(checked_num_elements(neg, "test"), Error);
}

TEST(Tensor, BufferIsAlignedAndRefCounted) {
  Tensor t = Tensor::empty(DType::kFloat32, Shape{3, 5});
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % kBufferAlignment, 0u);
  Tensor copy = t;
  EXPECT_TRUE(copy.same_as(t));
  EXPECT_EQ(t.buffer()->use_count(), 1);  // one tensor impl holds it
}

TEST(Eager, AddBroadcasts) {
  Tensor a = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  Tensor b = Tensor::from_vector<float>({10, 20, 30}, Shape{3});
  Tensor c = a + b;
  ASSERT_EQ(c.shape(), (Shape{2, 3}));
  std::vector<float> want{11, 22, 33, 14, 25, 36};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(c.data<float>()[i], want[i]);
}

TEST(Eager, MismatchedDtypesAreAnError) {
  Tensor a = Tensor::scalar<float>(1);
  Tensor b = Tensor::scalar<int32_t>(1);
  try {
    add(a, b);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("[AddV2]"), std::string::npos);
  }
}

TEST(Eager, IncompatibleShapesNameTheOp) {
  Tensor a = Tensor::from_vector<float>({1, 2}, Shape{2});
  Tensor b = Tensor::from_vector<float>({1, 2, 3}, Shape{3});
  try {
    add(a, b);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "[AddV2] Incompatible shapes: [2] vs. [3]");
  }
}

TEST(Registry, UnknownOpIsNotFound) {
  try {
    OpRegistry::global().get("NoSuchOp");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
}

}  // namespace
}  // namespace loom
