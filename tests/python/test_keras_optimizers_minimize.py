"""Optimizer.minimize and compute_gradients, which differentiate with tf.GradientTape
(these run once the engine provides it)."""

import numpy as np
import pytest

import loom as tf

pytestmark = pytest.mark.skipif(
    not hasattr(tf, "GradientTape"), reason="tf.GradientTape is not in this engine build yet"
)
optimizers = tf.keras.optimizers


def test_sgd_minimize_converges_on_a_quadratic():
    w = tf.Variable(5.0)
    opt = tf.keras.optimizers.SGD(learning_rate=0.1)
    loss = lambda: (w - 2.0) ** 2  # noqa: E731
    for _ in range(100):
        opt.minimize(loss, var_list=[w])
    assert abs(float(w.numpy()) - 2.0) < 1e-3
    assert int(opt.iterations.numpy()) == 100


def test_minimize_step_matches_the_update_rule():
    w = tf.Variable([1.0, -1.0])
    opt = optimizers.SGD(0.1, momentum=0.9)
    opt.minimize(lambda: tf.reduce_sum(w * w), [w])  # gradient 2w
    np.testing.assert_allclose(w.numpy(), [0.8, -0.8], rtol=1e-6)


def test_minimize_with_a_tensor_loss_and_its_tape():
    w = tf.Variable(3.0)
    opt = optimizers.Adam(0.5)
    with tf.GradientTape() as tape:
        loss = w * w
    opt.minimize(loss, [w], tape=tape)
    np.testing.assert_allclose(w.numpy(), 2.5, rtol=1e-5)


def test_compute_gradients_pairs_and_callable_var_list():
    a, b = tf.Variable(2.0), tf.Variable(3.0)
    pairs = optimizers.SGD().compute_gradients(lambda: a * b, lambda: [a, b])
    assert [v is a or v is b for _, v in pairs] == [True, True]
    np.testing.assert_allclose([g.numpy() for g, _ in pairs], [3.0, 2.0])


def test_minimize_inside_a_function_creates_slots_on_the_first_trace():
    w = tf.Variable([4.0, -4.0])
    opt = optimizers.Adam(0.5)
    traces = []

    @tf.function
    def train_step():
        traces.append(1)
        opt.minimize(lambda: tf.reduce_sum(tf.square(w - 1.0)), [w])

    for _ in range(200):
        train_step()
    np.testing.assert_allclose(w.numpy(), [1.0, 1.0], atol=0.05)
    assert len(traces) <= 2
    assert len(opt.variables) == 3  # iteration, m, v
