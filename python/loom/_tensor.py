"""Tensor's Python-level surface: shape objects, printing, NumPy protocol, references.
The class itself and its arithmetic operators are native (bindings/init_tensor.cc)."""

import numpy as np

from loom import _C
from loom._api import export
from loom.tensor_shape import TensorShape

Tensor = _C.Tensor
export("Tensor")(Tensor)
_MODULE = "loom"


def _shape(self):
    return TensorShape(self._shape_tuple())


def _symbolic_repr(self):
    return f'Tensor("{self.name}", shape={self.shape}, dtype={self.dtype.name})'


def _format_numpy(arr):
    return np.array2string(arr, separator=" ", threshold=1000) if arr.ndim else str(arr)


def _repr(self):
    if self._is_symbolic():
        return _symbolic_repr(self)
    arr = self.numpy()
    body = np.array_repr(arr) if arr.ndim else repr(arr.item() if arr.dtype != np.float16 else arr)
    if arr.ndim and "\n" in body:
        body = "\n" + body
    return f"<{_MODULE}.Tensor: shape={self.shape}, dtype={self.dtype.name}, numpy={body}>"


def _str(self):
    if self._is_symbolic():
        return _symbolic_repr(self)
    arr = self.numpy()
    text = _format_numpy(arr)
    if arr.ndim > 1:
        text = "\n" + text
    return f"{_MODULE}.Tensor({text}, shape={self.shape}, dtype={self.dtype.name})"


def _array(self, dtype=None, copy=None):
    arr = self.numpy()
    if dtype is not None and np.dtype(dtype) != arr.dtype:
        if copy is False:
            raise ValueError("converting to another dtype needs a copy")
        return arr.astype(dtype)
    if copy:
        return arr.copy()
    return arr


def _format(self, spec):
    if self._is_symbolic():
        return format(_symbolic_repr(self), spec)
    if self.ndim == 0:
        return format(self.numpy().item(), spec)
    return format(str(self), spec)


def _iter(self):
    if self.ndim == 0:
        raise TypeError("Cannot iterate over a scalar tensor.")
    for i in range(len(self)):
        yield self[i]


class Reference:
    """A hashable handle to a tensor (Tensor itself is unhashable, as `==` is elementwise)."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def deref(self):
        return self._obj

    def __eq__(self, other):
        return isinstance(other, Reference) and other._obj is self._obj

    def __hash__(self):
        return id(self._obj)

    def __repr__(self):
        return f"<Reference wrapping {self._obj!r}>"


Tensor.shape = property(_shape)
Tensor.get_shape = _shape
Tensor.__repr__ = _repr
Tensor.__str__ = _str
Tensor.__array__ = _array
Tensor.__format__ = _format
Tensor.__iter__ = _iter
Tensor.__array_priority__ = 100
Tensor.ref = lambda self: Reference(self)
Tensor.experimental_ref = Tensor.ref
Tensor.device = property(lambda self: "/job:localhost/replica:0/task:0/device:CPU:0")
Tensor.cpu = lambda self: self
