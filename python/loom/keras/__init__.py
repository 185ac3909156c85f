"""loom.keras: the Keras API (layers that own their weights, models, losses, metrics,
optimizers, fit) written in Python on the engine's ops, functions and GradientTape.

Submodules load on first use, so `import loom` stays fast."""

import importlib

_SUBMODULES = (
    "activations",
    "backend",
    "callbacks",
    "constraints",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "regularizers",
    "utils",
)
# Names Keras publishes at the top of tf.keras, and the submodule defining each.
_TOP_LEVEL = {"Model": "models", "Sequential": "models", "Input": "layers"}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"loom.keras.{name}")
    if name in _TOP_LEVEL:
        return getattr(importlib.import_module(f"loom.keras.{_TOP_LEVEL[name]}"), name)
    raise AttributeError(f"module 'loom.keras' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES) | set(_TOP_LEVEL))
