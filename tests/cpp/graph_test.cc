#include <gtest/gtest.h>

#include "loom/loom.h"

namespace loom {
namespace {

// Traces y = (x * 2 + 1) and an unused x * 3 into a graph.
Ref<Graph> small_graph(Tensor* unused_out = nullptr) {
  GraphBuilder b(Ref<Graph>::adopt(new Graph("small")));
  {
    TraceScope scope(b);
    Tensor x = b.placeholder(DType::kFloat32, Shape{kUnknownDim, 2}, "x");
    Tensor two = b.constant(Tensor::scalar<float>(2));
    Tensor one = b.constant(Tensor::scalar<float>(1));
    Tensor y = x * two + one;
    Tensor unused = x * b.constant(Tensor::scalar<float>(3));
    if (unused_out) *unused_out = unused;
    b.finish(std::vector<Tensor>{y});
  }
  return b.graph_ref();
}

TEST(Graph, TracingBuildsTypedNodesWithUniqueNames) {
  Ref<Graph> g = small_graph();
  EXPECT_EQ(g->node(g->find_node("Mul")).outputs[0].shape, (Shape{kUnknownDim, 2}));
  EXPECT_GE(g->find_node("Mul_1"), 0);  // second Mul gets a suffix
  EXPECT_GE(g->find_node("Const_2"), 0);
  std::string text = g->to_string();
  EXPECT_NE(text.find("graph small(%x: float32[?,2])"), std::string::npos) << text;
  EXPECT_NE(text.find("%AddV2:0 = AddV2(%Mul:0, %Const_1:0) : float32[?,2]"), std::string::npos)
      << text;
  g->verify();
}

TEST(Graph, SerializationRoundTripsLosslessly) {
  Ref<Graph> g = small_graph();
  std::string bytes = serialize_graph(*g);
  Ref<Graph> back = deserialize_graph(bytes);
  EXPECT_EQ(back->to_string(), g->to_string());
  EXPECT_EQ(serialize_graph(*back), bytes);
}

TEST(Graph, CorruptOrTruncatedBytesAreDataLoss) {
  std::string bytes = serialize_graph(*small_graph());
  for (size_t cut : {size_t{0}, size_t{5}, bytes.size() / 2, bytes.size() - 1}) {
    try {
      deserialize_graph(bytes.substr(0, cut));
      FAIL() << "truncated at " << cut;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kDataLoss) << e.what();
    }
  }
  std::string flipped = bytes;
  flipped[0] = 'X';
  EXPECT_THROW(deserialize_graph(flipped), Error);
}

TEST(Graph, SymbolicTensorsCannotRunEagerly) {
  Tensor leaked;
  small_graph(&leaked);
  try {
    add(leaked, leaked);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kOutOfScope);
    EXPECT_NE(std::string(e.what()).find("out of scope"), std::string::npos);
  }
}

TEST(Passes, PruneDropsUnusedPureNodes) {
  Ref<Graph> g = small_graph();
  Ref<Graph> pruned = prune_unused(*g);
  EXPECT_EQ(pruned->find_node("Mul_1"), -1);
  EXPECT_GE(pruned->find_node("Mul"), 0);
}

TEST(Passes, FoldingAndCseSimplify) {
  GraphBuilder b(Ref<Graph>::adopt(new Graph("fold")));
  {
    TraceScope scope(b);
    Tensor x = b.placeholder(DType::kFloat32, Shape{2}, "x");
    Tensor c = b.constant(Tensor::scalar<float>(2)) * b.constant(Tensor::scalar<float>(3));
    Tensor a1 = x + c;
    Tensor a2 = x + c;  // same computation twice
    b.finish(std::vector<Tensor>{a1 * a2});
  }
  Ref<Graph> folded = fold_constants(b.graph());
  const Node& mul = folded->node(folded->find_node("Mul"));
  EXPECT_EQ(mul.op->name(), "Const");  // 2 * 3 became a constant
  EXPECT_EQ(std::get<Tensor>(*mul.attrs.find("value")).data<float>()[0], 6.0f);
  Ref<Graph> opt = optimize_graph(b.graph());
  int adds = 0;
  for (const Node& n : opt->nodes()) adds += n.op->name() == "AddV2";
  EXPECT_EQ(adds, 1);
  Plan plan(opt);
  auto out = plan.run(std::vector<Tensor>{Tensor::from_vector<float>({1, 2}, Shape{2})});
  EXPECT_EQ(out[0].data<float>()[0], 49.0f);
  EXPECT_EQ(out[0].data<float>()[1], 64.0f);
}

TEST(Plan, ChecksInputsAndRunsWithUnknownDims) {
  Plan plan(optimize_graph(*small_graph()));
  auto out =
      plan.run(std::vector<Tensor>{Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, Shape{3, 2})});
  ASSERT_EQ(out[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(out[0].data<float>()[5], 13.0f);
  try {
    plan.run(std::vector<Tensor>{Tensor::from_vector<int32_t>({1, 2}, Shape{1, 2})});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("input 'x' expects float32[?,2]"), std::string::npos)
        << e.what();
  }
}

TEST(Function, TracesOncePerSignatureAndReplays) {
  int python_runs = 0;
  Function f(
      [&](const std::vector<Tensor>& x) {
        ++python_runs;
        return std::vector<Tensor>{x[0] * x[0] + x[0]};
      },
      "square_plus");
  auto a = f({Tensor::from_vector<float>({1, 2}, Shape{2})});
  auto b = f({Tensor::from_vector<float>({3, 4}, Shape{2})});
  EXPECT_EQ(python_runs, 1);
  EXPECT_EQ(b[0].data<float>()[1], 20.0f);
  f({Tensor::from_vector<double>({3}, Shape{1})});
  EXPECT_EQ(f.tracing_count(), 2);
}

}  // namespace
}  // namespace loom
