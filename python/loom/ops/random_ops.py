"""tf.random: seeded and stateless random tensors, and TF's global/op seed rules.

Stateful ops take two seeds (seed, seed2) derived here from the global seed and the
op seed; the engine keeps one stream per pair, so repeated eager calls continue a
sequence and `set_seed` restarts every sequence. Stateless ops are pure functions of
an explicit seed tensor of shape [2].
"""

import random as _pyrandom

import numpy as np

from loom import _C
from loom._api import export
from loom.dtypes import as_dtype, float32, int64
from loom.tensor_shape import TensorShape

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1
_FLOAT_NAMES = ("float16", "bfloat16", "float32", "float64")
_INT_NAMES = ("int32", "int64")

_uniform = _C.op("RandomUniform")
_uniform_int = _C.op("RandomUniformInt")
_normal = _C.op("RandomStandardNormal")
_truncated = _C.op("TruncatedNormal")
_multinomial = _C.op("Multinomial")
_shuffle = _C.op("RandomShuffle")
_sl_uniform = _C.op("StatelessRandomUniform")
_sl_uniform_int = _C.op("StatelessRandomUniformInt")
_sl_normal = _C.op("StatelessRandomNormal")
_sl_truncated = _C.op("StatelessTruncatedNormal")
_sl_multinomial = _C.op("StatelessMultinomial")
_add = _C.op("AddV2")
_sub = _C.op("Sub")
_mul = _C.op("Mul")


class _SeedState:
    """The global seed and the stream of op seeds it determines."""

    global_seed = None
    op_seeds = None  # random.Random(global_seed) while a global seed is set


@export("random.set_seed")
def set_seed(seed):
    """Sets the global seed. Ops without their own seed then take op seeds from a
    sequence determined by it, and every seeded op's sequence starts over."""
    if seed is None:
        _SeedState.global_seed = None
        _SeedState.op_seeds = None
    else:
        _SeedState.global_seed = int(seed)
        _SeedState.op_seeds = _pyrandom.Random(_SeedState.global_seed)
    _C.reset_random_seeds()


def get_seed(op_seed):
    """The (seed, seed2) pair an op uses given its op seed, by TF's four rules:
    neither set -> (None, None), i.e. unseeded; only the global seed -> the op seed
    comes from the global seed's sequence; only the op seed -> a default global
    seed; both -> both."""
    if _SeedState.global_seed is not None:
        if op_seed is None:
            op_seed = _SeedState.op_seeds.randint(0, _MAXINT32)
        seeds = (_SeedState.global_seed % _MAXINT32, int(op_seed) % _MAXINT32)
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, int(op_seed) % _MAXINT32)
    else:
        return None, None
    # (0, 0) means "unseeded" to the engine; keep an explicit seed deterministic.
    return (0, _MAXINT32) if seeds == (0, 0) else seeds


def _seed_attrs(seed):
    seed1, seed2 = get_seed(seed)
    return {"seed": seed1, "seed2": seed2}


def _shape_tensor(shape):
    """A 1-D integer tensor from a list, tuple, TensorShape or integer tensor."""
    if isinstance(shape, _C.Tensor):
        return shape
    if isinstance(shape, np.ndarray):
        return _C.convert_to_tensor(shape, None)
    if isinstance(shape, TensorShape):
        if not shape.is_fully_defined():
            raise ValueError(f"Shape {shape} must be fully defined to draw random values.")
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)):
        dims = [int(d) for d in shape]
        fits32 = all(-(2**31) <= d < 2**31 for d in dims)
        return _C.convert_to_tensor(np.array(dims, dtype=np.int32 if fits32 else np.int64), None)
    return _C.convert_to_tensor(shape, None)


def _float_dtype(dtype, fn):
    dtype = as_dtype(dtype)
    if dtype.name not in _FLOAT_NAMES:
        raise ValueError(
            f"Argument `dtype` got invalid value {dtype!r} for {fn}. Accepted dtypes are "
            f"{', '.join(_FLOAT_NAMES)}."
        )
    return dtype


def _static_scalar(value):
    """The value of a scalar bound known now (a number or a 0-d eager tensor/array),
    else None (non-scalar or symbolic values are composed with ops instead)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    try:
        arr = np.asarray(value.numpy() if isinstance(value, _C.Tensor) else value)
    except Exception:  # symbolic tensors have no value yet
        return None
    if arr.ndim == 0 and arr.dtype.kind in "iuf":
        return float(arr)
    return None


def _scaled_uniform(op, inputs, attrs, dtype, minval, maxval):
    """Uniform floats in [minval, maxval). Scalar bounds are applied inside the kernel,
    which keeps values below maxval after rounding; tensor bounds broadcast with ops."""
    lo, hi = _static_scalar(minval), _static_scalar(maxval)
    if lo is not None and hi is not None:
        return _C.execute(op, inputs, dict(attrs, dtype=dtype, minval=lo, maxval=hi))
    unit = _C.execute(op, inputs, dict(attrs, dtype=dtype))
    minval = _C.convert_to_tensor(minval, dtype)
    maxval = _C.convert_to_tensor(maxval, dtype)
    return _C.execute(_add, (_C.execute(_mul, (unit, _C.execute(_sub, (maxval, minval)))), minval))


def _affine(value, scale, shift, dtype):
    """value * scale + shift, skipping the identity steps for Python 1 and 0."""
    if not (isinstance(scale, (int, float)) and scale == 1):
        value = _C.execute(_mul, (value, _C.convert_to_tensor(scale, dtype)))
    if not (isinstance(shift, (int, float)) and shift == 0):
        value = _C.execute(_add, (value, _C.convert_to_tensor(shift, dtype)))
    return value


def _int_bounds(minval, maxval, dtype, fn):
    if maxval is None:
        raise ValueError(f"Must specify maxval for integer dtype {dtype!r} in {fn}.")
    return _C.convert_to_tensor(minval, dtype), _C.convert_to_tensor(maxval, dtype)


@export("random.uniform")
def uniform(shape, minval=0, maxval=None, dtype=float32, seed=None, name=None):
    """Values uniformly distributed in [minval, maxval); integer dtypes need maxval."""
    dtype = as_dtype(dtype)
    shape = _shape_tensor(shape)
    attrs = _seed_attrs(seed)
    if dtype.name in _INT_NAMES:
        lo, hi = _int_bounds(minval, maxval, dtype, "tf.random.uniform")
        return _C.execute(_uniform_int, (shape, lo, hi), attrs)
    if dtype.name not in _FLOAT_NAMES:
        raise ValueError(
            f"Argument `dtype` got invalid value {dtype!r}. Accepted dtypes are "
            f"{', '.join(_FLOAT_NAMES + _INT_NAMES)}."
        )
    return _scaled_uniform(
        _uniform, (shape,), attrs, dtype, minval, 1 if maxval is None else maxval
    )


@export("random.normal")
def normal(shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None):
    """Normally distributed values: standard normals scaled by stddev, shifted by mean."""
    dtype = _float_dtype(dtype, "tf.random.normal")
    rnd = _C.execute(_normal, (_shape_tensor(shape),), dict(_seed_attrs(seed), dtype=dtype))
    return _affine(rnd, stddev, mean, dtype)


@export("random.truncated_normal")
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None):
    """Normal values redrawn while more than two standard deviations from the mean."""
    dtype = _float_dtype(dtype, "tf.random.truncated_normal")
    rnd = _C.execute(_truncated, (_shape_tensor(shape),), dict(_seed_attrs(seed), dtype=dtype))
    return _affine(rnd, stddev, mean, dtype)


@export("random.categorical")
def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """[batch, num_samples] class indices drawn from unnormalized log-probabilities."""
    attrs = dict(_seed_attrs(seed), output_dtype=None if dtype is None else as_dtype(dtype))
    return _C.execute(_multinomial, (logits, _num_samples(num_samples)), attrs)


def _num_samples(num_samples):
    if isinstance(num_samples, _C.Tensor):
        return num_samples
    return _C.convert_to_tensor(num_samples, as_dtype("int32"))


@export("random.shuffle")
def shuffle(value, seed=None, name=None):
    """A random permutation of `value` along its first dimension."""
    return _C.execute(_shuffle, (value,), _seed_attrs(seed))


def _seed_tensor(seed):
    if isinstance(seed, _C.Tensor):
        return seed
    return _C.convert_to_tensor(seed, None)


@export("random.stateless_uniform")
def stateless_uniform(
    shape, seed, minval=0, maxval=None, dtype=float32, name=None, alg="auto_select"
):
    """Uniform values in [minval, maxval), a pure function of `seed` (shape [2])."""
    dtype = as_dtype(dtype)
    shape, seed = _shape_tensor(shape), _seed_tensor(seed)
    if dtype.name in _INT_NAMES:
        lo, hi = _int_bounds(minval, maxval, dtype, "tf.random.stateless_uniform")
        return _C.execute(_sl_uniform_int, (shape, seed, lo, hi))
    if dtype.name not in _FLOAT_NAMES:
        raise ValueError(
            f"Argument `dtype` got invalid value {dtype!r}. Accepted dtypes are "
            f"{', '.join(_FLOAT_NAMES + _INT_NAMES)}."
        )
    maxval = 1 if maxval is None else maxval
    return _scaled_uniform(_sl_uniform, (shape, seed), {}, dtype, minval, maxval)


@export("random.stateless_normal")
def stateless_normal(
    shape, seed, mean=0.0, stddev=1.0, dtype=float32, name=None, alg="auto_select"
):
    """Normal values, a pure function of `seed` (shape [2])."""
    dtype = _float_dtype(dtype, "tf.random.stateless_normal")
    rnd = _C.execute(_sl_normal, (_shape_tensor(shape), _seed_tensor(seed)), {"dtype": dtype})
    return _affine(rnd, stddev, mean, dtype)


@export("random.stateless_truncated_normal")
def stateless_truncated_normal(
    shape, seed, mean=0.0, stddev=1.0, dtype=float32, name=None, alg="auto_select"
):
    """Truncated normal values, a pure function of `seed` (shape [2])."""
    dtype = _float_dtype(dtype, "tf.random.stateless_truncated_normal")
    rnd = _C.execute(_sl_truncated, (_shape_tensor(shape), _seed_tensor(seed)), {"dtype": dtype})
    return _affine(rnd, stddev, mean, dtype)


@export("random.stateless_categorical")
def stateless_categorical(logits, num_samples, seed, dtype=int64, name=None):
    """Class indices drawn from logits, a pure function of `seed` (shape [2])."""
    return _C.execute(
        _sl_multinomial,
        (logits, _num_samples(num_samples), _seed_tensor(seed)),
        {"output_dtype": as_dtype(dtype)},
    )
