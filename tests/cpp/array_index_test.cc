#include "loom/api/array_index.h"

#include <gtest/gtest.h>

#include "loom/loom.h"

namespace loom {
namespace {

template <class T>
std::vector<T> values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.num_elements());
}

// Runs `f`, expecting an Error of `code` whose message contains `text`.
template <class F>
void expect_error(F f, ErrorCode code, const std::string& text) {
  try {
    f();
    FAIL() << "expected an error containing " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code);
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

TEST(ArrayIndexApi, GatherAlongAxisWithBatchDims) {
  Tensor params = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  Tensor idx = Tensor::from_vector<int32_t>({2, 0}, Shape{2});
  Tensor cols = gather(params, idx, 1);
  ASSERT_EQ(cols.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(cols), (std::vector<float>{3, 1, 6, 4}));

  Tensor per_row = Tensor::from_vector<int64_t>({1, 2}, Shape{2, 1});
  Tensor picked = gather(params, per_row, 1, 1);
  ASSERT_EQ(picked.shape(), (Shape{2, 1}));
  EXPECT_EQ(values<float>(picked), (std::vector<float>{2, 6}));

  expect_error([&] { gather(params, Tensor::from_vector<int32_t>({0, 3}, Shape{2}), 1); },
               ErrorCode::kInvalidArgument, "[GatherV2] indices[1] = 3 is not in [0, 3)");
}

TEST(ArrayIndexApi, GatherNdAndScatterNd) {
  Tensor params = Tensor::from_vector<int32_t>({1, 2, 3, 4}, Shape{2, 2});
  Tensor idx = Tensor::from_vector<int32_t>({1, 0, 0, 1}, Shape{2, 2});
  EXPECT_EQ(values<int32_t>(gather_nd(params, idx)), (std::vector<int32_t>{3, 2}));
  expect_error([&] { gather_nd(params, Tensor::from_vector<int32_t>({2, 0}, Shape{1, 2})); },
               ErrorCode::kInvalidArgument,
               "[GatherNd] indices[0] = [2, 0] does not index into param shape [2,2]");

  Tensor rows = Tensor::from_vector<int64_t>({3, 1, 3}, Shape{3, 1});
  Tensor updates = Tensor::from_vector<double>({1, 2, 4}, Shape{3});
  Tensor shape = Tensor::from_vector<int64_t>({5}, Shape{1});
  EXPECT_EQ(values<double>(scatter_nd(rows, updates, shape)), (std::vector<double>{0, 2, 0, 5, 0}));

  Tensor base = Tensor::from_vector<double>({9, 9, 9, 9, 9}, Shape{5});
  EXPECT_EQ(values<double>(tensor_scatter_nd_update(base, rows, updates)),
            (std::vector<double>{9, 2, 9, 4, 9}));
  EXPECT_EQ(values<double>(tensor_scatter_nd_add(base, rows, updates)),
            (std::vector<double>{9, 11, 9, 14, 9}));
}

TEST(ArrayIndexApi, OneHotWhereBooleanMaskUnique) {
  Tensor idx = Tensor::from_vector<int32_t>({0, 2, 5}, Shape{3});
  Tensor hot = one_hot(idx, 3, Tensor::scalar<float>(1), Tensor::scalar<float>(0));
  ASSERT_EQ(hot.shape(), (Shape{3, 3}));
  EXPECT_EQ(values<float>(hot), (std::vector<float>{1, 0, 0, 0, 0, 1, 0, 0, 0}));

  Tensor cond = Tensor::from_vector<bool>({false, true, true, false}, Shape{2, 2});
  Tensor where = where_indices(cond);
  ASSERT_EQ(where.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<int64_t>(where), (std::vector<int64_t>{0, 1, 1, 0}));

  Tensor x = Tensor::from_vector<int16_t>({1, 2, 3, 4, 5, 6}, Shape{3, 2});
  Tensor mask = Tensor::from_vector<bool>({true, false, true}, Shape{3});
  Tensor kept = boolean_mask(x, mask);
  ASSERT_EQ(kept.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<int16_t>(kept), (std::vector<int16_t>{1, 2, 5, 6}));

  UniqueResult u = unique(Tensor::from_vector<float>({3, 1, 3, 2}, Shape{4}), DType::kInt64);
  EXPECT_EQ(values<float>(u.y), (std::vector<float>{3, 1, 2}));
  EXPECT_EQ(values<int64_t>(u.idx), (std::vector<int64_t>{0, 1, 0, 2}));
}

// Inference as a graph sees it: unknown dims and input values that are not known.
std::vector<TensorType> infer(const char* op, std::vector<InputInfo> inputs,
                              const Attrs& attrs = {}) {
  return check_and_infer(OpRegistry::global().get(op), inputs, attrs);
}

TEST(ArrayIndexInfer, UnknownValuesGiveUnknownDims) {
  Shape params{kUnknownDim, 4}, indices{3}, scalar{};
  auto gather_out = infer("GatherV2", {{DType::kFloat32, &params, nullptr},
                                       {DType::kInt32, &indices, nullptr},
                                       {DType::kInt32, &scalar, nullptr}});
  EXPECT_EQ(gather_out[0].shape, (Shape{kUnknownDim, kUnknownDim}));

  Tensor axis = Tensor::scalar<int32_t>(1);
  gather_out = infer("GatherV2", {{DType::kFloat32, &params, nullptr},
                                  {DType::kInt32, &indices, nullptr},
                                  {DType::kInt32, &scalar, &axis}});
  EXPECT_EQ(gather_out[0].shape, (Shape{kUnknownDim, 3}));

  Shape cond{2, kUnknownDim, 5};
  auto where_out = infer("Where", {{DType::kBool, &cond, nullptr}});
  EXPECT_EQ(where_out[0].shape, (Shape{kUnknownDim, 3}));
  EXPECT_EQ(where_out[0].dtype, DType::kInt64);

  Shape idx{kUnknownDim, 1}, upd{kUnknownDim, 7}, shape_len{2};
  auto scatter_out = infer("ScatterNd", {{DType::kInt64, &idx, nullptr},
                                         {DType::kFloat64, &upd, nullptr},
                                         {DType::kInt64, &shape_len, nullptr}});
  EXPECT_EQ(scatter_out[0].shape, (Shape{kUnknownDim, kUnknownDim}));

  Shape unknown = Shape::unknown_rank();
  auto unique_out =
      infer("Unique", {{DType::kUInt8, &unknown, nullptr}}, {{"out_idx", DType::kInt64}});
  EXPECT_EQ(unique_out[0].shape, (Shape{kUnknownDim}));
  EXPECT_EQ(unique_out[1].dtype, DType::kInt64);
}

TEST(ArrayIndexInfer, KnownMismatchesFailBeforeAnyKernel) {
  Shape idx{4, 1}, upd{3}, tensor{8};
  expect_error(
      [&] {
        infer("TensorScatterUpdate", {{DType::kFloat32, &tensor, nullptr},
                                      {DType::kInt32, &idx, nullptr},
                                      {DType::kFloat32, &upd, nullptr}});
      },
      ErrorCode::kInvalidArgument, "[TensorScatterUpdate] updates shape [3] must equal");
  Shape t{kUnknownDim, 3}, mask{4};
  expect_error(
      [&] {
        infer("BooleanMask", {{DType::kFloat32, &t, nullptr}, {DType::kBool, &mask, nullptr}},
              {{"axis", int64_t{1}}});
      },
      ErrorCode::kInvalidArgument, "[BooleanMask] mask shape [4] must match");
  Shape any{kUnknownDim}, s{};
  Tensor depth = Tensor::scalar<int32_t>(-2);
  expect_error(
      [&] {
        infer("OneHot", {{DType::kInt32, &any, nullptr},
                         {DType::kInt32, &s, &depth},
                         {DType::kFloat32, &s, nullptr},
                         {DType::kFloat32, &s, nullptr}});
      },
      ErrorCode::kInvalidArgument, "[OneHot] depth must be non-negative, got: -2");
}

}  // namespace
}  // namespace loom
