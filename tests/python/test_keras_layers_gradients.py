"""Gradients through the layers with tf.GradientTape: shapes for every weight, and
values against central finite differences for the recurrent layers (in float64)."""

import numpy as np
import pytest

import loom as tf
from loom import keras


def _op_gradients_registered():
    """False while the build has the tape but not yet the ops' gradient functions."""
    x = tf.constant([1.0, 2.0])
    try:
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(tf.square(x))
        tape.gradient(y, x)
    except (AttributeError, LookupError):
        return False
    return True


pytestmark = pytest.mark.skipif(
    not _op_gradients_registered(), reason="this build has no op gradients yet"
)

RNG = np.random.default_rng(13)
L = keras.layers


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def gradients(layer, x, **call_kwargs):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, **call_kwargs)
        loss = tf.reduce_sum(tf.square(y[0] if isinstance(y, list) else y))
    return tape.gradient(loss, [x] + layer.trainable_weights)


LAYERS = [
    (lambda: L.Conv2D(3, 2, padding="same"), (2, 5, 5, 2), {}),
    (lambda: L.Conv1D(3, 3, padding="causal", dilation_rate=2), (2, 7, 2), {}),
    (lambda: L.MaxPooling2D(), (2, 4, 4, 3), {}),
    (lambda: L.AveragePooling2D(3, strides=1, padding="same"), (2, 4, 4, 3), {}),
    (lambda: L.GlobalAveragePooling2D(), (2, 4, 4, 3), {}),
    (lambda: L.GlobalMaxPooling1D(), (2, 5, 3), {}),
    (lambda: L.BatchNormalization(), (4, 3, 3, 2), {"training": True}),
    (lambda: L.BatchNormalization(), (4, 3), {"training": False}),
    (lambda: L.LayerNormalization(), (2, 3, 4), {}),
    (lambda: L.SimpleRNN(3, return_sequences=True), (2, 4, 3), {}),
    (lambda: L.LSTM(3, return_state=True), (2, 4, 3), {}),
    (lambda: L.GRU(3), (2, 4, 3), {}),
    (lambda: L.GRU(3, reset_after=False, go_backwards=True), (2, 4, 3), {}),
]


@pytest.mark.parametrize("make, shape, kwargs", LAYERS)
def test_gradient_shapes_eager_and_in_function(make, shape, kwargs):
    layer = make()
    x = rand(*shape)
    grads = gradients(layer, x, **kwargs)
    expected = [x.shape] + [tuple(w.shape) for w in layer.trainable_weights]
    assert [tuple(g.shape) for g in grads] == expected
    assert all(np.isfinite(g.numpy()).all() for g in grads)

    @tf.function
    def graph_gradients(x):
        return gradients(layer, x, **kwargs)

    graph = graph_gradients(x)
    for eager, traced in zip(grads, graph):
        np.testing.assert_allclose(traced.numpy(), eager.numpy(), rtol=1e-4, atol=1e-5)


def test_conv2d_kernel_gradient_is_patch_sum():
    # d sum(conv(x, k)) / d k[a, b, c, f] = sum of the input pixels k[a, b, c] touches.
    layer = L.Conv2D(2, 2, use_bias=False)
    x = rand(1, 3, 3, 1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))
    (grad,) = tape.gradient(loss, layer.trainable_weights)
    expected = np.array([[x[0, a : a + 2, b : b + 2, 0].sum() for b in range(2)] for a in range(2)])
    np.testing.assert_allclose(grad.numpy()[:, :, 0, 0], expected, rtol=1e-5)
    np.testing.assert_allclose(grad.numpy()[:, :, 0, 1], expected, rtol=1e-5)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_recurrent_gradients_match_finite_differences(kind):
    layer = getattr(L, kind)(2, dtype="float64", return_sequences=True)
    x = rand(2, 3, 2, dtype=np.float64)
    layer(x)
    for w in layer.weights:
        w.assign(rand(*w.shape, dtype=np.float64) * 0.5)

    def loss_value():
        return float(tf.reduce_sum(tf.square(layer(x))).numpy())

    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(layer(x)))
    grads = tape.gradient(loss, layer.trainable_weights)
    eps = 1e-6
    for w, g in zip(layer.trainable_weights, grads):
        base = w.numpy()
        numeric = np.zeros_like(base)
        for index in np.ndindex(base.shape):
            for sign in (1, -1):
                shifted = base.copy()
                shifted[index] += sign * eps
                w.assign(shifted)
                numeric[index] += sign * loss_value() / (2 * eps)
        w.assign(base)
        np.testing.assert_allclose(g.numpy(), numeric, rtol=1e-5, atol=1e-7)
