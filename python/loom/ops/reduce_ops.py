"""Reductions (tf.reduce_*), arg-reductions (tf.argmax) and scans (tf.math.cumsum)."""

import loom
from loom import _C
from loom._api import export
from loom.dtypes import as_dtype, int32, int64
from loom.ops.constant_op import constant, convert_to_tensor
from loom.ops.logic_ops import not_equal, where
from loom.ops.math_ops import cast, exp, is_finite, log, subtract


def _reduction_indices(x, axis):
    """The reduction_indices input: every axis for None, int32 for an empty list."""
    if axis is None:
        return constant(list(range(x.ndim)), dtype=int32)
    if isinstance(axis, (list, tuple)) and len(axis) == 0:
        return constant([], dtype=int32)
    return axis


def _reduction(op_name, *names, doc):
    handle = _C.op(op_name)

    def reduce(input_tensor, axis=None, keepdims=False, name=None):
        x = convert_to_tensor(input_tensor)
        attrs = {"keep_dims": bool(keepdims)}
        return _C.execute(handle, (x, _reduction_indices(x, axis)), attrs)

    reduce.__name__ = names[0].rpartition(".")[2]
    reduce.__doc__ = doc
    return export(*names)(reduce)


reduce_sum = _reduction(
    "Sum", "math.reduce_sum", "reduce_sum", doc="Sum over `axis` (every axis for None)."
)
reduce_mean = _reduction(
    "Mean",
    "math.reduce_mean",
    "reduce_mean",
    doc="Mean over `axis`; integer inputs give the truncated integer mean, as TF.",
)
reduce_max = _reduction(
    "Max", "math.reduce_max", "reduce_max", doc="Maximum over `axis`; -inf (lowest) when empty."
)
reduce_min = _reduction(
    "Min", "math.reduce_min", "reduce_min", doc="Minimum over `axis`; +inf (highest) when empty."
)
reduce_prod = _reduction(
    "Prod", "math.reduce_prod", "reduce_prod", doc="Product over `axis`; 1 when empty."
)
reduce_any = _reduction(
    "Any", "math.reduce_any", "reduce_any", doc="Logical or of booleans over `axis`."
)
reduce_all = _reduction(
    "All", "math.reduce_all", "reduce_all", doc="Logical and of booleans over `axis`."
)


@export("math.reduce_logsumexp", "reduce_logsumexp")
def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """log(sum(exp(x))) over `axis`, computed stably by shifting by the maximum."""
    x = convert_to_tensor(input_tensor)
    raw_max = reduce_max(x, axis, keepdims=True)
    # An infinite maximum would turn x - max into NaN; shift by 0 there instead.
    shift = where(is_finite(raw_max), raw_max, 0)
    summed = reduce_sum(exp(subtract(x, shift)), axis, keepdims)
    # Max over the size-1 dims kept in `shift` drops them when keepdims is False.
    return log(summed) + reduce_max(shift, axis, keepdims)


@export("math.count_nonzero")
def count_nonzero(input, axis=None, keepdims=None, dtype=int64, name=None):
    """Number of non-zero (True) entries over `axis`, as `dtype`."""
    x = convert_to_tensor(input)
    zero = False if x.dtype == loom.bool else 0
    nonzero = not_equal(x, zero)
    counts = reduce_sum(cast(nonzero, int64), axis, bool(keepdims))
    return cast(counts, dtype)


_ARG_MAX = _C.op("ArgMax")
_ARG_MIN = _C.op("ArgMin")


@export("math.argmax", "argmax")
def argmax(input, axis=None, output_type=int64, name=None):
    """Index of the largest value along `axis` (0 for None); ties give the first."""
    attrs = {"output_type": as_dtype(output_type)}
    return _C.execute(_ARG_MAX, (input, 0 if axis is None else axis), attrs)


@export("math.argmin", "argmin")
def argmin(input, axis=None, output_type=int64, name=None):
    """Index of the smallest value along `axis` (0 for None); ties give the first."""
    attrs = {"output_type": as_dtype(output_type)}
    return _C.execute(_ARG_MIN, (input, 0 if axis is None else axis), attrs)


_CUMSUM = _C.op("Cumsum")
_CUMPROD = _C.op("Cumprod")


@export("math.cumsum", "cumsum")
def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sum along `axis`; `exclusive` leaves out the current value."""
    attrs = {"exclusive": bool(exclusive), "reverse": bool(reverse)}
    return _C.execute(_CUMSUM, (x, axis), attrs)


@export("math.cumprod")
def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running product along `axis`; `exclusive` leaves out the current value."""
    attrs = {"exclusive": bool(exclusive), "reverse": bool(reverse)}
    return _C.execute(_CUMPROD, (x, axis), attrs)
