// Parsing and shape binding of Einsum equations ("ij,jk->ik", "...ij,...jk", "ii->").
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "loom/core/shape.h"

namespace loom::einsum {

// Letters are labels 0..51; the dims an ellipsis stands for get labels from 52 upward
// (right-aligned across operands, as NumPy broadcasting aligns them).
inline constexpr int kNumLetters = 52;
inline constexpr char kEllipsisMark = '.';

// The equation's terms, one char per label and kEllipsisMark for "...". Without "->",
// the output is the ellipsis (if any input has one) then the letters appearing exactly
// once, sorted.
struct Equation {
  std::string text;  // as given, for messages
  std::vector<std::string> inputs;
  std::string output;
};

// Validates syntax, the number of terms against `num_operands` and output labels.
Equation parse(const std::string& equation, int num_operands);

// The equation resolved against operand shapes: every term as label ids, and each
// label's size (-1 where unknown). `output_rank_known` is false when an operand of
// unknown rank holds the ellipsis that the output keeps.
struct Binding {
  std::vector<std::vector<int>> inputs;  // empty for operands of unknown rank
  std::vector<int> output;
  std::vector<int64_t> sizes;  // indexed by label id
  bool output_rank_known = true;
};

Binding bind(const Equation& eq, std::span<const Shape* const> shapes);

// "j" for letters, "..." for ellipsis dims.
std::string label_name(int label);

}  // namespace loom::einsum
