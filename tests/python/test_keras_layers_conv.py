"""Conv2D and Conv1D layers against direct NumPy loops; shapes, config, errors, functions."""

import keras_layers_reference as ref
import numpy as np
import pytest

import loom as tf
from loom import keras

RNG = np.random.default_rng(7)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize(
    "kernel_size, strides, padding, dilation",
    [
        (3, 1, "valid", 1),
        ((3, 2), (2, 1), "same", 1),
        (2, 2, "valid", 1),
        (3, 1, "same", 2),
        ((2, 3), 1, "valid", (2, 1)),
    ],
)
def test_conv2d_matches_numpy(kernel_size, strides, padding, dilation):
    x = rand(2, 7, 6, 3)
    layer = keras.layers.Conv2D(
        4, kernel_size, strides=strides, padding=padding, dilation_rate=dilation
    )
    y = layer(x)
    kernel, bias = layer.kernel.numpy(), layer.bias.numpy()
    assert kernel.shape == layer.kernel_size + (3, 4)
    assert bias.shape == (4,)
    layer.bias.assign(rand(4))
    y = layer(x).numpy()
    expected = (
        ref.conv2d(x, kernel, layer.strides, padding, layer.dilation_rate) + layer.bias.numpy()
    )
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4)
    assert tuple(layer.compute_output_shape((2, 7, 6, 3))) == y.shape


def test_conv2d_activation_no_bias_and_initializers():
    x = rand(1, 5, 5, 2)
    layer = keras.layers.Conv2D(3, 2, activation="relu", use_bias=False, kernel_initializer="ones")
    y = layer(x).numpy()
    assert layer.bias is None
    assert len(layer.trainable_weights) == 1
    expected = np.maximum(ref.conv2d(x, np.ones((2, 2, 2, 3), np.float32)), 0)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    assert y.dtype == np.float32


def test_conv2d_default_kernel_is_glorot_uniform():
    layer = keras.layers.Conv2D(8, 3)
    layer(np.zeros((1, 4, 4, 5), np.float32))
    kernel = layer.kernel.numpy()
    limit = np.sqrt(6.0 / (9 * 5 + 9 * 8))
    assert np.abs(kernel).max() <= limit
    assert np.abs(kernel).max() > limit * 0.5
    np.testing.assert_array_equal(layer.bias.numpy(), np.zeros(8))


def test_conv1d_matches_numpy_including_causal():
    x = rand(2, 9, 3)
    for padding, strides, dilation in [("valid", 2, 1), ("same", 1, 1), ("causal", 1, 2)]:
        layer = keras.layers.Conv1D(5, 3, strides=strides, padding=padding, dilation_rate=dilation)
        y = layer(x).numpy()
        kernel = layer.kernel.numpy()
        assert kernel.shape == (3, 3, 5)
        x2 = x[:, None]
        if padding == "causal":
            x2 = np.pad(x2, [(0, 0), (0, 0), (2 * 2, 0), (0, 0)])
        expected = ref.conv2d(
            x2,
            kernel[None],
            (1, strides),
            "valid" if padding == "causal" else padding,
            (1, dilation),
        )[:, 0]
        np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4)
        assert tuple(layer.compute_output_shape(x.shape)) == y.shape


def test_conv2d_in_function_with_unknown_batch():
    layer = keras.layers.Conv2D(2, 3, padding="same")
    traces = []

    @tf.function(input_signature=[tf.TensorSpec([None, 5, 5, 1], tf.float32)])
    def f(x):
        traces.append(1)
        return layer(x)

    a, b = rand(2, 5, 5, 1), rand(3, 5, 5, 1)
    ya = f(a)
    # The first call traces twice (the second trace may not create variables), as in TF.
    first_traces, weights = len(traces), list(layer.weights)
    yb = f(b)
    assert ya.shape == (2, 5, 5, 2) and yb.shape == (3, 5, 5, 2)
    assert len(traces) == first_traces == 2
    assert len(layer.weights) == 2 and all(a is b for a, b in zip(weights, layer.weights))
    expected = ref.conv2d(b, layer.kernel.numpy(), padding="same") + layer.bias.numpy()
    np.testing.assert_allclose(yb.numpy(), expected, rtol=1e-4, atol=1e-4)


def test_conv2d_config_round_trip():
    layer = keras.layers.Conv2D(4, (3, 2), strides=2, padding="same", activation="relu")
    config = layer.get_config()
    assert config["filters"] == 4
    assert config["kernel_size"] == (3, 2)
    assert config["strides"] == (2, 2)
    assert config["padding"] == "same"
    clone = keras.layers.Conv2D.from_config(config)
    assert clone.kernel_size == (3, 2) and clone.padding == "same"


def test_conv_argument_errors():
    with pytest.raises(ValueError, match="padding"):
        keras.layers.Conv2D(2, 3, padding="full")
    with pytest.raises(ValueError, match="filters"):
        keras.layers.Conv2D(0, 3)
    with pytest.raises(ValueError, match="kernel_size"):
        keras.layers.Conv2D(2, (3, 3, 3))
    with pytest.raises(ValueError, match="dilation_rate > 1"):
        keras.layers.Conv2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(NotImplementedError, match="channels_first"):
        keras.layers.Conv2D(2, 3, data_format="channels_first")
    with pytest.raises(ValueError, match="padding"):
        keras.layers.Conv2D(2, 3, padding="causal")


def test_conv_input_errors():
    layer = keras.layers.Conv2D(2, 3)
    with pytest.raises(ValueError, match="expected (min_)?ndim=4, found ndim=3"):
        layer(rand(5, 5, 1))
    layer(rand(1, 5, 5, 1))
    with pytest.raises(ValueError, match="axis -1"):
        layer(rand(1, 5, 5, 2))
