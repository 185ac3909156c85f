"""Scatter updates write into a dead input's buffer inside graphs (a loop filling a
buffer one slice per iteration is then linear, not quadratic); values anyone else can
still see are never modified."""

import numpy as np

import loom as tf


def test_loop_filling_a_buffer_leaves_the_initial_buffer_intact():
    @tf.function
    def fill(n):
        start = tf.zeros([6])
        buf = start
        for i in tf.range(n):
            buf = tf.tensor_scatter_nd_update(
                buf, tf.reshape(i, [1, 1]), tf.reshape(tf.cast(i, tf.float32) + 1.0, [1])
            )
        return start, buf

    start, buf = fill(tf.constant(6))
    np.testing.assert_array_equal(start.numpy(), np.zeros(6))
    np.testing.assert_array_equal(buf.numpy(), np.arange(1, 7))


def test_a_buffer_read_after_the_update_keeps_its_old_value():
    @tf.function
    def f(x):
        base = x * 1.0
        updated = tf.tensor_scatter_nd_add(base, [[0]], [10.0])
        return base + 0.0, updated  # base is read after the scatter: it must be copied

    base, updated = f(tf.constant([1.0, 2.0]))
    np.testing.assert_array_equal(base.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(updated.numpy(), [11.0, 2.0])


def test_eager_scatter_never_modifies_its_input():
    x = tf.constant([1.0, 2.0, 3.0])
    y = tf.tensor_scatter_nd_update(x, [[1]], [9.0])
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(y.numpy(), [1.0, 9.0, 3.0])


def test_function_arguments_are_never_updated_in_place():
    f = tf.function(lambda x: tf.tensor_scatter_nd_update(x, [[0]], [5.0]))
    x = tf.constant([1.0, 2.0])
    np.testing.assert_array_equal(f(x).numpy(), [5.0, 2.0])
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])


def test_tensor_array_loop_values_and_gradients_with_in_place_writes():
    @tf.function
    def run(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            ta = tf.TensorArray(tf.float32, size=4)
            h = tf.constant(1.0)
            for t in tf.range(4):
                h = h * x
                ta = ta.write(t, h)
            total = tf.reduce_sum(ta.stack())
        return ta.stack(), tape.gradient(total, x)

    stacked, grad = run(tf.constant(2.0))
    np.testing.assert_array_equal(stacked.numpy(), [2.0, 4.0, 8.0, 16.0])
    assert grad.numpy() == 1 + 2 * 2 + 3 * 4 + 4 * 8  # d/dx (x + x^2 + x^3 + x^4)
