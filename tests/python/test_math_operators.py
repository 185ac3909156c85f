"""Tensor operators (+ - * / // % ** < == & ~ ...) reach the math family's ops."""

import numpy as np
import pytest
from op_testing import assert_matches

import loom as tf


def test_arithmetic_operators():
    a = tf.constant([7, -7, 5])
    b = tf.constant([2, 2, -3])
    assert_matches(a + b, np.array([9, -5, 2], np.int32), "int32")
    assert_matches(a - b, np.array([5, -9, 8], np.int32), "int32")
    assert_matches(a * b, np.array([14, -14, -15], np.int32), "int32")
    assert_matches(a // b, np.array([3, -4, -2], np.int32), "int32")
    assert_matches(a % b, np.array([1, 1, -1], np.int32), "int32")
    assert_matches(a ** b.__abs__(), np.array([49, 49, 125], np.int32), "int32")
    assert_matches(-a, np.array([-7, 7, -5], np.int32), "int32")
    assert_matches(abs(a), np.array([7, 7, 5], np.int32), "int32")


def test_reflected_operators_with_python_values():
    x = tf.constant([1.0, 2.0, 4.0])
    assert_matches(1 - x, np.array([0.0, -1.0, -3.0], np.float32), "float32")
    assert_matches(2 / x, np.array([2.0, 1.0, 0.5], np.float32), "float32")
    assert_matches(7 // x, np.array([7.0, 3.0, 1.0], np.float32), "float32")
    assert_matches(7 % x, np.array([0.0, 1.0, 3.0], np.float32), "float32")
    assert_matches(2**x, np.array([2.0, 4.0, 16.0], np.float32), "float32")
    assert_matches(x * 2, np.array([2.0, 4.0, 8.0], np.float32), "float32")


def test_true_division_of_integers_gives_floats():
    got = tf.constant(1) / tf.constant(2)
    assert got.dtype == tf.float64 and float(got) == 0.5
    assert (tf.constant([3], tf.int16) / tf.constant([2], tf.int16)).dtype == tf.float32
    assert (tf.constant([3], tf.uint8) / 2).dtype == tf.float32
    assert (tf.constant([3], tf.int64) / 2).dtype == tf.float64
    assert_matches(tf.constant([1.0], tf.float16) / 4, np.array([0.25], np.float16), "float16")


def test_integer_floor_division_by_zero_raises():
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[FloorDiv\] Integer division by zero"
    ):
        tf.constant([1, 2]) // 0
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[FloorMod\] Integer division by zero"
    ):
        tf.constant([1, 2]) % tf.constant([1, 0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Pow\] Integers to negative"):
        tf.constant([2]) ** -1


def test_comparison_operators():
    a = tf.constant([1, 2, 3])
    assert_matches(a < 2, np.array([True, False, False]), "bool")
    assert_matches(a <= 2, np.array([True, True, False]), "bool")
    assert_matches(a > 2, np.array([False, False, True]), "bool")
    assert_matches(a >= 2, np.array([False, True, True]), "bool")
    assert_matches(2 < a, np.array([False, False, True]), "bool")  # reflected to a > 2
    assert_matches(a == tf.constant([1, 0, 3]), np.array([True, False, True]), "bool")
    assert_matches(a != 2, np.array([True, False, True]), "bool")


def test_equality_with_incompatible_shapes_or_none():
    result = tf.constant([1, 2]) == tf.constant([1, 2, 3])
    assert result.dtype == tf.bool and result.shape == () and not bool(result)
    assert bool(tf.constant([1, 2]) != tf.constant([1, 2, 3]))
    assert (tf.constant([1]) == None) is False  # noqa: E711
    assert (tf.constant([1]) != None) is True  # noqa: E711


def test_logical_and_bitwise_operators():
    t = tf.constant([True, True, False])
    f = tf.constant([True, False, False])
    assert_matches(t & f, np.array([True, False, False]), "bool")
    assert_matches(t | f, np.array([True, True, False]), "bool")
    assert_matches(t ^ f, np.array([False, True, False]), "bool")
    assert_matches(~t, np.array([False, False, True]), "bool")
    assert_matches(True & f, np.array([True, False, False]), "bool")
    i = tf.constant([12, 10], tf.uint8)
    assert_matches(i & 6, np.array([4, 2], np.uint8), "uint8")
    assert_matches(i | 1, np.array([13, 11], np.uint8), "uint8")
    assert_matches(i ^ 15, np.array([3, 5], np.uint8), "uint8")
    assert_matches(~i, np.array([243, 245], np.uint8), "uint8")
    assert_matches(~tf.constant([0, -1]), np.array([-1, 0], np.int32), "int32")


def test_mixed_dtype_operators_raise():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Less\].*same dtype"):
        _ = tf.constant([1.0]) < tf.constant([1])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[BitwiseAnd\].*dtype float32"):
        tf.constant([1.0]) & tf.constant([1.0])
