#include <gtest/gtest.h>

#include "loom/loom.h"

namespace loom {
namespace {

TEST(Autodiff, TapeDifferentiatesEagerOpsWithBroadcasting) {
  Tensor x = Tensor::from_vector<float>({1, 2, 3}, Shape{3});
  Tensor b = Tensor::scalar<float>(2);
  GradientTape tape;
  tape.watch(x);
  tape.watch(b);
  Tensor y = reduce_sum(x * x * b);
  std::vector<Tensor> g = tape.gradient(y, {x, b});
  ASSERT_EQ(g[0].shape(), Shape{3});
  EXPECT_FLOAT_EQ(g[0].data<float>()[2], 12.0f);  // 2 * x * b
  ASSERT_EQ(g[1].shape(), Shape{});               // summed back to the scalar's shape
  EXPECT_FLOAT_EQ(g[1].data<float>()[0], 14.0f);  // sum(x^2)
}

TEST(Autodiff, UnwatchedAndIntegerSourcesGetNoGradient) {
  Tensor x = Tensor::scalar<float>(3);
  Tensor i = Tensor::scalar<int32_t>(3);
  GradientTape tape;
  tape.watch(i);
  Tensor y = x * x;
  std::vector<Tensor> g = tape.gradient(y, {x, i});
  EXPECT_FALSE(g[0].defined());
  EXPECT_FALSE(g[1].defined());
}

TEST(Autodiff, OpWithoutGradientOnThePathRaisesNoGradient) {
  // CustomGradient names a gradient function by id; an unknown id is an error, not UB.
  Tensor x = Tensor::scalar<float>(1);
  GradientTape tape;
  tape.watch(x);
  Attrs a;
  a.set("num_outputs", int64_t{1});
  a.set("gradient_id", int64_t{1} << 40);
  std::vector<Tensor> in{x * x, x};
  Tensor y = execute("CustomGradient", in, a)[0];
  try {
    tape.gradient(y, {x});
    FAIL() << "expected NotFound";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("CustomGradient"), std::string::npos);
  }
}

TEST(Autodiff, GraphFunctionCallIsOneRecordedOpWithAGradient) {
  auto g = Ref<Graph>::adopt(new Graph("square_plus"));
  {
    GraphBuilder b(g);
    TraceScope scope(b);
    Tensor x = b.placeholder(DType::kFloat32, Shape{2}, "x");
    b.finish(std::vector<Tensor>{x * x + x});
  }
  auto fn = Ref<GraphFunction>::adopt(new GraphFunction(optimize_graph(*g)));
  Tensor x = Tensor::from_vector<float>({1, 4}, Shape{2});
  GradientTape tape;
  tape.watch(x);
  std::vector<Tensor> in{x};
  Tensor y = fn->call(in)[0];
  EXPECT_FLOAT_EQ(y.data<float>()[1], 20.0f);
  std::vector<Tensor> grad = tape.gradient(reduce_sum(y), {x});
  EXPECT_FLOAT_EQ(grad[0].data<float>()[0], 3.0f);  // 2x + 1
  EXPECT_FLOAT_EQ(grad[0].data<float>()[1], 9.0f);
}

TEST(Autodiff, BroadcastGradientArgsNamesTheStretchedAxes) {
  Tensor s0 = Tensor::from_vector<int32_t>({2, 1, 3}, Shape{3});
  Tensor s1 = Tensor::from_vector<int32_t>({4, 3}, Shape{2});
  std::vector<Tensor> in{s0, s1};
  std::vector<Tensor> r = execute("BroadcastGradientArgs", in);
  ASSERT_EQ(r[0].num_elements(), 1);
  EXPECT_EQ(r[0].data<int32_t>()[0], 1);
  ASSERT_EQ(r[1].num_elements(), 1);
  EXPECT_EQ(r[1].data<int32_t>()[0], 0);
  std::vector<Tensor> bad{s0, Tensor::from_vector<int32_t>({5, 2}, Shape{2})};
  EXPECT_THROW(execute("BroadcastGradientArgs", bad), Error);
}

}  // namespace
}  // namespace loom
