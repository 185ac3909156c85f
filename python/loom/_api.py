"""The TF-shaped public namespace. Functions declare where they appear with `export`,
so no central list of ops exists in Python either (TF does the same with tf_export)."""

import sys
import types

_ROOT = "loom"


def namespace(path):
    """The module `loom.<path>` (created on first use); "" is `loom` itself."""
    full = f"{_ROOT}.{path}" if path else _ROOT
    mod = sys.modules.get(full)
    if mod is None:
        parent_path, _, leaf = path.rpartition(".")
        mod = types.ModuleType(full)
        mod.__package__ = full
        sys.modules[full] = mod
        setattr(namespace(parent_path), leaf, mod)
    return mod


def export(*names):
    """Decorator: publish an object as each of `names` ("add", "math.add", ...)."""

    def publish(obj):
        for name in names:
            path, _, attr = name.rpartition(".")
            setattr(namespace(path), attr, obj)
        return obj

    return publish
