"""tf.keras.initializers: callables (shape, dtype) -> tensor that give weights their
first values. A seeded initializer returns the same values on every call."""

import math

import numpy as np

import loom
from loom.keras import backend
from loom.keras.engine import serialization
from loom.ops import random_ops

_MAX_SEED = 2**31 - 1


def _float_dtype(dtype, initializer):
    dtype = loom.as_dtype(dtype or backend.floatx())
    if not dtype.is_floating:
        raise ValueError(
            f"Expected floating point type, got {dtype.name}. {initializer} only makes "
            "floating point values."
        )
    return dtype


def _shape_list(shape):
    return [int(d) for d in loom.TensorShape(shape).as_list()]


def compute_fans(shape):
    """(fan_in, fan_out): for kernels of rank > 2 the leading dims are the receptive field."""
    shape = _shape_list(shape)
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: subclasses implement __call__(shape, dtype=None, **kwargs)."""

    def __call__(self, shape, dtype=None, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__.")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("dtype", None)
        return cls(**config)


class _Seeded(Initializer):
    """Draws with stateless ops from `seed` when given, else from the stateful RNG."""

    def __init__(self, seed=None):
        self.seed = seed

    def _seed_pair(self):
        return [int(self.seed) % _MAX_SEED, 0]

    def _uniform(self, shape, minval, maxval, dtype):
        if self.seed is None:
            return loom.random.uniform(shape, minval, maxval, dtype=dtype)
        return loom.random.stateless_uniform(shape, self._seed_pair(), minval, maxval, dtype)

    def _normal(self, shape, mean, stddev, dtype):
        if self.seed is None:
            return loom.random.normal(shape, mean, stddev, dtype=dtype)
        return loom.random.stateless_normal(shape, self._seed_pair(), mean, stddev, dtype)

    def _truncated_normal(self, shape, mean, stddev, dtype):
        if self.seed is None:
            return loom.random.truncated_normal(shape, mean, stddev, dtype=dtype)
        return loom.random.stateless_truncated_normal(shape, self._seed_pair(), mean, stddev, dtype)


class Zeros(Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        return loom.zeros(_shape_list(shape), dtype=dtype or backend.floatx())


class Ones(Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        return loom.ones(_shape_list(shape), dtype=dtype or backend.floatx())


class Constant(Initializer):
    """Every element equal to `value` (a scalar, or an array of the requested shape)."""

    def __init__(self, value=0):
        self.value = value

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = loom.as_dtype(dtype or backend.floatx())
        shape = _shape_list(shape)
        value = np.asarray(self.value, dtype=dtype.as_numpy_dtype)
        if value.ndim and list(value.shape) != shape:
            raise TypeError(
                f"Constant initializer value has shape {list(value.shape)}, but the "
                f"requested shape is {shape}."
            )
        return loom.constant(np.broadcast_to(value, shape).copy(), dtype=dtype)

    def get_config(self):
        value = self.value
        return {"value": value.tolist() if isinstance(value, np.ndarray) else value}


class RandomUniform(_Seeded):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = loom.as_dtype(dtype or backend.floatx())
        if not (dtype.is_floating or dtype.is_integer):
            raise ValueError(f"Expected float or integer dtype, got {dtype.name}.")
        return self._uniform(shape, self.minval, self.maxval, dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(_Seeded):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = _float_dtype(dtype, type(self).__name__)
        return self._normal(shape, self.mean, self.stddev, dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """Normal values more than two standard deviations from the mean are redrawn."""

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = _float_dtype(dtype, type(self).__name__)
        return self._truncated_normal(shape, self.mean, self.stddev, dtype)


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("normal", "truncated_normal", "untruncated_normal", "uniform")
# Standard deviation of a unit normal truncated to [-2, 2]: dividing by it restores the
# variance the truncation removed.
_TRUNCATED_STDDEV = 0.87962566103423978


class VarianceScaling(_Seeded):
    """Values with variance scale / n, n being the fan in, fan out or their mean."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if scale <= 0.0:
            raise ValueError(f"`scale` must be positive float. Received: scale={scale}.")
        if mode not in _MODES:
            raise ValueError(f"Invalid `mode` argument: {mode}. Expected one of {_MODES}.")
        distribution = distribution.lower()
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution}. "
                f"Expected one of {_DISTRIBUTIONS}."
            )
        super().__init__(seed)
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = _float_dtype(dtype, type(self).__name__)
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, n[self.mode])
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(variance) / _TRUNCATED_STDDEV
            return self._truncated_normal(shape, 0.0, stddev, dtype)
        if self.distribution == "untruncated_normal":
            return self._normal(shape, 0.0, math.sqrt(variance), dtype)
        limit = math.sqrt(3.0 * variance)
        return self._uniform(shape, -limit, limit, dtype)

    def get_config(self):
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
        }


def _variance_scaling_preset(class_name, scale, mode, distribution, doc):
    """A VarianceScaling subclass whose only argument is the seed."""

    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self.seed}

    return type(
        class_name,
        (VarianceScaling,),
        {"__init__": __init__, "get_config": get_config, "__doc__": doc, "__module__": __name__},
    )


GlorotUniform = _variance_scaling_preset(
    "GlorotUniform", 1.0, "fan_avg", "uniform", "Uniform in +-sqrt(6 / (fan_in + fan_out))."
)
GlorotNormal = _variance_scaling_preset(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal", "stddev sqrt(2 / (fan_in + fan_out))."
)
HeNormal = _variance_scaling_preset(
    "HeNormal", 2.0, "fan_in", "truncated_normal", "stddev sqrt(2 / fan_in)."
)
HeUniform = _variance_scaling_preset(
    "HeUniform", 2.0, "fan_in", "uniform", "Uniform in +-sqrt(6 / fan_in)."
)
LecunNormal = _variance_scaling_preset(
    "LecunNormal", 1.0, "fan_in", "truncated_normal", "stddev sqrt(1 / fan_in)."
)
LecunUniform = _variance_scaling_preset(
    "LecunUniform", 1.0, "fan_in", "uniform", "Uniform in +-sqrt(3 / fan_in)."
)


class Orthogonal(_Seeded):
    """An orthogonal matrix (rows or columns orthonormal) times `gain`; higher-rank
    shapes are flattened to (prod(shape[:-1]), shape[-1])."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = _float_dtype(dtype, "Orthogonal")
        shape = _shape_list(shape)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        # Drawn and factored in NumPy so it also works while a function traces; without
        # a seed, loom's global seed (tf.random.set_seed) still makes it reproducible.
        seed = self.seed if self.seed is not None else random_ops.get_seed(None)[1]
        draw = np.random.default_rng(seed).standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(draw)
        q = q * np.sign(np.diag(r))  # makes the decomposition unique
        if rows < cols:
            q = q.T
        return loom.constant((self.gain * q).reshape(shape), dtype=dtype)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """gain times the identity matrix (2-D shapes only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs):
        shape = _shape_list(shape)
        if len(shape) != 2:
            raise ValueError(
                f"Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        dtype = _float_dtype(dtype, "Identity")
        return loom.constant(self.gain * np.eye(*shape), dtype=dtype)

    def get_config(self):
        return {"gain": self.gain}


_CLASSES = (
    Zeros,
    Ones,
    Constant,
    RandomUniform,
    RandomNormal,
    TruncatedNormal,
    VarianceScaling,
    GlorotUniform,
    GlorotNormal,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    Identity,
)

# snake_case aliases, as tf.keras.initializers publishes them
zeros = Zeros
ones = Ones
constant = Constant
random_uniform = uniform = RandomUniform
random_normal = normal = RandomNormal
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal
identity = Identity

_REGISTRY = {cls.__name__: cls for cls in _CLASSES}
_REGISTRY.update(uniform=RandomUniform, normal=RandomNormal)


def serialize(initializer):
    return serialization.serialize(initializer)


def deserialize(config, custom_objects=None):
    return serialization.deserialize(config, _REGISTRY, "initializer", custom_objects)


def get(identifier):
    """An initializer for None, a name ("glorot_uniform"), a config dict, an instance or
    a callable (returned as is)."""
    return serialization.resolve(identifier, deserialize, "initializer")


__all__ = [cls.__name__ for cls in _CLASSES] + [
    "Initializer",
    "compute_fans",
    "serialize",
    "deserialize",
    "get",
]
