"""tf array ops: reshaping, layout, joining and splitting, padding, tensor creation."""

import builtins
import numbers
import operator

import numpy as np

import loom
from loom import _C
from loom._api import export
from loom.dtypes import as_dtype, float32, int32, int64
from loom.tensor_shape import TensorShape

_Tensor = _C.Tensor
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def _op(name):
    handle = _C.op(name)
    return lambda inputs, attrs=None: _C.execute(handle, inputs, attrs)


_reshape = _op("Reshape")
_transpose = _op("Transpose")
_expand_dims = _op("ExpandDims")
_squeeze = _op("Squeeze")
_concat = _op("ConcatV2")
_pack = _op("Pack")
_unpack = _op("Unpack")
_split = _op("Split")
_split_v = _op("SplitV")
_tile = _op("Tile")
_pad = _op("Pad")
_pad_v2 = _op("PadV2")
_mirror_pad = _op("MirrorPad")
_slice = _op("Slice")
_strided_slice = _op("StridedSlice")
_reverse = _op("ReverseV2")
_roll = _op("Roll")
_broadcast_to = _op("BroadcastTo")
_identity = _op("Identity")
_stop_gradient = _op("StopGradient")
_shape = _op("Shape")
_rank = _op("Rank")
_size = _op("Size")
_fill = _op("Fill")
_range = _op("Range")
_linspace = _op("LinSpace")
_eye = _op("Eye")


def _tensor(value, dtype=None):
    if isinstance(value, _Tensor) and dtype is None:
        return value
    return _C.convert_to_tensor(value, None if dtype is None else as_dtype(dtype))


def _index_tensor(value):
    """A shape-like argument (list, tuple, TensorShape, array, tensor) as an int32 tensor,
    or int64 when a value does not fit; tensors pass through unchanged."""
    if isinstance(value, _Tensor):
        return value
    if isinstance(value, TensorShape):
        value = [-1 if d is None else d for d in value.as_list()]
    if isinstance(value, (list, tuple)) and any(
        isinstance(v, _Tensor) and v._is_symbolic() for v in value
    ):
        # [tf.shape(x)[0], 8] inside a function: the dims are packed by the graph.
        cast = loom.ops.math_ops.cast
        return stack([cast(v, int32) if isinstance(v, _Tensor) else v for v in value])
    arr = np.asarray(value)
    if arr.dtype == object:
        # Lists mixing ints and scalar tensors: each converts through __index__.
        flat = [operator.index(v) for v in arr.reshape(-1)]
        arr = np.asarray(flat, dtype=np.int64).reshape(arr.shape)
    if arr.size == 0:
        return _C.convert_to_tensor(arr.astype(np.int32), None)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"Expected an integer shape-like argument, got {value!r}")
    if isinstance(value, np.ndarray) and arr.dtype in (np.int32, np.int64):
        return _C.convert_to_tensor(arr, None)
    fits = arr.min() >= _INT32_MIN and arr.max() <= _INT32_MAX
    return _C.convert_to_tensor(arr.astype(np.int32 if fits else np.int64), None)


def _as_list(outputs):
    return [outputs] if isinstance(outputs, _Tensor) else list(outputs)


def _rank_of(x):
    return len(x._shape_tuple())


@export("reshape")
def reshape(tensor, shape, name=None):
    """Gives `tensor` a new shape (one dim may be -1); the result shares its buffer."""
    return _reshape((_tensor(tensor), _index_tensor(shape)))


@export("transpose", "linalg.transpose")
def transpose(a, perm=None, conjugate=False, name="transpose"):
    """Permutes dims; by default reverses them. `conjugate` is a no-op for real dtypes."""
    a = _tensor(a)
    if perm is None:
        perm = list(builtins.range(_rank_of(a) - 1, -1, -1))
    return _transpose((a, _index_tensor(perm)))


@export("expand_dims")
def expand_dims(input, axis, name=None):
    return _expand_dims((_tensor(input), _index_tensor(axis)))


@export("squeeze")
def squeeze(input, axis=None, name=None):
    if axis is None:
        axis = []
    elif isinstance(axis, numbers.Integral):
        axis = [int(axis)]
    return _squeeze((_tensor(input),), {"squeeze_dims": [int(a) for a in axis]})


@export("concat")
def concat(values, axis, name="concat"):
    values = list(values)
    if len(values) == 1:
        return _identity((_tensor(values[0]),))
    return _concat((values, _index_tensor(axis)))


@export("stack")
def stack(values, axis=0, name="stack"):
    return _pack((list(values),), {"axis": int(axis)})


@export("unstack")
def unstack(value, num=None, axis=0, name="unstack"):
    value = _tensor(value)
    if num is None:
        shape = value._shape_tuple()
        if not -len(shape) <= axis < len(shape):
            raise ValueError(f"axis = {axis} not in [{-len(shape)}, {len(shape)})")
        num = shape[axis]
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {value.shape}")
    return _as_list(_unpack((value,), {"num": int(num), "axis": int(axis)}))


@export("split")
def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    value = _tensor(value)
    sizes = num_or_size_splits
    if isinstance(sizes, numbers.Integral) or (isinstance(sizes, _Tensor) and sizes.ndim == 0):
        return _as_list(
            _split((_C.convert_to_tensor(int(axis), int32), value), {"num_split": int(sizes)})
        )
    sizes = _index_tensor(sizes)
    if num is None:
        if sizes.ndim != 1:
            raise ValueError(
                f"Cannot infer argument `num` from shape {tuple(sizes.shape)} of "
                "`num_or_size_splits`; it must be a 1-D list of sizes"
            )
        num = sizes._shape_tuple()[0]
    return _as_list(
        _split_v((value, sizes, _C.convert_to_tensor(int(axis), int32)), {"num_split": int(num)})
    )


@export("tile")
def tile(input, multiples, name=None):
    return _tile((_tensor(input), _index_tensor(multiples)))


@export("pad")
def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    tensor = _tensor(tensor)
    paddings = _index_tensor(paddings)
    mode = str(mode).upper()
    if mode == "CONSTANT":
        is_python_zero = (
            not isinstance(constant_values, _Tensor)
            and np.ndim(constant_values) == 0
            and constant_values == 0
        )
        if is_python_zero:
            return _pad((tensor, paddings))
        return _pad_v2((tensor, paddings, constant_values))
    if mode in ("REFLECT", "SYMMETRIC"):
        return _mirror_pad((tensor, paddings), {"mode": mode})
    raise ValueError(
        'Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", or '
        f'"SYMMETRIC". Received `mode` = {mode}'
    )


@export("slice")
def slice(input_, begin, size, name=None):
    return _slice((_tensor(input_), _index_tensor(begin), _index_tensor(size)))


@export("strided_slice")
def strided_slice(
    input_,
    begin,
    end,
    strides=None,
    begin_mask=0,
    end_mask=0,
    ellipsis_mask=0,
    new_axis_mask=0,
    shrink_axis_mask=0,
    var=None,
    name=None,
):
    begin = _index_tensor(begin)
    end = _index_tensor(end)
    if strides is None:
        strides = [1] * begin._shape_tuple()[0]
    attrs = {
        "begin_mask": int(begin_mask),
        "end_mask": int(end_mask),
        "ellipsis_mask": int(ellipsis_mask),
        "new_axis_mask": int(new_axis_mask),
        "shrink_axis_mask": int(shrink_axis_mask),
    }
    return _strided_slice((_tensor(input_), begin, end, _index_tensor(strides)), attrs)


@export("reverse")
def reverse(tensor, axis, name=None):
    return _reverse((_tensor(tensor), _index_tensor(axis)))


@export("roll")
def roll(input, shift, axis, name=None):
    return _roll((_tensor(input), _index_tensor(shift), _index_tensor(axis)))


@export("broadcast_to")
def broadcast_to(input, shape, name=None):
    return _broadcast_to((_tensor(input), _index_tensor(shape)))


@export("identity")
def identity(input, name=None):
    return _identity((_tensor(input),))


@export("stop_gradient")
def stop_gradient(input, name=None):
    return _stop_gradient((_tensor(input),))


@export("shape")
def shape(input, out_type=int32, name=None):
    return _shape((_tensor(input),), {"out_type": as_dtype(out_type)})


@export("rank")
def rank(input, name=None):
    return _rank((_tensor(input),))


@export("size")
def size(input, out_type=int32, name=None):
    return _size((_tensor(input),), {"out_type": as_dtype(out_type)})


@export("fill")
def fill(dims, value, name=None, layout=None):
    return _fill((_index_tensor(dims), value))


def _scalar_of(dtype, value):
    dtype = as_dtype(dtype)
    return _C.convert_to_tensor(bool(value) if dtype.is_bool else value, dtype)


def _dims_of(shape):
    if isinstance(shape, numbers.Integral):
        return _index_tensor([int(shape)])
    return _index_tensor(shape)


@export("zeros")
def zeros(shape, dtype=float32, name=None, layout=None):
    return _fill((_dims_of(shape), _scalar_of(dtype, 0)))


@export("ones")
def ones(shape, dtype=float32, name=None, layout=None):
    return _fill((_dims_of(shape), _scalar_of(dtype, 1)))


def _filled_like(input, dtype, value):
    input = _tensor(input)
    dtype = input.dtype if dtype is None else as_dtype(dtype)
    dims = input._shape_tuple()
    known = dims is not None and None not in dims
    # Unknown dims (while tracing) come from the Shape op at run time.
    dims = _index_tensor(list(dims)) if known else shape(input)
    return _fill((dims, _scalar_of(dtype, value)))


@export("zeros_like")
def zeros_like(input, dtype=None, name=None, layout=None):
    return _filled_like(input, dtype, 0)


@export("ones_like")
def ones_like(input, dtype=None, name=None, layout=None):
    return _filled_like(input, dtype, 1)


# tf.range's dtype inference: the widest of the arguments' dtypes in this order.
_RANGE_ORDER = ["int32", "int64", "float16", "bfloat16", "float32", "float64"]


def _inferred_dtype(value):
    if isinstance(value, _Tensor):
        return value.dtype
    if isinstance(value, (np.ndarray, np.generic)):
        return as_dtype(value.dtype)
    if isinstance(value, bool):
        return as_dtype("bool")
    if isinstance(value, numbers.Integral):
        return int32 if _INT32_MIN <= value <= _INT32_MAX else int64
    return float32


def _cast_to(value, dtype):
    if isinstance(value, _Tensor):
        if value.dtype == dtype:
            return value
        cast = getattr(loom, "cast", None)
        if cast is not None:
            return cast(value, dtype)
        return _C.convert_to_tensor(value.numpy().astype(dtype.as_numpy_dtype), dtype)
    if isinstance(value, (np.ndarray, np.generic)):
        return _C.convert_to_tensor(np.asarray(value).astype(dtype.as_numpy_dtype), dtype)
    return _C.convert_to_tensor(value, dtype)


@export("range")
def range(start, limit=None, delta=1, dtype=None, name="range"):
    """Numbers from `start` up to (not including) `limit` by `delta`; one argument is the
    limit. Without `dtype`, the widest argument type wins (ints -> int32, floats -> float32)."""
    if limit is None:
        start, limit = 0, start
    args = (start, limit, delta)
    if dtype is None:
        found = [_inferred_dtype(v) for v in args]
        ranked = [d for d in found if d.name in _RANGE_ORDER]
        dtype = max(ranked, key=lambda d: _RANGE_ORDER.index(d.name)) if ranked else found[0]
    else:
        dtype = as_dtype(dtype)
    return _range(tuple(_cast_to(v, dtype) for v in args))


@export("linspace", "lin_space", "experimental.numpy.linspace")
def linspace(start, stop, num, name=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` inclusive. Tensor `start`/`stop`
    give one sequence per element, laid out along `axis`."""
    start = (
        _tensor(start)
        if isinstance(start, _Tensor)
        else _C.convert_to_tensor(
            start, None if isinstance(start, (np.ndarray, np.generic)) else float32
        )
    )
    stop = _cast_to(stop, start.dtype)
    num = _index_tensor(num)
    if start.ndim == 0 and stop.ndim == 0 and axis in (0, -1):
        return _linspace((start, stop, num))
    # N-D: start + (stop - start) * fraction, with the fractions along `axis`.
    out_rank = max(start.ndim, stop.ndim) + 1
    if not -out_rank <= axis < out_rank:
        raise loom.errors.InvalidArgumentError(
            f"[LinSpace] axis {axis} is out of range [{-out_rank}, {out_rank})"
        )
    axis %= out_rank
    fraction = _linspace((_scalar_of(start.dtype, 0), _scalar_of(start.dtype, 1), num))
    frac_shape = [1] * out_rank
    frac_shape[axis] = -1
    fraction = reshape(fraction, frac_shape)
    lo = expand_dims(start, axis)
    hi = expand_dims(stop, axis)
    return lo + (hi - lo) * fraction


@export("eye", "linalg.eye")
def eye(num_rows, num_columns=None, batch_shape=None, dtype=float32, name=None):
    """Identity matrices: shape batch_shape + [num_rows, num_columns]."""
    if num_columns is None:
        num_columns = num_rows
    batch = _index_tensor([] if batch_shape is None else batch_shape)
    rows, cols = _tensor(num_rows, batch.dtype), _tensor(num_columns, batch.dtype)
    return _eye((rows, cols, batch), {"dtype": as_dtype(dtype)})
