"""Pooling layers against direct NumPy loops; shapes, config and errors."""

import keras_layers_reference as ref
import numpy as np
import pytest

import loom as tf
from loom import keras

RNG = np.random.default_rng(11)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize(
    "pool_size, strides, padding",
    [((2, 2), None, "valid"), (3, 2, "same"), ((2, 3), (1, 2), "valid"), (2, 1, "same")],
)
def test_pool2d_matches_numpy(kind, pool_size, strides, padding):
    x = rand(2, 7, 6, 3)
    cls = keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
    layer = cls(pool_size=pool_size, strides=strides, padding=padding)
    y = layer(x).numpy()
    expected = ref.pool2d(x, layer.pool_size, layer.strides, padding, kind)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)
    assert tuple(layer.compute_output_shape(x.shape)) == y.shape
    assert layer.weights == []


def test_strides_default_to_pool_size_and_aliases():
    layer = keras.layers.MaxPooling2D(pool_size=3)
    assert layer.strides == (3, 3)
    assert keras.layers.MaxPool2D is keras.layers.MaxPooling2D
    assert keras.layers.AvgPool2D is keras.layers.AveragePooling2D
    assert keras.layers.GlobalAvgPool2D is keras.layers.GlobalAveragePooling2D


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool1d_matches_numpy(kind):
    x = rand(2, 9, 4)
    cls = keras.layers.MaxPooling1D if kind == "max" else keras.layers.AveragePooling1D
    for padding in ("valid", "same"):
        layer = cls(pool_size=3, strides=2, padding=padding)
        y = layer(x).numpy()
        expected = ref.pool2d(x[:, None], (1, 3), (1, 2), padding, kind)[:, 0]
        np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)
        assert tuple(layer.compute_output_shape(x.shape)) == y.shape


def test_global_pooling():
    x = rand(2, 4, 5, 3)
    avg = keras.layers.GlobalAveragePooling2D()(x).numpy()
    mx = keras.layers.GlobalMaxPooling2D()(x).numpy()
    np.testing.assert_allclose(avg, x.mean(axis=(1, 2)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mx, x.max(axis=(1, 2)))
    kept = keras.layers.GlobalAveragePooling2D(keepdims=True)
    assert kept(x).shape == (2, 1, 1, 3)
    assert tuple(kept.compute_output_shape((2, 4, 5, 3))) == (2, 1, 1, 3)
    seq = rand(3, 6, 2)
    np.testing.assert_allclose(
        keras.layers.GlobalAveragePooling1D()(seq).numpy(), seq.mean(1), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(keras.layers.GlobalMaxPooling1D()(seq).numpy(), seq.max(1))
    assert keras.layers.GlobalMaxPooling1D(keepdims=True)(seq).shape == (3, 1, 2)


def test_pooling_in_function_with_unknown_batch():
    pool = keras.layers.MaxPooling2D()
    glob = keras.layers.GlobalAveragePooling2D()

    @tf.function(input_signature=[tf.TensorSpec([None, 4, 4, 2], tf.float32)])
    def f(x):
        return glob(pool(x))

    x = rand(3, 4, 4, 2)
    expected = ref.pool2d(x, (2, 2), (2, 2), "valid", "max").mean(axis=(1, 2))
    np.testing.assert_allclose(f(x).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_pooling_config_and_errors():
    config = keras.layers.AveragePooling2D(pool_size=(2, 3), padding="same").get_config()
    assert config["pool_size"] == (2, 3) and config["strides"] == (2, 3)
    assert config["padding"] == "same"
    assert keras.layers.GlobalMaxPooling2D(keepdims=True).get_config()["keepdims"] is True
    with pytest.raises(ValueError, match="padding"):
        keras.layers.MaxPooling2D(padding="causal")
    with pytest.raises(ValueError, match="pool_size"):
        keras.layers.MaxPooling2D(pool_size=(0, 2))
    with pytest.raises(NotImplementedError, match="channels_first"):
        keras.layers.MaxPooling2D(data_format="channels_first")
    with pytest.raises(ValueError, match="ndim=4"):
        keras.layers.MaxPooling2D()(rand(2, 4, 4))
    with pytest.raises(ValueError, match="ndim=3"):
        keras.layers.GlobalMaxPooling1D()(rand(2, 4, 4, 1))
