"""Keras masks: Embedding(mask_zero) and Masking attach a mask that mask-aware layers
(RNNs, GlobalAveragePooling1D) receive automatically, eagerly, in a loom.function, in
Sequential and functional models."""

import keras_layers_reference as ref
import numpy as np
import pytest

import loom as tf
from loom import keras

RNG = np.random.default_rng(11)
TOKENS = np.array([[3, 1, 4, 0, 0], [2, 0, 0, 0, 0], [5, 9, 2, 6, 5]], np.int32)
LENGTHS = [3, 1, 5]


def rand(*shape, scale=0.5):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def randomize(layer):
    for w in layer.weights:
        w.assign(rand(*w.shape))
    return [w.numpy() for w in layer.weights]


def embedding_and_lstm(units=4, **lstm_kwargs):
    embed = keras.layers.Embedding(10, 3, mask_zero=True)
    lstm = keras.layers.LSTM(units, **lstm_kwargs)
    lstm(embed(TOKENS))
    randomize(embed)
    randomize(lstm)
    return embed, lstm


def unpadded_lstm_reference(embed, lstm):
    """Each example's LSTM run over its real steps only (NumPy)."""
    table = embed.embeddings.numpy()
    kernel, recurrent, bias = (w.numpy() for w in lstm.weights)
    units = recurrent.shape[0]
    finals = []
    for row, length in zip(TOKENS, LENGTHS):
        x = table[row[:length]][None]
        zeros = np.zeros((1, units), np.float32)
        _, h, _ = ref.lstm(x, kernel, recurrent, bias, zeros, zeros)
        finals.append(h[0])
    return np.stack(finals)


def test_embedding_attaches_mask_and_plain_tensors_have_none():
    embed = keras.layers.Embedding(10, 3, mask_zero=True)
    y = embed(TOKENS)
    np.testing.assert_array_equal(y._keras_mask.numpy(), TOKENS != 0)
    assert getattr(tf.constant([1.0]), "_keras_mask", None) is None
    with pytest.raises(AttributeError):
        _ = tf.constant([1.0])._keras_mask
    assert getattr(keras.layers.Embedding(10, 3)(TOKENS), "_keras_mask", None) is None


def test_mask_can_be_set_and_removed_on_a_tensor():
    x = tf.constant([[1.0, 2.0]])
    x._keras_mask = tf.constant([[True, False]])
    np.testing.assert_array_equal(x._keras_mask.numpy(), [[True, False]])
    del x._keras_mask
    assert getattr(x, "_keras_mask", None) is None


def test_masked_lstm_equals_lstm_on_unpadded_sequences():
    embed, lstm = embedding_and_lstm()
    automatic = lstm(embed(TOKENS)).numpy()
    np.testing.assert_allclose(automatic, unpadded_lstm_reference(embed, lstm), atol=1e-5)
    explicit = lstm(embed(TOKENS), mask=tf.constant(TOKENS != 0)).numpy()
    np.testing.assert_allclose(automatic, explicit, atol=1e-6)
    unmasked = lstm(tf.gather(embed.embeddings, TOKENS)).numpy()
    assert not np.allclose(automatic, unmasked, atol=1e-3)


def test_rnn_passes_mask_on_only_with_sequences():
    embed, lstm = embedding_and_lstm(return_sequences=True)
    y = lstm(embed(TOKENS))
    np.testing.assert_array_equal(y._keras_mask.numpy(), TOKENS != 0)
    embed, lstm = embedding_and_lstm(return_state=True)
    outputs = lstm(embed(TOKENS))
    assert all(getattr(t, "_keras_mask", None) is None for t in outputs)


def test_dense_passes_mask_through_and_flatten_drops_it():
    y = keras.layers.Embedding(10, 3, mask_zero=True)(TOKENS)
    dense_out = keras.layers.Dense(2)(y)
    np.testing.assert_array_equal(dense_out._keras_mask.numpy(), TOKENS != 0)
    assert getattr(keras.layers.Flatten()(y), "_keras_mask", None) is None


def test_masking_layer_zeroes_padded_steps_and_masks_them():
    x = rand(2, 4, 3)
    x[0, 2:] = 0.0
    x[1, 1] = 0.0
    layer = keras.layers.Masking(mask_value=0.0)
    y = layer(x)
    expected_mask = np.array([[1, 1, 0, 0], [1, 0, 1, 1]], bool)
    np.testing.assert_array_equal(y._keras_mask.numpy(), expected_mask)
    np.testing.assert_allclose(y.numpy(), x * expected_mask[..., None])
    other = keras.layers.Masking(mask_value=-1.0)(np.full((1, 2, 2), -1.0, np.float32))
    np.testing.assert_array_equal(other._keras_mask.numpy(), [[False, False]])
    assert keras.layers.Masking(mask_value=2.5).get_config()["mask_value"] == 2.5


def test_global_average_pooling_1d_averages_unmasked_steps():
    x = rand(3, 5, 2)
    mask = TOKENS != 0
    pooled = keras.layers.GlobalAveragePooling1D()(tf.constant(x), mask=tf.constant(mask))
    expected = np.stack([x[i, : LENGTHS[i]].mean(0) for i in range(3)])
    np.testing.assert_allclose(pooled.numpy(), expected, rtol=1e-5)
    assert getattr(pooled, "_keras_mask", None) is None
    plain = keras.layers.GlobalAveragePooling1D()(x).numpy()
    np.testing.assert_allclose(plain, x.mean(1), rtol=1e-5)


def test_masking_then_simple_rnn_sequences_then_pooling():
    x = rand(2, 4, 3)
    x[0, 3:] = 0.0
    rnn = keras.layers.SimpleRNN(2, return_sequences=True)
    masked = keras.layers.Masking()(x)
    y = keras.layers.GlobalAveragePooling1D()(rnn(masked))
    sequence = rnn(tf.constant(x[:1, :3])).numpy()
    np.testing.assert_allclose(y.numpy()[0], sequence[0].mean(0), atol=1e-5)


def test_sequential_and_functional_models_propagate_masks():
    embed, lstm = embedding_and_lstm()
    expected = unpadded_lstm_reference(embed, lstm)
    sequential = keras.Sequential([embed, lstm])
    np.testing.assert_allclose(sequential(TOKENS).numpy(), expected, atol=1e-5)
    inputs = keras.Input((None,), dtype="int32")
    embedded = embed(inputs)
    assert embedded._keras_mask.shape.as_list() == [None, None]
    assert embedded._keras_mask.dtype == tf.bool
    model = keras.Model(inputs, lstm(embedded))
    np.testing.assert_allclose(model(TOKENS).numpy(), expected, atol=1e-5)


def test_masks_propagate_inside_loom_function():
    embed, lstm = embedding_and_lstm()
    model = keras.Sequential([embed, lstm])

    @tf.function
    def run(tokens):
        return model(tokens)

    expected = unpadded_lstm_reference(embed, lstm)
    np.testing.assert_allclose(run(tf.constant(TOKENS)).numpy(), expected, atol=1e-5)


def test_gradients_flow_through_a_masked_model():
    embed, lstm = embedding_and_lstm()
    model = keras.Sequential([embed, lstm, keras.layers.Dense(1)])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(TOKENS) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    assert [tuple(g.shape) for g in grads] == [tuple(v.shape) for v in model.trainable_variables]
    # Row 0 of the table (the padding token) only feeds masked steps: no gradient.
    table_grad = tf.convert_to_tensor(grads[0]).numpy()
    np.testing.assert_allclose(table_grad[0], 0.0, atol=1e-7)
    assert np.abs(table_grad[3]).sum() > 0


def test_fit_on_padded_sequences_lowers_the_loss():
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, 6, size=(32, 6)).astype(np.int32)
    lengths = rng.integers(2, 7, size=32)
    for row, length in zip(tokens, lengths):
        row[length:] = 0
    # The label is the last real token's: easy only when padded steps are skipped.
    last = tokens[np.arange(32), lengths - 1]
    labels = (last > 3).astype(np.float32)[:, None]
    model = keras.Sequential(
        [
            keras.layers.Embedding(6, 4, mask_zero=True),
            keras.layers.GRU(4),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    history = model.fit(tokens, labels, epochs=15, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]


def test_mask_table_forgets_dead_tensors_but_keeps_live_ones():
    from loom.keras.engine import keras_mask

    embed = keras.layers.Embedding(10, 3, mask_zero=True)
    kept = embed(TOKENS)
    for _ in range(50):
        embed(TOKENS)
    assert len(keras_mask._masks) < 10
    np.testing.assert_array_equal(kept._keras_mask.numpy(), TOKENS != 0)
