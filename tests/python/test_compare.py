"""Comparisons, logical and bitwise ops, and three-argument tf.where, against NumPy."""

import numpy as np
import pytest
from op_testing import (
    ALL_DTYPES,
    BROADCAST_PAIRS,
    INT_DTYPES,
    NUMERIC_DTYPES,
    assert_matches,
    random_array,
    to_loom,
)

import loom as tf

COMPARISONS = [
    (tf.math.less, np.less),
    (tf.math.less_equal, np.less_equal),
    (tf.math.greater, np.greater),
    (tf.math.greater_equal, np.greater_equal),
    (tf.math.equal, np.equal),
    (tf.math.not_equal, np.not_equal),
]


@pytest.mark.parametrize(
    "wrapper, reference", COMPARISONS, ids=[c[1].__name__ for c in COMPARISONS]
)
def test_comparisons_match_numpy(wrapper, reference):
    rng = np.random.default_rng(0)
    for dtype in NUMERIC_DTYPES:
        for shape_x, shape_y in BROADCAST_PAIRS:
            # A narrow range makes ties common, so == and <= are really exercised.
            x = random_array(rng, shape_x, dtype, -2, 2)
            y = random_array(rng, shape_y, dtype, -2, 2)
            assert_matches(wrapper(to_loom(x, dtype), to_loom(y, dtype)), reference(x, y), "bool")


def test_equality_on_bools_and_nan():
    x = tf.constant([True, False, True])
    y = tf.constant([True, True, False])
    np.testing.assert_array_equal(tf.equal(x, y).numpy(), [True, False, False])
    np.testing.assert_array_equal(tf.not_equal(x, y).numpy(), [False, True, True])
    nan = tf.constant([np.nan, 1.0])
    np.testing.assert_array_equal(tf.equal(nan, nan).numpy(), [False, True])
    np.testing.assert_array_equal(tf.not_equal(nan, nan).numpy(), [True, False])
    np.testing.assert_array_equal(tf.less(nan, 2.0).numpy(), [False, True])


def test_ordering_rejects_bool():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Less\].*unsupported dtype bool"):
        tf.less(tf.constant([True]), tf.constant([False]))


def test_equal_with_incompatible_shapes():
    a, b = tf.constant([1, 2]), tf.constant([1, 2, 3])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[Equal\] Incompatible shapes: \[2\] vs. \[3\]"
    ):
        tf.math.equal(a, b)
    # TF's incompatible_shape_error=False answers with a scalar instead.
    for op_name, expected in [("Equal", False), ("NotEqual", True)]:
        got = tf._C.execute(tf._C.op(op_name), (a, b), {"incompatible_shape_error": False})
        assert got.shape == () and bool(got) is expected
    got = tf._C.execute(
        tf._C.op("Equal"), (a, tf.constant([[2], [1]])), {"incompatible_shape_error": False}
    )
    np.testing.assert_array_equal(got.numpy(), [[False, True], [True, False]])


def test_comparison_errors_name_the_op():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[GreaterEqual\].*same dtype"):
        tf.greater_equal(tf.constant([1.0]), tf.constant([1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Greater\] Incompatible shapes"):
        tf.greater(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0, 3.0]))


LOGICAL = [
    (tf.math.logical_and, np.logical_and),
    (tf.math.logical_or, np.logical_or),
    (tf.math.logical_xor, np.logical_xor),
]


@pytest.mark.parametrize("wrapper, reference", LOGICAL, ids=[c[1].__name__ for c in LOGICAL])
def test_logical_ops_match_numpy(wrapper, reference):
    rng = np.random.default_rng(1)
    for shape_x, shape_y in BROADCAST_PAIRS:
        x = random_array(rng, shape_x, "bool")
        y = random_array(rng, shape_y, "bool")
        assert_matches(wrapper(to_loom(x, "bool"), to_loom(y, "bool")), reference(x, y), "bool")


def test_logical_not_and_dtype_errors():
    np.testing.assert_array_equal(tf.logical_not(tf.constant([True, False])).numpy(), [False, True])
    assert tf.logical_and is tf.math.logical_and and tf.logical_not is tf.math.logical_not
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[LogicalAnd\].*unsupported dtype int32"
    ):
        tf.logical_and(tf.constant([1]), tf.constant([0]))
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[LogicalNot\].*unsupported dtype float32"
    ):
        tf.logical_not(tf.constant([1.0]))
    assert_matches(tf.logical_or(tf.constant([False, False]), True), np.array([True, True]), "bool")


BITWISE = [
    (tf.bitwise.bitwise_and, np.bitwise_and),
    (tf.bitwise.bitwise_or, np.bitwise_or),
    (tf.bitwise.bitwise_xor, np.bitwise_xor),
]


@pytest.mark.parametrize("wrapper, reference", BITWISE, ids=[c[1].__name__ for c in BITWISE])
def test_bitwise_ops_match_numpy(wrapper, reference):
    rng = np.random.default_rng(2)
    for dtype in INT_DTYPES:
        for shape_x, shape_y in BROADCAST_PAIRS:
            x = random_array(rng, shape_x, dtype, -100, 100)
            y = random_array(rng, shape_y, dtype, -100, 100)
            assert_matches(wrapper(to_loom(x, dtype), to_loom(y, dtype)), reference(x, y), dtype)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_invert_matches_numpy(dtype):
    x = random_array(np.random.default_rng(3), (3, 5), dtype, -100, 100)
    assert_matches(tf.bitwise.invert(to_loom(x, dtype)), np.invert(x), dtype)


def test_bitwise_rejects_floats_and_bools():
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[BitwiseAnd\].*unsupported dtype float32"
    ):
        tf.bitwise.bitwise_and(tf.constant([1.0]), tf.constant([1.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Invert\].*unsupported dtype bool"):
        tf.bitwise.invert(tf.constant([True]))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_where_selects_with_broadcasting(dtype):
    rng = np.random.default_rng(4)
    shapes = [
        ((), (), ()),
        ((3,), (3,), (3,)),
        ((2, 1), (1, 3), ()),
        ((4, 1, 5), (3, 1), (5,)),
        ((0, 2), (2,), ()),
        ((7, 1), (), (7, 33)),
    ]
    for shape_c, shape_x, shape_y in shapes:
        c = random_array(rng, shape_c, "bool")
        x = random_array(rng, shape_x, dtype)
        y = random_array(rng, shape_y, dtype)
        got = tf.where(to_loom(c, "bool"), to_loom(x, dtype), to_loom(y, dtype))
        assert_matches(got, np.where(c, x, y), dtype)


def test_where_with_python_values_and_errors():
    got = tf.where([True, False, True], tf.constant([1.0, 2.0, 3.0]), 0.0)
    assert_matches(got, np.array([1.0, 0.0, 3.0], np.float32), "float32")
    with pytest.raises(ValueError, match="both be non-None"):
        tf.where(tf.constant([True]), x=tf.constant([1]))
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[SelectV2\].*'condition' must be bool"
    ):
        tf.where(tf.constant([1]), tf.constant([1]), tf.constant([2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[SelectV2\].*same dtype"):
        tf.where(tf.constant([True]), tf.constant([1]), tf.constant([2.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[SelectV2\] Incompatible shapes"):
        tf.where(tf.constant([True, False]), tf.constant([1, 2, 3]), 0)
