"""The executor reuses dead buffers for elementwise results; values the caller can
still see (arguments, captures, constants, outputs) must never be overwritten."""

import numpy as np

import loom as tf


def test_chain_reuses_buffers_without_touching_arguments():
    @tf.function
    def chain(x):
        for _ in range(50):
            x = x * 1.5 + 1.0
        return x

    x = tf.constant([1.0, 2.0])
    ref = np.array([1.0, 2.0], np.float32)
    for _ in range(50):
        ref = ref * np.float32(1.5) + np.float32(1.0)
    np.testing.assert_allclose(chain(x).numpy(), ref, rtol=1e-5)
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])


def test_outputs_and_captures_are_not_overwritten():
    captured = tf.constant([10.0, 20.0])

    @tf.function
    def f(x):
        y = x + captured
        z = y * 2.0  # y is returned too, so z must not reuse its buffer
        w = z - 1.0
        return y, w

    y, w = f(tf.constant([1.0, 2.0]))
    np.testing.assert_array_equal(y.numpy(), [11.0, 22.0])
    np.testing.assert_array_equal(w.numpy(), [21.0, 43.0])
    np.testing.assert_array_equal(captured.numpy(), [10.0, 20.0])
    y2, _ = f(tf.constant([0.0, 0.0]))
    np.testing.assert_array_equal(y.numpy(), [11.0, 22.0])  # earlier results unchanged
    np.testing.assert_array_equal(y2.numpy(), [10.0, 20.0])


def test_same_value_used_twice():
    @tf.function
    def f(x):
        a = x + 1.0
        return a * a + a

    np.testing.assert_array_equal(f(tf.constant([1.0, 2.0])).numpy(), [6.0, 12.0])


def test_independent_heavy_branches_run_in_parallel_and_agree():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(256, 256)).astype(np.float32)
    b = rng.normal(size=(256, 256)).astype(np.float32)

    @tf.function
    def two_branches(x, y):
        left = tf.tanh(tf.matmul(x, y))
        right = tf.sigmoid(tf.matmul(y, x))
        return left + right, left * 2.0

    total, doubled = two_branches(tf.constant(a), tf.constant(b))
    want_left = np.tanh(a @ b)
    want_right = 1 / (1 + np.exp(-(b @ a)))
    np.testing.assert_allclose(total.numpy(), want_left + want_right, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(doubled.numpy(), 2 * want_left, rtol=1e-4, atol=1e-4)
    assert two_branches.get_concrete_function(tf.constant(a), tf.constant(b))._plan.parallel


def test_errors_in_a_parallel_run_propagate():
    @tf.function
    def f(x, idx):
        big = tf.matmul(x, x)
        other = tf.exp(tf.matmul(x, x, transpose_b=True) * 0.0)
        return tf.gather(big, idx) + tf.gather(other, idx)

    x = tf.ones([256, 256])
    assert f.get_concrete_function(x, tf.constant([0]))._plan.parallel
    np.testing.assert_allclose(f(x, tf.constant([1])).numpy(), np.full((1, 256), 257.0))
    import pytest

    with pytest.raises(tf.errors.InvalidArgumentError, match="GatherV2"):
        f(x, tf.constant([999]))
    np.testing.assert_allclose(f(x, tf.constant([0])).numpy(), np.full((1, 256), 257.0))


def test_small_graphs_stay_sequential():
    @tf.function
    def small(x):
        return x * 2.0 + tf.exp(x)

    assert not small.get_concrete_function(tf.constant([1.0]))._plan.parallel
