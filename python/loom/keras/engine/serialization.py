"""Turning identifiers (names, config dicts, instances, callables) into Keras objects
and back, shared by initializers, activations, regularizers and constraints (and
`resolve` by losses too)."""


def _normalize(name):
    return name.replace("_", "").lower()


def lookup(name, registry):
    """registry[name] trying the exact name, then case and underscores ignored."""
    if name in registry:
        return registry[name]
    wanted = _normalize(name)
    for key, value in registry.items():
        if _normalize(key) == wanted:
            return value
    return None


def deserialize(identifier, registry, kind, custom_objects=None):
    """An object for a name or {"class_name": ..., "config": {...}} dict."""
    table = dict(registry)
    table.update(custom_objects or {})
    if isinstance(identifier, dict):
        if "class_name" not in identifier:
            raise ValueError(f"Improper config format for {kind}: {identifier}")
        cls = lookup(identifier["class_name"], table)
        if cls is None:
            raise ValueError(f"Unknown {kind}: '{identifier['class_name']}'.")
        config = identifier.get("config") or {}
        if hasattr(cls, "from_config"):
            return cls.from_config(config)
        return cls(**config) if isinstance(cls, type) else cls
    if isinstance(identifier, str):
        found = lookup(identifier, table)
        if found is None:
            raise ValueError(f"Unknown {kind}: '{identifier}'.")
        return found() if isinstance(found, type) else found
    raise ValueError(f"Could not interpret {kind} identifier: {identifier}")


def serialize(obj):
    """{"class_name", "config"} for objects with get_config; a name for functions."""
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    name = getattr(obj, "__name__", None)
    if name is None:
        raise ValueError(f"Cannot serialize {obj!r}: it has no get_config() and no name.")
    return name


def resolve(identifier, deserialize, kind):
    """The `get` of a Keras module: None stays None, a name or config dict goes through
    that module's `deserialize`, a callable (an instance included) is returned as is."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier}")
