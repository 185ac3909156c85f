"""Gradients of the linalg family: MatMul (transpose flags), BatchMatMulV2 (adjoint
flags, broadcast batch dims) and Einsum (general equations: '...', repeated labels,
labels summed out of one operand, several operands)."""

import numpy as np
import pytest
from grad_family_testing import checked, second_order
from gradient_checking import check_gradients

import loom as tf

RNG = np.random.default_rng(11)
FLAGS = [(False, False), (True, False), (False, True), (True, True)]


def normal(*shape):
    return RNG.normal(size=shape)


def matrix(rows, cols, transposed):
    return normal(cols, rows) if transposed else normal(rows, cols)


@pytest.mark.parametrize("ta,tb", FLAGS)
def test_matmul(ta, tb):
    a, b = matrix(2, 3, ta), matrix(3, 4, tb)
    check_gradients(lambda a, b: tf.matmul(a, b, transpose_a=ta, transpose_b=tb), a, b)


@pytest.mark.parametrize("ta,tb", [(True, False), (False, True)])
def test_matmul_adjoint_flags(ta, tb):
    a, b = matrix(3, 2, ta), matrix(2, 3, tb)
    check_gradients(lambda a, b: tf.matmul(a, b, adjoint_a=ta, adjoint_b=tb), a, b)


def test_matmul_exact():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[5.0, 6.0, 7.0], [8.0, 9.0, 10.0]])
    g = RNG.normal(size=(2, 3))
    at, bt = tf.constant(a), tf.constant(b)
    with tf.GradientTape() as tape:
        tape.watch([at, bt])
        y = tf.matmul(at, bt)
    da, db = tape.gradient(y, [at, bt], output_gradients=tf.constant(g))
    np.testing.assert_allclose(da.numpy(), g @ b.T)
    np.testing.assert_allclose(db.numpy(), a.T @ g)


def test_matmul_gradient_is_two_matmuls():
    @tf.function
    def grads(a, b):
        with tf.GradientTape() as tape:
            tape.watch([a, b])
            y = tf.matmul(a, b, transpose_a=True)
        return [y] + tape.gradient(y, [a, b])

    a, b = tf.constant(normal(3, 2)), tf.constant(normal(3, 4))
    types = [op.type for op in grads.get_concrete_function(a, b).graph.get_operations()]
    assert "Transpose" not in types
    assert types.count("MatMul") == 3  # the forward product and one per gradient


@pytest.mark.parametrize("ta,tb", FLAGS)
@pytest.mark.parametrize(
    "x_batch,y_batch",
    [((2,), (2,)), ((2, 1), (3,)), ((), (2,)), ((1,), (3, 2)), ((2, 3), ())],
)
def test_batch_matmul(ta, tb, x_batch, y_batch):
    x = normal(*x_batch, *((3, 2) if ta else (2, 3)))
    y = normal(*y_batch, *((4, 3) if tb else (3, 4)))
    if x.ndim == 2 and y.ndim == 2:
        pytest.skip("rank 2 goes to MatMul")
    check_gradients(lambda x, y: tf.matmul(x, y, transpose_a=ta, transpose_b=tb), x, y)


def test_batch_matmul_broadcast_exact():
    x = normal(1, 2, 3)  # shared by every matrix of y
    y = normal(4, 3, 2)
    g = normal(4, 2, 2)
    xt, yt = tf.constant(x), tf.constant(y)
    with tf.GradientTape() as tape:
        tape.watch([xt, yt])
        out = tf.linalg.matmul(xt, yt)
    dx, dy = tape.gradient(out, [xt, yt], output_gradients=tf.constant(g))
    np.testing.assert_allclose(dx.numpy(), [sum(g[i] @ y[i].T for i in range(4))])
    np.testing.assert_allclose(dy.numpy(), [x[0].T @ g[i] for i in range(4)])


EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),  # implicit output
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ii->", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("iij->j", [(2, 2, 3)]),
    ("iii->i", [(2, 2, 2)]),
    ("ij,kl->", [(2, 3), (2, 2)]),  # every label summed out of one operand
    ("ij,j->i", [(2, 3), (3,)]),
    ("i,j->ij", [(2,), (3,)]),
    ("i,i->", [(4,), (4,)]),
    ("ii,ij->j", [(3, 3), (3, 2)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("ijk,ikl->jl", [(2, 3, 2), (2, 2, 3)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (2, 3, 2)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]),  # '...' broadcast both ways
    ("...ij,...jk->...ik", [(2, 3), (2, 3, 2)]),  # one operand without '...' dims
    ("...ij,jk->...ik", [(2, 2, 3), (3, 2)]),
    ("i...,i...->...", [(2, 3, 1), (2, 1, 2)]),
    ("...ii->...", [(2, 3, 3)]),
    ("...ii->...i", [(2, 2, 2)]),
    ("ij...,j->i", [(2, 3), (3,)]),  # empty '...'
    ("j...,j->...", [(3, 2), (3,)]),
    ("ab,ba->", [(2, 3), (3, 2)]),
    ("a,...->...a", [(2,), (3,)]),
]


@pytest.mark.parametrize("equation,shapes", EINSUM_CASES)
def test_einsum(equation, shapes):
    xs = [normal(*s) for s in shapes]
    check_gradients(lambda *xs: tf.einsum(equation, *xs), *xs)


def test_einsum_same_operand_twice():
    check_gradients(lambda x: tf.einsum("ij,jk->ik", x, x), normal(3, 3))


def test_einsum_exact():
    x = normal(3, 3)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.linalg.trace(xt)
    np.testing.assert_array_equal(tape.gradient(y, xt).numpy(), np.eye(3))
    a, b = normal(2, 3), normal(3)
    at, bt = tf.constant(a), tf.constant(b)
    g = normal(2)
    with tf.GradientTape() as tape:
        tape.watch([at, bt])
        y = tf.einsum("ij,j->i", at, bt)
    da, db = tape.gradient(y, [at, bt], output_gradients=tf.constant(g))
    np.testing.assert_allclose(da.numpy(), np.outer(g, b))
    np.testing.assert_allclose(db.numpy(), a.T @ g)


def test_einsum_too_many_labels_for_the_gradient():
    # All 52 letters are taken, so the diagonal "aa" has no fresh label for its gradient.
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    equation = "a" + letters + "->"
    x = tf.ones([2] * 2 + [1] * 51, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.einsum(equation, x)
    with pytest.raises(tf.errors.UnimplementedError, match=equation):
        tape.gradient(y, x)


# Second order: products of x with itself, so the gradient depends on x.


@pytest.mark.parametrize("ta,tb", FLAGS)
def test_matmul_second_order(ta, tb):
    second_order(lambda x: tf.matmul(x, x, transpose_a=ta, transpose_b=tb), normal(3, 3))


def cross_second_order(f, xs, wrt, through):
    """Checks d/d xs[through] of (d f / d xs[wrt]), the other inputs held fixed: the
    gradient of one operand's gradient with respect to another operand."""

    def grad_of(x_through):
        args = [tf.constant(x) for x in xs]
        args[through] = x_through
        with tf.GradientTape() as tape:
            tape.watch(args[wrt])
            y = f(*args)
        return tape.gradient(y, args[wrt])

    return checked(lambda: check_gradients(grad_of, xs[through], rtol=1e-4, atol=1e-5, delta=1e-5))


@pytest.mark.parametrize("ta,tb", FLAGS)
def test_matmul_second_order_across_operands(ta, tb):
    xs = [matrix(2, 3, ta), matrix(3, 4, tb)]
    f = lambda a, b: tf.matmul(a, b, transpose_a=ta, transpose_b=tb)  # noqa: E731
    cross_second_order(f, xs, 0, 1)
    cross_second_order(f, xs, 1, 0)


@pytest.mark.parametrize("ta,tb", FLAGS)
@pytest.mark.parametrize("x_batch,y_batch", [((2,), (2,)), ((1,), (3,))])
def test_batch_matmul_second_order_across_operands(ta, tb, x_batch, y_batch):
    xs = [
        normal(*x_batch, *((3, 2) if ta else (2, 3))),
        normal(*y_batch, *((4, 3) if tb else (3, 4))),
    ]
    f = lambda a, b: tf.matmul(a, b, transpose_a=ta, transpose_b=tb)  # noqa: E731
    cross_second_order(f, xs, 0, 1)
    cross_second_order(f, xs, 1, 0)


@pytest.mark.parametrize(
    "equation,shapes",
    [
        ("ij,jk->ik", [(2, 3), (3, 2)]),
        ("ii,ij->j", [(3, 3), (3, 2)]),
        ("ij,kl->", [(2, 3), (2, 2)]),
        ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]),
        ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ],
)
def test_einsum_second_order_across_operands(equation, shapes):
    xs = [normal(*s) for s in shapes]
    f = lambda *xs: tf.einsum(equation, *xs)  # noqa: E731
    for wrt in range(len(xs)):
        for through in range(len(xs)):
            if wrt != through:
                cross_second_order(f, xs, wrt, through)


@pytest.mark.parametrize("ta,tb", FLAGS)
def test_batch_matmul_second_order(ta, tb):
    second_order(lambda x: tf.matmul(x, x, transpose_a=ta, transpose_b=tb), normal(2, 3, 3))


def test_batch_matmul_broadcast_second_order():
    second_order(lambda x, y: tf.matmul(tf.matmul(x, y), x), normal(1, 2, 2), normal(3, 2, 2))


@pytest.mark.parametrize(
    "equation,shape",
    [
        ("ij,jk->ik", (3, 3)),
        ("ii,ij->j", (3, 3)),
        ("bij,bjk->bik", (2, 3, 3)),
        ("...ij,...jk->...ik", (2, 3, 3)),
        ("ij,ij->", (2, 3)),
    ],
)
def test_einsum_second_order(equation, shape):
    second_order(lambda x: tf.einsum(equation, x, x), normal(*shape))


# Dtypes and integers.


@pytest.mark.parametrize(
    "f",
    [
        lambda x: tf.matmul(x, x, transpose_b=True),
        lambda x: tf.einsum("ij,jk->ik", x, x),
        lambda x: tf.einsum("ii->i", x),
    ],
)
def test_float32_gradients_keep_dtype(f):
    x = tf.constant(normal(3, 3), tf.float32)
    _check_float32(f, x)


def test_float32_batch_matmul_gradient_keeps_dtype():
    _check_float32(lambda x: tf.matmul(x, x), tf.constant(normal(2, 3, 3), tf.float32))


def _check_float32(f, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    g = tape.gradient(y, x)
    assert g.dtype == tf.float32 and g.shape == x.shape


@pytest.mark.parametrize(
    "f",
    [
        lambda x: tf.matmul(x, x),
        lambda x: tf.einsum("ij,jk->ik", x, x),
    ],
)
def test_integer_inputs_get_none(f):
    _check_integer(f, tf.constant(np.arange(9).reshape(3, 3), tf.int32))


def test_integer_batch_matmul_gets_none():
    _check_integer(lambda x: tf.matmul(x, x), tf.constant(np.arange(18).reshape(2, 3, 3), tf.int32))


def _check_integer(f, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    assert tape.gradient(y, x) is None


# Shapes unknown while tracing.


@pytest.mark.parametrize(
    "equation",
    ["ij,jk->ik", "ii->i", "ij->j", "...ij,...jk->...ik", "ij,kl->"],
)
def test_einsum_unknown_dims_in_function(equation):
    a, b = normal(3, 3), normal(3, 3)
    n = equation.split("->")[0].count(",") + 1
    w = RNG.normal(size=tuple(tf.einsum(equation, *[a, b][:n]).shape))

    def grad(a, b):
        xs = [a, b][:n]
        with tf.GradientTape() as tape:
            tape.watch(xs)
            y = tf.einsum(equation, *xs)
        return tape.gradient(y, xs, output_gradients=tf.constant(w))

    spec = tf.TensorSpec([None, None], tf.float64)
    traced = tf.function(grad, input_signature=[spec, spec])
    for got, want in zip(
        traced(tf.constant(a), tf.constant(b)), grad(tf.constant(a), tf.constant(b))
    ):
        np.testing.assert_allclose(got.numpy(), want.numpy())


def test_batch_matmul_unknown_dims_in_function():
    x, y = normal(2, 1, 2, 3), normal(3, 3, 2)
    g = normal(2, 3, 2, 2)

    def grad(x, y):
        with tf.GradientTape() as tape:
            tape.watch([x, y])
            out = tf.matmul(x, y)
        return tape.gradient(out, [x, y], output_gradients=tf.constant(g))

    traced = tf.function(
        grad,
        input_signature=[
            tf.TensorSpec([None, None, None, None], tf.float64),
            tf.TensorSpec([None, None, None], tf.float64),
        ],
    )
    for got, want in zip(
        traced(tf.constant(x), tf.constant(y)), grad(tf.constant(x), tf.constant(y))
    ):
        np.testing.assert_allclose(got.numpy(), want.numpy())
