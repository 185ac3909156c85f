"""Binary arithmetic ops against NumPy: every supported dtype, broadcasting, errors."""

import numpy as np
import pytest
from op_testing import (
    BROADCAST_PAIRS,
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

SIGNED_DTYPES = SIGNED_INT_DTYPES + FLOAT_DTYPES


def round_to_dtype(values, dtype):
    """Rounds float64 reference values to what `dtype` can hold (bfloat16 by bit-rounding)."""
    if dtype != "bfloat16":
        return values.astype(np_dtype(dtype))
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32)


def trunc_div(x, y):
    if x.dtype.kind == "u":
        return x // y
    return (np.abs(x) // np.abs(y)) * np.sign(x) * np.sign(y)


def floor_div(x, y, dtype):
    if x.dtype.kind in "iu":
        return np.floor_divide(x, y)
    # TF floors the rounded quotient: floor(x / y), not Python's divmod-based floor.
    return np.floor(round_to_dtype(x.astype(np.float64) / y, dtype))


# name, wrapper, dtypes, reference(x, y, dtype), divisor-like y (non-zero)
CASES = [
    ("AddV2", tf.math.add, NUMERIC_DTYPES, lambda x, y, d: x + y, False),
    ("Sub", tf.math.subtract, NUMERIC_DTYPES, lambda x, y, d: x - y, False),
    ("Mul", tf.math.multiply, NUMERIC_DTYPES, lambda x, y, d: x * y, False),
    ("RealDiv", None, FLOAT_DTYPES, lambda x, y, d: x / y, True),
    (
        "Div",
        None,
        NUMERIC_DTYPES,
        lambda x, y, d: trunc_div(x, y) if x.dtype.kind in "iu" else x / y,
        True,
    ),
    ("FloorDiv", tf.math.floordiv, NUMERIC_DTYPES, floor_div, True),
    ("FloorMod", tf.math.floormod, NUMERIC_DTYPES, lambda x, y, d: np.mod(x, y), True),
    ("Maximum", tf.math.maximum, NUMERIC_DTYPES, lambda x, y, d: np.maximum(x, y), False),
    ("Minimum", tf.math.minimum, NUMERIC_DTYPES, lambda x, y, d: np.minimum(x, y), False),
    (
        "SquaredDifference",
        tf.math.squared_difference,
        SIGNED_DTYPES,
        lambda x, y, d: np.square(x - y),
        False,
    ),
    ("Atan2", None, FLOAT_DTYPES, lambda x, y, d: np.arctan2(x, y), False),
]


def run_op(op_name, wrapper, x, y):
    if wrapper is not None:
        return wrapper(x, y)
    return tf._C.execute(tf._C.op(op_name), (x, y))


@pytest.mark.parametrize("op_name, wrapper, dtypes, reference, nonzero_y", CASES)
def test_binary_matches_numpy(op_name, wrapper, dtypes, reference, nonzero_y):
    rng = np.random.default_rng(0)
    for dtype in dtypes:
        for shape_x, shape_y in BROADCAST_PAIRS:
            x = random_array(rng, shape_x, dtype)
            y = random_array(rng, shape_y, dtype)
            if nonzero_y:
                y = np.where(y == 0, np.ones_like(y), y)
            with np.errstate(all="ignore"):
                expected = reference(x, y, dtype)
            got = run_op(op_name, wrapper, to_loom(x, dtype), to_loom(y, dtype))
            assert_matches(got, np.asarray(expected).astype(np_dtype(dtype)), dtype)


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_pow(dtype):
    rng = np.random.default_rng(1)
    for shape_x, shape_y in BROADCAST_PAIRS:
        if dtype in INT_DTYPES:
            x = random_array(rng, shape_x, dtype, low=-3, high=4)
            y = random_array(rng, shape_y, dtype, low=0, high=4)
        else:
            x = random_array(rng, shape_x, dtype, low=0.1, high=3)
            y = random_array(rng, shape_y, dtype, low=-3, high=3)
        got = tf.math.pow(to_loom(x, dtype), to_loom(y, dtype))
        assert_matches(got, np.power(x, y).astype(np_dtype(dtype)), dtype)


def test_pow_integer_wraps_like_fixed_width():
    got = tf.pow(tf.constant([3, -2], tf.int8), tf.constant([5, 7], tf.int8))
    np.testing.assert_array_equal(
        got.numpy(), np.power(np.array([3, -2], np.int8), np.array([5, 7], np.int8))
    )
    got = tf.pow(tf.constant([0, 5], tf.int32), tf.constant([0, 0], tf.int32))
    np.testing.assert_array_equal(got.numpy(), [1, 1])


def test_pow_negative_integer_exponent_is_an_error():
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"\[Pow\] Integers to negative integer powers are not allowed",
    ):
        tf.pow(tf.constant([2, 3]), tf.constant([1, -1]))
    # Floats are fine with negative exponents.
    assert_matches(
        tf.pow(tf.constant([2.0]), tf.constant([-1.0])), np.array([0.5], np.float32), "float32"
    )


@pytest.mark.parametrize("op_name", ["FloorDiv", "FloorMod", "Div"])
@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint8", "uint64"])
def test_integer_division_by_zero_is_an_error(op_name, dtype):
    x = tf.constant([[1, 2, 3]], dtype=dtype)
    y = tf.constant([[1], [0]], dtype=dtype)  # the zero meets every x through broadcasting
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=rf"\[{op_name}\] Integer division by zero"
    ):
        tf._C.execute(tf._C.op(op_name), (x, y))


def test_float_division_by_zero_follows_ieee():
    x = tf.constant([1.0, -1.0, 0.0])
    zero = tf.constant(0.0)
    np.testing.assert_array_equal(tf.math.divide(x, zero).numpy(), [np.inf, -np.inf, np.nan])
    np.testing.assert_array_equal(tf.math.floordiv(x, zero).numpy(), [np.inf, -np.inf, np.nan])
    assert np.isnan(tf.math.floormod(x, zero).numpy()).all()


@pytest.mark.parametrize("dtype, low", [("int32", -(2**31)), ("int64", -(2**63)), ("int8", -128)])
def test_most_negative_over_minus_one_wraps_instead_of_trapping(dtype, low):
    x = tf.constant([low, 7], dtype=dtype)
    minus_one = tf.constant(-1, dtype=dtype)
    np.testing.assert_array_equal(tf.math.floordiv(x, minus_one).numpy(), [low, -7])
    np.testing.assert_array_equal(tf.math.floormod(x, minus_one).numpy(), [0, 0])
    div = tf._C.execute(tf._C.op("Div"), (x, minus_one))
    np.testing.assert_array_equal(div.numpy(), [low, -7])


def test_floor_division_and_modulo_follow_python_signs():
    x = tf.constant([7, -7, 7, -7])
    y = tf.constant([2, 2, -2, -2])
    np.testing.assert_array_equal(tf.math.floordiv(x, y).numpy(), [3, -4, -4, 3])
    np.testing.assert_array_equal(tf.math.floormod(x, y).numpy(), [1, 1, -1, -1])
    np.testing.assert_array_equal(tf.math.mod(x, y).numpy(), [1, 1, -1, -1])
    xf = tf.constant([7.5, -7.5, 7.5, -7.5])
    yf = tf.constant([2.0, 2.0, -2.0, -2.0])
    np.testing.assert_array_equal(tf.math.floormod(xf, yf).numpy(), [1.5, 0.5, -0.5, -1.5])
    div = tf._C.execute(tf._C.op("Div"), (x, y))
    np.testing.assert_array_equal(div.numpy(), [3, -3, -3, 3])


def test_maximum_and_minimum_propagate_nan():
    x = tf.constant([np.nan, 1.0, 2.0])
    y = tf.constant([1.0, np.nan, 1.0])
    np.testing.assert_array_equal(tf.maximum(x, y).numpy(), [np.nan, np.nan, 2.0])
    np.testing.assert_array_equal(tf.minimum(x, y).numpy(), [np.nan, np.nan, 1.0])
    h = tf.constant([np.nan, 1.0], tf.float16)
    assert np.isnan(tf.maximum(h, tf.constant(0.0, tf.float16)).numpy()[0])


def test_atan2_takes_y_then_x():
    got = tf.math.atan2(tf.constant([1.0, -1.0]), tf.constant([-1.0, -1.0]))
    np.testing.assert_allclose(got.numpy(), np.arctan2([1.0, -1.0], [-1.0, -1.0]), rtol=1e-6)
    assert tf.atan2 is tf.math.atan2


@pytest.mark.parametrize(
    "dtype, expected",
    [
        ("int8", "float32"),
        ("uint16", "float32"),
        ("int32", "float64"),
        ("uint64", "float64"),
        ("float16", "float16"),
    ],
)
def test_divide_is_true_division(dtype, expected):
    got = tf.math.divide(tf.constant([1, 7], dtype=dtype), tf.constant([2, 2], dtype=dtype))
    assert got.dtype == expected
    np.testing.assert_allclose(got.numpy(), [0.5, 3.5])
    assert tf.truediv(tf.constant([3], dtype=dtype), 2).dtype == expected


def test_divide_converts_python_values_to_the_tensor_dtype():
    assert_matches(
        tf.divide(1, tf.constant([2.0, 4.0])), np.array([0.5, 0.25], np.float32), "float32"
    )
    assert_matches(tf.divide(tf.constant([3, 4]), 2), np.array([1.5, 2.0]), "float64")
    with pytest.raises(TypeError, match="same dtype"):
        tf.math.truediv(tf.constant([1.0]), tf.constant([1]))
    with pytest.raises(TypeError, match="bool"):
        tf.math.truediv(tf.constant([True]), tf.constant([True]))


def test_python_scalars_adopt_the_tensor_dtype():
    assert_matches(tf.add(tf.constant([1, 2], tf.int64), 3), np.array([4, 5], np.int64), "int64")
    assert_matches(tf.multiply(2.5, tf.constant([2.0], tf.float64)), np.array([5.0]), "float64")
    assert_matches(tf.math.floordiv(7, 2), np.array(3, np.int32), "int32")


@pytest.mark.parametrize(
    "wrapper, name",
    [
        (tf.add, "AddV2"),
        (tf.math.floordiv, "FloorDiv"),
        (tf.pow, "Pow"),
        (tf.maximum, "Maximum"),
        (tf.math.squared_difference, "SquaredDifference"),
    ],
)
def test_incompatible_shapes_and_dtypes_are_errors(wrapper, name):
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=rf"\[{name}\] Incompatible shapes: \[2,3\] vs. \[4\]"
    ):
        wrapper(tf.constant(np.ones((2, 3), np.float32)), tf.constant(np.ones(4, np.float32)))
    with pytest.raises(tf.errors.InvalidArgumentError, match=rf"\[{name}\].*same dtype"):
        wrapper(tf.constant([1.0]), tf.constant([1], tf.int64))


@pytest.mark.parametrize(
    "op_name, bad_dtype",
    [
        ("RealDiv", "int32"),
        ("Atan2", "int64"),
        ("SquaredDifference", "uint8"),
        ("AddV2", "bool"),
        ("FloorMod", "bool"),
    ],
)
def test_unsupported_dtypes_are_rejected(op_name, bad_dtype):
    x = tf.constant([True] if bad_dtype == "bool" else [1], dtype=bad_dtype)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=rf"\[{op_name}\].*unsupported dtype {bad_dtype}"
    ):
        tf._C.execute(tf._C.op(op_name), (x, x))
