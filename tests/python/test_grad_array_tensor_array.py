"""Gradients through tf.TensorArray: its flat buffer is grown with Pad, written with
TensorScatterUpdate and read with Reshape/GatherV2, so every access is differentiable,
eagerly and inside a loom.function."""

import numpy as np
import pytest

import loom as tf

MODES = [False, True]


def _run(fn, traced, *args):
    return (tf.function(fn) if traced else fn)(*args)


@pytest.mark.parametrize("traced", MODES)
def test_write_read(traced):
    def fn(a, b):
        with tf.GradientTape() as tape:
            tape.watch([a, b])
            ta = tf.TensorArray(tf.float64, size=3)
            ta = ta.write(0, a).write(2, b)
            ta = ta.write(0, b)  # overwrites a: a gets no gradient from slot 0
            y = ta.read(2)
            z = ta.read(0)
        weights = [tf.constant([1.0, 2.0], tf.float64), tf.constant([10.0, 20.0], tf.float64)]
        return tape.gradient([y, z], [a, b], output_gradients=weights)

    a = tf.constant([1.0, 2.0], tf.float64)
    b = tf.constant([3.0, 4.0], tf.float64)
    ga, gb = _run(fn, traced, a, b)
    np.testing.assert_array_equal(ga.numpy(), [0, 0])
    np.testing.assert_array_equal(gb.numpy(), [11, 22])


@pytest.mark.parametrize("traced", MODES)
def test_stack_dynamic_size(traced):
    def fn(a, b):
        with tf.GradientTape() as tape:
            tape.watch([a, b])
            ta = tf.TensorArray(tf.float64, size=0, dynamic_size=True)
            ta = ta.write(0, a).write(1, b).write(2, a)
            s = ta.stack()
        w = tf.constant(np.arange(6.0).reshape(3, 2))
        return tape.gradient(s, [a, b], output_gradients=w)

    a = tf.constant([1.0, 2.0], tf.float64)
    b = tf.constant([3.0, 4.0], tf.float64)
    ga, gb = _run(fn, traced, a, b)
    np.testing.assert_array_equal(ga.numpy(), [0 + 4, 1 + 5])
    np.testing.assert_array_equal(gb.numpy(), [2, 3])


@pytest.mark.parametrize("traced", MODES)
def test_fixed_size_stack_pads_unwritten(traced):
    def fn(a):
        with tf.GradientTape() as tape:
            tape.watch(a)
            ta = tf.TensorArray(tf.float64, size=3).write(1, a)
            s = ta.stack()
        w = tf.constant(np.arange(6.0).reshape(3, 2))
        return tape.gradient(s, a, output_gradients=w)

    g = _run(fn, traced, tf.constant([1.0, 2.0], tf.float64))
    np.testing.assert_array_equal(g.numpy(), [2, 3])


@pytest.mark.parametrize("traced", MODES)
def test_unstack_gather_read(traced):
    def fn(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            ta = tf.TensorArray(tf.float64, size=3).unstack(x)
            y = ta.gather([2, 0, 2])
            z = ta.read(1)
        return tape.gradient(
            [y, z],
            x,
            output_gradients=[tf.ones([3, 2], tf.float64), tf.constant([5.0, 7.0], tf.float64)],
        )

    x = tf.constant(np.arange(6.0).reshape(3, 2))
    g = _run(fn, traced, x)
    np.testing.assert_array_equal(g.numpy(), [[1, 1], [5, 7], [2, 2]])


@pytest.mark.parametrize("traced", MODES)
def test_unrolled_accumulation(traced):
    # Each step writes a function of the previous element: the chain reaches x.
    def fn(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            ta = tf.TensorArray(tf.float64, size=0, dynamic_size=True).write(0, x)
            for i in range(1, 4):
                ta = ta.write(i, tf.reverse(ta.read(i - 1), [0]))
            total = ta.stack()
        w = tf.constant(np.arange(8.0).reshape(4, 2))
        return tape.gradient(total, x, output_gradients=w)

    g = _run(fn, traced, tf.constant([1.0, 2.0], tf.float64))
    # Rows 0 and 2 are x, rows 1 and 3 are x reversed.
    np.testing.assert_array_equal(g.numpy(), [0 + 3 + 4 + 7, 1 + 2 + 5 + 6])
