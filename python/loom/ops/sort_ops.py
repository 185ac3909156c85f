"""Sorting: tf.sort, tf.argsort and tf.math.top_k."""

import collections
import numbers

from loom import _C
from loom._api import export

TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])

_TOP_K = _C.op("TopKV2")
_SORT = _C.op("Sort")


@export("math.top_k", "nn.top_k")
def top_k(input, k=1, sorted=True, name=None):
    """The k largest entries of the last axis (values, int32 indices), largest first;
    equal values keep the lower index first."""
    values, indices = _C.execute(_TOP_K, (input, k), {"sorted": bool(sorted)})
    return TopKV2(values, indices)


def _sort(values, axis, direction):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(
            f"`direction` should be one of {{'ASCENDING', 'DESCENDING'}}. "
            f"Received: direction={direction}"
        )
    if isinstance(axis, _C.Tensor):
        axis = axis.numpy().item()
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"`axis` must be an integer, got {axis!r}")
    attrs = {"axis": int(axis), "descending": direction == "DESCENDING"}
    return _C.execute(_SORT, (values,), attrs)


@export("sort")
def sort(values, axis=-1, direction="ASCENDING", name=None):
    """`values` sorted along `axis` (stable)."""
    return _sort(values, axis, direction)[0]


@export("argsort")
def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """int32 positions that sort `values` along `axis`; always stable."""
    return _sort(values, axis, direction)[1]
