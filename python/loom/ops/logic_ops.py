"""Comparisons, logical and bitwise ops (tf.math.equal, tf.bitwise.*), and tf.where."""

from loom import _C
from loom._api import export
from loom.ops._op import binary, unary

equal = binary("Equal", "math.equal", "equal")
not_equal = binary("NotEqual", "math.not_equal", "not_equal")
less = binary("Less", "math.less", "less")
less_equal = binary("LessEqual", "math.less_equal", "less_equal")
greater = binary("Greater", "math.greater", "greater")
greater_equal = binary("GreaterEqual", "math.greater_equal", "greater_equal")

logical_and = binary("LogicalAnd", "math.logical_and", "logical_and")
logical_or = binary("LogicalOr", "math.logical_or", "logical_or")
logical_xor = binary("LogicalXor", "math.logical_xor")
logical_not = unary("LogicalNot", "math.logical_not", "logical_not")

bitwise_and = binary("BitwiseAnd", "bitwise.bitwise_and")
bitwise_or = binary("BitwiseOr", "bitwise.bitwise_or")
bitwise_xor = binary("BitwiseXor", "bitwise.bitwise_xor")
invert = unary("Invert", "bitwise.invert")

_SELECT = _C.op("SelectV2")


@export("where")
def where(condition, x=None, y=None, name=None):
    """With x and y: elements of x where condition is true, else of y (all three
    broadcast together). With neither: the indices of true elements."""
    if x is None and y is None:
        from loom.ops.array_index_ops import where_indices

        return where_indices(condition)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return _C.execute(_SELECT, (condition, x, y))
