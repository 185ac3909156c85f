"""Keras-style (de)serialization of losses, metrics, optimizers and schedules: a config
dict {"class_name", "config"} for objects, the name for plain functions."""


def floatx():
    """The default float type name, from keras.backend when it is present."""
    try:
        from loom.keras import backend

        return backend.floatx()
    except (ImportError, AttributeError):
        return "float32"


def epsilon():
    """The fuzz factor Keras clips probabilities with (1e-7 unless backend changes it)."""
    try:
        from loom.keras import backend

        return backend.epsilon()
    except (ImportError, AttributeError):
        return 1e-7


def serialize_keras_object(obj):
    if obj is None:
        return None
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if hasattr(obj, "__name__"):
        return obj.__name__
    raise ValueError(f"Cannot serialize {obj!r} since it doesn't implement `get_config()`.")


def plain_values(kwargs):
    """Keyword arguments for a config: tensors become plain Python values (lists)."""
    return {k: (v.numpy().tolist() if hasattr(v, "numpy") else v) for k, v in kwargs.items()}


def _unknown(kind, name):
    return ValueError(
        f"Unknown {kind}: '{name}'. Please ensure you are using a "
        "`keras.utils.custom_object_scope` and that this object is included in the scope."
    )


def deserialize_keras_object(identifier, module_objects, custom_objects=None, kind="object"):
    """A config dict becomes an instance (from_config); a name becomes the function it
    names, or an instance made with no arguments when it names a class."""
    custom_objects = custom_objects or {}
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        if "class_name" not in identifier or "config" not in identifier:
            raise ValueError(f"Improper config format for {kind}: {identifier}")
        class_name = identifier["class_name"]
        cls = custom_objects.get(class_name) or module_objects.get(class_name)
        if cls is None:
            raise _unknown(kind, class_name)
        config = dict(identifier["config"])
        if hasattr(cls, "from_config"):
            return cls.from_config(config)
        return cls(**config)
    if isinstance(identifier, str):
        obj = custom_objects.get(identifier) or module_objects.get(identifier)
        if obj is None:
            raise _unknown(kind, identifier)
        return obj() if isinstance(obj, type) else obj
    raise TypeError(f"Could not interpret serialized {kind}: {identifier}")
