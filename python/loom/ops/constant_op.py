"""Making tensors from Python values: constant, convert_to_tensor."""

import numpy as np

from loom import _C
from loom._api import export
from loom.dtypes import as_dtype


@export("constant")
def constant(value, dtype=None, shape=None, name="Const"):
    """A tensor from a Python value or array. With `shape`, a single value is broadcast
    and a list of the right size is reshaped, as in TF."""
    t = _C.convert_to_tensor(value, None if dtype is None else as_dtype(dtype))
    if shape is None:
        return t
    shape = tuple(int(d) for d in shape)
    arr = t.numpy()
    want = int(np.prod(shape))
    if arr.size == 1:
        arr = np.broadcast_to(arr.reshape(()), shape)
    elif arr.size == want:
        arr = arr.reshape(shape)
    else:
        raise TypeError(
            f"Eager execution of tf.constant with unsupported shape. Value {value!r} has "
            f"{arr.size} elements, but got `shape` {shape} with {want} elements."
        )
    return _C.convert_to_tensor(np.ascontiguousarray(arr), t.dtype)


@export("convert_to_tensor")
def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """Converts tensors, NumPy arrays, Python scalars and nested lists to a Tensor."""
    if dtype is not None:
        return _C.convert_to_tensor(value, as_dtype(dtype))
    if dtype_hint is not None and not isinstance(value, (_C.Tensor, np.ndarray)):
        try:
            return _C.convert_to_tensor(value, as_dtype(dtype_hint))
        except (TypeError, ValueError):
            pass
    return _C.convert_to_tensor(value, None)


@export("is_tensor")
def is_tensor(x):
    return isinstance(x, _C.Tensor)
