"""BatchNormalization and LayerNormalization against NumPy formulas."""

import numpy as np
import pytest

import loom as tf
from loom import keras

RNG = np.random.default_rng(3)


def rand(*shape, scale=1.0, shift=0.0):
    return (RNG.standard_normal(shape) * scale + shift).astype(np.float32)


def set_params(layer, gamma, beta, mean, var):
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    layer.moving_mean.assign(mean)
    layer.moving_variance.assign(var)


def test_batchnorm_weights():
    layer = keras.layers.BatchNormalization()
    layer(rand(4, 3))
    assert [tuple(w.shape) for w in layer.trainable_weights] == [(3,), (3,)]
    assert len(layer.non_trainable_weights) == 2
    assert all(not w.trainable for w in layer.non_trainable_weights)
    np.testing.assert_array_equal(layer.gamma.numpy(), np.ones(3))
    np.testing.assert_array_equal(layer.moving_variance.numpy(), np.ones(3))
    np.testing.assert_array_equal(layer.moving_mean.numpy(), np.zeros(3))


def test_batchnorm_inference_uses_moving_statistics():
    x = rand(5, 3, shift=2.0)
    layer = keras.layers.BatchNormalization(epsilon=1e-3)
    layer(x)
    gamma, beta, mean, var = rand(3), rand(3), rand(3), np.abs(rand(3)) + 0.5
    set_params(layer, gamma, beta, mean, var)
    expected = (x - mean) / np.sqrt(var + 1e-3) * gamma + beta
    for training in (None, False):
        np.testing.assert_allclose(
            layer(x, training=training).numpy(), expected, rtol=1e-5, atol=1e-5
        )
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean)


def test_batchnorm_training_2d_uses_batch_statistics_and_updates_moving_averages():
    x = rand(8, 3, scale=2.0, shift=1.0)
    layer = keras.layers.BatchNormalization(momentum=0.9)
    layer(x)
    gamma, beta = rand(3), rand(3)
    set_params(layer, gamma, beta, np.zeros(3), np.ones(3))
    y = layer(x, training=True).numpy()
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(
        y, (x - mean) / np.sqrt(var + 1e-3) * gamma + beta, rtol=1e-4, atol=1e-4
    )
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 + 0.1 * var, rtol=1e-5)


def test_batchnorm_training_4d_feeds_unbiased_variance_to_moving_average():
    # TF's fused kernel (used for 4-D inputs) applies Bessel's correction n / (n - 1).
    x = rand(2, 3, 2, 4, shift=-1.0)
    layer = keras.layers.BatchNormalization(momentum=0.5, center=False, scale=False)
    y = layer(x, training=True).numpy()
    mean, var = x.mean((0, 1, 2)), x.var((0, 1, 2))
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    n = 2 * 3 * 2
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.5 * mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        layer.moving_variance.numpy(), 0.5 + 0.5 * var * n / (n - 1), rtol=1e-5
    )
    assert layer.gamma is None and layer.beta is None
    assert layer.trainable_weights == []


def test_batchnorm_other_axis():
    x = rand(4, 3, 5)
    layer = keras.layers.BatchNormalization(axis=1, momentum=0.0)
    y = layer(x, training=True).numpy()
    mean, var = x.mean((0, 2), keepdims=True), x.var((0, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean.ravel(), rtol=1e-5, atol=1e-6)
    inference = layer(x, training=False).numpy()
    np.testing.assert_allclose(inference, y, rtol=1e-4, atol=1e-4)


def test_frozen_batchnorm_runs_in_inference_mode():
    x = rand(6, 2, shift=3.0)
    layer = keras.layers.BatchNormalization()
    layer(x)
    layer.trainable = False
    y = layer(x, training=True).numpy()
    np.testing.assert_allclose(y, x / np.sqrt(1 + 1e-3), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), np.zeros(2))


def test_batchnorm_in_function_updates_moving_statistics_every_call():
    layer = keras.layers.BatchNormalization(momentum=0.5)
    traces = []

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def train_step(x):
        traces.append(1)
        return layer(x, training=True)

    x = rand(4, 2, shift=4.0)
    train_step(x)
    train_step(x)
    assert len(traces) == 2  # the variable-creating first trace, then the reusable one
    assert len(layer.weights) == 4
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.75 * x.mean(0), rtol=1e-5)


def test_batchnorm_config_and_errors():
    config = keras.layers.BatchNormalization(axis=1, momentum=0.8, epsilon=1e-5).get_config()
    assert (config["axis"], config["momentum"], config["epsilon"]) == (1, 0.8, 1e-5)
    assert config["center"] is True and config["scale"] is True
    with pytest.raises(ValueError, match="Invalid axis"):
        keras.layers.BatchNormalization(axis=3)(rand(2, 3))
    with pytest.raises(TypeError, match="axis"):
        keras.layers.BatchNormalization(axis="last")


def test_layernorm_matches_numpy():
    x = rand(3, 4, 5, scale=3.0, shift=2.0)
    layer = keras.layers.LayerNormalization()
    layer(x)
    gamma, beta = rand(5), rand(5)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-3) * gamma + beta
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-4, atol=1e-4)
    assert [tuple(w.shape) for w in layer.trainable_weights] == [(5,), (5,)]


def test_layernorm_multiple_axes_and_no_params():
    x = rand(2, 3, 4)
    layer = keras.layers.LayerNormalization(axis=[1, 2], center=False, scale=False, epsilon=1e-5)
    mean, var = x.mean((1, 2), keepdims=True), x.var((1, 2), keepdims=True)
    np.testing.assert_allclose(
        layer(x).numpy(), (x - mean) / np.sqrt(var + 1e-5), rtol=1e-4, atol=1e-4
    )
    assert layer.weights == []
    middle = keras.layers.LayerNormalization(axis=1)
    middle(x)
    assert tuple(middle.gamma.shape) == (3,)
    mean, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
    np.testing.assert_allclose(
        middle(x).numpy(), (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4
    )


def test_layernorm_in_function_and_errors():
    layer = keras.layers.LayerNormalization()

    @tf.function(input_signature=[tf.TensorSpec([None, 6], tf.float32)])
    def f(x):
        return layer(x)

    x = rand(3, 6)
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    np.testing.assert_allclose(f(x).numpy(), (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    assert keras.layers.LayerNormalization(axis=[1, 2]).get_config()["axis"] == [1, 2]
    with pytest.raises(ValueError, match="Invalid axis"):
        keras.layers.LayerNormalization(axis=2)(rand(2, 3))
