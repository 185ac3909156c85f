#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "loom/loom.h"

namespace loom {
namespace {

template <class T>
std::vector<T> values(const Tensor& t) {
  EXPECT_EQ(t.dtype(), dtype_v<T>);
  return std::vector<T>(t.data<T>(), t.data<T>() + t.num_elements());
}

ErrorCode error_code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return static_cast<ErrorCode>(0);
}

TEST(MathApi, ArithmeticBroadcastsAndOperatorsWork) {
  Tensor a = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  Tensor b = Tensor::from_vector<float>({2, 4, 8}, Shape{3});
  Tensor q = a / b;
  EXPECT_EQ(q.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(q), (std::vector<float>{0.5f, 0.5f, 0.375f, 2, 1.25f, 0.75f}));
  EXPECT_EQ(values<float>(maximum(a, Tensor::scalar<float>(3.5f))),
            (std::vector<float>{3.5f, 3.5f, 3.5f, 4, 5, 6}));
  EXPECT_EQ(values<bool>(a < Tensor::scalar<float>(3)),
            (std::vector<bool>{true, true, false, false, false, false}));
}

TEST(MathApi, IntegerDivisionFollowsTensorFlow) {
  Tensor x = Tensor::from_vector<int32_t>({7, -7, std::numeric_limits<int32_t>::min()}, Shape{3});
  Tensor y = Tensor::from_vector<int32_t>({2, 2, -1}, Shape{3});
  EXPECT_EQ(values<int32_t>(floordiv(x, y)),
            (std::vector<int32_t>{3, -4, std::numeric_limits<int32_t>::min()}));
  EXPECT_EQ(values<int32_t>(floormod(x, y)), (std::vector<int32_t>{1, 1, 0}));
  Tensor d = divide(x, y);  // true division casts int32 to float64
  EXPECT_EQ(d.dtype(), DType::kFloat64);
  EXPECT_DOUBLE_EQ(d.data<double>()[1], -3.5);
  Tensor zero = Tensor::from_vector<int32_t>({1, 0, 1}, Shape{3});
  EXPECT_EQ(error_code_of([&] { floordiv(x, zero); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(error_code_of([&] { pow(x, Tensor::scalar<int32_t>(-2)); }),
            ErrorCode::kInvalidArgument);
}

TEST(MathApi, UnaryFunctions) {
  Tensor x = Tensor::from_vector<double>({0.5, 1.5, 2.5, -2.5}, Shape{4});
  EXPECT_EQ(values<double>(round(x)), (std::vector<double>{0, 2, 2, -2}));
  Tensor s = sigmoid(Tensor::from_vector<float>({-1000, 0, 1000}, Shape{3}));
  EXPECT_EQ(values<float>(s), (std::vector<float>{0, 0.5f, 1}));
  Tensor e = erf(Tensor::scalar<double>(0.5));
  EXPECT_NEAR(e.data<double>()[0], std::erf(0.5), 1e-12);
  Tensor n = is_nan(Tensor::from_vector<float>({std::nanf(""), 1}, Shape{2}));
  EXPECT_EQ(values<bool>(n), (std::vector<bool>{true, false}));
}

TEST(MathApi, CastWhereClipAndAddN) {
  Tensor f = Tensor::from_vector<float>({-2.75f, 0.5f, 3.25f}, Shape{3});
  EXPECT_EQ(values<int32_t>(cast_to(f, DType::kInt32)), (std::vector<int32_t>{-2, 0, 3}));
  EXPECT_EQ(values<bool>(cast_to(f, DType::kBool)), (std::vector<bool>{true, true, true}));
  EXPECT_TRUE(cast_to(f, DType::kFloat32).same_as(f));  // same dtype forwards
  Tensor h = cast_to(cast_to(f, DType::kFloat16), DType::kBFloat16);
  EXPECT_EQ(values<float>(cast_to(h, DType::kFloat32)), (std::vector<float>{-2.75f, 0.5f, 3.25f}));

  Tensor c = Tensor::from_vector<bool>({true, false, true}, Shape{3});
  EXPECT_EQ(values<float>(where(c, f, Tensor::scalar<float>(9))),
            (std::vector<float>{-2.75f, 9, 3.25f}));
  EXPECT_EQ(values<float>(clip_by_value(f, Tensor::scalar<float>(0), Tensor::scalar<float>(1))),
            (std::vector<float>{0, 0.5f, 1}));
  EXPECT_EQ(values<float>(add_n({f, f, f})), (std::vector<float>{-8.25f, 1.5f, 9.75f}));
  EXPECT_EQ(error_code_of([&] { add_n({}); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(error_code_of([&] { add_n({f, c}); }), ErrorCode::kInvalidArgument);
}

TEST(MathApi, LogicAndBitwise) {
  Tensor a = Tensor::from_vector<bool>({true, true, false}, Shape{3});
  Tensor b = Tensor::from_vector<bool>({true, false, false}, Shape{3});
  EXPECT_EQ(values<bool>(logical_xor(a, b)), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(values<bool>(logical_not(a)), (std::vector<bool>{false, false, true}));
  Tensor i = Tensor::from_vector<uint8_t>({12, 10}, Shape{2});
  EXPECT_EQ(values<uint8_t>(bitwise_and(i, Tensor::scalar<uint8_t>(6))),
            (std::vector<uint8_t>{4, 2}));
  EXPECT_EQ(values<uint8_t>(invert(i)), (std::vector<uint8_t>{243, 245}));
  EXPECT_EQ(error_code_of([&] { logical_and(a, i); }), ErrorCode::kInvalidArgument);
}

// Inference as graphs see it: unknown dims (-1), unknown rank, no input values.
std::vector<TensorType> infer(const char* op, std::vector<std::pair<DType, Shape>> in,
                              const Attrs& attrs = {}) {
  std::vector<InputInfo> info;
  for (auto& [dt, shape] : in) info.push_back({dt, &shape, nullptr});
  return check_and_infer(OpRegistry::global().get(op), info, attrs);
}

TEST(MathInference, CopesWithUnknownShapes) {
  const DType f = DType::kFloat32;
  const Shape unknown = Shape::unknown_rank();
  EXPECT_EQ(infer("AddV2", {{f, Shape{-1, 3}}, {f, Shape{3}}})[0].shape, (Shape{-1, 3}));
  EXPECT_FALSE(infer("Mul", {{f, unknown}, {f, Shape{3}}})[0].shape.has_rank());
  auto cast = infer("Cast", {{f, Shape{-1, 2}}}, {{"DstT", DType::kInt64}});
  EXPECT_EQ(cast[0].dtype, DType::kInt64);
  EXPECT_EQ(cast[0].shape, (Shape{-1, 2}));
  EXPECT_EQ(infer("AddN", {{f, Shape{-1, 3}}, {f, Shape{2, -1}}, {f, unknown}})[0].shape,
            (Shape{2, 3}));
  EXPECT_EQ(infer("ClipByValue", {{f, Shape{-1, 4}}, {f, Shape{}}, {f, Shape{4}}})[0].shape,
            (Shape{-1, 4}));
  EXPECT_EQ(infer("SelectV2", {{DType::kBool, Shape{-1, 1}}, {f, Shape{5}}, {f, Shape{}}})[0].shape,
            (Shape{-1, 5}));
  auto eq = infer("Equal", {{f, Shape{-1}}, {f, Shape{3}}}, {{"incompatible_shape_error", false}});
  EXPECT_EQ(eq[0].dtype, DType::kBool);
  EXPECT_FALSE(eq[0].shape.has_rank());
  EXPECT_EQ(error_code_of([&] { infer("Sub", {{f, Shape{2, -1}}, {f, Shape{3, 1}}}); }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(error_code_of([&] { infer("AddN", {{f, Shape{2, -1}}, {f, Shape{3, 1}}}); }),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace loom
