#include "loom/ops/einsum_equation.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "loom/core/error.h"

namespace loom::einsum {

namespace {

int letter_label(char c) {
  return c >= 'a' && c <= 'z' ? c - 'a' : 26 + (c - 'A');
}
bool is_label_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// One term with "..." folded into kEllipsisMark, checked for stray characters.
std::string parse_term(std::string_view term, const std::string& equation) {
  std::string out;
  bool seen_ellipsis = false;
  for (size_t i = 0; i < term.size(); ++i) {
    char c = term[i];
    if (is_label_letter(c)) {
      out += c;
    } else if (c == '.') {
      if (term.substr(i, 3) != "...")
        raise(ErrorCode::kInvalidArgument, "[Einsum] '.' must be part of an ellipsis '...' in ",
              "equation '", equation, "'");
      if (seen_ellipsis)
        raise(ErrorCode::kInvalidArgument, "[Einsum] subscript '", term,
              "' has more than one ellipsis in equation '", equation, "'");
      seen_ellipsis = true;
      out += kEllipsisMark;
      i += 2;
    } else {
      raise(ErrorCode::kInvalidArgument, "[Einsum] invalid character '", c, "' in equation '",
            equation, "'; subscripts are letters a-z, A-Z and '...'");
    }
  }
  return out;
}

// NumPy's implicit output: the ellipsis first, then letters used once, in ASCII order.
std::string implicit_output(const std::vector<std::string>& inputs) {
  std::array<int, 128> counts{};
  bool any_ellipsis = false;
  for (const auto& term : inputs)
    for (char c : term) {
      if (c == kEllipsisMark)
        any_ellipsis = true;
      else
        ++counts[static_cast<unsigned char>(c)];
    }
  std::string out = any_ellipsis ? std::string(1, kEllipsisMark) : std::string();
  for (int c = 0; c < 128; ++c)
    if (counts[c] == 1) out += static_cast<char>(c);
  return out;
}

std::string term_text(const std::string& term) {
  std::string out;
  for (char c : term) out += c == kEllipsisMark ? std::string("...") : std::string(1, c);
  return out;
}

int count_letters(const std::string& term) {
  return static_cast<int>(
      std::count_if(term.begin(), term.end(), [](char c) { return c != kEllipsisMark; }));
}

bool has_ellipsis(const std::string& term) {
  return term.find(kEllipsisMark) != std::string::npos;
}

constexpr int kUnknownSource = -2;

// NumPy broadcasting of one '...' dim: 1 yields to anything, an unknown dim yields only
// to known sizes above 1, and two different sizes above 1 are an error.
void merge_broadcast_dim(int64_t& have, int& from, int input, int64_t size,
                         std::span<const Shape* const> shapes) {
  if (size < 0) {
    if (have == 1 || from == -1) {
      have = kUnknownDim;
      from = kUnknownSource;
    }
    return;
  }
  if (size == 1) {
    if (from == -1) {
      have = 1;
      from = input;
    }
    return;
  }
  if (have < 0 || have == 1) {
    have = size;
    from = input;
  } else if (have != size) {
    raise(ErrorCode::kInvalidArgument,
          "[Einsum] the '...' dims of the inputs do not broadcast: input ", from, " has shape ",
          shapes[from]->to_string(), " and input ", input, " has shape ",
          shapes[input]->to_string());
  }
}

}  // namespace

std::string label_name(int label) {
  if (label >= kNumLetters) return "...";
  return std::string(
      1, label < 26 ? static_cast<char>('a' + label) : static_cast<char>('A' + label - 26));
}

Equation parse(const std::string& equation, int num_operands) {
  std::string eq;
  for (char c : equation)
    if (!std::isspace(static_cast<unsigned char>(c))) eq += c;
  const size_t arrow = eq.find("->");
  if (arrow != std::string::npos && eq.find("->", arrow + 2) != std::string::npos)
    raise(ErrorCode::kInvalidArgument, "[Einsum] equation '", equation, "' has more than one '->'");
  std::string_view lhs(eq);
  if (arrow != std::string::npos) lhs = lhs.substr(0, arrow);

  Equation out;
  out.text = equation;
  size_t start = 0;
  while (true) {
    size_t comma = lhs.find(',', start);
    out.inputs.push_back(parse_term(lhs.substr(start, comma - start), equation));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (static_cast<int>(out.inputs.size()) != num_operands)
    raise(ErrorCode::kInvalidArgument, "[Einsum] equation '", equation, "' has ", out.inputs.size(),
          " input subscripts but ", num_operands, " operands were given");

  if (arrow == std::string::npos) {
    out.output = implicit_output(out.inputs);
    return out;
  }
  out.output = parse_term(std::string_view(eq).substr(arrow + 2), equation);
  std::array<bool, 128> in_inputs{}, in_output{};
  for (const auto& term : out.inputs)
    for (char c : term) in_inputs[static_cast<unsigned char>(c)] = true;
  for (char c : out.output) {
    if (c == kEllipsisMark) continue;
    auto u = static_cast<unsigned char>(c);
    if (in_output[u])
      raise(ErrorCode::kInvalidArgument, "[Einsum] output label '", c,
            "' appears more than once in equation '", equation, "'");
    if (!in_inputs[u])
      raise(ErrorCode::kInvalidArgument, "[Einsum] output label '", c,
            "' does not appear in any input subscript of equation '", equation, "'");
    in_output[u] = true;
  }
  return out;
}

Binding bind(const Equation& eq, std::span<const Shape* const> shapes) {
  const int n = static_cast<int>(eq.inputs.size());
  // Ellipsis rank of each operand (-1: unknown rank) and the broadcast rank of all.
  std::vector<int> ellipsis_rank(n, 0);
  int broadcast_rank = 0;
  bool unknown_ellipsis = false;
  for (int i = 0; i < n; ++i) {
    const std::string& term = eq.inputs[i];
    const Shape& s = *shapes[i];
    const int letters = count_letters(term);
    if (!s.has_rank()) {
      ellipsis_rank[i] = -1;
      unknown_ellipsis |= has_ellipsis(term);
      continue;
    }
    if (has_ellipsis(term) ? s.rank() < letters : s.rank() != letters)
      raise(ErrorCode::kInvalidArgument, "[Einsum] input ", i, " has shape ", s.to_string(),
            " of rank ", s.rank(), " but its subscript '", term_text(term), "' needs ",
            has_ellipsis(term) ? "at least " : "", letters, " dims");
    ellipsis_rank[i] = s.rank() - letters;
    broadcast_rank = std::max(broadcast_rank, ellipsis_rank[i]);
  }
  const bool output_ellipsis = has_ellipsis(eq.output);
  if (!output_ellipsis && broadcast_rank > 0)
    raise(ErrorCode::kInvalidArgument, "[Einsum] the output subscript of equation '", eq.text,
          "' needs '...' to keep the ", broadcast_rank, " broadcast dims of the inputs");

  Binding b;
  b.sizes.assign(kNumLetters + broadcast_rank, kUnknownDim);
  b.inputs.resize(n);
  // Per ellipsis label: the input that fixed its size, or kUnknownSource once an
  // unknown dim was seen and no known size above 1 has replaced it.
  std::vector<int> size_from(b.sizes.size(), -1);
  for (int i = 0; i < n; ++i) {
    if (ellipsis_rank[i] < 0) continue;
    const Shape& s = *shapes[i];
    std::vector<int>& labels = b.inputs[i];
    for (char c : eq.inputs[i]) {
      if (c != kEllipsisMark) {
        labels.push_back(letter_label(c));
        continue;
      }
      for (int t = 0; t < ellipsis_rank[i]; ++t)
        labels.push_back(kNumLetters + broadcast_rank - ellipsis_rank[i] + t);
    }
    for (int d = 0; d < s.rank(); ++d) {
      const int label = labels[d];
      const int64_t size = s[d], have = b.sizes[label];
      if (label >= kNumLetters) {
        merge_broadcast_dim(b.sizes[label], size_from[label], i, size, shapes);
        continue;
      }
      if (size < 0 || size == have) continue;
      if (have < 0) {
        b.sizes[label] = size;
        continue;
      }
      raise(ErrorCode::kInvalidArgument, "[Einsum] Expected dimension ", have, " for label '",
            label_name(label), "' but got ", size, " (input ", i, " has shape ", s.to_string(),
            ")");
    }
  }
  b.output_rank_known = !(output_ellipsis && unknown_ellipsis);
  for (char c : eq.output) {
    if (c != kEllipsisMark) {
      b.output.push_back(letter_label(c));
      continue;
    }
    for (int t = 0; t < broadcast_rank; ++t) b.output.push_back(kNumLetters + t);
  }
  return b;
}

}  // namespace loom::einsum
