"""tf.math: elementwise arithmetic and functions, cast, clip_by_value, add_n."""

from loom import _C
from loom._api import export
from loom.dtypes import as_dtype, float32, float64
from loom.ops._op import binary, unary

add = binary("AddV2", "math.add", "add")
subtract = binary("Sub", "math.subtract", "subtract")
multiply = binary("Mul", "math.multiply", "multiply")
floordiv = binary("FloorDiv", "math.floordiv", "floordiv")
floormod = binary("FloorMod", "math.floormod", "math.mod")
pow = binary("Pow", "math.pow", "pow")  # noqa: A001  (TF's name)
maximum = binary("Maximum", "math.maximum", "maximum")
minimum = binary("Minimum", "math.minimum", "minimum")
squared_difference = binary("SquaredDifference", "math.squared_difference")

negative = unary("Neg", "math.negative", "negative")
abs = unary("Abs", "math.abs", "abs")  # noqa: A001
sign = unary("Sign", "math.sign", "sign")
square = unary("Square", "math.square", "square")
sqrt = unary("Sqrt", "math.sqrt", "sqrt")
rsqrt = unary("Rsqrt", "math.rsqrt")
reciprocal = unary("Reciprocal", "math.reciprocal")
exp = unary("Exp", "math.exp", "exp")
expm1 = unary("Expm1", "math.expm1")
log = unary("Log", "math.log")
log1p = unary("Log1p", "math.log1p")
sin = unary("Sin", "math.sin", "sin")
cos = unary("Cos", "math.cos", "cos")
tan = unary("Tan", "math.tan", "tan")
asin = unary("Asin", "math.asin", "asin")
acos = unary("Acos", "math.acos", "acos")
atan = unary("Atan", "math.atan", "atan")
sinh = unary("Sinh", "math.sinh", "sinh")
cosh = unary("Cosh", "math.cosh", "cosh")
tanh = unary("Tanh", "math.tanh", "nn.tanh", "tanh")
sigmoid = unary("Sigmoid", "math.sigmoid", "nn.sigmoid", "sigmoid")
erf = unary("Erf", "math.erf")
round = unary("Round", "math.round", "round", doc="Rounds half to even.")  # noqa: A001
floor = unary("Floor", "math.floor", "floor")
ceil = unary("Ceil", "math.ceil")
is_nan = unary("IsNan", "math.is_nan")
is_inf = unary("IsInf", "math.is_inf")
is_finite = unary("IsFinite", "math.is_finite")

_ATAN2 = _C.op("Atan2")
_REAL_DIV = _C.op("RealDiv")
_CAST = _C.op("Cast")
_CLIP = _C.op("ClipByValue")
_ADD_N = _C.op("AddN")


@export("math.atan2", "atan2")
def atan2(y, x, name=None):
    """Elementwise arctangent of y / x, using the signs of both for the quadrant."""
    return _C.execute(_ATAN2, (y, x))


def _as_tensor_pair(x, y):
    """Converts x and y as TF does for binary math: a value without a dtype of its own
    (Python number or list) takes the other operand's dtype."""
    x_typed = isinstance(x, _C.Tensor) or hasattr(x, "dtype")
    if x_typed or not (isinstance(y, _C.Tensor) or hasattr(y, "dtype")):
        x = _C.convert_to_tensor(x, None)
        return x, _C.convert_to_tensor(y, None if hasattr(y, "dtype") else x.dtype)
    y = _C.convert_to_tensor(y, None)
    return _C.convert_to_tensor(x, y.dtype), y


@export("math.truediv", "truediv")
def truediv(x, y, name=None):
    """x / y with integers first cast to float: int8/16 and uint8/16 to float32, wider
    integers to float64."""
    x, y = _as_tensor_pair(x, y)
    if x.dtype != y.dtype:
        raise TypeError(f"`x` and `y` must have the same dtype, got {x.dtype!r} != {y.dtype!r}.")
    if x.dtype.is_bool:
        raise TypeError(f"Invalid dtype {x.dtype!r} in __truediv__")
    if x.dtype.is_integer:
        to = float32 if x.dtype.size <= 2 else float64
        x, y = cast(x, to), cast(y, to)
    return _C.execute(_REAL_DIV, (x, y))


@export("math.divide", "divide")
def divide(x, y, name=None):
    """Python 3 division, x / y (see truediv)."""
    return truediv(x, y)


@export("cast", "dtypes.cast")
def cast(x, dtype, name=None):
    """Casts to `dtype` (any spelling). Floats to integers truncate toward zero; to bool
    is x != 0."""
    dtype = as_dtype(dtype)
    if not isinstance(x, _C.Tensor):
        x = _C.convert_to_tensor(x, None)
    if x.dtype == dtype:
        return x
    return _C.execute(_CAST, (x,), {"DstT": dtype})


@export("clip_by_value")
def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """Clips t to [clip_value_min, clip_value_max]; the bounds broadcast to t's shape."""
    return _C.execute(_CLIP, (t, clip_value_min, clip_value_max))


@export("math.add_n", "add_n")
def add_n(inputs, name=None):
    """Sum of a list of tensors of one dtype and shape."""
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError(
            "Inputs must be an iterable of at least one Tensor/IndexedSlices with the same "
            "dtype and shape."
        )
    if len(inputs) == 1:
        return _C.convert_to_tensor(inputs[0], None)
    return _C.execute(_ADD_N, (list(inputs),))
