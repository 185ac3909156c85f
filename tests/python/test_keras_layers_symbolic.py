"""The layers on symbolic Keras inputs (keras.Input): output shapes, weights and losses."""

import numpy as np

from loom import keras

L = keras.layers


def test_image_stack_on_keras_inputs():
    inputs = keras.Input((8, 8, 3))
    conv = L.Conv2D(4, 3, padding="same", activation="relu", kernel_regularizer="l2")
    x = conv(inputs)
    assert tuple(x.shape) == (None, 8, 8, 4)
    x = L.BatchNormalization()(x)
    x = L.MaxPooling2D()(x)
    assert tuple(x.shape) == (None, 4, 4, 4)
    x = L.AveragePooling2D(3, strides=1, padding="same")(x)
    assert tuple(L.GlobalMaxPooling2D()(x).shape) == (None, 4)
    assert tuple(L.GlobalAveragePooling2D(keepdims=True)(x).shape) == (None, 1, 1, 4)
    assert [tuple(w.shape) for w in conv.weights] == [(3, 3, 3, 4), (4,)]
    kernel = conv.kernel.numpy()
    np.testing.assert_allclose(conv.losses[0].numpy(), 0.01 * (kernel**2).sum(), rtol=1e-5)


def test_sequence_stack_on_keras_inputs():
    inputs = keras.Input((None, 5))
    x = L.Conv1D(6, 3, padding="causal")(inputs)
    assert tuple(x.shape) == (None, None, 6)
    x = L.LSTM(7, return_sequences=True)(x)
    assert tuple(x.shape) == (None, None, 7)
    seq, h = L.GRU(3, return_sequences=True, return_state=True)(x)
    assert tuple(seq.shape) == (None, None, 3) and tuple(h.shape) == (None, 3)
    out = L.SimpleRNN(4, go_backwards=True)(L.LayerNormalization()(seq))
    assert tuple(out.shape) == (None, 4)
    assert tuple(L.MaxPooling1D()(keras.Input((10, 2))).shape) == (None, 5, 2)
