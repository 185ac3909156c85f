"""tf.experimental.dlpack: zero-copy exchange with NumPy, PyTorch, JAX and others."""

from loom import _C
from loom._api import export


@export("experimental.dlpack.to_dlpack")
def to_dlpack(tf_tensor):
    """A DLPack capsule viewing the tensor's memory (read it, don't write it)."""
    return tf_tensor.__dlpack__()


@export("experimental.dlpack.from_dlpack")
def from_dlpack(dlcapsule):
    """A tensor sharing the memory of any object exporting `__dlpack__` (or a capsule)."""
    if hasattr(dlcapsule, "__dlpack__"):
        return _C.from_dlpack(dlcapsule)
    import numpy as np

    class _Capsule:  # NumPy imports from objects, so wrap a bare capsule
        def __init__(self, capsule):
            self._capsule = capsule

        def __dlpack__(self, **kwargs):
            return self._capsule

        def __dlpack_device__(self):
            return (1, 0)

    return _C.from_dlpack(np.from_dlpack(_Capsule(dlcapsule)))
