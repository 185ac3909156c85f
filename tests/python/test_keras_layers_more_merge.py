"""Merge layers (Add ... Dot) and their functional forms: NumPy values, broadcasting,
shapes, errors, config, gradients, loom.function and a two-input functional model."""

import numpy as np
import pytest

import loom as tf
from loom import keras

L = keras.layers
RNG = np.random.default_rng(5)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


ELEMENTWISE = [
    (L.Add, L.add, lambda xs: xs[0] + xs[1] + xs[2]),
    (L.Multiply, L.multiply, lambda xs: xs[0] * xs[1] * xs[2]),
    (L.Average, L.average, lambda xs: (xs[0] + xs[1] + xs[2]) / 3),
    (L.Maximum, L.maximum, lambda xs: np.maximum(np.maximum(xs[0], xs[1]), xs[2])),
    (L.Minimum, L.minimum, lambda xs: np.minimum(np.minimum(xs[0], xs[1]), xs[2])),
]


@pytest.mark.parametrize("cls, fn, reference", ELEMENTWISE)
def test_elementwise_merges_match_numpy(cls, fn, reference):
    xs = [rand(4, 3, 2) for _ in range(3)]
    np.testing.assert_allclose(cls()(xs).numpy(), reference(xs), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(fn(xs).numpy(), reference(xs), rtol=1e-6, atol=1e-6)
    layer = cls(name="merge_cfg")
    clone = cls.from_config(layer.get_config())
    assert clone.name == "merge_cfg" and type(clone) is cls


def test_subtract_takes_exactly_two_inputs():
    a, b = rand(3, 4), rand(3, 4)
    np.testing.assert_allclose(L.subtract([a, b]).numpy(), a - b)
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        L.Subtract()([a, b, a])


def test_broadcasting_and_lower_rank_inputs():
    a, b = rand(2, 3, 4), rand(2, 1, 4)
    np.testing.assert_allclose(L.Add()([a, b]).numpy(), a + b, rtol=1e-6)
    # A rank-2 input gains axes after the batch axis, aligning its dims on the right.
    c = rand(2, 4)
    np.testing.assert_allclose(L.Multiply()([a, c]).numpy(), a * c[:, None, :], rtol=1e-6)
    assert tuple(L.Add().compute_output_shape([(None, 3, 4), (None, 1, 4)])) == (None, 3, 4)
    assert tuple(L.Add().compute_output_shape([(2, 3, 4), (None, 4)])) == (2, 3, 4)


def test_elementwise_errors():
    with pytest.raises(ValueError, match=r"incompatible shapes.*\(3,\) and \(4,\)"):
        L.Add()([keras.Input((3,)), keras.Input((4,))])
    with pytest.raises(ValueError, match="list of inputs"):
        L.Add()(rand(2, 3))
    with pytest.raises(ValueError, match="different batch sizes"):
        L.Add().compute_output_shape([(2, 3), (5, 3)])
    with pytest.raises(ValueError, match="incompatible shapes"):
        L.Maximum()([rand(2, 3), rand(2, 4)])


def test_concatenate_values_shapes_and_errors():
    a, b = rand(2, 3, 4), rand(2, 3, 5)
    np.testing.assert_allclose(L.Concatenate()([a, b]).numpy(), np.concatenate([a, b], -1))
    c = rand(2, 1, 4)
    np.testing.assert_allclose(
        L.concatenate([a, c], axis=1).numpy(), np.concatenate([a, c], 1), rtol=1e-6
    )
    layer = L.Concatenate(axis=1)
    assert tuple(layer.compute_output_shape([(None, 3, 4), (None, 2, 4)])) == (None, 5, 4)
    assert tuple(layer.compute_output_shape([(None, None, 4), (None, 2, 4)])) == (None, None, 4)
    assert L.Concatenate.from_config(layer.get_config()).axis == 1
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        L.Concatenate()([keras.Input((3, 2)), keras.Input((4, 3))])
    with pytest.raises(ValueError, match="matching shapes"):
        L.Concatenate()([rand(2, 3), rand(2, 3, 1)])


def test_dot_variants_match_numpy():
    a, b = rand(4, 5), rand(4, 5)
    np.testing.assert_allclose(L.Dot(axes=1)([a, b]).numpy(), (a * b).sum(1, keepdims=True), 1e-5)
    na = a / np.linalg.norm(a, axis=1, keepdims=True)
    nb = b / np.linalg.norm(b, axis=1, keepdims=True)
    cosine = L.dot([a, b], axes=-1, normalize=True).numpy()
    np.testing.assert_allclose(cosine, (na * nb).sum(1, keepdims=True), rtol=1e-5)
    x, y = rand(2, 3, 4), rand(2, 5, 4)
    np.testing.assert_allclose(
        L.Dot(axes=(2, 2))([x, y]).numpy(), np.einsum("bik,bjk->bij", x, y), rtol=1e-5
    )
    xt = np.ascontiguousarray(x.transpose(0, 2, 1))
    np.testing.assert_allclose(
        L.Dot(axes=[1, 2])([xt, y]).numpy(), np.einsum("bki,bjk->bij", xt, y), rtol=1e-5
    )
    layer = L.Dot(axes=(2, 2))
    assert tuple(layer.compute_output_shape([(None, 3, 4), (None, 5, 4)])) == (None, 3, 5)
    assert tuple(L.Dot(1).compute_output_shape([(None, 4), (None, 4)])) == (None, 1)
    clone = L.Dot.from_config(L.Dot(axes=[1, 2], normalize=True).get_config())
    assert clone.axes == [1, 2] and clone.normalize is True


def test_dot_errors():
    with pytest.raises(ValueError, match=r"Incompatible input shapes: axis values 3 \(at axis 1\)"):
        L.Dot(axes=1)([rand(2, 3), rand(2, 4)])
    with pytest.raises(TypeError, match="list or an int"):
        L.Dot(axes="1")
    with pytest.raises(ValueError, match="two elements"):
        L.Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="list of 2 inputs"):
        L.Dot(axes=1)([rand(2, 3)] * 3)
    with pytest.raises(ValueError, match="axis 0"):
        L.Dot(axes=0)([rand(2, 3), rand(2, 3)])


def test_gradients_flow_through_merges():
    a, b = tf.Variable(rand(2, 3)), tf.Variable(rand(2, 3))
    with tf.GradientTape() as tape:
        y = L.Concatenate()([L.Multiply()([a, b]), L.Dot(1)([a, b]), L.Maximum()([a, b])])
        loss = tf.reduce_sum(y)
    ga, gb = tape.gradient(loss, [a, b])
    assert ga.shape == (2, 3) and gb.shape == (2, 3)
    av, bv = a.numpy(), b.numpy()
    expected = bv + bv + (av > bv)  # d/da of a*b, of sum(a*b), of max(a, b)
    np.testing.assert_allclose(ga.numpy(), expected, rtol=1e-5)


def test_merges_inside_function_with_unknown_batch():
    add, cat, dot = L.Add(), L.Concatenate(), L.Dot(axes=1)
    spec = tf.TensorSpec([None, 3], tf.float32)

    @tf.function(input_signature=[spec, spec])
    def f(x, y):
        return cat([add([x, y]), dot([x, y])])

    a, b = rand(5, 3), rand(5, 3)
    expected = np.concatenate([a + b, (a * b).sum(1, keepdims=True)], 1)
    np.testing.assert_allclose(f(a, b).numpy(), expected, rtol=1e-5)


def test_functional_model_with_merged_inputs_trains():
    left, right = keras.Input((4,)), keras.Input((4,))
    merged = L.concatenate([L.Dense(8, activation="relu")(left), L.subtract([left, right])])
    merged = L.add([L.Dense(6)(merged), L.Dense(6)(right)])
    output = L.Dense(1)(L.multiply([merged, L.Dense(6)(left)]))
    model = keras.Model([left, right], output)
    assert tuple(model.outputs[0].shape) == (None, 1)
    x1, x2 = rand(64, 4), rand(64, 4)
    target = (x1[:, :1] - x2[:, 1:2]).astype(np.float32)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    history = model.fit([x1, x2], target, batch_size=16, epochs=6, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict([x1, x2], verbose=0).shape == (64, 1)


def test_functional_config_round_trip_with_merges():
    a, b = keras.Input((3,)), keras.Input((3,))
    merged = L.concatenate([L.add([a, b]), L.dot([a, b], axes=1), L.maximum([a, b])])
    model = keras.Model([a, b], L.Dense(2)(merged))
    clone = keras.Model.from_config(model.get_config())
    kinds = [type(layer).__name__ for layer in clone.layers]
    assert {"Add", "Dot", "Maximum", "Concatenate"} <= set(kinds)
    clone.set_weights(model.get_weights())
    x, y = rand(4, 3), rand(4, 3)
    np.testing.assert_allclose(clone([x, y]).numpy(), model([x, y]).numpy(), rtol=1e-6)
