"""tf.keras.layers: every module of this package is imported and the names in its
`__all__` are published here, so a layer file needs no other registration."""

import importlib
import pkgutil

from loom.keras.engine.base_layer import Layer
from loom.keras.engine.input_layer import Input, InputLayer
from loom.keras.engine.input_spec import InputSpec

__all__ = ["Layer", "Input", "InputLayer", "InputSpec"]


def _publish_layer_modules():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name in getattr(module, "__all__", ()):
            globals()[name] = getattr(module, name)
            __all__.append(name)


_publish_layer_modules()


def serialize(layer):
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config, custom_objects=None):
    """A layer from {"class_name": ..., "config": {...}}."""
    table = {name: globals()[name] for name in __all__}
    table.update(custom_objects or {})
    class_name = config["class_name"]
    if class_name not in table:
        raise ValueError(f"Unknown layer: '{class_name}'.")
    return table[class_name].from_config(config["config"])


__all__ += ["serialize", "deserialize"]
