"""Loom: the TensorFlow 2 programming model on a small, fast C++ engine.

import loom as tf
"""

import os as _os

from loom import (  # noqa: F401
    _C,  # the native engine
    _api,
    _tensor,  # completes the Tensor class
    checkpoint,  # tf.train.Checkpoint and friends
    config,
    def_function,  # noqa: F401  (loom.function)
    dtypes,
    errors,
    module,  # tf.Module
    ops,  # publishes every op family
    tensor_shape,
    tensor_spec,
    variables,
)

__version__ = "0.1.0"

# Node sources name the user's line, so frames inside this package are skipped.
_C._set_package_dir(_os.path.dirname(_os.path.abspath(__file__)) + _os.sep)

for _name in ("math", "nn", "linalg", "random", "debugging", "experimental"):
    _api.namespace(_name)
del _name
