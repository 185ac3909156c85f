"""tf.debugging assertions. Each is an Assert op on a reduced condition, so it raises
at once eagerly and on every run inside a function."""

from loom import _C
from loom._api import export
from loom.ops import logging_ops, logic_ops, reduce_ops


def _assert_all(condition, summary, message, data, summarize):
    pieces = [message] if message else []
    pieces.append(summary)
    pieces += list(data)
    return logging_ops.Assert(reduce_ops.reduce_all(condition), pieces, summarize)


def _binary_assert(compare, text):
    def assert_fn(x, y, data=None, summarize=None, message=None, name=None):
        x = _C.convert_to_tensor(x)
        y = _C.convert_to_tensor(y, x.dtype) if not isinstance(y, _C.Tensor) else y
        data = data if data is not None else ["x =", x, "y =", y]
        return _assert_all(
            compare(x, y),
            f"Condition x {text} y did not hold element-wise:",
            message,
            data,
            summarize,
        )

    return assert_fn


assert_equal = export("debugging.assert_equal", "assert_equal")(
    _binary_assert(logic_ops.equal, "==")
)
assert_none_equal = export("debugging.assert_none_equal")(_binary_assert(logic_ops.not_equal, "!="))
assert_less = export("debugging.assert_less", "assert_less")(_binary_assert(logic_ops.less, "<"))
assert_less_equal = export("debugging.assert_less_equal")(
    _binary_assert(logic_ops.less_equal, "<=")
)
assert_greater = export("debugging.assert_greater", "assert_greater")(
    _binary_assert(logic_ops.greater, ">")
)
assert_greater_equal = export("debugging.assert_greater_equal")(
    _binary_assert(logic_ops.greater_equal, ">=")
)


def _sign_assert(compare, text):
    def assert_fn(x, data=None, summarize=None, message=None, name=None):
        x = _C.convert_to_tensor(x)
        data = data if data is not None else ["x =", x]
        return _assert_all(
            compare(x, _C.convert_to_tensor(0, x.dtype)),
            f"Condition x {text} did not hold element-wise:",
            message,
            data,
            summarize,
        )

    return assert_fn


assert_positive = export("debugging.assert_positive")(_sign_assert(logic_ops.greater, "> 0"))
assert_negative = export("debugging.assert_negative")(_sign_assert(logic_ops.less, "< 0"))
assert_non_negative = export("debugging.assert_non_negative")(
    _sign_assert(logic_ops.greater_equal, ">= 0")
)
assert_non_positive = export("debugging.assert_non_positive")(
    _sign_assert(logic_ops.less_equal, "<= 0")
)


@export("debugging.assert_rank", "assert_rank")
def assert_rank(x, rank, message=None, name=None):
    """Raises ValueError when the static rank of `x` is not `rank`."""
    x = _C.convert_to_tensor(x)
    if x.shape.rank is not None and x.shape.rank != int(rank):
        prefix = f"{message} " if message else ""
        raise ValueError(
            f"{prefix}Tensor must have rank {int(rank)}. Received rank "
            f"{x.shape.rank}, shape {x.shape}"
        )


@export("debugging.assert_type", "assert_type")
def assert_type(tensor, tf_type, message=None, name=None):
    from loom.dtypes import as_dtype

    if tensor.dtype != as_dtype(tf_type):
        prefix = f"{message} " if message else ""
        raise TypeError(
            f"{prefix}tensor must be of type {as_dtype(tf_type).name}, got {tensor.dtype.name}"
        )


@export("debugging.is_numeric_tensor", "is_numeric_tensor")
def is_numeric_tensor(tensor):
    return isinstance(tensor, _C.Tensor) and not tensor.dtype.is_bool


@export("debugging.assert_all_finite")
def assert_all_finite(t, message, name=None):
    return logging_ops.check_numerics(t, message)
