"""Indexing ops: gather, gather_nd, scatter_nd, tensor_scatter_nd_*, one_hot,
boolean_mask, unique, and the one-argument form of tf.where (`where_indices`)."""

import collections

from loom import _C
from loom._api import export
from loom.dtypes import as_dtype, float32, int32
from loom.ops.constant_op import convert_to_tensor

_GATHER = _C.op("GatherV2")
_GATHER_ND = _C.op("GatherNd")
_SCATTER_ND = _C.op("ScatterNd")
_WHERE = _C.op("Where")
_BOOLEAN_MASK = _C.op("BooleanMask")
_UNIQUE = _C.op("Unique")
_ONE_HOT = _C.op("OneHot")

# tf.unique's result: a namedtuple named as TF's generated op wrapper names it.
Unique = collections.namedtuple("Unique", ["y", "idx"])


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


@export("gather")
def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Slices of `params` along `axis` at `indices`; `validate_indices` is ignored
    (indices are always validated), as in TF2."""
    del validate_indices
    if axis is None:
        axis = batch_dims
    return _C.execute(_GATHER, (params, indices, axis), {"batch_dims": int(batch_dims)})


@export("gather_nd")
def gather_nd(params, indices, batch_dims=0, name=None):
    """Slices of `params` at the index tuples held in the last dim of `indices`."""
    return _C.execute(_GATHER_ND, (params, indices), {"batch_dims": int(batch_dims)})


@export("scatter_nd")
def scatter_nd(indices, updates, shape, name=None):
    """A zero tensor of `shape` with `updates` added at `indices`; duplicates add up."""
    if hasattr(shape, "as_list"):  # a TensorShape
        shape = shape.as_list()
    return _C.execute(_SCATTER_ND, (indices, updates, shape))


def _tensor_scatter(op_name, tf_name, doc):
    handle = _C.op(op_name)

    def f(tensor, indices, updates, name=None):
        return _C.execute(handle, (tensor, indices, updates))

    f.__name__ = tf_name
    f.__doc__ = doc
    return export(tf_name)(f)


tensor_scatter_nd_update = _tensor_scatter(
    "TensorScatterUpdate",
    "tensor_scatter_nd_update",
    "A copy of `tensor` with slices at `indices` replaced by `updates`; later duplicates win.",
)
tensor_scatter_nd_add = _tensor_scatter(
    "TensorScatterAdd",
    "tensor_scatter_nd_add",
    "A copy of `tensor` with `updates` added at `indices`; duplicates add up.",
)
tensor_scatter_nd_sub = _tensor_scatter(
    "TensorScatterSub",
    "tensor_scatter_nd_sub",
    "A copy of `tensor` with `updates` subtracted at `indices`.",
)
tensor_scatter_nd_max = _tensor_scatter(
    "TensorScatterMax",
    "tensor_scatter_nd_max",
    "A copy of `tensor` holding the maximum of it and `updates` at `indices`.",
)
tensor_scatter_nd_min = _tensor_scatter(
    "TensorScatterMin",
    "tensor_scatter_nd_min",
    "A copy of `tensor` holding the minimum of it and `updates` at `indices`.",
)


@export("one_hot")
def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot rows for `indices`. The dtype comes from on_value/off_value, else `dtype`,
    else float32; indices outside [0, depth) give all-off rows."""
    hint = None if dtype is None else as_dtype(dtype)
    # As TF: Python values adopt `dtype` where they can, then must match it exactly.
    on = None if on_value is None else convert_to_tensor(on_value, dtype_hint=hint)
    off = None if off_value is None else convert_to_tensor(off_value, dtype_hint=hint)
    given = [(n, v) for n, v in (("on_value", on), ("off_value", off)) if v is not None]
    if dtype is None:
        dtype = given[0][1].dtype if given else float32
    dtype = as_dtype(dtype)
    for arg, value in given:
        if value.dtype != dtype:
            raise TypeError(
                f"dtype {value.dtype.name} of {arg} does not match dtype parameter {dtype.name}"
            )
    on = _C.convert_to_tensor(1, dtype) if on is None else on
    off = _C.convert_to_tensor(0, dtype) if off is None else off
    if _is_int(depth):
        depth = _C.convert_to_tensor(depth, int32)
    attrs = {"axis": -1 if axis is None else int(axis)}
    return _C.execute(_ONE_HOT, (indices, depth, on, off), attrs)


def where_indices(condition):
    """tf.where(condition) with x and y omitted: int64 [num_true, rank] coordinates of
    the true (non-zero) elements, in row-major order."""
    return _C.execute(_WHERE, (condition,))


@export("boolean_mask")
def boolean_mask(tensor, mask, axis=None, name="boolean_mask"):
    """The slices of `tensor` where the boolean `mask` is true. `mask` matches dims
    axis .. axis + mask.ndim of `tensor`, which collapse into one dim of the result."""
    attrs = {"axis": 0 if axis is None else int(axis)}
    return _C.execute(_BOOLEAN_MASK, (tensor, mask), attrs)


@export("unique")
def unique(x, out_idx=int32, name=None):
    """The distinct values of the 1-D `x` in order of first occurrence (`y`), and for each
    element of `x` the position of its value in `y` (`idx`)."""
    y, idx = _C.execute(_UNIQUE, (x,), {"out_idx": as_dtype(out_idx)})
    return Unique(y, idx)
