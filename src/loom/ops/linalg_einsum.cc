// Einsum: parsed and shape-checked in inference; evaluated by einsum_contract.
#include <algorithm>
#include <array>
#include <type_traits>
#include <vector>

#include "loom/api/op_ref.h"
#include "loom/autodiff/grad_util.h"
#include "loom/kernels/cpu/gemm.h"
#include "loom/ops/einsum_contract.h"
#include "loom/ops/registry.h"

namespace loom {

namespace {

std::vector<const Shape*> input_shapes(InferContext& ctx) {
  std::vector<const Shape*> shapes;
  for (int i = 0; i < ctx.num_inputs(); ++i) shapes.push_back(&ctx.input_shape(i));
  return shapes;
}

void check_n_attr(int64_t n_attr, int num_inputs) {
  if (n_attr >= 0 && n_attr != num_inputs)
    raise(ErrorCode::kInvalidArgument, "[Einsum] attr N is ", n_attr, " but ", num_inputs,
          " inputs were given");
}

void infer_einsum(InferContext& ctx) {
  check_n_attr(ctx.attr_int("N"), ctx.num_inputs());
  einsum::Equation eq = einsum::parse(ctx.attr_string("equation"), ctx.num_inputs());
  std::vector<const Shape*> shapes = input_shapes(ctx);
  einsum::Binding b = einsum::bind(eq, shapes);
  if (!b.output_rank_known) {
    ctx.set_output(0, Shape::unknown_rank());
    return;
  }
  std::vector<int64_t> dims;
  for (int label : b.output) dims.push_back(b.sizes[label]);
  Shape out(std::move(dims));
  if (out.is_fully_defined()) checked_num_elements(out.dims(), "Einsum");
  ctx.set_output(0, std::move(out));
}

// Half types are computed in float; everything else in its own type.
template <class T>
using ComputeType =
    std::conditional_t<std::is_same_v<T, half> || std::is_same_v<T, bfloat16>, float, T>;

template <class T>
void run_einsum(KernelContext& ctx, const einsum::Binding& b) {
  using C = ComputeType<T>;
  std::vector<einsum::Operand<C>> operands(ctx.num_inputs());
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor& t = ctx.input(i);
    einsum::Operand<C>& op = operands[i];
    op.labels = b.inputs[i];
    op.dims = t.shape().dims();
    if constexpr (std::is_same_v<C, T>) {
      op.data = t.data<T>();
    } else {
      op.storage.resize(t.num_elements());
      const T* src = t.data<T>();
      for (int64_t j = 0; j < t.num_elements(); ++j) op.storage[j] = static_cast<C>(src[j]);
      op.data = op.storage.data();
    }
  }
  Tensor& out = ctx.output(0);
  T* dst = out.mutable_data<T>();
  if constexpr (std::is_same_v<C, T>) {
    einsum::evaluate<C>(b, std::move(operands), dst);
  } else {
    std::vector<C> result(out.num_elements());
    einsum::evaluate<C>(b, std::move(operands), result.data());
    for (size_t j = 0; j < result.size(); ++j) dst[j] = static_cast<T>(result[j]);
  }
}

void einsum_kernel(KernelContext& ctx) {
  einsum::Equation eq = einsum::parse(ctx.attr_string("equation"), ctx.num_inputs());
  std::vector<const Shape*> shapes;
  for (int i = 0; i < ctx.num_inputs(); ++i) shapes.push_back(&ctx.input(i).shape());
  einsum::Binding b = einsum::bind(eq, shapes);
  visit_dtype<cpu::kGemmTypes.bits()>(ctx.input(0).dtype(), ctx.name(),
                                      [&]<class T>() { run_einsum<T>(ctx, b); });
}

// ---- Gradient ---------------------------------------------------------------------
// The gradient of operand j is another Einsum: the other operands and the output
// gradient contracted into operand j's subscript. Three things keep that equation
// valid: a label repeated in operand j (a diagonal) gets fresh labels for its other
// occurrences, tied to it by identity matrices; a label only operand j has (summed out
// by the forward) comes from a ones vector, which broadcasts the gradient along it; and
// '...' dims operand j lacks or has as 1 (broadcast by the forward) are summed away.

std::string equation_text(const std::vector<std::string>& terms, const std::string& output) {
  std::string out;
  auto append = [&](const std::string& term) {
    for (char c : term) out += c == einsum::kEllipsisMark ? std::string("...") : std::string(1, c);
  };
  for (size_t i = 0; i < terms.size(); ++i) {
    if (i) out += ',';
    append(terms[i]);
  }
  out += "->";
  append(output);
  return out;
}

// Dim d of x as an int32 scalar: a constant when known, else read from Shape(x).
Tensor dim_scalar(const Tensor& x, int d) {
  if (x.dim(d) >= 0) return constant_of(Tensor::scalar<int32_t>(static_cast<int32_t>(x.dim(d))));
  static const OpRef shape("Shape"), strided_slice("StridedSlice");
  auto vec = [](int32_t v) { return constant_of(Tensor::from_vector<int32_t>({v}, Shape{1})); };
  return strided_slice({shape({x}), vec(d), vec(d + 1), vec(1)},
                       {{"shrink_axis_mask", int64_t{1}}});
}

Tensor identity_matrix(const Tensor& x, int d) {
  static const OpRef eye("Eye");
  Tensor n = dim_scalar(x, d);
  Tensor no_batch = constant_of(Tensor::from_vector<int32_t>({}, Shape{0}));
  return eye({n, n, no_batch}, {{"dtype", x.dtype()}});
}

Tensor ones_vector(const Tensor& x, int d) {
  static const OpRef fill("Fill"), reshape("Reshape");
  Tensor dims =
      reshape({dim_scalar(x, d), constant_of(Tensor::from_vector<int32_t>({1}, Shape{1}))});
  return fill({dims, scalar_like(1.0, x.dtype())});
}

class FreshLabels {
 public:
  FreshLabels(const einsum::Equation& eq) : text_(eq.text) {
    for (const std::string& term : eq.inputs)
      for (char c : term) used_[static_cast<unsigned char>(c)] = true;
  }
  char next() {
    for (char c : std::string_view("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
      if (!used_[static_cast<unsigned char>(c)]) {
        used_[static_cast<unsigned char>(c)] = true;
        return c;
      }
    raise(ErrorCode::kUnimplemented, "[Einsum] the gradient of equation '", text_,
          "' needs more distinct labels than the 52 letters");
  }

 private:
  std::string text_;
  std::array<bool, 128> used_{};
};

Tensor einsum_operand_grad(GradContext& ctx, const einsum::Equation& eq, int broadcast_rank, int j,
                           FreshLabels& fresh) {
  static const OpRef einsum_op("Einsum"), sum("Sum");
  const Tensor& x = ctx.input(j);
  const std::string& term = eq.inputs[j];
  std::vector<std::string> terms;
  std::vector<Tensor> operands;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    if (i == j) continue;
    terms.push_back(eq.inputs[i]);
    operands.push_back(ctx.input(i));
  }
  terms.push_back(eq.output);
  operands.push_back(ctx.grad(0));

  // The result's subscript, with the dim of x each letter stands for.
  const int letters = static_cast<int>(
      std::count_if(term.begin(), term.end(), [](char c) { return c != einsum::kEllipsisMark; }));
  const int ellipsis_rank = x.rank() - letters;
  std::string target;
  std::vector<std::pair<char, int>> letter_dims;
  std::array<bool, 128> seen{};
  int d = 0;
  for (char c : term) {
    if (c == einsum::kEllipsisMark) {
      target += c;
      d += ellipsis_rank;
      continue;
    }
    if (!seen[static_cast<unsigned char>(c)]) {
      seen[static_cast<unsigned char>(c)] = true;
      target += c;
    } else {
      const char f = fresh.next();
      target += f;
      terms.push_back(std::string{c, f});
      operands.push_back(identity_matrix(x, d));
    }
    letter_dims.emplace_back(target.back(), d);
    ++d;
  }
  std::array<bool, 128> available{};
  for (const std::string& t : terms)
    for (char c : t) available[static_cast<unsigned char>(c)] = true;
  for (auto [c, dim] : letter_dims)
    if (!available[static_cast<unsigned char>(c)]) {
      terms.push_back(std::string(1, c));
      operands.push_back(ones_vector(x, dim));
    }

  // The '...' of the result has all broadcast_rank dims; the leading ones that x lacks
  // are summed out below (x without '...' gets one in front for this).
  const bool has_ellipsis = term.find(einsum::kEllipsisMark) != std::string::npos;
  int ellipsis_at = 0, extra = 0;
  if (broadcast_rank > 0) {
    if (!has_ellipsis) target.insert(target.begin(), einsum::kEllipsisMark);
    ellipsis_at = static_cast<int>(target.find(einsum::kEllipsisMark));
    extra = broadcast_rank - (has_ellipsis ? ellipsis_rank : 0);
  }
  Tensor grad = einsum_op.multi(operands, {{"equation", equation_text(terms, target)}}).at(0);
  if (extra > 0) {
    std::vector<int32_t> axes(extra);
    for (int k = 0; k < extra; ++k) axes[k] = ellipsis_at + k;
    grad = sum({grad, constant_of(Tensor::from_vector<int32_t>(axes, Shape{extra}))});
  }
  if (has_ellipsis && ellipsis_rank > 0) grad = sum_to_shape_of(grad, x);
  return grad;
}

std::vector<Tensor> einsum_grad(GradContext& ctx) {
  const std::string& text = ctx.attr_string("equation");
  einsum::Equation eq = einsum::parse(text, ctx.num_inputs());
  std::vector<const Shape*> shapes;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.input(i).shape().has_rank())
      raise(ErrorCode::kUnimplemented, "[Einsum] the gradient of equation '", text,
            "' needs operands of known rank; operand ", i, " has unknown rank");
    shapes.push_back(&ctx.input(i).shape());
  }
  const einsum::Binding b = einsum::bind(eq, shapes);
  const int broadcast_rank = static_cast<int>(b.sizes.size()) - einsum::kNumLetters;
  FreshLabels fresh(eq);
  std::vector<Tensor> grads(ctx.num_inputs());
  for (int j = 0; j < ctx.num_inputs(); ++j)
    if (ctx.needs(j)) grads[j] = einsum_operand_grad(ctx, eq, broadcast_rank, j, fresh);
  return grads;
}

}  // namespace

void register_einsum_ops(OpRegistry& r) {
  r.add("Einsum")
      .variadic_input("inputs", "T")
      .output("output", "T")
      .type_var("T", cpu::kGemmTypes)
      .attr("equation")
      .attr("N", int64_t{-1})
      .infer(infer_einsum)
      .kernel(einsum_kernel)
      .gradient(einsum_grad);
}

}  // namespace loom
