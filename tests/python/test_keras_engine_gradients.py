"""Gradients through layers and models with respect to their trainable weights (run
once tf.GradientTape is part of the engine)."""

import numpy as np
import pytest
from loom.keras import layers

import loom as tf

pytestmark = pytest.mark.skipif(
    not hasattr(tf, "GradientTape"), reason="tf.GradientTape is not in this build yet"
)


def _np(t):
    return np.asarray(tf.convert_to_tensor(t).numpy())


def _grads(model, x, training=None):
    with tf.GradientTape() as tape:
        y = model(x, training=training) if training is not None else model(x)
        loss = tf.reduce_sum(y) + tf.add_n([tf.constant(0.0)] + list(model.losses))
    variables = model.trainable_variables
    return variables, tape.gradient(loss, variables)


def _assert_shapes(variables, grads):
    assert len(grads) == len(variables) > 0
    for v, g in zip(variables, grads):
        assert g is not None, v.name
        assert tuple(_np(g).shape) == tuple(v.shape.as_list()), v.name


def test_dense_gradients_match_numpy():
    layer = layers.Dense(3)
    x = np.arange(8.0, dtype=np.float32).reshape(2, 4)
    (kernel, bias), (d_kernel, d_bias) = _grads(layer, x)
    np.testing.assert_allclose(_np(d_kernel), np.repeat(x.sum(0)[:, None], 3, axis=1), rtol=1e-6)
    np.testing.assert_allclose(_np(d_bias), [2.0, 2.0, 2.0])


def test_regularization_loss_contributes_to_the_gradient():
    layer = layers.Dense(1, use_bias=False, kernel_regularizer=tf.keras.regularizers.L2(0.5))
    x = np.zeros((1, 2), np.float32)
    (kernel,), (d_kernel,) = _grads(layer, x)
    np.testing.assert_allclose(_np(d_kernel), _np(kernel), rtol=1e-6)  # d(0.5 w^2)/dw = w


@pytest.mark.parametrize(
    "make_layer, x",
    [
        (lambda: layers.Dense(4, activation="relu"), np.ones((2, 3), np.float32)),
        (lambda: layers.Embedding(6, 2), np.array([[1, 2], [5, 1]])),
        (
            lambda: tf.keras.Sequential([layers.Flatten(), layers.Dense(3), layers.Dropout(0.5)]),
            np.ones((2, 2, 2), np.float32),
        ),
    ],
)
def test_each_layer_gradient_has_its_weight_shape(make_layer, x):
    layer = make_layer()
    _assert_shapes(*_grads(layer, x, training=True))


def test_functional_and_subclassed_model_gradients():
    inputs = tf.keras.Input((3,))
    hidden = layers.Dense(4, activation="tanh")(inputs)
    model = tf.keras.Model(inputs, layers.Dense(1)(hidden))
    _assert_shapes(*_grads(model, np.ones((5, 3), np.float32)))

    class Net(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.a = layers.Dense(2)
            self.b = layers.Dense(1)

        def call(self, x):
            return self.b(self.a(x))

    _assert_shapes(*_grads(Net(), np.ones((2, 3), np.float32)))


def test_gradients_inside_a_function():
    model = tf.keras.Sequential([layers.Dense(3, activation="relu"), layers.Dense(1)])

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True)))
        return tape.gradient(loss, model.trainable_variables)

    grads = step(tf.ones([4, 2]))
    _assert_shapes(model.trainable_variables, grads)
