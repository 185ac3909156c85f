"""tf.keras.regularizers: penalties on weights, added to a layer's `losses`."""

import loom
from loom.keras.engine import serialization


class Regularizer:
    """Base class: a callable weight -> scalar penalty."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _check_factor(value, name):
    value = float(value)
    if value < 0 or value != value:
        raise ValueError(
            f"Value '{value}' is not a valid regularization penalty number, expected a "
            f"non-negative float (argument `{name}`)."
        )
    return value


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x ** 2)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check_factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _check_factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        penalty = loom.constant(0.0, dtype=x.dtype)
        if self.l1:
            penalty = penalty + self.l1 * loom.reduce_sum(loom.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * loom.reduce_sum(loom.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    def __init__(self, l1=0.01, **kwargs):
        self.l1 = _check_factor(kwargs.pop("l", l1), "l1")

    def __call__(self, x):
        return self.l1 * loom.reduce_sum(loom.abs(x))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    def __init__(self, l2=0.01, **kwargs):
        self.l2 = _check_factor(kwargs.pop("l", l2), "l2")

    def __call__(self, x):
        return self.l2 * loom.reduce_sum(loom.square(x))

    def get_config(self):
        return {"l2": self.l2}


def l1_l2(l1=0.01, l2=0.01):
    """L1L2 with both factors 0.01 by default (the class defaults them to 0)."""
    return L1L2(l1=l1, l2=l2)


l1 = L1
l2 = L2

_REGISTRY = {"L1": L1, "L2": L2, "L1L2": L1L2}


def serialize(regularizer):
    return serialization.serialize(regularizer)


def deserialize(config, custom_objects=None):
    return serialization.deserialize(config, _REGISTRY, "regularizer", custom_objects)


def get(identifier):
    """A regularizer for None, a name ("l2"), a config dict or a callable."""
    return serialization.resolve(identifier, deserialize, "regularizer")


__all__ = [
    "Regularizer",
    "L1",
    "L2",
    "L1L2",
    "l1",
    "l2",
    "l1_l2",
    "serialize",
    "deserialize",
    "get",
]
