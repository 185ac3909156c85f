"""Loom: the TensorFlow 2 programming model on a small, fast C++ engine.

import loom as tf
"""

import os as _os

# NumPy first: loading its OpenBLAS after the engine's costs ~40 ms more than before it.
import numpy as _np  # noqa: F401, I001

from loom import (  # noqa: F401
    _C,  # the native engine
    _api,
    _tensor,  # completes the Tensor class
    backprop,  # tf.GradientTape, tf.custom_gradient
    config,
    def_function,  # noqa: F401  (loom.function)
    dtypes,
    errors,
    module,  # tf.Module
    nest,
    ops,  # publishes every op family
    tensor_shape,
    tensor_spec,
    variables,
)

__version__ = "0.1.0"

# Node sources name the user's line, so frames inside this package are skipped.
_C._set_package_dir(_os.path.dirname(_os.path.abspath(__file__)) + _os.sep)

from loom import autograph  # noqa: E402, F401  (tf.autograph)

for _name in ("math", "nn", "linalg", "random", "debugging", "experimental"):
    _api.namespace(_name)
del _name


def _load_train(name):
    # tf.train (checkpoints) loads on first use: its imports (hashlib, json, tempfile)
    # would add ~20 ms to every `import loom`.
    import loom.checkpoint  # noqa: F401  (publishes loom.train.*)

    train = _api.namespace("train")
    if name not in train.__dict__:
        raise AttributeError(f"module 'loom.train' has no attribute {name!r}")
    return train.__dict__[name]


_api.namespace("train").__getattr__ = _load_train


def __getattr__(name):
    # tf.keras loads on first use (it is a large package of Python).
    if name == "keras":
        import loom.keras as keras

        return keras
    raise AttributeError(f"module 'loom' has no attribute {name!r}")
