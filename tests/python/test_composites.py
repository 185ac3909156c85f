"""Functions TF writes as compositions of ops: l2_normalize, moments, assertions."""

import numpy as np
import pytest

import loom as tf


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("axis", [0, 1, -1, [0, 1]])
def test_l2_normalize_matches_numpy(dtype, axis):
    x = np.random.default_rng(0).normal(size=(3, 4)).astype(dtype)
    ax = tuple(axis) if isinstance(axis, list) else axis
    want = x / np.sqrt(np.maximum(np.sum(x * x, axis=ax, keepdims=True), 1e-12))
    got = tf.nn.l2_normalize(tf.constant(x), axis=axis)
    assert got.dtype == tf.as_dtype(dtype)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-5)


def test_l2_normalize_of_zeros_stays_finite():
    got = tf.nn.l2_normalize(tf.zeros([3]), axis=0)
    np.testing.assert_array_equal(got.numpy(), [0, 0, 0])


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axes", [[0], [1], [0, 2], [-1]])
def test_moments_match_numpy(axes, keepdims):
    x = np.random.default_rng(1).normal(size=(2, 3, 4)).astype("float32")
    mean, var = tf.nn.moments(tf.constant(x), axes=axes, keepdims=keepdims)
    ax = tuple(axes)
    np.testing.assert_allclose(mean.numpy(), x.mean(axis=ax, keepdims=keepdims), rtol=1e-5)
    np.testing.assert_allclose(var.numpy(), x.var(axis=ax, keepdims=keepdims), rtol=1e-4)


def test_moments_bad_axis_names_the_op():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Mean"):
        tf.nn.moments(tf.ones([2, 2]), axes=[5])


def test_assertions_pass_and_fail_with_data():
    x = tf.constant([1, 2, 3])
    tf.debugging.assert_equal(x, [1, 2, 3])
    tf.debugging.assert_less(x, 4)
    tf.debugging.assert_positive(x)
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.debugging.assert_equal(x, [1, 2, 4], message="mismatch:")
    text = str(e.value)
    assert "mismatch:" in text and "Condition x == y did not hold" in text
    assert "[1 2 4]" in text
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"x > 0"):
        tf.debugging.assert_positive(tf.constant([1.0, -1.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes"):
        tf.debugging.assert_equal(x, [1, 2])


def test_static_assertions():
    tf.debugging.assert_rank(tf.ones([2, 3]), 2)
    with pytest.raises(ValueError, match="must have rank 1"):
        tf.debugging.assert_rank(tf.ones([2, 3]), 1)
    tf.debugging.assert_type(tf.ones([1]), tf.float32)
    with pytest.raises(TypeError, match="float64"):
        tf.debugging.assert_type(tf.ones([1]), tf.float64)
