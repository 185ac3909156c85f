"""loom.keras.activations, regularizers, constraints and backend against NumPy."""

import math

import numpy as np
import pytest
from loom.keras import activations, backend, constraints, regularizers

import loom as tf

X = np.array([[-3.0, -0.5, 0.0, 0.7, 2.5, 8.0]], np.float32)


def _np(t):
    return np.asarray(t.numpy())


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _erf(x):
    return np.vectorize(math.erf)(x)


REFERENCES = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0, 1),
    "tanh": np.tanh,
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True),
    "log_softmax": lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True)),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1)),
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))),
    "swish": lambda x: x * _sigmoid(x),
    "silu": lambda x: x * _sigmoid(x),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "exponential": np.exp,
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_matches_numpy(name):
    function = activations.get(name)
    np.testing.assert_allclose(
        _np(function(tf.constant(X))), REFERENCES[name](X), rtol=1e-5, atol=1e-6
    )


def test_relu_options():
    x = tf.constant(X)
    np.testing.assert_allclose(_np(activations.relu(x, max_value=1.0)), np.clip(X, 0, 1))
    np.testing.assert_allclose(
        _np(activations.relu(x, alpha=0.1)), np.where(X > 0, X, 0.1 * X), rtol=1e-6
    )
    np.testing.assert_allclose(
        _np(activations.relu(x, threshold=1.0)), np.where(X > 1.0, X, 0.0), rtol=1e-6
    )
    np.testing.assert_allclose(
        _np(activations.elu(x, alpha=0.5)), np.where(X > 0, X, 0.5 * (np.exp(X) - 1)), rtol=1e-5
    )


def test_softmax_rejects_1d_and_takes_axis():
    with pytest.raises(ValueError, match="1D"):
        activations.softmax(tf.constant([1.0, 2.0]))
    y = _np(activations.softmax(tf.constant(X.T), axis=0))
    np.testing.assert_allclose(y.sum(axis=0), [1.0], rtol=1e-6)


def test_activation_get_serialize_deserialize():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.serialize(activations.gelu) == "gelu"
    assert activations.deserialize("tanh") is activations.tanh

    def custom(x):
        return x * 2

    assert activations.get(custom) is custom
    with pytest.raises(ValueError, match="Unknown activation function: 'nope'"):
        activations.get("nope")
    with pytest.raises(TypeError, match="Could not interpret"):
        activations.get(3)


def test_regularizers_values_and_config():
    w = tf.constant([[1.0, -2.0], [3.0, 0.0]])
    assert float(regularizers.L1(0.1)(w)) == pytest.approx(0.6)
    assert float(regularizers.L2(0.1)(w)) == pytest.approx(1.4)
    assert float(regularizers.L1L2(l1=0.1, l2=0.1)(w)) == pytest.approx(2.0)
    assert float(regularizers.L1L2()(w)) == 0.0
    assert regularizers.L2().get_config() == {"l2": 0.01}
    assert type(regularizers.get("l1")) is regularizers.L1
    restored = regularizers.deserialize(regularizers.serialize(regularizers.L1L2(0.2, 0.3)))
    assert restored.get_config() == {"l1": 0.2, "l2": 0.3}
    assert regularizers.get(None) is None
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L2(-1.0)
    with pytest.raises(ValueError, match="Unknown regularizer"):
        regularizers.get("l3")


def test_constraints():
    w = tf.constant([[3.0, -1.0], [4.0, 0.5]])
    np.testing.assert_allclose(_np(constraints.NonNeg()(w)), [[3.0, 0.0], [4.0, 0.5]])
    norms = np.linalg.norm(_np(constraints.MaxNorm(2.0)(w)), axis=0)
    np.testing.assert_allclose(norms, [2.0, np.hypot(1.0, 0.5)], rtol=1e-5)
    np.testing.assert_allclose(
        np.linalg.norm(_np(constraints.UnitNorm()(w)), axis=0), [1, 1], rtol=1e-5
    )
    assert type(constraints.get("non_neg")) is constraints.NonNeg


def test_backend_settings():
    assert backend.floatx() == "float32" and backend.epsilon() == 1e-7
    backend.set_floatx("float64")
    try:
        assert tf.keras.layers.Dense(1)(np.ones((1, 2))).dtype == tf.float64
    finally:
        backend.set_floatx("float32")
    with pytest.raises(ValueError, match="Unknown `floatx`"):
        backend.set_floatx("int8")
    assert backend.image_data_format() == "channels_last"
    assert backend.int_shape(tf.keras.Input((3, 2))) == (None, 3, 2)
    assert backend.is_keras_tensor(tf.keras.Input((1,))) and not backend.is_keras_tensor(
        tf.ones([1])
    )
