"""Small helpers for family modules: op handles and one-line wrapper factories."""

from loom import _C
from loom._api import export

execute = _C.execute
op = _C.op


def unary(op_name, *names, doc=None):
    """Publishes `f(x, name=None)` running `op_name` under each of `names`."""
    handle = _C.op(op_name)

    def f(x, name=None):
        return _C.execute(handle, (x,))

    f.__name__ = names[0].rpartition(".")[2]
    f.__doc__ = doc or f"Elementwise {op_name}."
    return export(*names)(f)


def binary(op_name, *names, doc=None):
    """Publishes `f(x, y, name=None)` running `op_name` under each of `names`."""
    handle = _C.op(op_name)

    def f(x, y, name=None):
        return _C.execute(handle, (x, y))

    f.__name__ = names[0].rpartition(".")[2]
    f.__doc__ = doc or f"Elementwise {op_name} with broadcasting."
    return export(*names)(f)
