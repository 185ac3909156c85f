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
