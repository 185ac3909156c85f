"""tf.keras.constraints: projections an optimizer applies to a variable after each
update (the variable's `constraint`)."""

import loom
from loom.keras import backend
from loom.keras.engine import serialization


class Constraint:
    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return loom.sqrt(loom.reduce_sum(loom.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales slices along `axis` whose L2 norm exceeds max_value."""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = loom.clip_by_value(norms, 0.0, float(self.max_value))
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Negative entries become zero."""

    def __call__(self, w):
        return w * loom.cast(loom.greater_equal(w, 0.0), w.dtype)


class UnitNorm(Constraint):
    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (backend.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Norms moved `rate` of the way into [min_value, max_value]."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        clipped = loom.clip_by_value(norms, float(self.min_value), float(self.max_value))
        desired = self.rate * clipped + (1 - self.rate) * norms
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self):
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

_REGISTRY = {c.__name__: c for c in (MaxNorm, NonNeg, UnitNorm, MinMaxNorm)}


def serialize(constraint):
    return serialization.serialize(constraint)


def deserialize(config, custom_objects=None):
    return serialization.deserialize(config, _REGISTRY, "constraint", custom_objects)


def get(identifier):
    return serialization.resolve(identifier, deserialize, "constraint")


__all__ = list(_REGISTRY) + [
    "Constraint",
    "max_norm",
    "non_neg",
    "unit_norm",
    "min_max_norm",
    "serialize",
    "deserialize",
    "get",
]
