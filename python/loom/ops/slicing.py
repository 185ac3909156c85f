"""Tensor.__getitem__: NumPy-style indexing. Basic indices (ints, slices, Ellipsis,
None, scalar int tensors) become one StridedSlice with TF's masks; one list or int
tensor index is a gather along its axis, and one bool mask a boolean_mask."""

import numbers
import operator

import numpy as np

import loom
from loom import _C
from loom.dtypes import int32, int64

_Tensor = _C.Tensor
_STRIDED_SLICE = _C.op("StridedSlice")
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1

_BAD_INDEX = (
    "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`), scalar integer "
    "tensors, one list or 1-D integer tensor and one boolean mask are valid indices, got {!r}"
)


def _is_scalar_int(k):
    if isinstance(k, bool):
        return False
    if isinstance(k, (numbers.Integral, np.integer)):
        return True
    return isinstance(k, _Tensor) and k.ndim == 0 and k.dtype.is_integer


def _array_kind(k):
    """'mask' for boolean masks, 'indices' for integer index arrays, None otherwise."""
    if isinstance(k, _Tensor):
        if k.dtype.is_bool:
            return "mask"
        return "indices" if k.dtype.is_integer and k.ndim >= 1 else None
    if isinstance(k, (list, tuple, np.ndarray)):
        arr = np.asarray(k)
        if arr.dtype == np.bool_:
            return "mask"
        if arr.dtype.kind in "iu" or (arr.size == 0 and arr.ndim == 1):
            return "indices"
        if arr.dtype == object:
            return "indices"  # lists holding scalar int tensors
    return None


def _consumed(k, kind):
    """How many input dims index expression `k` uses up."""
    if k is Ellipsis or k is None:
        return 0
    if kind == "mask":
        return max(np.ndim(k) if not isinstance(k, _Tensor) else k.ndim, 1)
    return 1


def _index_tensors(begin, end, strides):
    values = begin + end + strides
    if any(isinstance(v, _Tensor) for v in values):
        # A tensor index (e.g. a loop counter inside a function): build the vectors with ops.
        from loom.ops import array_ops, math_ops

        def vector(vs):
            return (
                array_ops.stack(
                    [math_ops.cast(v, int32) if isinstance(v, _Tensor) else v for v in vs]
                )
                if vs
                else _C.convert_to_tensor([], int32)
            )

        return vector(begin), vector(end), vector(strides)
    wide = any(v < _INT32_MIN or v > _INT32_MAX for v in values)
    dtype = int64 if wide else int32
    return tuple(_C.convert_to_tensor(v, dtype) for v in (begin, end, strides))


def _strided_slice(tensor, key):
    begin, end, strides = [], [], []
    masks = {"begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0, "new_axis_mask": 0}
    shrink = 0
    for i, k in enumerate(key):
        bit = 1 << i
        if k is Ellipsis:
            masks["ellipsis_mask"] |= bit
            begin.append(0), end.append(0), strides.append(1)
        elif k is None:
            masks["new_axis_mask"] |= bit
            begin.append(0), end.append(0), strides.append(1)
        elif isinstance(k, slice):
            step = 1 if k.step is None else operator.index(k.step)
            if k.start is None:
                masks["begin_mask"] |= bit
                begin.append(0)
            else:
                begin.append(operator.index(k.start))
            if k.stop is None:
                masks["end_mask"] |= bit
                end.append(0)
            else:
                end.append(operator.index(k.stop))
            strides.append(step)
        elif _is_scalar_int(k):
            # A symbolic index has no value yet: it stays a tensor in the slice bounds.
            index = k if isinstance(k, _Tensor) and k._is_symbolic() else operator.index(k)
            shrink |= bit
            begin.append(index), end.append(index + 1), strides.append(1)
        else:
            raise TypeError(_BAD_INDEX.format(k))
    masks["shrink_axis_mask"] = shrink
    inputs = (tensor,) + _index_tensors(begin, end, strides)
    return _C.execute(_STRIDED_SLICE, inputs, masks)


def _needs_front(key, position):
    """NumPy puts the dims of an array index first when the array and the integer
    indices (which NumPy also counts as arrays) are separated by a slice, ... or None."""
    advanced = [i for i, k in enumerate(key) if i == position or _is_scalar_int(k)]
    return advanced[-1] - advanced[0] + 1 != len(advanced)


def _array_index(tensor, key, position, kind):
    k = key[position]
    rank = tensor.ndim
    kinds = [kind if i == position else None for i in range(len(key))]
    used = sum(_consumed(item, kd) for item, kd in zip(key, kinds))
    ellipsis_dims = rank - used
    # The array's first output axis: dims produced by the expressions before it.
    axis = 0
    for item in key[:position]:
        if item is Ellipsis:
            axis += ellipsis_dims
        elif item is None or isinstance(item, slice):
            axis += 1
    width = _consumed(k, kind)
    basic = key[:position] + (slice(None),) * width + key[position + 1 :]
    sliced = _strided_slice(tensor, basic)
    if kind == "mask":
        op = getattr(loom, "boolean_mask", None)
        args = (sliced, k if isinstance(k, _Tensor) else _C.convert_to_tensor(np.asarray(k)))
        name = "loom.boolean_mask"
    else:
        op = getattr(loom, "gather", None)
        if isinstance(k, _Tensor):
            indices = k
        else:
            arr = np.asarray(k)
            if arr.dtype == object or arr.size == 0:
                flat = [operator.index(v) for v in arr.reshape(-1)]
                arr = np.asarray(flat, dtype=np.int64).reshape(arr.shape)
            # Python/NumPy index lists count negative indices from the end, as NumPy does.
            dim = sliced._shape_tuple()[axis]
            if dim is not None:
                arr = np.where(arr < 0, arr + dim, arr)
            if arr.size == 0 or (arr.min() >= _INT32_MIN and arr.max() <= _INT32_MAX):
                arr = arr.astype(np.int32)
            indices = _C.convert_to_tensor(arr)
        args = (sliced, indices)
        name = "loom.gather"
    if op is None:
        raise TypeError(f"Indexing with {k!r} needs {name}, which this build does not provide")
    result = op(*args, axis=axis)
    if _needs_front(key, position) and axis != 0:
        perm = list(range(result.ndim))
        out_dims = result.ndim - (sliced.ndim - width)  # dims the array index produced
        moved = perm[axis : axis + out_dims]
        result = loom.transpose(result, moved + perm[:axis] + perm[axis + out_dims :])
    return result


def _getitem(tensor, key):
    if isinstance(key, _Tensor) and key._is_symbolic() and _is_scalar_int(key):
        # x[i] with i known only at run time: a gather keeps the row's static shape.
        from loom.ops import array_index_ops

        return array_index_ops.gather(tensor, key)
    if not isinstance(key, tuple):
        key = (key,)
    arrays = [(i, kind) for i, k in enumerate(key) if (kind := _array_kind(k)) is not None]
    if len(arrays) > 1:
        raise TypeError(
            "Only one list, integer-tensor or boolean-mask index is supported per "
            f"indexing expression, got {len(arrays)} in {key!r}"
        )
    if arrays:
        return _array_index(tensor, key, *arrays[0])
    return _strided_slice(tensor, key)


_Tensor.__getitem__ = _getitem
