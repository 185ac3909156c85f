"""Gradients of the reduce family: Sum Mean Prod Max Min (every axis form, keepdims both
ways), Cumsum Cumprod (exclusive / reverse), TopKV2 and Sort; ArgMax ArgMin Any All are
not differentiable."""

import numpy as np
import pytest
from grad_family_testing import second_order
from gradient_checking import check_gradients

import loom as tf

RNG = np.random.default_rng(7)

# Axis arguments as tf.reduce_* takes them: None (all), scalars, lists, negatives,
# repeats and the empty list (no reduction).
AXES = [None, 0, 1, -1, [0, 2], [-1, 0], [1, 1], []]


def distinct(shape):
    """Values with no ties (so min/max/sort/top_k are differentiable there)."""
    n = int(np.prod(shape))
    return (RNG.permutation(n).astype(np.float64) * 0.5 - n / 4).reshape(shape)


def tape_grad(f, x, dtype=None):
    x = tf.constant(x) if dtype is None else tf.constant(x, dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x)


@pytest.mark.parametrize("op", [tf.reduce_sum, tf.reduce_mean])
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_sum_mean(op, axis, keepdims):
    check_gradients(lambda x: op(x, axis, keepdims=keepdims), RNG.normal(size=(2, 3, 2)))


@pytest.mark.parametrize(
    "op", [tf.reduce_sum, tf.reduce_mean, tf.reduce_prod, tf.reduce_max, tf.reduce_min]
)
def test_scalar_and_vector_inputs(op):
    check_gradients(lambda x: op(x), np.array(1.5))
    check_gradients(lambda x: op(x, 0, keepdims=True), distinct((4,)) + 3)


@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_prod(axis, keepdims):
    x = RNG.uniform(0.5, 1.5, size=(2, 3, 2)) * RNG.choice([-1, 1], size=(2, 3, 2))
    check_gradients(lambda x: tf.reduce_prod(x, axis, keepdims=keepdims), x)


@pytest.mark.parametrize("axis", [None, 1, [0, 2], -1])
def test_prod_with_zeros(axis):
    # The product is linear in each entry, so central differences are exact even at 0.
    x = RNG.uniform(0.5, 1.5, size=(2, 3, 2))
    x[0, 1, 0] = 0.0
    x[1, 0, 1] = 0.0
    x[1, 2, 1] = 0.0
    check_gradients(lambda x: tf.reduce_prod(x, axis), x)


def test_prod_zeros_exact():
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]])
    g = tape_grad(lambda x: tf.reduce_prod(x, axis=1), x).numpy()
    np.testing.assert_array_equal(g, [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [8.0, 4.0, 2.0]])
    g = tape_grad(lambda x: tf.reduce_prod(x), np.array([[2.0, 3.0], [0.0, 5.0]])).numpy()
    np.testing.assert_array_equal(g, [[0.0, 0.0], [30.0, 0.0]])


@pytest.mark.parametrize("op", [tf.reduce_max, tf.reduce_min])
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_max_min(op, axis, keepdims):
    check_gradients(lambda x: op(x, axis, keepdims=keepdims), distinct((2, 3, 2)))


def test_max_min_ties_split_evenly():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    g = tape_grad(lambda x: tf.reduce_max(x, axis=1), x).numpy()
    np.testing.assert_allclose(g, [[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    g = tape_grad(lambda x: tf.reduce_min(x), np.array([[1.0, 3.0, 1.0], [2.0, 1.0, 2.0]])).numpy()
    np.testing.assert_allclose(g, [[1 / 3, 0.0, 1 / 3], [0.0, 1 / 3, 0.0]])
    g = tape_grad(lambda x: tf.reduce_max(x, axis=0, keepdims=True), x).numpy()
    np.testing.assert_allclose(g, [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])


def test_sum_mean_exact():
    x = np.arange(6.0).reshape(2, 3)
    w = tf.constant([1.0, 2.0], tf.float64)
    with tf.GradientTape() as tape:
        xt = tf.constant(x)
        tape.watch(xt)
        y = tf.reduce_mean(xt, axis=1)
    g = tape.gradient(y, xt, output_gradients=w).numpy()
    np.testing.assert_allclose(g, [[1 / 3] * 3, [2 / 3] * 3])


SCAN_FLAGS = [(False, False), (True, False), (False, True), (True, True)]


@pytest.mark.parametrize("exclusive,reverse", SCAN_FLAGS)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_cumsum(axis, exclusive, reverse):
    check_gradients(
        lambda x: tf.math.cumsum(x, axis, exclusive=exclusive, reverse=reverse),
        RNG.normal(size=(3, 4)),
    )


@pytest.mark.parametrize("exclusive,reverse", SCAN_FLAGS)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_cumprod(axis, exclusive, reverse):
    x = RNG.uniform(0.5, 1.5, size=(3, 4)) * RNG.choice([-1, 1], size=(3, 4))
    check_gradients(lambda x: tf.math.cumprod(x, axis, exclusive=exclusive, reverse=reverse), x)


def test_cumsum_exact():
    g = tape_grad(lambda x: tf.math.cumsum(x), np.ones(4)).numpy()
    np.testing.assert_array_equal(g, [4.0, 3.0, 2.0, 1.0])
    g = tape_grad(lambda x: tf.math.cumsum(x, exclusive=True, reverse=True), np.ones(4)).numpy()
    np.testing.assert_array_equal(g, [0.0, 1.0, 2.0, 3.0])


@pytest.mark.parametrize("shape,k", [((5,), 1), ((5,), 3), ((2, 4), 2), ((2, 2, 3), 3)])
def test_top_k(shape, k):
    check_gradients(lambda x: tf.math.top_k(x, k).values, distinct(shape))


def test_top_k_exact():
    x = np.array([[1.0, 5.0, 3.0, 4.0], [9.0, 8.0, 0.0, 7.0]])
    w = tf.constant([[10.0, 20.0], [30.0, 40.0]], tf.float64)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        values = tf.math.top_k(xt, 2).values
    g = tape.gradient(values, xt, output_gradients=w).numpy()
    np.testing.assert_array_equal(g, [[0.0, 10.0, 0.0, 20.0], [30.0, 40.0, 0.0, 0.0]])


@pytest.mark.parametrize(
    "shape,axis,direction",
    [
        ((6,), -1, "ASCENDING"),
        ((3, 4), 0, "ASCENDING"),
        ((3, 4), 1, "DESCENDING"),
        ((2, 3, 2), 1, "ASCENDING"),
        ((2, 3, 2), 0, "DESCENDING"),
    ],
)
def test_sort(shape, axis, direction):
    check_gradients(lambda x: tf.sort(x, axis=axis, direction=direction), distinct(shape))


def test_sort_exact():
    x = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    w = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], tf.float64)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.sort(xt, axis=1)
    g = tape.gradient(y, xt, output_gradients=w).numpy()
    # Sorted row 0 is [1, 2, 3] from positions [1, 2, 0].
    np.testing.assert_array_equal(g, [[3.0, 1.0, 2.0], [4.0, 6.0, 5.0]])


# Second order: the gradient of the gradient (nested tapes). The reductions are linear
# (their gradient does not depend on x), so each is squared (an elementwise Einsum) to
# make the incoming gradient depend on x and be differentiated through.


def squared(y):
    return tf.einsum("...,...->...", y, y)


@pytest.mark.parametrize("op", [tf.reduce_sum, tf.reduce_mean])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (1, True), ([0, 2], False)])
def test_sum_mean_second_order(op, axis, keepdims):
    second_order(lambda x: squared(op(x, axis, keepdims=keepdims)), RNG.normal(size=(2, 3, 2)))


@pytest.mark.parametrize("axis", [None, 1, [0, 2]])
def test_prod_second_order(axis):
    x = RNG.uniform(0.5, 1.5, size=(2, 3, 2))
    second_order(lambda x: tf.reduce_prod(x, axis), x)


@pytest.mark.parametrize("exclusive,reverse", SCAN_FLAGS)
def test_cumsum_second_order(exclusive, reverse):
    second_order(
        lambda x: squared(tf.math.cumsum(x, 1, exclusive=exclusive, reverse=reverse)),
        RNG.normal(size=(2, 3)),
    )


# Dtypes and non-differentiable paths.


@pytest.mark.parametrize(
    "f",
    [
        lambda x: tf.reduce_sum(x, 1),
        lambda x: tf.reduce_mean(x),
        lambda x: tf.reduce_prod(x, 0),
        lambda x: tf.reduce_max(x, [0, 1]),
        lambda x: tf.reduce_min(x, -1, keepdims=True),
        lambda x: tf.math.cumsum(x, 1),
        lambda x: tf.math.cumprod(x, 0, exclusive=True),
        lambda x: tf.math.top_k(x, 2).values,
        lambda x: tf.sort(x, axis=0),
    ],
)
def test_float32_gradients_keep_dtype(f):
    g = tape_grad(f, distinct((3, 4)) + 10, tf.float32)
    assert g.dtype == tf.float32
    assert g.shape == (3, 4)


@pytest.mark.parametrize(
    "f",
    [
        lambda x: tf.reduce_sum(x, 1),
        lambda x: tf.reduce_prod(x),
        lambda x: tf.reduce_max(x, 0),
        lambda x: tf.math.cumsum(x, 1),
        lambda x: tf.math.top_k(x, 2).values,
        lambda x: tf.sort(x),
    ],
)
def test_integer_inputs_get_none(f):
    assert tape_grad(f, np.arange(12).reshape(3, 4), tf.int32) is None


@pytest.mark.parametrize(
    "f",
    [
        lambda x: tf.argmax(x, 1),
        lambda x: tf.argmin(x),
        lambda x: tf.math.top_k(x, 2).indices,
        lambda x: tf.argsort(x),
        lambda x: tf.reduce_any(x > 0),
        lambda x: tf.reduce_all(x > 0, 1),
    ],
)
def test_non_differentiable_give_none(f):
    assert tape_grad(f, distinct((3, 4))) is None


# Shapes unknown while tracing: the gradients build their index tensors at run time.


@pytest.mark.parametrize(
    "f",
    [
        lambda x: tf.reduce_sum(x, 1),
        lambda x: tf.reduce_mean(x, [0, 1], keepdims=True),
        lambda x: tf.reduce_max(x, -1),
        lambda x: tf.reduce_min(x),
        lambda x: tf.reduce_prod(x, 0),
        lambda x: tf.math.cumprod(x, 1, reverse=True),
        lambda x: tf.math.top_k(x, 2).values,
        lambda x: tf.sort(x, axis=0),
        lambda x: tf.sort(x, axis=1, direction="DESCENDING"),
    ],
)
def test_unknown_dims_in_function(f):
    x = distinct((3, 4)) + 0.25
    w = RNG.uniform(0.5, 1.5, size=tuple(f(tf.constant(x)).shape))

    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        return tape.gradient(y, x, output_gradients=tf.constant(w))

    traced = tf.function(grad, input_signature=[tf.TensorSpec([None, None], tf.float64)])
    np.testing.assert_allclose(traced(tf.constant(x)).numpy(), grad(tf.constant(x)).numpy())
