// MatMul (2-D) and BatchMatMulV2 (batched, NumPy-style broadcast batch dims).
#include <vector>

#include "loom/api/op_ref.h"
#include "loom/autodiff/grad_util.h"
#include "loom/kernels/cpu/gemm.h"
#include "loom/ops/broadcast.h"
#include "loom/ops/linalg_strided.h"
#include "loom/ops/registry.h"

namespace loom {

namespace {

// The [rows, cols] of a matrix after an optional transpose; unknown dims stay -1.
struct MatrixDims {
  int64_t rows, cols;
};
MatrixDims trailing_matrix(const Shape& s, bool transposed) {
  int64_t r = s[s.rank() - 2], c = s[s.rank() - 1];
  return transposed ? MatrixDims{c, r} : MatrixDims{r, c};
}

void check_inner_dims(const char* op, const Shape& a, const Shape& b, int64_t ka, int64_t kb) {
  if (ka >= 0 && kb >= 0 && ka != kb)
    raise(ErrorCode::kInvalidArgument, "[", op,
          "] Matrix size-incompatible: In[0]: ", a.to_string(), ", In[1]: ", b.to_string());
}

void infer_matmul(InferContext& ctx) {
  const Shape &a = ctx.input_shape(0), &b = ctx.input_shape(1);
  for (int i = 0; i < 2; ++i) {
    const Shape& s = ctx.input_shape(i);
    if (s.has_rank() && s.rank() != 2)
      raise(ErrorCode::kInvalidArgument, "[MatMul] In[", i,
            "] is not a matrix. Instead it has shape ", s.to_string());
  }
  const bool ta = ctx.attr_bool("transpose_a"), tb = ctx.attr_bool("transpose_b");
  MatrixDims ma{kUnknownDim, kUnknownDim}, mb{kUnknownDim, kUnknownDim};
  if (a.has_rank()) ma = trailing_matrix(a, ta);
  if (b.has_rank()) mb = trailing_matrix(b, tb);
  check_inner_dims("MatMul", a, b, ma.cols, mb.rows);
  ctx.set_output(0, Shape{ma.rows, mb.cols});
}

void matmul_kernel(KernelContext& ctx) {
  const Tensor &a = ctx.input(0), &b = ctx.input(1);
  Tensor& out = ctx.output(0);
  cpu::GemmDims d;
  d.trans_a = ctx.attr_bool("transpose_a");
  d.trans_b = ctx.attr_bool("transpose_b");
  d.m = out.dim(0);
  d.n = out.dim(1);
  d.k = d.trans_a ? a.dim(0) : a.dim(1);
  visit_dtype<cpu::kGemmTypes.bits()>(a.dtype(), ctx.name(), [&]<class T>() {
    cpu::gemm<T>(d, a.data<T>(), b.data<T>(), out.mutable_data<T>(), ctx.name());
  });
}

// Batch dims of a rank >= 2 shape (everything but the trailing matrix).
Shape batch_of(const Shape& s) {
  return Shape(std::vector<int64_t>(s.dims().begin(), s.dims().end() - 2));
}

void infer_batch_matmul(InferContext& ctx) {
  const Shape &x = ctx.input_shape(0), &y = ctx.input_shape(1);
  for (int i = 0; i < 2; ++i) {
    const Shape& s = ctx.input_shape(i);
    if (s.has_rank() && s.rank() < 2)
      raise(ErrorCode::kInvalidArgument, "[BatchMatMulV2] In[", i,
            "] ndims must be >= 2: ", s.rank(), " (shape ", s.to_string(), ")");
  }
  if (!x.has_rank() || !y.has_rank()) {
    ctx.set_output(0, Shape::unknown_rank());
    return;
  }
  MatrixDims mx = trailing_matrix(x, ctx.attr_bool("adj_x"));
  MatrixDims my = trailing_matrix(y, ctx.attr_bool("adj_y"));
  check_inner_dims("BatchMatMulV2", x, y, mx.cols, my.rows);
  Shape batch;
  try {
    batch = broadcast_shapes(batch_of(x), batch_of(y), "BatchMatMulV2");
  } catch (const Error&) {
    raise(ErrorCode::kInvalidArgument,
          "[BatchMatMulV2] In[0] and In[1] must have compatible batch dimensions: ", x.to_string(),
          " vs. ", y.to_string());
  }
  std::vector<int64_t> dims = batch.dims();
  dims.push_back(mx.rows);
  dims.push_back(my.cols);
  ctx.set_output(0, Shape(std::move(dims)));
}

void batch_matmul_kernel(KernelContext& ctx) {
  const Tensor &x = ctx.input(0), &y = ctx.input(1);
  Tensor& out = ctx.output(0);
  if (out.num_elements() == 0) return;
  const int r = out.rank();
  cpu::GemmDims d;
  d.trans_a = ctx.attr_bool("adj_x");
  d.trans_b = ctx.attr_bool("adj_y");
  d.m = out.dim(r - 2);
  d.n = out.dim(r - 1);
  d.k = x.dim(x.rank() - (d.trans_a ? 2 : 1));
  std::span<const int64_t> out_batch(out.shape().dims().data(), r - 2);
  const auto& xd = x.shape().dims();
  const auto& yd = y.shape().dims();
  std::vector<int64_t> x_offsets = linalg::strided_offsets(
      out_batch,
      linalg::broadcast_batch_strides(out_batch, std::span(xd.data(), xd.size() - 2), d.m * d.k));
  std::vector<int64_t> y_offsets = linalg::strided_offsets(
      out_batch,
      linalg::broadcast_batch_strides(out_batch, std::span(yd.data(), yd.size() - 2), d.k * d.n));
  visit_dtype<cpu::kGemmTypes.bits()>(x.dtype(), ctx.name(), [&]<class T>() {
    cpu::gemm_batch<T>(d, x.data<T>(), x_offsets, y.data<T>(), y_offsets, out.mutable_data<T>(),
                       ctx.name());
  });
}

// Gradients of C = op(A) op(B), each one product with transpose flags (no Transpose
// op). With G = dL/dC:
//   C = A B:     dA = G B^T    dB = A^T G
//   C = A^T B:   dA = B G^T    dB = A G
//   C = A B^T:   dA = G B      dB = G^T A
//   C = A^T B^T: dA = B^T G^T  dB = G^T A^T
// `product(x, y, tx, ty, grad_a, grad_b)` runs the op with the attr names of the kind
// at hand; grad_a / grad_b mark which operand's gradient a product computes.
template <class Product>
std::vector<Tensor> matmul_grads(GradContext& ctx, bool ta, bool tb, const Product& product) {
  const Tensor &a = ctx.input(0), &b = ctx.input(1), &g = ctx.grad(0);
  Tensor da, db;
  if (ctx.needs(0)) {
    if (!ta)
      da = product(g, b, false, !tb, true);
    else
      da = product(b, g, tb, true, true);
  }
  if (ctx.needs(1)) {
    if (!tb)
      db = product(a, g, !ta, false, false);
    else
      db = product(g, a, true, ta, false);
  }
  return {da, db};
}

std::vector<Tensor> matmul_grad(GradContext& ctx) {
  static const OpRef mat_mul("MatMul");
  return matmul_grads(
      ctx, ctx.attr_bool("transpose_a"), ctx.attr_bool("transpose_b"),
      [](const Tensor& x, const Tensor& y, bool tx, bool ty, bool for_a) {
        return mat_mul(
            {x, y},
            {{"transpose_a", tx}, {"transpose_b", ty}, {"grad_a", for_a}, {"grad_b", !for_a}});
      });
}

// As MatMul's, then each gradient summed over the batch dims its operand was
// broadcast along.
std::vector<Tensor> batch_matmul_grad(GradContext& ctx) {
  static const OpRef batch_mat_mul("BatchMatMulV2");
  std::vector<Tensor> grads = matmul_grads(
      ctx, ctx.attr_bool("adj_x"), ctx.attr_bool("adj_y"),
      [](const Tensor& x, const Tensor& y, bool tx, bool ty, bool for_x) {
        return batch_mat_mul({x, y},
                             {{"adj_x", tx}, {"adj_y", ty}, {"grad_x", for_x}, {"grad_y", !for_x}});
      });
  for (int i = 0; i < 2; ++i)
    if (grads[i].defined()) grads[i] = sum_to_shape_of(grads[i], ctx.input(i));
  return grads;
}

}  // namespace

void register_matmul_ops(OpRegistry& r) {
  r.add("MatMul")
      .input("a", "T")
      .input("b", "T")
      .output("product", "T")
      .type_var("T", cpu::kGemmTypes)
      .attr("transpose_a", false)
      .attr("transpose_b", false)
      .attr("grad_a", false)
      .attr("grad_b", false)
      .infer(infer_matmul)
      .kernel(matmul_kernel)
      .gradient(matmul_grad);

  r.add("BatchMatMulV2")
      .input("x", "T")
      .input("y", "T")
      .output("output", "T")
      .type_var("T", cpu::kGemmTypes)
      .attr("adj_x", false)
      .attr("adj_y", false)
      .attr("grad_x", false)
      .attr("grad_y", false)
      .infer(infer_batch_matmul)
      .kernel(batch_matmul_kernel)
      .gradient(batch_matmul_grad);
}

}  // namespace loom
