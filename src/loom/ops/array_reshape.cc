// Ops that reinterpret a tensor's shape without moving its bytes (Reshape, ExpandDims,
// Squeeze, Identity), ops that report a shape (Shape, Rank, Size), and BroadcastTo.
#include <algorithm>
#include <limits>

#include "loom/ops/array_common.h"
#include "loom/ops/array_grad_util.h"

namespace loom {

using namespace dtypes;

namespace {

// Reshape, ExpandDims and Squeeze move no values: the gradient takes the input's shape.
std::vector<Tensor> reshape_grad(GradContext& ctx) {
  return {reshape_to(ctx.grad(0), grad::shape_vec(ctx.input(0)))};
}

void infer_same(InferContext& ctx) {
  ctx.set_output(0, ctx.input_shape(0));
}

void infer_reshape(InferContext& ctx) {
  require_rank(ctx, 1, 1, "shape");
  auto requested = known_ints(ctx, 1);
  if (!requested) {
    const Shape& s = ctx.input_shape(1);
    ctx.set_output(0, unknown_dims(s.has_rank() && s.rank() == 1 ? static_cast<int>(s[0]) : -1));
    return;
  }
  std::vector<int64_t> dims = *requested;
  int unknown = -1;
  std::vector<int64_t> known;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (unknown >= 0)
        raise(ErrorCode::kInvalidArgument, "[Reshape] Only one input size may be -1, not both ",
              unknown, " and ", i);
      unknown = static_cast<int>(i);
    } else if (dims[i] < 0) {
      raise(ErrorCode::kInvalidArgument, "[Reshape] Size ", i, " must be non-negative, not ",
            dims[i]);
    } else {
      known.push_back(dims[i]);
    }
  }
  const int64_t product = checked_num_elements(known, "Reshape");
  const int64_t n = ctx.input_shape(0).num_elements();  // -1 when not fully known
  if (unknown >= 0) {
    if (n >= 0) {
      if (product == 0)
        raise(ErrorCode::kInvalidArgument,
              "[Reshape] Reshape cannot infer the missing input size for an empty tensor "
              "unless all specified input sizes are non-zero");
      if (n % product != 0)
        raise(ErrorCode::kInvalidArgument, "[Reshape] Input to reshape is a tensor with ", n,
              " values, but the requested shape requires a multiple of ", product);
      dims[unknown] = n / product;
    } else {
      dims[unknown] = kUnknownDim;
    }
  } else if (n >= 0 && n != product) {
    raise(ErrorCode::kInvalidArgument, "[Reshape] Input to reshape is a tensor with ", n,
          " values, but the requested shape has ", product);
  }
  ctx.set_output(0, Shape(std::move(dims)));
}

void infer_expand_dims(InferContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  auto axis = known_ints(ctx, 1);
  if (axis && axis->size() != 1)
    raise(ErrorCode::kInvalidArgument,
          "[ExpandDims] 'dim' must be a tensor with a single value, got shape ",
          ctx.input_shape(1).to_string());
  if (!in.has_rank()) {
    ctx.set_output(0, Shape::unknown_rank());
    return;
  }
  const int rank = in.rank();
  if (!axis) {
    ctx.set_output(0, unknown_dims(rank + 1));
    return;
  }
  int64_t a = (*axis)[0];
  if (a < -rank - 1 || a > rank)
    raise(ErrorCode::kInvalidArgument, "[ExpandDims] Tried to expand dim index ", a,
          " for tensor with ", rank, " dimensions.");
  if (a < 0) a += rank + 1;
  std::vector<int64_t> dims = in.dims();
  dims.insert(dims.begin() + a, 1);
  ctx.set_output(0, Shape(std::move(dims)));
}

void infer_squeeze(InferContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  const std::vector<int64_t>& listed = ctx.attr_ints("squeeze_dims");
  if (!in.has_rank()) {
    ctx.set_output(0, Shape::unknown_rank());
    return;
  }
  const int rank = in.rank();
  std::vector<bool> drop(rank, false);
  for (int64_t a : listed) {
    if (a < -rank || a >= rank)
      raise(ErrorCode::kInvalidArgument, "[Squeeze] Tried to squeeze dim index ", a,
            " for tensor with ", rank, " dimensions.");
    const int axis = static_cast<int>(a < 0 ? a + rank : a);
    if (in[axis] >= 0 && in[axis] != 1)
      raise(ErrorCode::kInvalidArgument, "[Squeeze] Can not squeeze dim[", axis,
            "], expected a dimension of 1, got ", in[axis], " for input shape ", in.to_string());
    drop[axis] = true;
  }
  std::vector<int64_t> dims;
  for (int i = 0; i < rank; ++i) {
    if (listed.empty()) {
      if (in[i] < 0) {  // might be 1: the result's rank is unknown
        ctx.set_output(0, Shape::unknown_rank());
        return;
      }
      if (in[i] == 1) continue;
    } else if (drop[i]) {
      continue;
    }
    dims.push_back(in[i]);
  }
  ctx.set_output(0, Shape(std::move(dims)));
}

DType checked_index_type(const InferContext& ctx) {
  const DType t = ctx.attr_dtype("out_type");
  if (t != DType::kInt32 && t != DType::kInt64)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] out_type must be int32 or int64, got ",
          dtype_name(t));
  return t;
}

void check_fits_int32(const InferContext& ctx, int64_t value, const char* what) {
  if (ctx.attr_dtype("out_type") == DType::kInt32 && value > std::numeric_limits<int32_t>::max())
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] ", what, " ", value,
          " does not fit the int32 out_type; use out_type=tf.int64");
}

// Writes int64 values into an int32 or int64 tensor.
void write_index_values(const Tensor& out, const std::vector<int64_t>& values) {
  if (out.dtype() == DType::kInt64) {
    std::copy(values.begin(), values.end(), out.mutable_data<int64_t>());
  } else {
    int32_t* p = out.mutable_data<int32_t>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<int32_t>(values[i]);
  }
}

void infer_shape_op(InferContext& ctx) {
  checked_index_type(ctx);
  const Shape& in = ctx.input_shape(0);
  for (int i = 0; i < std::max(in.rank(), 0); ++i) check_fits_int32(ctx, in[i], "dimension");
  ctx.set_output(0, Shape{in.has_rank() ? in.rank() : kUnknownDim});
}

void infer_size_op(InferContext& ctx) {
  checked_index_type(ctx);
  check_fits_int32(ctx, ctx.input_shape(0).num_elements(), "size");
  ctx.set_output(0, Shape{});
}

void infer_broadcast_to(InferContext& ctx) {
  require_rank(ctx, 1, 1, "shape");
  const Shape& in = ctx.input_shape(0);
  auto target = known_ints(ctx, 1);
  if (!target) {
    const Shape& s = ctx.input_shape(1);
    ctx.set_output(0, unknown_dims(s.has_rank() && s.rank() == 1 ? static_cast<int>(s[0]) : -1));
    return;
  }
  checked_num_elements(*target, "BroadcastTo");
  const Shape out(*target);
  if (in.has_rank()) {
    const int r = out.rank(), ri = in.rank();
    bool ok = ri <= r;
    for (int i = 0; ok && i < ri; ++i) {
      const int64_t d = in[ri - 1 - i], t = out[r - 1 - i];
      ok = d < 0 || d == 1 || d == t;
    }
    if (!ok)
      raise(ErrorCode::kInvalidArgument, "[BroadcastTo] Unable to broadcast tensor of shape ",
            in.to_string(), " to tensor of shape ", out.to_string());
  }
  ctx.set_output(0, out);
}

void broadcast_to_kernel(KernelContext& ctx) {
  const Tensor& in = ctx.input(0);
  const Shape& out_shape = ctx.output_type(0).shape;
  if (in.shape() == out_shape) return forward_input(ctx);
  const Tensor& out = ctx.output(0);
  const int r = out_shape.rank(), ri = in.rank();
  std::vector<int64_t> in_strides = strides_of(in.shape());
  std::vector<int64_t> src_strides(r, 0);
  for (int i = 0; i < ri; ++i)
    if (in.dim(i) != 1) src_strides[r - ri + i] = in_strides[i];
  cpu::strided_copy(out_shape.dims(), out.raw_data(), strides_of(out_shape), in.raw_data(),
                    src_strides, dtype_size(in.dtype()));
}

}  // namespace

void register_array_reshape_ops(OpRegistry& r) {
  r.add("Reshape")
      .input("tensor", "T")
      .input("shape", "Tshape")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("Tshape", kIndex)
      .infer(infer_reshape)
      .kernel(reshape_input)
      .gradient(reshape_grad);

  r.add("ExpandDims")
      .input("input", "T")
      .input("dim", "Tdim")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("Tdim", kIndex)
      .infer(infer_expand_dims)
      .kernel(reshape_input)
      .gradient(reshape_grad);

  r.add("Squeeze")
      .input("input", "T")
      .output("output", "T")
      .type_var("T", kAll)
      .attr("squeeze_dims", std::vector<int64_t>{})
      .infer(infer_squeeze)
      .kernel(reshape_input)
      .gradient(reshape_grad);

  r.add("Identity")
      .input("input", "T")
      .output("output", "T")
      .type_var("T", kAll)
      .infer(infer_same)
      .kernel(forward_input)
      .gradient([](GradContext& ctx) { return std::vector<Tensor>{ctx.grad(0)}; });
  r.add("StopGradient")
      .input("input", "T")
      .output("output", "T")
      .type_var("T", kAll)
      .traits(kNotDifferentiable)
      .infer(infer_same)
      .kernel(forward_input);

  r.add("Shape")
      .input("input", "T")
      .output_from_attr("output", "out_type")
      .type_var("T", kAll)
      .attr("out_type", DType::kInt32)
      .traits(kNotDifferentiable)
      .infer(infer_shape_op)
      .kernel([](KernelContext& ctx) {
        write_index_values(ctx.output(0), ctx.input(0).shape().dims());
      });

  r.add("Rank")
      .input("input", "T")
      .output("output", DType::kInt32)
      .type_var("T", kAll)
      .traits(kNotDifferentiable)
      .infer([](InferContext& ctx) { ctx.set_output(0, Shape{}); })
      .kernel(
          [](KernelContext& ctx) { *ctx.output(0).mutable_data<int32_t>() = ctx.input(0).rank(); });

  r.add("Size")
      .input("input", "T")
      .output_from_attr("output", "out_type")
      .type_var("T", kAll)
      .attr("out_type", DType::kInt32)
      .traits(kNotDifferentiable)
      .infer(infer_size_op)
      .kernel([](KernelContext& ctx) {
        write_index_values(ctx.output(0), {ctx.input(0).num_elements()});
      });

  r.add("BroadcastTo")
      .input("input", "T")
      .input("shape", "Tidx")
      .output("output", "T")
      .type_var("T", kAll)
      .type_var("Tidx", kIndex)
      .infer(infer_broadcast_to)
      .kernel(broadcast_to_kernel)
      // Every copy of an element sends its gradient back: sum over the broadcast dims.
      .gradient([](GradContext& ctx) {
        return std::vector<Tensor>{sum_to_shape_of(ctx.grad(0), ctx.input(0))};
      });
}

}  // namespace loom
