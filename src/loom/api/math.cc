#include "loom/api/math.h"

#include "loom/api/op_ref.h"

namespace loom {

// Each function resolves its op once, on first call.
#define LOOM_UNARY_API(fn, op_name) \
  Tensor fn(const Tensor& x) {      \
    static const OpRef op(op_name); \
    return op({x});                 \
  }
#define LOOM_BINARY_API(fn, op_name)            \
  Tensor fn(const Tensor& x, const Tensor& y) { \
    static const OpRef op(op_name);             \
    return op({x, y});                          \
  }

LOOM_BINARY_API(add, "AddV2")
LOOM_BINARY_API(subtract, "Sub")
LOOM_BINARY_API(multiply, "Mul")
LOOM_BINARY_API(floordiv, "FloorDiv")
LOOM_BINARY_API(floormod, "FloorMod")
LOOM_BINARY_API(pow, "Pow")
LOOM_BINARY_API(maximum, "Maximum")
LOOM_BINARY_API(minimum, "Minimum")
LOOM_BINARY_API(squared_difference, "SquaredDifference")
LOOM_BINARY_API(atan2, "Atan2")

LOOM_UNARY_API(negative, "Neg")
LOOM_UNARY_API(abs, "Abs")
LOOM_UNARY_API(sign, "Sign")
LOOM_UNARY_API(square, "Square")
LOOM_UNARY_API(sqrt, "Sqrt")
LOOM_UNARY_API(rsqrt, "Rsqrt")
LOOM_UNARY_API(reciprocal, "Reciprocal")
LOOM_UNARY_API(exp, "Exp")
LOOM_UNARY_API(expm1, "Expm1")
LOOM_UNARY_API(log, "Log")
LOOM_UNARY_API(log1p, "Log1p")
LOOM_UNARY_API(sin, "Sin")
LOOM_UNARY_API(cos, "Cos")
LOOM_UNARY_API(tan, "Tan")
LOOM_UNARY_API(asin, "Asin")
LOOM_UNARY_API(acos, "Acos")
LOOM_UNARY_API(atan, "Atan")
LOOM_UNARY_API(sinh, "Sinh")
LOOM_UNARY_API(cosh, "Cosh")
LOOM_UNARY_API(tanh, "Tanh")
LOOM_UNARY_API(sigmoid, "Sigmoid")
LOOM_UNARY_API(erf, "Erf")
LOOM_UNARY_API(round, "Round")
LOOM_UNARY_API(floor, "Floor")
LOOM_UNARY_API(ceil, "Ceil")
LOOM_UNARY_API(is_nan, "IsNan")
LOOM_UNARY_API(is_inf, "IsInf")
LOOM_UNARY_API(is_finite, "IsFinite")

LOOM_BINARY_API(equal, "Equal")
LOOM_BINARY_API(not_equal, "NotEqual")
LOOM_BINARY_API(less, "Less")
LOOM_BINARY_API(less_equal, "LessEqual")
LOOM_BINARY_API(greater, "Greater")
LOOM_BINARY_API(greater_equal, "GreaterEqual")
LOOM_BINARY_API(logical_and, "LogicalAnd")
LOOM_BINARY_API(logical_or, "LogicalOr")
LOOM_BINARY_API(logical_xor, "LogicalXor")
LOOM_UNARY_API(logical_not, "LogicalNot")
LOOM_BINARY_API(bitwise_and, "BitwiseAnd")
LOOM_BINARY_API(bitwise_or, "BitwiseOr")
LOOM_BINARY_API(bitwise_xor, "BitwiseXor")
LOOM_UNARY_API(invert, "Invert")

#undef LOOM_UNARY_API
#undef LOOM_BINARY_API

Tensor cast_to(const Tensor& x, DType dtype) {
  static const OpRef op("Cast");
  return op({x}, {{"DstT", dtype}});
}

Tensor divide(const Tensor& x, const Tensor& y) {
  static const OpRef op("RealDiv");
  if (is_integer(x.dtype()) && x.dtype() == y.dtype()) {
    const DType to = dtype_size(x.dtype()) <= 2 ? DType::kFloat32 : DType::kFloat64;
    return op({cast_to(x, to), cast_to(y, to)});
  }
  return op({x, y});
}

Tensor where(const Tensor& condition, const Tensor& x, const Tensor& y) {
  static const OpRef op("SelectV2");
  return op({condition, x, y});
}

Tensor clip_by_value(const Tensor& t, const Tensor& clip_value_min, const Tensor& clip_value_max) {
  static const OpRef op("ClipByValue");
  return op({t, clip_value_min, clip_value_max});
}

Tensor add_n(const std::vector<Tensor>& inputs) {
  static const OpRef op("AddN");
  return op.multi(inputs).at(0);
}

}  // namespace loom
