"""TensorSpec: the type of a tensor argument (dtype and possibly partial shape)."""

import numpy as np

from loom import _C
from loom._api import export
from loom.dtypes import as_dtype, float32
from loom.tensor_shape import TensorShape


@export("TensorSpec")
class TensorSpec:
    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=float32, name=None):
        self._shape = TensorShape(shape)
        self._dtype = as_dtype(dtype)
        self._name = name

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    name = property(lambda self: self._name)

    @classmethod
    def from_tensor(cls, tensor, name=None):
        return cls(tensor.shape, tensor.dtype, name)

    def is_compatible_with(self, other):
        """True for a tensor, array or spec this spec accepts (None dims match any)."""
        if isinstance(other, TensorSpec):
            return self._dtype == other._dtype and other._shape.is_subtype_of(self._shape)
        if isinstance(other, (_C.Tensor, np.ndarray)):
            return self._dtype == as_dtype(other.dtype) and TensorShape(other.shape).is_subtype_of(
                self._shape
            )
        return False

    def is_subtype_of(self, other):
        return self._dtype == other._dtype and self._shape.is_subtype_of(other._shape)

    def most_specific_common_supertype(self, others):
        shape = self._shape
        for o in others:
            if o._dtype != self._dtype:
                return None
            shape = shape.most_specific_compatible_shape(o._shape)
        return TensorSpec(shape, self._dtype, self._name)

    def __eq__(self, other):
        return (
            isinstance(other, TensorSpec)
            and self._shape == other._shape
            and self._dtype == other._dtype
            and self._name == other._name
        )

    def __hash__(self):
        return hash((self._shape, self._dtype, self._name))

    def __repr__(self):
        return f"TensorSpec(shape={self._shape}, dtype={self._dtype!r}, name={self._name!r})"
