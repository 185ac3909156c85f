"""Gradients of the indexing and creation ops: gather (axis, batch_dims), gather_nd,
scatter_nd, the tensor_scatter_nd family, boolean_mask, fill, unique, check_numerics;
and the ops that have none (index producers, random ops, one_hot...) stop the tape."""

import numpy as np
import pytest
from gradient_checking import check_gradients, check_second_order
from test_grad_array import needs_mul_grad, squared

import loom as tf

RNG = np.random.default_rng(11)


def rand(*shape):
    return RNG.standard_normal(shape)


# --- gather -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape,indices,axis,batch_dims",
    [
        ((4, 2), [3, 0, 3], 0, 0),  # duplicates add up
        ((3, 4), [[1, 1], [0, 3]], 1, 0),
        ((2, 3, 2), [2, 0], -2, 0),
        ((2, 3), 1, 0, 0),  # scalar index
        ((2, 4, 2), [[0, 3, 3], [1, 1, 2]], 1, 1),  # batch dims
        ((2, 2, 3), [[2, 0], [1, 1]], 2, 1),  # batch dims, axis after them
        ((2, 3), [[0, 2], [1, 1]], -1, -1),
    ],
)
def test_gather(shape, indices, axis, batch_dims):
    idx = tf.constant(indices)
    check_gradients(lambda p: tf.gather(p, idx, axis=axis, batch_dims=batch_dims), rand(*shape))


def test_gather_duplicates_exact_and_int64_indices():
    p = tf.constant(rand(4, 2))
    with tf.GradientTape() as tape:
        tape.watch(p)
        y = tf.gather(p, tf.constant([3, 0, 3], tf.int64))
    w = np.arange(6.0).reshape(3, 2)
    g = tape.gradient(y, p, output_gradients=tf.constant(w)).numpy()
    expected = np.zeros((4, 2))
    np.add.at(expected, [3, 0, 3], w)
    np.testing.assert_array_equal(g, expected)


@pytest.mark.parametrize(
    "shape,indices,batch_dims",
    [
        ((3, 2), [[2], [0], [2]], 0),
        ((3, 2), [[2, 1], [0, 0]], 0),
        ((2, 3, 2), [[[1, 0], [1, 1]], [[0, 1], [1, 2]]], 0),
        ((2, 3, 2), [[[1], [2]], [[0], [0]]], 1),  # batch dims
        ((2, 3, 2), [[[1, 0]], [[2, 1]]], 1),
    ],
)
def test_gather_nd(shape, indices, batch_dims):
    idx = tf.constant(indices)
    check_gradients(lambda p: tf.gather_nd(p, idx, batch_dims=batch_dims), rand(*shape))


def test_scatter_nd():
    idx = tf.constant([[1], [3], [1]])
    check_gradients(lambda u: tf.scatter_nd(idx, u, [4, 2]), rand(3, 2))


def _indices():
    return tf.constant([[0, 1], [2, 0]])


@pytest.mark.parametrize(
    "op",
    [
        tf.tensor_scatter_nd_update,
        tf.tensor_scatter_nd_add,
        tf.tensor_scatter_nd_sub,
        tf.tensor_scatter_nd_max,
        tf.tensor_scatter_nd_min,
    ],
)
def test_tensor_scatter(op):
    idx = _indices()
    check_gradients(lambda t, u: op(t, idx, u), rand(3, 2), rand(2))


def test_tensor_scatter_update_exact():
    t, u = tf.constant(rand(2, 2)), tf.constant(rand(1))
    with tf.GradientTape() as tape:
        tape.watch([t, u])
        y = tf.tensor_scatter_nd_update(t, tf.constant([[1, 0]]), u)
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    gt, gu = tape.gradient(y, [t, u], output_gradients=tf.constant(w))
    np.testing.assert_array_equal(gt.numpy(), [[1, 2], [0, 4]])
    np.testing.assert_array_equal(gu.numpy(), [3])


def test_tensor_scatter_max_ties_split():
    t, u = tf.constant([1.0, 5.0]), tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch([t, u])
        y = tf.tensor_scatter_nd_max(t, tf.constant([[0], [1]]), u)
    gt, gu = tape.gradient(y, [t, u])
    np.testing.assert_array_equal(gt.numpy(), [0.5, 1.0])  # element 0 ties with update 0
    np.testing.assert_array_equal(gu.numpy(), [0.5, 0.0])


# --- boolean mask, fill, unique, check_numerics -------------------------------------


@pytest.mark.parametrize(
    "shape,mask,axis",
    [
        ((4,), [True, False, True, True], 0),
        ((3, 2), [False, True, True], 0),
        ((2, 3), [[True, False, True], [False, False, True]], 0),
        ((2, 3, 2), [True, False, True], 1),
        ((2, 2, 2), [[True, False], [True, True]], -2),
    ],
)
def test_boolean_mask(shape, mask, axis):
    m = tf.constant(mask)
    check_gradients(lambda x: tf.boolean_mask(x, m, axis=axis), rand(*shape))


def test_boolean_mask_exact():
    x = tf.constant(rand(3, 2))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.boolean_mask(x, tf.constant([True, False, True]))
    g = tape.gradient(y, x, output_gradients=tf.constant([[1.0, 2.0], [3.0, 4.0]], tf.float64))
    np.testing.assert_array_equal(g.numpy(), [[1, 2], [0, 0], [3, 4]])


def test_fill_value_gets_sum():
    check_gradients(lambda v: tf.fill([2, 3], v), np.array(1.5))
    v = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(v)
        y = tf.fill([2, 2], v)
    assert float(tape.gradient(y, v).numpy()) == 4.0


def test_unique_values_gradient():
    x = tf.constant([3.0, 1.0, 3.0, 2.0, 1.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y, _ = tf.unique(x)  # [3, 1, 2]
    g = tape.gradient(y, x, output_gradients=tf.constant([10.0, 20.0, 30.0]))
    np.testing.assert_array_equal(g.numpy(), [10, 20, 10, 30, 20])


def test_check_numerics_identity_gradient():
    check_gradients(lambda x: tf.debugging.check_numerics(x, "x"), rand(2, 2))


# --- no gradient --------------------------------------------------------------------


def test_integer_inputs_get_none():
    p, i = tf.constant(rand(3)), tf.constant([2, 0])
    with tf.GradientTape() as tape:
        tape.watch([p, i])
        y = tf.gather(p, i)
    gp, gi = tape.gradient(y, [p, i])
    assert gp is not None and gi is None


@pytest.mark.parametrize(
    "make",
    [
        lambda x: tf.one_hot([0, 2], 3, on_value=x, off_value=tf.constant(0.0, tf.float64)),
        lambda x: tf.linspace(x, x + 1.0, 4),
        lambda x: tf.random.shuffle(tf.stack([x, x])),
        lambda x: tf.cast(tf.shape(tf.stack([x])), tf.float64),
        lambda x: tf.cast(tf.size(tf.stack([x])), tf.float64),
        lambda x: tf.cast(tf.rank(x), tf.float64),
        lambda x: tf.cast(tf.where(tf.stack([x]) > 0), tf.float64),
    ],
)
def test_non_differentiable_ops_give_none(make):
    x = tf.constant(1.5, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = make(x)
    assert tape.gradient(y, x) is None


# --- float32 and second order -------------------------------------------------------


def test_float32_gradients_are_float32():
    p = tf.constant(rand(3, 2).astype(np.float32))
    idx = tf.constant([[0], [2]])
    with tf.GradientTape() as tape:
        tape.watch(p)
        ys = [
            tf.gather(p, [1, 1]),
            tf.gather_nd(p, idx),
            tf.tensor_scatter_nd_max(p, idx, tf.ones([2, 2])),
            tf.boolean_mask(p, [True, False, True]),
        ]
    (g,) = tape.gradient(ys, [p])
    assert g.dtype == tf.float32


@needs_mul_grad
def test_second_order_gather():
    idx = tf.constant([2, 0, 2])
    check_second_order(squared(lambda p: tf.gather(p, idx)), rand(3, 2))
    check_second_order(
        squared(lambda p: tf.gather(p, [[1], [0]], axis=1, batch_dims=1)), rand(2, 2)
    )
    check_second_order(squared(lambda p: tf.gather_nd(p, [[1, 0], [0, 1]])), rand(2, 2))
