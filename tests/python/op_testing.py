"""Shared helpers for differential tests of ops against NumPy."""

import numpy as np

import loom as tf

FLOAT_DTYPES = ["float16", "bfloat16", "float32", "float64"]
SIGNED_INT_DTYPES = ["int8", "int16", "int32", "int64"]
UNSIGNED_INT_DTYPES = ["uint8", "uint16", "uint32", "uint64"]
INT_DTYPES = SIGNED_INT_DTYPES + UNSIGNED_INT_DTYPES
NUMERIC_DTYPES = INT_DTYPES + FLOAT_DTYPES
ALL_DTYPES = NUMERIC_DTYPES + ["bool"]

# Shape pairs that broadcast, including scalars and empty dimensions.
BROADCAST_PAIRS = [
    ((), ()),
    ((3,), ()),
    ((), (4,)),
    ((2, 3), (2, 3)),
    ((2, 3), (3,)),
    ((2, 1), (1, 3)),
    ((4, 1, 5), (3, 1)),
    ((2, 3, 4, 5), (1, 3, 1, 5)),
    ((0, 3), (3,)),
    ((2, 0), (1, 0)),
    ((7, 1), (7, 33)),
]


def np_dtype(dtype):
    """NumPy dtype used as the reference for a loom dtype (bfloat16 -> float32)."""
    return np.dtype(tf.as_dtype(dtype).as_numpy_dtype)


def random_array(rng, shape, dtype, low=-5, high=5):
    """Random values of `dtype` in [low, high) (non-negative for unsigned types)."""
    dtype = tf.as_dtype(dtype).name
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("uint"):
        return rng.integers(0, max(high, 1), size=shape).astype(dtype)
    if dtype.startswith("int"):
        return rng.integers(low, high, size=shape).astype(dtype)
    values = rng.uniform(low, high, size=shape)
    if dtype == "bfloat16":
        # Round to values bfloat16 holds exactly, so inputs agree on both sides.
        values = values.astype(np.float32)
        bits = values.view(np.uint32) & np.uint32(0xFFFF0000)
        return bits.view(np.float32)
    return values.astype(dtype)


def to_loom(arr, dtype):
    return tf.constant(arr, dtype=tf.as_dtype(dtype))


def tolerance(dtype):
    dtype = tf.as_dtype(dtype).name
    return {
        "float16": dict(rtol=2e-3, atol=2e-3),
        "bfloat16": dict(rtol=2e-2, atol=2e-2),
        "float32": dict(rtol=1e-5, atol=1e-6),
        "float64": dict(rtol=1e-12, atol=1e-12),
    }.get(dtype, dict(rtol=0, atol=0))


def assert_matches(result, expected, dtype=None):
    """Asserts a loom result equals the NumPy reference in shape, dtype and values."""
    expected = np.asarray(expected)
    got = result.numpy()
    assert tuple(result.shape) == expected.shape, (tuple(result.shape), expected.shape)
    if dtype is not None:
        assert result.dtype == tf.as_dtype(dtype), (result.dtype, dtype)
    if got.dtype.kind == "f" or expected.dtype.kind == "f":
        np.testing.assert_allclose(
            got.astype(np.float64),
            expected.astype(np.float64),
            equal_nan=True,
            **tolerance(dtype or "float32"),
        )
    else:
        np.testing.assert_array_equal(got, expected)
