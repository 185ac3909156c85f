"""Core layers against NumPy references: Dense, Activation, Dropout, Flatten, Reshape,
Embedding; their weights, configs and errors."""

import numpy as np
import pytest
from loom.keras import layers

import loom as tf

RNG = np.random.default_rng(0)


def _np(t):
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t)


def test_dense_matches_numpy_and_creates_kernel_and_bias():
    layer = layers.Dense(3, activation="relu")
    x = RNG.standard_normal((2, 4)).astype(np.float32)
    y = layer(x)
    kernel, bias = (_np(v) for v in layer.weights)
    assert kernel.shape == (4, 3) and bias.shape == (3,)
    np.testing.assert_allclose(_np(y), np.maximum(x @ kernel + bias, 0), rtol=1e-5, atol=1e-6)
    assert [v.name for v in layer.weights] == [f"{layer.name}/kernel:0", f"{layer.name}/bias:0"]
    assert y.dtype == tf.float32


def test_dense_weights_shared_across_calls():
    layer = layers.Dense(3)
    layer(tf.ones([2, 4]))
    assert layer(tf.ones([5, 4])).shape == (5, 3)
    assert len(layer.trainable_variables) == 2
    assert len(layer.weights) == 2


def test_dense_on_rank_3_contracts_last_axis():
    layer = layers.Dense(2, use_bias=False, kernel_initializer="ones")
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    y = layer(x)
    assert len(layer.weights) == 1
    np.testing.assert_allclose(_np(y), x @ np.ones((4, 2)), rtol=1e-5, atol=1e-6)


def test_dense_initializers_and_float64_inputs_are_cast():
    layer = layers.Dense(
        2, kernel_initializer="zeros", bias_initializer=tf.keras.initializers.Constant(1.5)
    )
    y = layer(np.ones((1, 3)))  # float64 NumPy input: cast to the layer's float32
    assert y.dtype == tf.float32
    np.testing.assert_array_equal(_np(y), [[1.5, 1.5]])


def test_dense_errors():
    layer = layers.Dense(3)
    layer(tf.ones([2, 4]))
    with pytest.raises(
        ValueError, match=r'layer "dense.*expected axis -1 of input shape to have value 4.*\(2, 5\)'
    ):
        layer(tf.ones([2, 5]))
    with pytest.raises(ValueError, match="min_ndim=2"):
        layers.Dense(2)(tf.ones([3]))
    with pytest.raises(ValueError, match="positive integer"):
        layers.Dense(0)
    with pytest.raises(TypeError, match="Keyword argument not understood"):
        layers.Dense(2, not_an_argument=1)


def test_dense_regularizers_add_losses():
    layer = layers.Dense(
        2,
        kernel_initializer="ones",
        bias_initializer="ones",
        kernel_regularizer=tf.keras.regularizers.L2(0.1),
        bias_regularizer="l1",
    )
    layer(tf.ones([1, 3]))
    losses = sorted(float(v) for v in layer.losses)
    np.testing.assert_allclose(losses, [0.01 * 2, 0.1 * 6], rtol=1e-6, atol=1e-6)


def test_dense_activity_regularizer_divides_by_batch():
    layer = layers.Dense(
        1,
        kernel_initializer="ones",
        use_bias=False,
        activity_regularizer=tf.keras.regularizers.L1(1.0),
    )
    layer(np.full((4, 2), 1.0, np.float32))
    (loss,) = layer.losses
    assert float(loss) == pytest.approx(4 * 2.0 / 4)
    layer(np.full((4, 2), 2.0, np.float32))  # a new outermost call replaces it
    assert [float(v) for v in layer.losses] == [pytest.approx(4.0)]


def test_dense_config_round_trip():
    layer = layers.Dense(4, activation="tanh", use_bias=False, kernel_regularizer="l2", name="proj")
    config = layer.get_config()
    assert config["units"] == 4 and config["activation"] == "tanh" and config["name"] == "proj"
    assert config["kernel_regularizer"] == {"class_name": "L2", "config": {"l2": 0.01}}
    clone = layers.Dense.from_config(config)
    assert (
        clone.units == 4
        and clone.use_bias is False
        and clone.activation is tf.keras.activations.tanh
    )
    assert layers.deserialize(layers.serialize(layer)).get_config() == config


def test_dense_input_shape_argument_and_compute_output_shape():
    layer = layers.Dense(5, input_shape=(3,))
    assert layer.get_config()["batch_input_shape"] == (None, 3)
    assert layer.compute_output_shape((None, 7, 3)) == tf.TensorShape([None, 7, 5])


def test_activation_layer():
    x = np.array([[-2.0, 0.5, 3.0]], np.float32)
    np.testing.assert_allclose(_np(layers.Activation("relu")(x)), [[0, 0.5, 3.0]])
    np.testing.assert_allclose(
        _np(layers.Activation("sigmoid")(x)), 1 / (1 + np.exp(-x)), rtol=1e-6
    )
    assert layers.Activation("softmax").get_config()["activation"] == "softmax"


def test_dropout_is_identity_at_inference():
    x = RNG.standard_normal((3, 5)).astype(np.float32)
    layer = layers.Dropout(0.5)
    np.testing.assert_array_equal(_np(layer(x)), x)
    np.testing.assert_array_equal(_np(layer(x, training=False)), x)


def test_dropout_training_zeroes_rate_fraction_and_scales_the_rest():
    layer = layers.Dropout(0.25, seed=3)
    y = _np(layer(tf.ones([200, 100]), training=True))
    kept = y != 0
    assert abs(1.0 - kept.mean() - 0.25) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6, atol=1e-6)


def test_dropout_seed_reproducible_and_noise_shape():
    tf.random.set_seed(5)
    a = _np(layers.Dropout(0.5, seed=1)(tf.ones([4, 6]), training=True))
    tf.random.set_seed(5)
    b = _np(layers.Dropout(0.5, seed=1)(tf.ones([4, 6]), training=True))
    tf.random.set_seed(None)
    np.testing.assert_array_equal(a, b)
    y = _np(layers.Dropout(0.5, noise_shape=(None, 1), seed=2)(tf.ones([8, 5]), training=True))
    for row in y:  # one decision per row
        assert len(set(row.tolist())) == 1


def test_dropout_rate_validation_and_zero_rate():
    with pytest.raises(ValueError, match="between 0 and 1"):
        layers.Dropout(1.5)
    x = np.ones((2, 2), np.float32)
    np.testing.assert_array_equal(_np(layers.Dropout(0.0)(x, training=True)), x)


def test_dropout_training_inside_a_function_and_tensor_flag():
    layer = layers.Dropout(0.5, seed=4)

    @tf.function
    def run(x, training):
        return layer(x, training=training)

    x = tf.ones([50, 40])
    dropped = _np(run(x, tf.constant(True)))
    assert 0.3 < (dropped == 0).mean() < 0.7
    np.testing.assert_array_equal(_np(run(x, tf.constant(False))), np.ones((50, 40)))


def test_flatten():
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    np.testing.assert_array_equal(_np(layers.Flatten()(x)), x.reshape(2, 12))
    np.testing.assert_array_equal(_np(layers.Flatten()(np.arange(3.0))), [[0.0], [1.0], [2.0]])
    first = layers.Flatten(data_format="channels_first")(x)
    np.testing.assert_array_equal(_np(first), x.transpose(0, 2, 1).reshape(2, 12))
    assert layers.Flatten().compute_output_shape((None, 3, 4)) == tf.TensorShape([None, 12])
    symbolic = layers.Flatten()(tf.keras.Input((3, 4)))
    assert symbolic.shape == tf.TensorShape([None, 12])


def test_reshape():
    x = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(_np(layers.Reshape((4, 3))(x)), x.reshape(2, 4, 3))
    np.testing.assert_array_equal(_np(layers.Reshape((-1, 2))(x)), x.reshape(2, 6, 2))
    assert layers.Reshape((-1, 2)).compute_output_shape((None, 3, 4)) == tf.TensorShape(
        [None, 6, 2]
    )
    assert layers.Reshape((6, -1))(tf.keras.Input((3, 4))).shape == tf.TensorShape([None, 6, 2])
    with pytest.raises(ValueError, match="total size of new array must be unchanged"):
        layers.Reshape((5,))(x)
    with pytest.raises(ValueError, match="at most one unknown"):
        layers.Reshape((-1, -1))


def test_embedding_lookup_mask_and_config():
    layer = layers.Embedding(10, 3, mask_zero=True)
    ids = np.array([[0, 1, 9], [4, 4, 2]])
    y = layer(ids)
    table = _np(layer.embeddings)
    np.testing.assert_array_equal(_np(y), table[ids])
    assert np.abs(table).max() <= 0.05  # "uniform" initializer: U(-0.05, 0.05)
    np.testing.assert_array_equal(_np(layer.compute_mask(ids)), ids != 0)
    assert layers.Embedding(10, 3).compute_mask(ids) is None
    np.testing.assert_array_equal(_np(layer(ids.astype(np.float32))), table[ids])
    config = layer.get_config()
    assert (config["input_dim"], config["output_dim"], config["mask_zero"]) == (10, 3, True)
    assert config["embeddings_initializer"]["class_name"] == "RandomUniform"
    assert layer.compute_output_shape((None, 3)) == tf.TensorShape([None, 3, 3])
    with pytest.raises(ValueError, match="should be positive"):
        layers.Embedding(0, 3)


def test_embedding_input_length_sets_the_input_shape():
    layer = layers.Embedding(5, 2, input_length=7)
    assert layer.get_config()["batch_input_shape"] == (None, 7)


def test_core_layers_work_inside_a_function_with_unknown_batch():
    model_layers = [layers.Flatten(), layers.Dense(4, activation="relu"), layers.Reshape((2, 2))]

    @tf.function(input_signature=[tf.TensorSpec([None, 2, 3], tf.float32)])
    def run(x):
        for layer in model_layers:
            x = layer(x)
        return x

    x = RNG.standard_normal((5, 2, 3)).astype(np.float32)
    y = run(x)
    dense = model_layers[1]
    expected = np.maximum(x.reshape(5, 6) @ _np(dense.kernel) + _np(dense.bias), 0).reshape(5, 2, 2)
    np.testing.assert_allclose(_np(y), expected, rtol=1e-5, atol=1e-6)
