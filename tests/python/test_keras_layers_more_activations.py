"""Activation layers (ReLU, LeakyReLU, PReLU, ELU, Softmax, ThresholdedReLU) against
NumPy; config, errors, gradients and loom.function."""

import numpy as np
import pytest

import loom as tf
from loom import keras

L = keras.layers
RNG = np.random.default_rng(8)


def rand(*shape):
    return (RNG.standard_normal(shape) * 2).astype(np.float32)


def np_relu(x, max_value=None, negative_slope=0.0, threshold=0.0):
    out = np.where(x > threshold, x, negative_slope * (x - threshold))
    return out if max_value is None else np.minimum(out, max_value)


def np_elu(x, alpha):
    return np.where(x > 0, x, alpha * (np.exp(x) - 1))


def np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


CASES = [
    (L.ReLU(), lambda x: np_relu(x)),
    (L.ReLU(max_value=1.5), lambda x: np_relu(x, 1.5)),
    (L.ReLU(max_value=2.0, negative_slope=0.1, threshold=0.5), lambda x: np_relu(x, 2, 0.1, 0.5)),
    (L.ReLU(negative_slope=0.2), lambda x: np_relu(x, None, 0.2)),
    (L.LeakyReLU(), lambda x: np.where(x >= 0, x, 0.3 * x)),
    (L.LeakyReLU(alpha=0.05), lambda x: np.where(x >= 0, x, 0.05 * x)),
    (L.ELU(), lambda x: np_elu(x, 1.0)),
    (L.ELU(alpha=0.4), lambda x: np_elu(x, 0.4)),
    (L.Softmax(), lambda x: np_softmax(x, -1)),
    (L.Softmax(axis=1), lambda x: np_softmax(x, 1)),
    (L.Softmax(axis=[1, 2]), lambda x: np_softmax(x, (1, 2))),
    (L.ThresholdedReLU(), lambda x: np.where(x > 1.0, x, 0)),
    (L.ThresholdedReLU(theta=0.5), lambda x: np.where(x > 0.5, x, 0)),
]


@pytest.mark.parametrize("layer, reference", CASES, ids=lambda c: getattr(c, "name", ""))
def test_activation_layers_match_numpy_and_round_trip(layer, reference):
    x = rand(3, 4, 5)
    np.testing.assert_allclose(layer(x).numpy(), reference(x), rtol=1e-5, atol=1e-6)
    assert tuple(layer.compute_output_shape((None, 4, 5))) == (None, 4, 5)
    clone = type(layer).from_config(layer.get_config())
    np.testing.assert_allclose(clone(x).numpy(), reference(x), rtol=1e-5, atol=1e-6)


def test_relu_config_keys():
    config = L.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.2).get_config()
    assert (config["max_value"], config["negative_slope"], config["threshold"]) == (6, 0.1, 0.2)


def test_prelu_weights_values_and_shared_axes():
    x = rand(2, 3, 4)
    layer = L.PReLU(alpha_initializer=keras.initializers.Constant(0.25))
    np.testing.assert_allclose(layer(x).numpy(), np.where(x > 0, x, 0.25 * x), rtol=1e-6)
    assert layer.alpha.shape == (3, 4) and len(layer.trainable_weights) == 1
    shared = L.PReLU(shared_axes=[1])
    shared(x)
    assert shared.alpha.shape == (1, 4)
    shared.alpha.assign(np.arange(4, dtype=np.float32).reshape(1, 4))
    np.testing.assert_allclose(
        shared(x).numpy(), np.where(x > 0, x, np.arange(4) * x), rtol=1e-6, atol=1e-6
    )
    config = shared.get_config()
    assert config["shared_axes"] == [1]
    assert L.PReLU.from_config(config).shared_axes == [1]
    with pytest.raises(ValueError, match="incompatible|expected axis"):
        shared(rand(2, 3, 5))


def test_argument_errors():
    with pytest.raises(ValueError, match="max_value of a ReLU layer cannot be a negative"):
        L.ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope of a ReLU layer"):
        L.ReLU(negative_slope=-0.1)
    with pytest.raises(ValueError, match="threshold of a ReLU layer"):
        L.ReLU(threshold=-1)
    with pytest.raises(ValueError, match="alpha value of a Leaky ReLU layer cannot be None"):
        L.LeakyReLU(alpha=None)
    with pytest.raises(ValueError, match="Alpha of an ELU layer cannot be None"):
        L.ELU(alpha=None)
    with pytest.raises(ValueError, match="should be >=0"):
        L.ThresholdedReLU(theta=-1)


def test_gradients_and_function():
    x = tf.constant(rand(2, 6))
    prelu = L.PReLU(alpha_initializer=keras.initializers.Constant(0.1))
    layers = [L.ReLU(max_value=3.0), L.LeakyReLU(0.1), L.ELU(0.5), L.Softmax(), L.ThresholdedReLU()]
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        outputs = [layer(x) for layer in layers + [prelu]]
        total = tf.add_n([tf.reduce_sum(y * y) for y in outputs])
        leaky_sum = tf.reduce_sum(outputs[1])
    grad_x = tape.gradient(total, x)
    grad_alpha = tape.gradient(total, prelu.alpha)
    assert grad_x.shape == (2, 6) and np.isfinite(grad_x.numpy()).all()
    assert grad_alpha.shape == (6,)
    xv = x.numpy()
    # d/dalpha sum((alpha * x)^2 over x < 0) = sum over the batch of 2 * alpha * x^2.
    expected = (2 * 0.1 * np.where(xv < 0, xv, 0) ** 2).sum(0)
    np.testing.assert_allclose(grad_alpha.numpy(), expected, rtol=1e-5, atol=1e-6)
    leaky = tape.gradient(leaky_sum, x).numpy()
    np.testing.assert_allclose(leaky, np.where(xv >= 0, 1.0, 0.1), rtol=1e-6)

    @tf.function(input_signature=[tf.TensorSpec([None, 6], tf.float32)])
    def f(t):
        return L.Softmax()(prelu(t))

    np.testing.assert_allclose(
        f(xv).numpy(), np_softmax(np.where(xv > 0, xv, 0.1 * xv), -1), rtol=1e-5
    )
