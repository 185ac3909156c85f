"""loom.Variable: mutable state held by the engine behind a resource handle.

Reads and writes are ops (ReadVariableOp, AssignVariableOp, ...), so a variable works
the same eagerly and inside a function, where it is captured by reference and read at
run time. Inside a function, variables may only be created while it traces for the
first time; their initial value is assigned by the graph on its first run.
"""

import itertools
import threading
import weakref

import numpy as np

from loom import _C
from loom._api import export
from loom.dtypes import as_dtype
from loom.tensor_shape import TensorShape

_READ = _C.op("ReadVariableOp")
_ASSIGN = _C.op("AssignVariableOp")
_ASSIGN_ADD = _C.op("AssignAddVariableOp")
_ASSIGN_SUB = _C.op("AssignSubVariableOp")
_INITIALIZE = _C.op("InitializeVariableOp")
_ids = itertools.count(1)
# Variables by the engine identity of their handle: tapes report watched variables by
# handle, and tape.watched_variables() answers with the variables themselves.
_by_handle = weakref.WeakValueDictionary()


def variable_for_handle(handle):
    return _by_handle.get(_C.tensor_id(handle))


_creation = threading.local()  # set by loom.function while it traces (see creation_scope)


class creation_scope:
    """While tracing a function: whether variables may be created, and which were."""

    def __init__(self, function_name, allowed, first_call_created):
        self.function_name = function_name
        self.allowed = allowed
        self.first_call_created = first_call_created
        self.created = []

    def __enter__(self):
        self._outer = getattr(_creation, "scope", None)
        _creation.scope = self
        return self

    def __exit__(self, *exc):
        _creation.scope = self._outer
        return False


def _check_creation_allowed():
    scope = getattr(_creation, "scope", None)
    if scope is None or not _C.is_tracing() or scope.allowed:
        return scope
    if scope.first_call_created:
        raise ValueError(
            f"loom.function '{scope.function_name}' tried to create a variable again while "
            "tracing: variables may only be created on the first call (once). Create the "
            "variable outside the function, or guard its creation (`if self.v is None:`) "
            "so later traces reuse it."
        )
    raise ValueError(
        f"loom.function '{scope.function_name}' created a variable on a non-first call: "
        "variables may only be created on the first call. Create it outside the function "
        "or on the first call only."
    )


@export("Variable")
class Variable:
    """A tensor-valued state that ops read and assign; see the module docstring."""

    _loom_variable = True
    __array_priority__ = 100

    def __init__(
        self,
        initial_value=None,
        trainable=None,
        validate_shape=True,
        caching_device=None,
        name=None,
        variable_def=None,
        dtype=None,
        import_scope=None,
        constraint=None,
        synchronization=None,
        aggregation=None,
        shape=None,
        experimental_enable_variable_lifting=True,
    ):
        if initial_value is None:
            raise ValueError(
                "`initial_value` must be a Tensor or a Python object convertible to a Tensor. "
                "Got None."
            )
        scope = _check_creation_allowed()
        if callable(initial_value):
            initial_value = initial_value()
        value = _C.convert_to_tensor(initial_value, None if dtype is None else as_dtype(dtype))
        self._dtype = value.dtype
        self._shape = TensorShape(value.shape if shape is None else shape)
        if not validate_shape:
            self._shape = TensorShape(None)
        self._trainable = True if trainable is None else bool(trainable)
        self._name = f"{name or 'Variable'}:0"
        self._unique_id = next(_ids)
        self._constraint = constraint
        self._handle = _C.new_variable(self._dtype, self._shape.dims, self._name, self._trainable)
        _by_handle[_C.tensor_id(self._handle)] = self
        dims = self._shape.dims
        self._shape_attr = None if dims is None else [-1 if d is None else d for d in dims]
        if value._is_symbolic():
            # Created while tracing: the graph assigns the initial value on its first run.
            _C.execute(_INITIALIZE, (self._handle, value), None)
            if scope is not None:
                scope.created.append(self)
        else:
            _C.execute(_ASSIGN, (self._handle, value), None)

    # --- properties -----------------------------------------------------------------

    dtype = property(lambda self: self._dtype)
    shape = property(lambda self: self._shape)
    name = property(lambda self: self._name)
    trainable = property(lambda self: self._trainable)
    handle = property(lambda self: self._handle)
    constraint = property(lambda self: self._constraint)
    device = property(lambda self: "/job:localhost/replica:0/task:0/device:CPU:0")
    ndim = property(lambda self: self._shape.rank)

    def get_shape(self):
        return self._shape

    # --- reads and writes --------------------------------------------------------------

    def read_value(self):
        return _C.execute(
            _READ,
            (self._handle,),
            {"dtype": self._dtype, "shape": self._shape_attr},
            "ReadVariableOp",
        )

    value = read_value
    _loom_tensor = read_value

    def numpy(self):
        return self.read_value().numpy()

    def _update(self, op, value, read_value, name):
        value = _C.convert_to_tensor(value, self._dtype)
        _C.execute(op, (self._handle, value), None, name)
        return self.read_value() if read_value else None

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Replaces the value (same dtype and shape); returns the new value."""
        return self._update(_ASSIGN, value, read_value, name)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return self._update(_ASSIGN_ADD, delta, read_value, name)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return self._update(_ASSIGN_SUB, delta, read_value, name)

    def is_initialized(self):
        return _C.variable_is_initialized(self._handle)

    def ref(self):
        from loom._tensor import Reference

        return Reference(self)

    experimental_ref = ref

    # --- behaving like its value --------------------------------------------------------

    def __array__(self, dtype=None, copy=None):
        return self.read_value().__array__(dtype, copy)

    def __repr__(self):
        if _C.is_tracing():
            return f"<loom.Variable '{self._name}' shape={self._shape} dtype={self._dtype.name}>"
        try:
            body = np.array_repr(self.numpy()) if self._shape.rank else repr(self.numpy().item())
        except Exception:  # noqa: BLE001 - uninitialized variables still print
            body = "<uninitialized>"
        return (
            f"<loom.Variable '{self._name}' shape={self._shape} dtype={self._dtype.name}, "
            f"numpy={body}>"
        )

    def __hash__(self):
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key.")

    def __bool__(self):
        return bool(self.read_value())

    def __float__(self):
        return float(self.read_value())

    def __int__(self):
        return int(self.read_value())

    def __index__(self):
        return self.read_value().__index__()

    def __len__(self):
        return len(self.read_value())

    def __iter__(self):
        return iter(self.read_value())

    def __getitem__(self, key):
        return self.read_value()[key]

    def __format__(self, spec):
        return format(self.read_value(), spec)


def _delegate(name):
    def method(self, *args):
        return getattr(self.read_value(), name)(*args)

    method.__name__ = name
    return method


for _name in (
    "__add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ __truediv__ __rtruediv__ "
    "__floordiv__ __rfloordiv__ __mod__ __rmod__ __pow__ __rpow__ __matmul__ __rmatmul__ "
    "__lt__ __le__ __gt__ __ge__ __eq__ __ne__ __and__ __rand__ __or__ __ror__ __xor__ "
    "__rxor__ __neg__ __abs__ __invert__ __pos__"
).split():
    setattr(Variable, _name, _delegate(_name))
