"""Loom: the TensorFlow 2 programming model on a small, fast C++ engine.

    import loom as tf
"""

from loom import _C  # noqa: F401  (the native engine)
from loom import _api, dtypes, errors, tensor_shape  # noqa: F401
from loom import _tensor  # noqa: F401  (completes the Tensor class)
from loom import ops  # noqa: F401  (publishes every op family)

__version__ = "0.1.0"

for _name in ("math", "nn", "linalg", "random", "debugging", "experimental"):
    _api.namespace(_name)
del _name
