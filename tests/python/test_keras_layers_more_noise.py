"""Regularization layers (SpatialDropout1D/2D, GaussianNoise, GaussianDropout,
AlphaDropout, ActivityRegularization) and Lambda / Rescaling: training-only behaviour,
statistics, config, gradients, loom.function and a functional model."""

import math

import numpy as np
import pytest

import loom as tf
from loom import keras

L = keras.layers
RNG = np.random.default_rng(3)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


NOISE_LAYERS = [
    L.SpatialDropout1D(0.5),
    L.GaussianNoise(0.5),
    L.GaussianDropout(0.4),
    L.AlphaDropout(0.3),
]


@pytest.mark.parametrize("layer", NOISE_LAYERS, ids=lambda layer: type(layer).__name__)
def test_noise_layers_are_identity_outside_training(layer):
    x = rand(4, 5, 6)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    assert not np.array_equal(layer(x, training=True).numpy(), x)
    assert tuple(layer.compute_output_shape((None, 5, 6))) == (None, 5, 6)
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == {**layer.get_config(), "name": clone.name}


def test_spatial_dropout_drops_whole_channels():
    x = np.ones((8, 10, 16), np.float32)
    y = L.SpatialDropout1D(0.5)(x, training=True).numpy()
    # Per (example, channel) one draw: every step agrees, values are 0 or 1 / (1 - rate).
    assert np.all(y == y[:, :1, :])
    assert set(np.unique(y)) <= {0.0, 2.0}
    img = np.ones((4, 3, 5, 8), np.float32)
    y2 = L.SpatialDropout2D(0.5)(img, training=True).numpy()
    assert np.all(y2 == y2[:, :1, :1, :])
    first = L.SpatialDropout2D(0.5, data_format="channels_first")(img, training=True).numpy()
    assert np.all(first == first[:, :, :1, :1])
    with pytest.raises(ValueError, match="expected ndim=3"):
        L.SpatialDropout1D(0.5)(img, training=True)
    with pytest.raises(ValueError, match="between 0 and 1"):
        L.SpatialDropout1D(1.5)


def test_gaussian_statistics():
    x = np.full((200, 100), 2.0, np.float32)
    noisy = L.GaussianNoise(0.5, seed=1)(x, training=True).numpy()
    assert abs(noisy.mean() - 2.0) < 0.02 and abs(noisy.std() - 0.5) < 0.02
    rate = 0.2
    dropped = L.GaussianDropout(rate, seed=2)(x, training=True).numpy()
    assert abs(dropped.mean() - 2.0) < 0.03
    assert abs(dropped.std() - 2.0 * math.sqrt(rate / (1 - rate))) < 0.03
    with pytest.raises(ValueError, match="between 0 and 1"):
        L.GaussianDropout(2.0)


def test_alpha_dropout_keeps_selu_statistics():
    x = rand(400, 250)
    y = L.AlphaDropout(0.2, seed=4)(x, training=True).numpy()
    # Standard-normal inputs keep mean ~0 and variance ~1 (the point of AlphaDropout).
    assert abs(y.mean()) < 0.03 and abs(y.std() - 1.0) < 0.05
    # Dropped units are all set to one value: a * saturation + b.
    saturated = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * saturated**2)) ** -0.5
    dropped_value = a * saturated + (-a * saturated * 0.2)
    fraction = np.isclose(y, dropped_value, atol=1e-5).mean()
    assert abs(fraction - 0.2) < 0.01


def test_training_flag_as_tensor_in_function():
    layer = L.GaussianNoise(1.0)

    @tf.function
    def f(x, training):
        return layer(x, training=training)

    x = rand(3, 4)
    np.testing.assert_array_equal(f(x, tf.constant(False)).numpy(), x)
    assert not np.array_equal(f(x, tf.constant(True)).numpy(), x)


def test_activity_regularization_adds_losses():
    x = rand(4, 3)
    layer = L.ActivityRegularization(l1=0.1, l2=0.01)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    (penalty,) = layer.losses
    expected = (0.1 * np.abs(x).sum() + 0.01 * np.square(x).sum()) / 4
    np.testing.assert_allclose(penalty.numpy(), expected, rtol=1e-5)
    config = layer.get_config()
    assert (config["l1"], config["l2"]) == (0.1, 0.01)
    assert L.ActivityRegularization.from_config(config).l2 == 0.01


def test_gradients_through_noise_layers():
    v = tf.Variable(np.ones((2, 3, 4), np.float32))
    with tf.GradientTape() as tape:
        y = L.GaussianDropout(0.3)(L.SpatialDropout1D(0.5)(v, training=True), training=True)
        y = L.AlphaDropout(0.2)(L.GaussianNoise(0.1)(y, training=True), training=True)
        loss = tf.reduce_sum(L.ActivityRegularization(l1=0.5)(y))
    grad = tape.gradient(loss, v)
    assert grad.shape == (2, 3, 4) and np.isfinite(grad.numpy()).all()


def scale_by(x, factor=2.0):
    return x * factor


def test_lambda_values_arguments_and_shapes():
    x = rand(3, 4)
    layer = L.Lambda(lambda t, power: t**power, arguments={"power": 2})
    np.testing.assert_allclose(layer(x).numpy(), x**2, rtol=1e-6)
    assert tuple(layer.compute_output_shape((None, 4))) == (None, 4)
    summed = L.Lambda(lambda t: tf.reduce_sum(t, axis=1, keepdims=True), output_shape=(1,))
    assert tuple(summed.compute_output_shape((7, 4))) == (7, 1)
    by_fn = L.Lambda(lambda t: t[:, :2], output_shape=lambda s: (s[0], 2))
    assert tuple(by_fn.compute_output_shape((None, 4))) == (None, 2)
    stacked = L.Lambda(lambda ts: tf.concat(ts, axis=1))([x, x])
    assert stacked.shape == (3, 8)
    trains = L.Lambda(lambda t, training=None: t * (2.0 if training else 1.0))
    np.testing.assert_allclose(trains(x, training=True).numpy(), 2 * x)
    np.testing.assert_allclose(trains(x).numpy(), x)


def test_lambda_config_round_trips_named_and_anonymous_functions():
    x = rand(2, 3)
    named = L.Lambda(scale_by, arguments={"factor": 3.0})
    config = named.get_config()
    assert config["function"] == "scale_by" and config["function_type"] == "function"
    np.testing.assert_allclose(L.Lambda.from_config(config)(x).numpy(), 3 * x, rtol=1e-6)
    offset = 1.5
    anonymous = L.Lambda(lambda t: t + offset, output_shape=(3,))
    config = anonymous.get_config()
    assert config["function_type"] == "lambda" and config["output_shape"] == (3,)
    restored = L.deserialize({"class_name": "Lambda", "config": config})
    np.testing.assert_allclose(restored(x).numpy(), x + 1.5, rtol=1e-6)
    with pytest.raises(TypeError, match="callable"):
        L.Lambda(3)


def test_rescaling():
    pixels = np.arange(12, dtype=np.uint8).reshape(3, 4)
    layer = L.Rescaling(1.0 / 255, offset=-0.5)
    y = layer(pixels)
    assert y.dtype == tf.float32
    np.testing.assert_allclose(y.numpy(), pixels / 255 - 0.5, rtol=1e-6)
    config = layer.get_config()
    assert (config["scale"], config["offset"]) == (1.0 / 255, -0.5)
    assert L.Rescaling.from_config(config).offset == -0.5
    assert tuple(layer.compute_output_shape((None, 4))) == (None, 4)


def test_functional_model_with_lambda_noise_and_rescaling_trains():
    inputs = keras.Input((6,))
    h = L.Rescaling(0.5)(inputs)
    h = L.GaussianNoise(0.01)(L.Dense(8)(h))
    h = L.LeakyReLU(0.1)(h)
    h = L.Lambda(lambda t: t * 2.0)(h)
    h = L.ActivityRegularization(l2=1e-4)(h)
    outputs = L.Dense(1)(L.Dropout(0.1)(h))
    model = keras.Model(inputs, outputs)
    x = rand(64, 6)
    y = x[:, :1] * 0.5 - x[:, 1:2]
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=6, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    # Inference skips the noise: two predictions agree.
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))
