"""tf.gradients: symbolic gradients read off the graph being traced, without a tape."""

import numpy as np
import pytest

import loom as tf


def test_gradients_inside_a_function_match_the_tape():
    v = tf.Variable([1.0, -2.0])

    @tf.function
    def f(x):
        y = tf.reduce_sum(tf.tanh(x * v) * x)
        return tf.gradients(y, [x, v])

    x = tf.constant([0.5, 0.25])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.tanh(x * v) * x)
    expected = tape.gradient(y, [x, v])
    for got, want in zip(f(x), expected):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_gradients_weights_stop_gradients_and_unconnected():
    @tf.function
    def f(x, z):
        a = x * x
        y = a * 3.0
        g_weighted = tf.gradients(y, x, grad_ys=tf.constant([1.0, 0.0]))[0]
        g_stopped = tf.gradients(y, x, stop_gradients=[a])[0]
        (none,) = tf.gradients(y, z)
        (zero,) = tf.gradients(y, z, unconnected_gradients="zero")
        return g_weighted, g_stopped, none is None, zero

    weighted, stopped, was_none, zero = f(tf.constant([2.0, 3.0]), tf.constant(1.0))
    np.testing.assert_allclose(weighted.numpy(), [12.0, 0.0])
    assert stopped is None  # the only path runs through the stopped value
    assert bool(was_none) and zero.numpy() == 0.0


def test_gradients_through_cond_and_while():
    @tf.function
    def f(x):
        y = tf.cond(x > 0, lambda: x * x, lambda: -x)
        i = tf.constant(0)
        z = y
        while i < 3:
            z = z * x
            i += 1
        return tf.gradients(z, x)[0]

    np.testing.assert_allclose(f(tf.constant(1.5)).numpy(), 5 * 1.5**4, rtol=1e-6)


def test_gradients_eagerly_is_an_error():
    with pytest.raises(RuntimeError, match="Use tf.GradientTape instead"):
        tf.gradients(tf.constant(1.0), tf.constant(1.0))
