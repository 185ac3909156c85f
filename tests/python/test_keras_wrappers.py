"""Bidirectional, TimeDistributed and Conv2DTranspose against NumPy references."""

import keras_layers_reference as ref
import numpy as np
import pytest

import loom as tf
from loom import keras

RNG = np.random.default_rng(23)


def rand(*shape, scale=0.5):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def randomize(layer):
    for w in layer.weights:
        w.assign(rand(*w.shape))


def lstm_numpy(x, layer):
    kernel, recurrent, bias = (w.numpy() for w in layer.weights)
    zeros = np.zeros((x.shape[0], recurrent.shape[0]), np.float32)
    return ref.lstm(x, kernel, recurrent, bias, zeros, zeros)


def bidirectional(merge_mode="concat", **lstm_kwargs):
    layer = keras.layers.Bidirectional(keras.layers.LSTM(3, **lstm_kwargs), merge_mode=merge_mode)
    x = rand(2, 5, 4)
    layer(x)
    randomize(layer)
    return layer, x


def test_bidirectional_concat_is_forward_and_reversed_backward():
    layer, x = bidirectional(return_sequences=True)
    forward, _, _ = lstm_numpy(x, layer.forward_layer)
    backward, _, _ = lstm_numpy(x[:, ::-1], layer.backward_layer)
    expected = np.concatenate([forward, backward[:, ::-1]], -1)
    np.testing.assert_allclose(layer(x).numpy(), expected, atol=1e-5)
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    names = [layer.forward_layer.name, layer.backward_layer.name]
    assert names[0].startswith("forward_lstm") and names[1].startswith("backward_lstm")
    assert len(layer.trainable_weights) == 6


@pytest.mark.parametrize(
    "mode, merge",
    [("sum", np.add), ("mul", np.multiply), ("ave", lambda a, b: (a + b) / 2)],
)
def test_bidirectional_merge_modes_on_last_outputs(mode, merge):
    layer, x = bidirectional(mode)
    _, forward, _ = lstm_numpy(x, layer.forward_layer)
    _, backward, _ = lstm_numpy(x[:, ::-1], layer.backward_layer)
    np.testing.assert_allclose(layer(x).numpy(), merge(forward, backward), atol=1e-5)


def test_bidirectional_return_state_and_no_merge():
    layer, x = bidirectional(None, return_sequences=True, return_state=True)
    outputs = layer(x)
    assert len(outputs) == 6
    forward, h_f, c_f = lstm_numpy(x, layer.forward_layer)
    backward, h_b, c_b = lstm_numpy(x[:, ::-1], layer.backward_layer)
    expected = [forward, backward[:, ::-1], h_f, c_f, h_b, c_b]
    for got, want in zip(outputs, expected):
        np.testing.assert_allclose(got.numpy(), want, atol=1e-5)


def test_bidirectional_with_mask_equals_unpadded_runs():
    tokens = np.array([[4, 2, 7, 0], [3, 0, 0, 0]], np.int32)
    embed = keras.layers.Embedding(8, 4, mask_zero=True)
    layer = keras.layers.Bidirectional(keras.layers.GRU(3))
    layer(embed(tokens))
    randomize(embed)
    randomize(layer)
    masked = layer(embed(tokens)).numpy()
    for i, length in enumerate([3, 1]):
        alone = layer(tf.gather(embed.embeddings, tokens[i : i + 1, :length])).numpy()
        np.testing.assert_allclose(masked[i : i + 1], alone, atol=1e-5)


def test_bidirectional_sequence_output_keeps_the_mask():
    tokens = np.array([[4, 2, 0]], np.int32)
    embed = keras.layers.Embedding(8, 4, mask_zero=True)
    y = keras.layers.Bidirectional(keras.layers.SimpleRNN(2, return_sequences=True))(embed(tokens))
    np.testing.assert_array_equal(y._keras_mask.numpy(), tokens != 0)


def test_bidirectional_errors_and_config():
    with pytest.raises(ValueError, match="Invalid merge mode"):
        keras.layers.Bidirectional(keras.layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="tf.keras.layers.Layer"):
        keras.layers.Bidirectional("lstm")
    with pytest.raises(ValueError, match="go_backwards"):
        keras.layers.Bidirectional(keras.layers.LSTM(2), backward_layer=keras.layers.LSTM(2))
    layer = keras.layers.Bidirectional(keras.layers.LSTM(2), merge_mode="sum")
    clone = keras.layers.Bidirectional.from_config(layer.get_config())
    assert clone.merge_mode == "sum" and clone.forward_layer.units == 2


def test_bidirectional_functional_shapes_gradients_and_function():
    inputs = keras.Input((None, 4))
    outputs = keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=True))(inputs)
    assert outputs.shape.as_list() == [None, None, 6]
    model = keras.Model(inputs, keras.layers.Dense(1)(outputs))
    x = rand(2, 5, 4)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(x) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    assert [tuple(g.shape) for g in grads] == [tuple(v.shape) for v in model.trainable_variables]
    assert all(np.abs(tf.convert_to_tensor(g).numpy()).sum() > 0 for g in grads)
    run = tf.function(lambda t: model(t))
    np.testing.assert_allclose(run(tf.constant(x)).numpy(), model(x).numpy(), atol=1e-6)


def test_time_distributed_dense_is_dense_per_step():
    dense = keras.layers.Dense(3)
    layer = keras.layers.TimeDistributed(dense)
    x = rand(2, 4, 5)
    y = layer(x)
    kernel, bias = dense.kernel.numpy(), dense.bias.numpy()
    np.testing.assert_allclose(y.numpy(), x @ kernel + bias, atol=1e-5)
    assert layer.trainable_weights == dense.trainable_weights
    inputs = keras.Input((None, 5))
    assert keras.layers.TimeDistributed(keras.layers.Dense(3))(inputs).shape.as_list() == [
        None,
        None,
        3,
    ]
    with pytest.raises(ValueError, match="at least 3"):
        keras.layers.TimeDistributed(keras.layers.Dense(3))(rand(2, 5))


def test_time_distributed_gradients_and_function():
    layer = keras.layers.TimeDistributed(keras.layers.Dense(2, activation="tanh"))
    x = tf.constant(rand(3, 4, 5))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))
    grads = tape.gradient(loss, layer.trainable_variables)
    assert [tuple(g.shape) for g in grads] == [(5, 2), (2,)]
    run = tf.function(lambda t: layer(t))
    np.testing.assert_allclose(run(x).numpy(), layer(x).numpy(), atol=1e-6)


def conv_transpose_numpy(x, kernel, strides, padding, out_size):
    """Scatter each input pixel times the kernel onto the full output, then crop as the
    forward convolution of an `out_size` image would pad."""
    n, h, w, _ = x.shape
    kh, kw, filters, _ = kernel.shape
    full = np.zeros((n, (h - 1) * strides[0] + kh, (w - 1) * strides[1] + kw, filters))
    for i in range(h):
        for j in range(w):
            r, c = i * strides[0], j * strides[1]
            full[:, r : r + kh, c : c + kw] += np.einsum("nc,abfc->nabf", x[:, i, j], kernel)
    starts = []
    for axis, size in enumerate(out_size):
        total = max((x.shape[axis + 1] - 1) * strides[axis] + kernel.shape[axis] - size, 0)
        starts.append(total // 2 if padding == "same" else 0)
    padded = np.zeros((n, full.shape[1] + out_size[0], full.shape[2] + out_size[1], filters))
    padded[:, : full.shape[1], : full.shape[2]] = full
    return padded[:, starts[0] : starts[0] + out_size[0], starts[1] : starts[1] + out_size[1]]


@pytest.mark.parametrize(
    "kernel_size, strides, padding, output_padding, out_size",
    [
        (3, (2, 2), "same", None, (8, 10)),
        (3, (2, 2), "valid", None, (9, 11)),
        ((2, 3), (3, 1), "valid", None, (12, 7)),
        (3, (2, 3), "valid", (1, 2), (10, 17)),
        (3, (2, 2), "same", (1, 1), (8, 10)),
    ],
)
def test_conv2d_transpose_against_numpy(kernel_size, strides, padding, output_padding, out_size):
    layer = keras.layers.Conv2DTranspose(
        3, kernel_size, strides=strides, padding=padding, output_padding=output_padding
    )
    x = rand(2, 4, 5, 2)
    y = layer(x)
    randomize(layer)
    y = layer(x)
    assert layer.kernel.shape.as_list() == list(layer.kernel_size) + [3, 2]
    expected = conv_transpose_numpy(x, layer.kernel.numpy(), strides, padding, out_size)
    expected = expected + layer.bias.numpy()
    assert tuple(y.shape) == (2, *out_size, 3)
    np.testing.assert_allclose(y.numpy(), expected, atol=1e-5)
    shape = layer.compute_output_shape((None, 4, 5, 2)).as_list()
    assert shape == [None, *out_size, 3]


def test_conv2d_transpose_symbolic_gradients_function_and_errors():
    inputs = keras.Input((4, 4, 2))
    layer = keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu")
    assert layer(inputs).shape.as_list() == [None, 8, 8, 3]
    x = tf.constant(rand(2, 4, 4, 2))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x) ** 2)
    grads = tape.gradient(loss, layer.trainable_variables)
    assert [tuple(g.shape) for g in grads] == [(3, 3, 3, 2), (3,)]
    run = tf.function(lambda t: layer(t))
    np.testing.assert_allclose(run(x).numpy(), layer(x).numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="greater than output padding"):
        keras.layers.Conv2DTranspose(3, 3, strides=2, output_padding=2)
    config = keras.layers.Conv2DTranspose(3, 3, strides=2, output_padding=1).get_config()
    assert config["output_padding"] == (1, 1) and config["strides"] == (2, 2)
