"""Element types: `loom.float32` and friends, and `as_dtype` to resolve any spelling."""

import numpy as np

from loom import _C
from loom._api import export


class DType:
    """An element type. Compares equal to its name and to the matching NumPy dtype."""

    _is_loom_dtype = True
    __slots__ = ("_enum", "_name", "_np")

    def __init__(self, enum, name, np_dtype):
        self._enum = enum
        self._name = name
        self._np = np_dtype

    name = property(lambda self: self._name)
    as_numpy_dtype = property(lambda self: self._np)
    as_datatype_enum = property(lambda self: self._enum)
    base_dtype = property(lambda self: self)
    real_dtype = property(lambda self: self)
    is_bool = property(lambda self: self._name == "bool")
    is_floating = property(lambda self: self._name in _FLOATS)
    is_integer = property(lambda self: self._name in _INTS)
    is_unsigned = property(lambda self: self._name.startswith("uint") or self._name == "bool")
    is_signed = property(lambda self: not self.is_unsigned)
    is_complex = property(lambda self: False)
    is_quantized = property(lambda self: False)
    is_numpy_compatible = property(lambda self: self._name not in ("bfloat16", "resource"))

    @property
    def size(self):
        return {"bfloat16": 2, "resource": 8}.get(self._name) or np.dtype(self._np).itemsize

    @property
    def min(self):
        if self.is_bool:
            return False
        if self.is_floating:
            return float(np.finfo(self._np).min)
        return int(np.iinfo(self._np).min)

    @property
    def max(self):
        if self.is_bool:
            return True
        if self.is_floating:
            return float(np.finfo(self._np).max)
        return int(np.iinfo(self._np).max)

    def is_compatible_with(self, other):
        return self == as_dtype(other)

    def __eq__(self, other):
        if other is self:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return self._enum

    def __repr__(self):
        return f"loom.{self._name}"

    def __reduce__(self):
        return as_dtype, (self._name,)


_FLOATS = ("float16", "bfloat16", "float32", "float64")
_INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
_NUMPY = {
    "bool": np.bool_,
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "uint8": np.uint8,
    "uint16": np.uint16,
    "uint32": np.uint32,
    "uint64": np.uint64,
    "float16": np.float16,
    "bfloat16": np.float32,  # NumPy has no bfloat16; values come out as float32
    "float32": np.float32,
    "float64": np.float64,
    "resource": np.object_,  # handles to engine state; they have no NumPy values
}

_ALL = [DType(i, name, _NUMPY[name]) for i, name in enumerate(_C.dtype_names())]
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update(half=_BY_NAME["float16"], float=_BY_NAME["float32"], double=_BY_NAME["float64"])
_PY_TYPES = {bool: "bool", int: "int32", float: "float32"}


@export("dtypes.as_dtype", "as_dtype")
def as_dtype(type_value):
    """Resolves a DType, a name ("float32"), a NumPy dtype or type to a loom DType."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        found = _BY_NAME.get(type_value)
        if found is None:
            raise TypeError(f"Cannot convert {type_value!r} to a loom DType.")
        return found
    if type_value in _PY_TYPES:
        return _BY_NAME[_PY_TYPES[type_value]]
    try:
        np_name = np.dtype(type_value).name
    except TypeError:
        raise TypeError(f"Cannot convert value {type_value!r} to a loom DType.") from None
    found = _BY_NAME.get(np_name)
    if found is None:
        raise TypeError(f"NumPy dtype {np_name} has no loom equivalent.")
    return found


_C._register_dtypes(_ALL, as_dtype)

for _d in _ALL:
    export(f"dtypes.{_d.name}", _d.name)(_d)
export("dtypes.DType", "DType")(DType)
export("dtypes.half", "half")(_BY_NAME["float16"])
export("dtypes.double", "double")(_BY_NAME["float64"])

bool_ = _BY_NAME["bool"]
int8, int16, int32, int64 = (_BY_NAME[n] for n in ("int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (_BY_NAME[n] for n in ("uint8", "uint16", "uint32", "uint64"))
float16, bfloat16, float32, float64 = (_BY_NAME[n] for n in _FLOATS)
