"""SimpleRNN, LSTM and GRU layers and cells against hand-written NumPy loops."""

import keras_layers_reference as ref
import numpy as np
import pytest

import loom as tf
from loom import keras

RNG = np.random.default_rng(5)


def rand(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def randomize(layer):
    """Gives every weight random values (so zero biases cannot hide a bug)."""
    for w in layer.weights:
        w.assign(rand(*w.shape, scale=0.5))
    return [w.numpy() for w in layer.weights]


def numpy_run(kind, x, weights, states, **kw):
    if kind == "SimpleRNN":
        return ref.simple_rnn(x, *weights, *states)
    if kind == "LSTM":
        return ref.lstm(x, *weights, *states)
    return ref.gru(x, *weights, *states, **kw)


STATE_COUNT = {"SimpleRNN": 1, "LSTM": 2, "GRU": 1}


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_layer_matches_numpy_loop(kind):
    x = rand(3, 5, 4)
    layer = getattr(keras.layers, kind)(6, return_sequences=True, return_state=True)
    layer(x)
    weights = randomize(layer)
    outs = layer(x)
    zeros = [np.zeros((3, 6), np.float32)] * STATE_COUNT[kind]
    expected = numpy_run(kind, x, weights, zeros)
    assert len(outs) == 1 + STATE_COUNT[kind]
    for got, want in zip(outs, expected):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=1e-5)
    last = getattr(keras.layers, kind)(6)
    last(x)
    for w, value in zip(last.weights, weights):
        w.assign(value)
    np.testing.assert_allclose(last(x).numpy(), expected[1], rtol=1e-4, atol=1e-5)


def test_gru_without_reset_after():
    x = rand(2, 4, 3)
    layer = keras.layers.GRU(5, reset_after=False, return_sequences=True)
    layer(x)
    assert tuple(layer.cell.bias.shape) == (15,)
    weights = randomize(layer)
    seq, _ = ref.gru(x, *weights, np.zeros((2, 5), np.float32), reset_after=False)
    np.testing.assert_allclose(layer(x).numpy(), seq, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_initial_state_and_go_backwards(kind):
    x = rand(2, 4, 3)
    states = [rand(2, 5) for _ in range(STATE_COUNT[kind])]
    layer = getattr(keras.layers, kind)(5, return_sequences=True, go_backwards=True)
    layer(x)
    weights = randomize(layer)
    seq = layer(x, initial_state=states).numpy()
    expected = numpy_run(kind, x[:, ::-1], weights, states)[0]
    # Keras returns the sequence in processing (reversed) order.
    np.testing.assert_allclose(seq, expected, rtol=1e-4, atol=1e-5)


def test_weight_shapes_and_default_initializers():
    lstm = keras.layers.LSTM(4)
    lstm(np.zeros((2, 3, 5), np.float32))
    kernel, recurrent, bias = (w.numpy() for w in lstm.weights)
    assert kernel.shape == (5, 16) and recurrent.shape == (4, 16) and bias.shape == (16,)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(4), atol=1e-5)
    limit = np.sqrt(6.0 / (5 + 16))
    assert np.abs(kernel).max() <= limit
    gru = keras.layers.GRU(4)
    gru(np.zeros((2, 3, 5), np.float32))
    assert [tuple(w.shape) for w in gru.trainable_weights] == [(5, 12), (4, 12), (2, 12)]
    rnn = keras.layers.SimpleRNN(4, use_bias=False)
    rnn(np.zeros((2, 3, 5), np.float32))
    assert [tuple(w.shape) for w in rnn.weights] == [(5, 4), (4, 4)]
    assert lstm.units == 4 and gru.reset_after is True


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_output_shapes(kind):
    x = np.zeros((2, 7, 3), np.float32)
    layer = getattr(keras.layers, kind)(5, return_state=True)
    outs = layer(x)
    assert [tuple(o.shape) for o in outs] == [(2, 5)] * (1 + STATE_COUNT[kind])
    seq = getattr(keras.layers, kind)(5, return_sequences=True)
    assert seq(x).shape == (2, 7, 5)
    shapes = layer.compute_output_shape((2, 7, 3))
    assert [tuple(s) for s in shapes] == [(2, 5)] * (1 + STATE_COUNT[kind])
    assert tuple(seq.compute_output_shape((None, 7, 3))) == (None, 7, 5)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_cell_single_step_matches_numpy(kind):
    cell = getattr(keras.layers, kind + "Cell")(3)
    x = rand(2, 4)
    states = [rand(2, 3) for _ in range(STATE_COUNT[kind])]
    cell(x, states)
    weights = randomize(cell)
    out, new_states = cell(x, states)
    expected = numpy_run(kind, x[:, None], weights, states)
    np.testing.assert_allclose(out.numpy(), expected[0][:, 0], rtol=1e-4, atol=1e-5)
    for got, want in zip(new_states, expected[1:]):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=1e-5)


def test_lstm_in_function_with_unknown_batch_and_time():
    layer = keras.layers.LSTM(4, return_sequences=True, return_state=True)
    traces = []

    @tf.function(input_signature=[tf.TensorSpec([None, None, 3], tf.float32)])
    def f(x):
        traces.append(1)
        seq, h, c = layer(x)
        assert tuple(seq.shape) == (None, None, 4) and tuple(h.shape) == (None, 4)
        return seq, h, c

    a, b = rand(2, 5, 3), rand(3, 7, 3)
    f(a)
    weights = randomize(layer)
    got = f(b)
    assert len(traces) == 2  # the variable-creating first trace, then the reusable one
    assert len(layer.weights) == 3
    zeros = np.zeros((3, 4), np.float32)
    for g, want in zip(got, ref.lstm(b, *weights, zeros, zeros)):
        np.testing.assert_allclose(g.numpy(), want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", ["SimpleRNN", "GRU"])
def test_in_function_last_output(kind):
    layer = getattr(keras.layers, kind)(4)

    @tf.function(input_signature=[tf.TensorSpec([None, 6, 2], tf.float32)])
    def f(x):
        out = layer(x)
        assert tuple(out.shape) == (None, 4)
        return out

    x = rand(3, 6, 2)
    f(x)
    weights = randomize(layer)
    expected = numpy_run(kind, x, weights, [np.zeros((3, 4), np.float32)])[1]
    np.testing.assert_allclose(f(x).numpy(), expected, rtol=1e-4, atol=1e-5)


def test_mask_keeps_previous_state_and_output():
    x = rand(2, 4, 3)
    mask = np.array([[True, True, False, False], [True, True, True, True]])
    layer = keras.layers.SimpleRNN(3, return_sequences=True, return_state=True)
    layer(x)
    weights = randomize(layer)
    seq, h = layer(x, mask=tf.constant(mask))
    full, _ = ref.simple_rnn(x, *weights, np.zeros((2, 3), np.float32))
    np.testing.assert_allclose(seq.numpy()[:, :2], full[:, :2], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(seq.numpy()[0, 2:], np.stack([full[0, 1]] * 2), rtol=1e-4)
    np.testing.assert_allclose(h.numpy()[0], full[0, 1], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(h.numpy()[1], full[1, 3], rtol=1e-4, atol=1e-5)


def test_dropout_only_in_training():
    x = rand(4, 5, 3)
    layer = keras.layers.LSTM(6, dropout=0.5, recurrent_dropout=0.5)
    inference = layer(x).numpy()
    np.testing.assert_allclose(layer(x, training=False).numpy(), inference)
    zeros = np.zeros((4, 6), np.float32)
    expected = ref.lstm(x, *[w.numpy() for w in layer.weights], zeros, zeros)[1]
    np.testing.assert_allclose(inference, expected, rtol=1e-4, atol=1e-5)
    assert not np.allclose(layer(x, training=True).numpy(), inference)
    # Every input dropped: the state never sees x, so it stays at zero (bias zero).
    dropped = keras.layers.SimpleRNN(3, dropout=1.0)
    np.testing.assert_array_equal(dropped(x, training=True).numpy(), np.zeros((4, 3)))


def test_time_major():
    x = rand(5, 2, 3)
    layer = keras.layers.GRU(4, time_major=True, return_sequences=True)
    seq = layer(x)
    assert seq.shape == (5, 2, 4)
    weights = [w.numpy() for w in layer.weights]
    expected = ref.gru(x.transpose(1, 0, 2), *weights, np.zeros((2, 4), np.float32))[0]
    np.testing.assert_allclose(seq.numpy(), expected.transpose(1, 0, 2), rtol=1e-4, atol=1e-5)


def test_generic_rnn_layer_and_config():
    cell = keras.layers.LSTMCell(3)
    layer = keras.layers.RNN(cell, return_sequences=True)
    assert layer(rand(2, 4, 5)).shape == (2, 4, 3)
    assert layer.weights[0] is cell.kernel
    config = keras.layers.LSTM(7, return_sequences=True, go_backwards=True).get_config()
    assert config["units"] == 7 and config["return_sequences"] is True
    assert config["go_backwards"] is True and config["unit_forget_bias"] is True
    clone = keras.layers.LSTM.from_config(config)
    assert clone.units == 7 and clone.return_sequences and clone.go_backwards
    rnn_clone = keras.layers.RNN.from_config(layer.get_config())
    assert isinstance(rnn_clone.cell, keras.layers.LSTMCell) and rnn_clone.cell.units == 3


class MinimalRNNCell(keras.layers.Layer):
    """The custom cell of the Keras RNN guide: h = x @ W + h_prev @ U."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units))
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=(self.units, self.units)
        )

    def call(self, inputs, states):
        output = tf.matmul(inputs, self.kernel) + tf.matmul(states[0], self.recurrent_kernel)
        return output, [output]


def test_custom_cell():
    x = rand(2, 3, 4)
    layer = keras.layers.RNN(MinimalRNNCell(5), return_sequences=True)
    seq = layer(x, training=True).numpy()
    kernel, recurrent = (w.numpy() for w in layer.weights)
    h, expected = np.zeros((2, 5), np.float32), []
    for t in range(3):
        h = x[:, t] @ kernel + h @ recurrent
        expected.append(h)
    np.testing.assert_allclose(seq, np.stack(expected, 1), rtol=1e-4, atol=1e-5)


def test_errors():
    with pytest.raises(ValueError, match="units"):
        keras.layers.LSTM(0)
    clipped = keras.layers.GRU(3, dropout=1.5, recurrent_dropout=-1)
    assert (clipped.dropout, clipped.recurrent_dropout) == (1.0, 0.0)
    with pytest.raises(NotImplementedError, match="stateful"):
        keras.layers.LSTM(3, stateful=True)
    with pytest.raises(ValueError, match="ndim=3"):
        keras.layers.LSTM(3)(rand(2, 3))
    layer = keras.layers.LSTM(3)
    with pytest.raises(ValueError, match="initial_state"):
        layer(rand(2, 4, 5), initial_state=[rand(2, 3)])
    with pytest.raises(ValueError, match=r"expected \(batch_size, 3\)"):
        layer(rand(2, 4, 5), initial_state=[rand(2, 4), rand(2, 3)])
    with pytest.raises(ValueError, match="cell"):
        keras.layers.RNN(object())
