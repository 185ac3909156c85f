#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "loom/kernels/cpu/philox.h"
#include "loom/loom.h"

namespace loom {
namespace {

// Known-answer vectors published with the Random123 reference implementation.
TEST(RandomPhilox, MatchesPublishedKnownAnswers) {
  using cpu::Philox4x32;
  EXPECT_EQ(Philox4x32({0u, 0u})({0u, 0u, 0u, 0u}),
            (Philox4x32::Block{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  EXPECT_EQ(Philox4x32({~0u, ~0u})({~0u, ~0u, ~0u, ~0u}),
            (Philox4x32::Block{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  EXPECT_EQ(
      Philox4x32({0xa4093822u, 0x299f31d0u})({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}),
      (Philox4x32::Block{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

TEST(RandomPhilox, BatchedBlocksEqualSingleBlocks) {
  const cpu::Philox4x32 gen = cpu::philox_for_seeds(12, 34);
  const uint64_t first = (uint64_t{1} << 32) - 20;  // crosses the low counter word's wrap
  std::vector<uint32_t> words(4 * 37);
  gen.fill_blocks(first, 37, words.data());
  for (int i = 0; i < 37; ++i) {
    const auto b = gen.at(first + i);
    EXPECT_TRUE(std::equal(b.begin(), b.end(), words.begin() + 4 * i)) << i;
  }
}

std::vector<float> values(const Tensor& t) {
  return {t.data<float>(), t.data<float>() + t.num_elements()};
}

TEST(RandomApi, StatelessIsAPureFunctionOfTheSeed) {
  const Tensor seed = Tensor::from_vector<int64_t>({3, 4}, Shape{2});
  const Tensor other = Tensor::from_vector<int32_t>({3, 5}, Shape{2});
  const Tensor a = stateless_random_uniform(Shape{64}, seed);
  const Tensor b = stateless_random_uniform(Shape{64}, seed);
  EXPECT_EQ(values(a), values(b));
  EXPECT_NE(values(a), values(stateless_random_uniform(Shape{64}, other)));
}

TEST(RandomApi, SeededStreamsContinueUntilReset) {
  reset_random_seeds();
  const auto a = values(random_uniform(Shape{16}, DType::kFloat32, 1, 2));
  const auto b = values(random_uniform(Shape{16}, DType::kFloat32, 1, 2));
  EXPECT_NE(a, b);
  reset_random_seeds();
  EXPECT_EQ(a, values(random_uniform(Shape{16}, DType::kFloat32, 1, 2)));
  EXPECT_EQ(b, values(random_uniform(Shape{16}, DType::kFloat32, 1, 2)));
}

TEST(RandomApi, NormalStatisticsAndRanges) {
  const Tensor n = random_normal(Shape{100000}, DType::kFloat64, 7, 7);
  const double* p = n.data<double>();
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < n.num_elements(); ++i) sum += p[i], sq += p[i] * p[i];
  const double mean = sum / 1e5, var = sq / 1e5 - mean * mean;
  EXPECT_LT(std::abs(mean), 0.02);
  EXPECT_LT(std::abs(var - 1.0), 0.03);

  const Tensor t = truncated_normal(Shape{10000}, DType::kFloat32, 7, 8);
  for (float v : values(t)) EXPECT_LT(std::abs(v), 2.0f);

  const auto u = values(random_uniform(Shape{10000}, DType::kFloat32, 9, 9, -1.0, -0.5));
  EXPECT_GE(*std::min_element(u.begin(), u.end()), -1.0f);
  EXPECT_LT(*std::max_element(u.begin(), u.end()), -0.5f);
}

TEST(RandomApi, IntegersCategoricalAndShuffle) {
  const Tensor ints = random_uniform_int(Shape{1000}, Tensor::scalar<int32_t>(-2),
                                         Tensor::scalar<int32_t>(3), 1, 1);
  ASSERT_EQ(ints.dtype(), DType::kInt32);
  for (int64_t i = 0; i < 1000; ++i) {
    EXPECT_GE(ints.data<int32_t>()[i], -2);
    EXPECT_LT(ints.data<int32_t>()[i], 3);
  }
  const Tensor logits = Tensor::from_vector<float>({0.f, -INFINITY, 0.f, 0.f}, Shape{2, 2});
  const Tensor c = categorical(logits, 50, DType::kInt64, 2, 2);
  ASSERT_EQ(c.shape(), (Shape{2, 50}));
  for (int k = 0; k < 50; ++k) EXPECT_EQ(c.data<int64_t>()[k], 0);  // class 1 has no mass

  const Tensor rows = Tensor::from_vector<int32_t>({0, 1, 2, 3, 4, 5, 6, 7}, Shape{4, 2});
  const Tensor s = random_shuffle(rows, 3, 3);
  std::vector<int32_t> firsts;
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(s.data<int32_t>()[2 * r + 1], s.data<int32_t>()[2 * r] + 1);
    firsts.push_back(s.data<int32_t>()[2 * r]);
  }
  std::sort(firsts.begin(), firsts.end());
  EXPECT_EQ(firsts, (std::vector<int32_t>{0, 2, 4, 6}));
}

ErrorCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kUnknown;
}

TEST(RandomApi, BadInputRaises) {
  const Tensor seed = Tensor::from_vector<int32_t>({1, 2, 3}, Shape{3});
  EXPECT_EQ(code_of([&] { stateless_random_normal(Shape{2}, seed); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([] {
              random_uniform_int(Shape{2}, Tensor::scalar<int64_t>(4), Tensor::scalar<int64_t>(4));
            }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([] { random_normal(Shape{int64_t{1} << 30, int64_t{1} << 30}); }),
            ErrorCode::kResourceExhausted);
  EXPECT_EQ(code_of([] { categorical(Tensor::from_vector<float>({1.f}, Shape{1}), 2); }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([] { random_uniform(Shape{2}, DType::kInt32); }), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace loom
