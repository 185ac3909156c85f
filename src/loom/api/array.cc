#include "loom/api/array.h"

#include "loom/api/op_ref.h"
#include "loom/kernels/cpu/layout.h"

namespace loom {

namespace {

Tensor ints(const std::vector<int64_t>& v) {
  return Tensor::from_vector<int64_t>(v, Shape{static_cast<int64_t>(v.size())});
}

Tensor scalar_int(int64_t v) {
  return Tensor::scalar<int64_t>(v);
}

// A scalar of `dtype` holding 0 or 1, written byte-generically.
Tensor zero_or_one(DType dtype, bool one) {
  Tensor t = Tensor::empty(dtype, Shape{});
  if (one)
    cpu::one_value(dtype, t.raw_data());
  else
    std::memset(t.raw_data(), 0, t.nbytes());
  return t;
}

std::vector<Tensor> run(const char* name, std::span<const Tensor> in, const Attrs& attrs = {}) {
  return execute(name, in, attrs);
}

}  // namespace

Tensor reshape(const Tensor& x, const std::vector<int64_t>& shape) {
  static const OpRef op("Reshape");
  return op({x, ints(shape)});
}

Tensor transpose(const Tensor& x, std::vector<int64_t> perm) {
  static const OpRef op("Transpose");
  if (perm.empty())
    for (int i = x.rank() - 1; i >= 0; --i) perm.push_back(i);
  return op({x, ints(perm)});
}

Tensor expand_dims(const Tensor& x, int64_t axis) {
  static const OpRef op("ExpandDims");
  return op({x, scalar_int(axis)});
}

Tensor squeeze(const Tensor& x, const std::vector<int64_t>& axes) {
  static const OpRef op("Squeeze");
  return op({x}, {{"squeeze_dims", axes}});
}

Tensor identity(const Tensor& x) {
  static const OpRef op("Identity");
  return op({x});
}

Tensor stop_gradient(const Tensor& x) {
  static const OpRef op("StopGradient");
  return op({x});
}

Tensor broadcast_to(const Tensor& x, const std::vector<int64_t>& shape) {
  static const OpRef op("BroadcastTo");
  return op({x, ints(shape)});
}

Tensor concat(std::span<const Tensor> values, int64_t axis) {
  std::vector<Tensor> in(values.begin(), values.end());
  in.push_back(scalar_int(axis));
  return std::move(run("ConcatV2", in)[0]);
}

Tensor stack(std::span<const Tensor> values, int64_t axis) {
  return std::move(run("Pack", values, {{"axis", axis}})[0]);
}

std::vector<Tensor> unstack(const Tensor& x, int64_t axis) {
  const int64_t a = normalize_axis(axis, x.rank(), "Unpack");
  return run("Unpack", std::span<const Tensor>(&x, 1),
             {{"num", x.dim(static_cast<int>(a))}, {"axis", axis}});
}

std::vector<Tensor> split(const Tensor& x, int64_t num_split, int64_t axis) {
  Tensor in[] = {Tensor::scalar<int32_t>(static_cast<int32_t>(axis)), x};
  return run("Split", in, {{"num_split", num_split}});
}

std::vector<Tensor> split_sizes(const Tensor& x, const std::vector<int64_t>& sizes, int64_t axis) {
  Tensor in[] = {x, ints(sizes), Tensor::scalar<int32_t>(static_cast<int32_t>(axis))};
  return run("SplitV", in, {{"num_split", static_cast<int64_t>(sizes.size())}});
}

Tensor tile(const Tensor& x, const std::vector<int64_t>& multiples) {
  static const OpRef op("Tile");
  return op({x, ints(multiples)});
}

Tensor pad(const Tensor& x, const std::vector<int64_t>& paddings, const Tensor& value) {
  const Tensor p =
      Tensor::from_vector<int64_t>(paddings, Shape{static_cast<int64_t>(paddings.size() / 2), 2});
  if (!value.defined()) {
    static const OpRef op("Pad");
    return op({x, p});
  }
  static const OpRef op("PadV2");
  return op({x, p, value});
}

Tensor mirror_pad(const Tensor& x, const std::vector<int64_t>& paddings, const std::string& mode) {
  static const OpRef op("MirrorPad");
  const Tensor p =
      Tensor::from_vector<int64_t>(paddings, Shape{static_cast<int64_t>(paddings.size() / 2), 2});
  return op({x, p}, {{"mode", mode}});
}

Tensor slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& size) {
  static const OpRef op("Slice");
  return op({x, ints(begin), ints(size)});
}

Tensor strided_slice(const Tensor& x, const std::vector<int64_t>& begin,
                     const std::vector<int64_t>& end, const std::vector<int64_t>& strides,
                     const StridedSliceMasks& m) {
  static const OpRef op("StridedSlice");
  return op({x, ints(begin), ints(end), ints(strides)}, {{"begin_mask", m.begin},
                                                         {"end_mask", m.end},
                                                         {"ellipsis_mask", m.ellipsis},
                                                         {"new_axis_mask", m.new_axis},
                                                         {"shrink_axis_mask", m.shrink_axis}});
}

Tensor reverse(const Tensor& x, const std::vector<int64_t>& axes) {
  static const OpRef op("ReverseV2");
  return op({x, ints(axes)});
}

Tensor roll(const Tensor& x, const std::vector<int64_t>& shifts, const std::vector<int64_t>& axes) {
  static const OpRef op("Roll");
  return op({x, ints(shifts), ints(axes)});
}

Tensor shape_of(const Tensor& x, DType out_type) {
  static const OpRef op("Shape");
  return op({x}, {{"out_type", out_type}});
}

Tensor rank_of(const Tensor& x) {
  static const OpRef op("Rank");
  return op({x});
}

Tensor size_of(const Tensor& x, DType out_type) {
  static const OpRef op("Size");
  return op({x}, {{"out_type", out_type}});
}

Tensor fill(const std::vector<int64_t>& dims, const Tensor& value) {
  static const OpRef op("Fill");
  return op({ints(dims), value});
}

Tensor zeros(const std::vector<int64_t>& dims, DType dtype) {
  return fill(dims, zero_or_one(dtype, false));
}

Tensor ones(const std::vector<int64_t>& dims, DType dtype) {
  return fill(dims, zero_or_one(dtype, true));
}

Tensor range(const Tensor& start, const Tensor& limit, const Tensor& delta) {
  static const OpRef op("Range");
  return op({start, limit, delta});
}

Tensor linspace(const Tensor& start, const Tensor& stop, int64_t num) {
  static const OpRef op("LinSpace");
  return op({start, stop, scalar_int(num)});
}

Tensor eye(int64_t num_rows, int64_t num_columns, const std::vector<int64_t>& batch_shape,
           DType dtype) {
  static const OpRef op("Eye");
  return op({scalar_int(num_rows), scalar_int(num_columns < 0 ? num_rows : num_columns),
             ints(batch_shape)},
            {{"dtype", dtype}});
}

}  // namespace loom
