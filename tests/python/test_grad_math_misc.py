"""Gradients of clip_by_value, add_n, cast and where (SelectV2), and of the ops that
have none (comparisons, logical and bitwise ops, float predicates)."""

import numpy as np
import pytest
from gradient_checking import check_gradients, check_second_order

import loom as tf
from loom import _C

RNG = np.random.default_rng(99)


def grads(f, *xs, dtype=tf.float64):
    ts = [tf.constant(x, dtype) for x in xs]
    with tf.GradientTape(persistent=True) as tape:
        for t in ts:
            tape.watch(t)
        y = f(*ts)
    return [tape.gradient(y, t) for t in ts]


def test_clip_by_value_numerical():
    # Values stay clear of the bounds, where the derivative jumps.
    t = np.array([[-2.0, -0.4, 0.1], [0.45, 1.7, -1.1]])
    check_gradients(tf.clip_by_value, t, np.float64(-0.5), np.float64(0.5))
    check_gradients(tf.clip_by_value, t, np.array([-1.0, 0.0, 0.0]), np.array([1.0, 0.2, 0.9]))
    check_gradients(tf.clip_by_value, t, np.full((2, 3), -0.6), np.float64(0.8))


def test_clip_by_value_exact():
    t = np.array([[-2.0, 0.0, 3.0], [1.0, 0.5, 5.0]])
    lo = np.array([-1.0, 0.0, 0.0])  # a tie at t == lo: t keeps the gradient
    hi = np.float64(1.0)  # a tie at t == hi too
    gt, glo, ghi = grads(tf.clip_by_value, t, lo, hi)
    np.testing.assert_array_equal(gt.numpy(), [[0, 1, 0], [1, 1, 0]])
    np.testing.assert_array_equal(glo.numpy(), [1, 0, 0])  # summed over the broadcast rows
    assert ghi.shape == () and ghi.numpy() == 2.0
    gt, glo, ghi = grads(tf.clip_by_value, t.astype(np.float32), -1.0, 1.0, dtype=tf.float32)
    assert gt.dtype == glo.dtype == ghi.dtype == tf.float32


def test_add_n():
    xs = [RNG.normal(size=(2, 3)) for _ in range(3)]
    check_gradients(lambda *a: tf.add_n(list(a)), *xs)
    check_second_order(lambda a, b: tf.add_n([a * a, b * a, a]), xs[0], xs[1])
    gs = grads(lambda a, b: tf.add_n([a, b, a]), xs[0], xs[1])
    np.testing.assert_array_equal(gs[0].numpy(), np.full((2, 3), 2.0))
    np.testing.assert_array_equal(gs[1].numpy(), np.ones((2, 3)))


def test_cast_between_floats():
    x = RNG.normal(size=(2, 3))
    # A float64 -> float64 Cast op is a recorded op too (the wrapper skips it).
    cast64 = _C.op("Cast")
    check_gradients(lambda a: _C.execute(cast64, (a * a,), {"DstT": tf.float64}) * a, x)
    # Through float32 and back: exact first and second derivatives of the square.
    v = tf.constant([1.5, -2.0], tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(v)
        with tf.GradientTape() as inner:
            inner.watch(v)
            y = tf.square(tf.cast(tf.cast(v, tf.float32), tf.float64))
        g = inner.gradient(y, v)
    np.testing.assert_array_equal(g.numpy(), [3.0, -4.0])
    np.testing.assert_array_equal(outer.gradient(g, v).numpy(), [2.0, 2.0])
    (g,) = grads(lambda a: tf.cast(a, tf.float64) * 3.0, x.astype(np.float32), dtype=tf.float32)
    assert g.dtype == tf.float32
    np.testing.assert_array_equal(g.numpy(), np.full((2, 3), 3.0, np.float32))
    for to in [tf.float16, tf.bfloat16]:
        (g,) = grads(lambda a, to=to: tf.cast(tf.cast(a, to), tf.float64) * 2.0, [0.5, 1.0])
        assert g.dtype == tf.float64
        np.testing.assert_array_equal(g.numpy(), [2.0, 2.0])


def test_cast_to_or_from_integer_has_no_gradient():
    x = tf.constant([1.5, 2.5])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        as_int = tf.cast(x, tf.int32)
        back = tf.cast(as_int, tf.float32)
        as_bool = tf.cast(x, tf.bool)
        y = back * 2.0 + tf.cast(as_bool, tf.float32)
    assert tape.gradient(y, x) is None
    assert tape.gradient(back, x) is None
    # Beside a differentiable path the integer detour adds nothing.
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 3.0 + tf.cast(tf.cast(x, tf.int64), tf.float32)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [3.0, 3.0])


def test_where_numerical_with_broadcasting():
    cond = tf.constant([[True, False, True], [False, False, True]])
    x, y = RNG.normal(size=(2, 3)), RNG.normal(size=(3,))
    check_gradients(lambda a, b: tf.where(cond, a, b), x, y)
    check_gradients(lambda a, b: tf.where(cond, a, b), np.float64(1.5), y)
    check_second_order(lambda a, b: tf.where(cond, a * a, b * a), x, y)
    row = tf.constant([True, False, True])
    check_gradients(lambda a, b: tf.where(row, a, b), RNG.normal(size=(2, 1)), RNG.normal(size=()))


def test_where_exact():
    cond = np.array([[True, False, True], [False, False, True]])
    with tf.GradientTape(persistent=True) as tape:
        c = tf.constant(cond)
        x = tf.constant([1.0, 2.0, 3.0], tf.float32)
        y = tf.constant(5.0, tf.float32)
        tape.watch([c, x, y])
        z = tf.where(c, x, y)
    gc, gx, gy = tape.gradient(z, [c, x, y])
    assert gc is None
    assert gx.dtype == tf.float32
    np.testing.assert_array_equal(gx.numpy(), [1.0, 0.0, 2.0])
    assert gy.shape == () and gy.numpy() == 3.0


NOT_DIFFERENTIABLE = [
    lambda a, b: tf.math.equal(a, b),
    lambda a, b: tf.math.not_equal(a, b),
    lambda a, b: tf.math.less(a, b),
    lambda a, b: tf.math.less_equal(a, b),
    lambda a, b: tf.math.greater(a, b),
    lambda a, b: tf.math.greater_equal(a, b),
    lambda a, b: tf.math.logical_and(a > 0, b > 0),
    lambda a, b: tf.math.logical_or(a > 0, b > 0),
    lambda a, b: tf.math.logical_xor(a > 0, b > 0),
    lambda a, b: tf.math.logical_not(a > b),
    lambda a, b: tf.math.is_nan(a),
    lambda a, b: tf.math.is_inf(a),
    lambda a, b: tf.math.is_finite(b),
    lambda a, b: tf.math.floordiv(a, b),
]


@pytest.mark.parametrize("k", range(len(NOT_DIFFERENTIABLE)))
def test_not_differentiable_ops_give_none(k):
    f = NOT_DIFFERENTIABLE[k]
    a, b = tf.constant([1.0, -2.0]), tf.constant([0.5, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([a, b])
        out = f(a, b)
        y = tf.cast(out, tf.float32) * a
    assert tape.gradient(out, [a, b]) == [None, None]
    # The cast of a bool result carries no gradient: only the direct use of a counts.
    np.testing.assert_array_equal(tape.gradient(y, a).numpy(), tf.cast(out, tf.float32).numpy())


def test_bitwise_ops_not_differentiable():
    a, b = tf.constant([6, 3]), tf.constant([3, 5])
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        out = tf.bitwise.invert(
            tf.bitwise.bitwise_xor(tf.bitwise.bitwise_or(tf.bitwise.bitwise_and(a, b), a), b)
        )
    assert tape.gradient(out, [a, b]) == [None, None]
