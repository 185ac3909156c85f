"""Config values for a layer's initializers, regularizers, constraints and activations."""

__all__ = []


def serialize(module, obj):
    """module.serialize(obj), with None (an absent regularizer or constraint) kept None."""
    return None if obj is None else module.serialize(obj)
