"""Keras masks attached to tensors (`tensor._keras_mask`).

loom Tensors are native (nanobind) objects: they take no instance attributes and no weak
references. Masks therefore live in a table keyed by the engine identity of the tensor
(`_C.tensor_id`, the address of its shared value). Each entry holds the tensor itself, so
that address cannot be reused by another tensor while the entry exists; entries whose
tensor nobody else references any more are dropped whenever a mask is stored. A
`_keras_mask` property on the Tensor class reads and writes the table, so Keras code
(`getattr(x, "_keras_mask", None)`, `x._keras_mask = m`) works unchanged."""

import sys
import threading

from loom import _C

_lock = threading.Lock()
_masks = {}  # tensor_id -> (tensor, mask)
# References to a stored tensor when only the table holds it: the entry tuple and
# getrefcount's own argument.
_ORPHAN_REFCOUNT = 2


def _prune():
    # entry[0] is read without binding a name, so only the tuple and getrefcount's
    # argument reference an orphaned tensor.
    dead = [key for key, entry in _masks.items() if sys.getrefcount(entry[0]) <= _ORPHAN_REFCOUNT]
    for key in dead:
        del _masks[key]


def get_mask(x):
    """The mask attached to tensor `x`, or None."""
    if isinstance(x, _C.Tensor):
        entry = _masks.get(_C.tensor_id(x))
        return None if entry is None else entry[1]
    return getattr(x, "_keras_mask", None)


def set_mask(x, mask):
    """Attaches `mask` to tensor `x` (None removes it); other values are left alone."""
    if isinstance(x, _C.Tensor):
        key = _C.tensor_id(x)
        with _lock:
            _prune()
            if mask is None:
                _masks.pop(key, None)
            else:
                _masks[key] = (x, mask)
    elif x is not None and not isinstance(x, (int, float, bool, str)):
        try:
            x._keras_mask = mask
        except AttributeError:
            pass  # a value that cannot carry a mask (a NumPy array, a list...)


def _read(tensor):
    mask = get_mask(tensor)
    if mask is None:
        raise AttributeError("'Tensor' object has no attribute '_keras_mask'")
    return mask


def _install_tensor_property():
    if not hasattr(_C.Tensor, "_keras_mask"):
        _C.Tensor._keras_mask = property(_read, set_mask, lambda t: set_mask(t, None))


_install_tensor_property()
