"""Unary math ops and float predicates against NumPy."""

import math

import numpy as np
import pytest
from op_testing import (
    FLOAT_DTYPES,
    INT_DTYPES,
    NUMERIC_DTYPES,
    SIGNED_INT_DTYPES,
    assert_matches,
    np_dtype,
    random_array,
    to_loom,
)

import loom as tf

SHAPES = [(), (5,), (3, 4), (2, 0, 3), (2, 3, 17)]
_erf = np.vectorize(math.erf, otypes=[np.float64])

# wrapper, dtypes, reference, input range
CASES = [
    (tf.math.negative, SIGNED_INT_DTYPES + FLOAT_DTYPES, np.negative, (-5, 5)),
    (tf.math.abs, NUMERIC_DTYPES, np.abs, (-5, 5)),
    (tf.math.sign, NUMERIC_DTYPES, np.sign, (-5, 5)),
    (tf.math.square, NUMERIC_DTYPES, np.square, (-5, 5)),
    (tf.math.sqrt, FLOAT_DTYPES, np.sqrt, (0, 5)),
    (tf.math.rsqrt, FLOAT_DTYPES, lambda x: 1 / np.sqrt(x), (0.1, 5)),
    (tf.math.reciprocal, FLOAT_DTYPES, lambda x: 1 / x, (0.1, 5)),
    (tf.math.exp, FLOAT_DTYPES, np.exp, (-5, 5)),
    (tf.math.expm1, FLOAT_DTYPES, np.expm1, (-2, 2)),
    (tf.math.log, FLOAT_DTYPES, np.log, (0.1, 5)),
    (tf.math.log1p, FLOAT_DTYPES, np.log1p, (-0.9, 5)),
    (tf.math.sin, FLOAT_DTYPES, np.sin, (-5, 5)),
    (tf.math.cos, FLOAT_DTYPES, np.cos, (-5, 5)),
    (tf.math.tan, FLOAT_DTYPES, np.tan, (-1.2, 1.2)),
    (tf.math.asin, FLOAT_DTYPES, np.arcsin, (-0.99, 0.99)),
    (tf.math.acos, FLOAT_DTYPES, np.arccos, (-0.99, 0.99)),
    (tf.math.atan, FLOAT_DTYPES, np.arctan, (-5, 5)),
    (tf.math.sinh, FLOAT_DTYPES, np.sinh, (-3, 3)),
    (tf.math.cosh, FLOAT_DTYPES, np.cosh, (-3, 3)),
    (tf.math.tanh, FLOAT_DTYPES, np.tanh, (-5, 5)),
    (tf.math.sigmoid, FLOAT_DTYPES, lambda x: 1 / (1 + np.exp(-x)), (-8, 8)),
    (tf.math.erf, FLOAT_DTYPES, _erf, (-3, 3)),
    (tf.math.round, NUMERIC_DTYPES, np.round, (-5, 5)),
    (tf.math.floor, FLOAT_DTYPES, np.floor, (-5, 5)),
    (tf.math.ceil, FLOAT_DTYPES, np.ceil, (-5, 5)),
]


@pytest.mark.parametrize(
    "wrapper, dtypes, reference, bounds", CASES, ids=[c[0].__name__ for c in CASES]
)
def test_unary_matches_numpy(wrapper, dtypes, reference, bounds):
    rng = np.random.default_rng(0)
    for dtype in dtypes:
        for shape in SHAPES:
            x = random_array(rng, shape, dtype, *bounds)
            expected = reference(x.astype(np.float64) if dtype in FLOAT_DTYPES else x)
            got = wrapper(to_loom(x, dtype))
            assert_matches(got, np.asarray(expected).astype(np_dtype(dtype)), dtype)


@pytest.mark.parametrize("wrapper", [c[0] for c in CASES if c[1] == FLOAT_DTYPES])
def test_float_only_functions_reject_integers(wrapper):
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"unsupported dtype int32"):
        wrapper(tf.constant([1, 2]))


def test_negative_rejects_unsigned_and_bool():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Neg\].*unsupported dtype uint8"):
        tf.negative(tf.constant([1], tf.uint8))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Abs\].*unsupported dtype bool"):
        tf.abs(tf.constant([True]))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_round_is_half_to_even(dtype):
    x = tf.constant([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.7], dtype=dtype)
    np.testing.assert_array_equal(tf.round(x).numpy().astype(np.float64), [0, 2, 2, -0, -2, -2, 4])


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_round_keeps_integers(dtype):
    x = tf.constant([1, 2, 3], dtype=dtype)
    assert_matches(tf.round(x), np.array([1, 2, 3], np_dtype(dtype)), dtype)


@pytest.mark.parametrize(
    "dtype, big", [("float16", 60.0), ("bfloat16", 1000.0), ("float32", 1000.0), ("float64", 1e5)]
)
def test_sigmoid_is_stable_for_large_inputs(dtype, big):
    got = tf.sigmoid(tf.constant([-big, 0.0, big], dtype=dtype)).numpy().astype(np.float64)
    np.testing.assert_array_equal(got, [0.0, 0.5, 1.0])
    assert tf.nn.sigmoid is tf.math.sigmoid


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_special_values(dtype):
    x = tf.constant([np.nan, np.inf, -np.inf, 0.0, -1.5], dtype=dtype)
    np.testing.assert_array_equal(tf.math.is_nan(x).numpy(), [True, False, False, False, False])
    np.testing.assert_array_equal(tf.math.is_inf(x).numpy(), [False, True, True, False, False])
    np.testing.assert_array_equal(tf.math.is_finite(x).numpy(), [False, False, False, True, True])
    assert tf.math.is_nan(x).dtype == tf.bool
    sign = tf.sign(x).numpy().astype(np.float64)
    np.testing.assert_array_equal(sign, [np.nan, 1, -1, 0, -1])
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(
            tf.math.log(x).numpy().astype(np.float64)[1:4], [np.inf, np.nan, -np.inf]
        )
        np.testing.assert_array_equal(tf.sqrt(x).numpy().astype(np.float64)[3:], [0.0, np.nan])


def test_predicates_reject_integers():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[IsNan\].*unsupported dtype int32"):
        tf.math.is_nan(tf.constant([1]))


def test_unary_accepts_python_values_and_keeps_shape():
    got = tf.exp([[0.0, 1.0]])
    assert got.shape == (1, 2) and got.dtype == tf.float32
    np.testing.assert_allclose(got.numpy(), np.exp([[0.0, 1.0]]), rtol=1e-6)
    assert_matches(tf.abs(-3), np.array(3, np.int32), "int32")


def test_namespaces():
    assert tf.math.abs is tf.abs and tf.math.tanh is tf.tanh and tf.nn.tanh is tf.tanh
    assert tf.math.square is tf.square and tf.math.floor is tf.floor
    for name in ["rsqrt", "reciprocal", "expm1", "log", "log1p", "erf", "ceil", "is_nan"]:
        assert hasattr(tf.math, name), name
