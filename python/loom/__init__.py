"""Loom: the TensorFlow 2 programming model on a small, fast C++ engine.

import loom as tf
"""

from loom import (  # noqa: F401
    _C,  # noqa: F401  (the native engine)
    _api,
    _tensor,  # noqa: F401  (completes the Tensor class)
    dtypes,
    errors,
    ops,  # noqa: F401  (publishes every op family)
    tensor_shape,
)

__version__ = "0.1.0"

for _name in ("math", "nn", "linalg", "random", "debugging", "experimental"):
    _api.namespace(_name)
del _name
