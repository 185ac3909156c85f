"""Gradients of the elementwise math ops (unary and binary): numerical checks in
float64 (eager and traced), second derivatives of the common ops, exact values against
hand-computed NumPy, dtypes of float32 gradients."""

import numpy as np
import pytest
from gradient_checking import check_gradients, check_second_order, gradient_function

import loom as tf
from loom import _C

RNG = np.random.default_rng(1234)


def uniform(shape, lo, hi):
    return RNG.uniform(lo, hi, size=shape)


def away_from_zero(shape, lo=0.3, hi=2.0):
    return uniform(shape, lo, hi) * RNG.choice([-1.0, 1.0], size=shape)


def raw(op_name):
    handle = _C.op(op_name)
    return lambda *xs: _C.execute(handle, xs)


# op, input range (sampler taking a shape)
UNARY = {
    "negative": (tf.math.negative, lambda s: uniform(s, -3, 3)),
    "abs": (tf.math.abs, away_from_zero),
    "sign": (tf.math.sign, away_from_zero),  # zeros, as TF
    "square": (tf.math.square, lambda s: uniform(s, -3, 3)),
    "sqrt": (tf.math.sqrt, lambda s: uniform(s, 0.5, 3)),
    "rsqrt": (tf.math.rsqrt, lambda s: uniform(s, 0.5, 3)),
    "reciprocal": (tf.math.reciprocal, away_from_zero),
    "exp": (tf.math.exp, lambda s: uniform(s, -2, 2)),
    "expm1": (tf.math.expm1, lambda s: uniform(s, -2, 2)),
    "log": (tf.math.log, lambda s: uniform(s, 0.3, 3)),
    "log1p": (tf.math.log1p, lambda s: uniform(s, -0.7, 3)),
    "sin": (tf.math.sin, lambda s: uniform(s, -3, 3)),
    "cos": (tf.math.cos, lambda s: uniform(s, -3, 3)),
    "tan": (tf.math.tan, lambda s: uniform(s, -1.2, 1.2)),
    "asin": (tf.math.asin, lambda s: uniform(s, -0.8, 0.8)),
    "acos": (tf.math.acos, lambda s: uniform(s, -0.8, 0.8)),
    "atan": (tf.math.atan, lambda s: uniform(s, -3, 3)),
    "sinh": (tf.math.sinh, lambda s: uniform(s, -2, 2)),
    "cosh": (tf.math.cosh, lambda s: uniform(s, -2, 2)),
    "tanh": (tf.math.tanh, lambda s: uniform(s, -2, 2)),
    "sigmoid": (tf.math.sigmoid, lambda s: uniform(s, -3, 3)),
    "erf": (tf.math.erf, lambda s: uniform(s, -2, 2)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_numerical(name):
    f, sample = UNARY[name]
    for shape in [(), (2, 3)]:
        check_gradients(f, sample(shape))


SECOND_ORDER_UNARY = ["exp", "log", "tanh", "sigmoid", "sin", "square", "sqrt", "rsqrt"]
SECOND_ORDER_UNARY += ["reciprocal", "erf", "tan", "asin", "atan", "cos", "expm1", "log1p"]


@pytest.mark.parametrize("name", SECOND_ORDER_UNARY)
def test_unary_second_order(name):
    f, sample = UNARY[name]
    check_second_order(f, sample((2, 2)))


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "sqrt", "rsqrt", "reciprocal"])
def test_fused_gradient_kernels_third_order(name):
    # The third derivative runs through the gradient of the fused *Grad kernel's gradient.
    f, sample = UNARY[name]
    check_second_order(gradient_function(f), sample((3,)), rtol=1e-3, atol=1e-4)


def positive(s):
    return uniform(s, 0.5, 2.0)


def floormod_divisor(s):
    return uniform(s, 1.0, 2.0) * RNG.choice([-1.0, 1.0], size=s)


# op, sampler of x, sampler of y
BINARY = {
    "add": (tf.math.add, lambda s: uniform(s, -2, 2), lambda s: uniform(s, -2, 2)),
    "subtract": (tf.math.subtract, lambda s: uniform(s, -2, 2), lambda s: uniform(s, -2, 2)),
    "multiply": (tf.math.multiply, lambda s: uniform(s, -2, 2), lambda s: uniform(s, -2, 2)),
    "real_div": (raw("RealDiv"), lambda s: uniform(s, -2, 2), away_from_zero),
    "div": (raw("Div"), lambda s: uniform(s, -2, 2), away_from_zero),
    "floormod": (tf.math.floormod, lambda s: uniform(s, -3, 3), floormod_divisor),
    "pow": (tf.math.pow, positive, lambda s: uniform(s, -2, 2)),
    "maximum": (tf.math.maximum, lambda s: uniform(s, -2, 2), lambda s: uniform(s, -2, 2)),
    "minimum": (tf.math.minimum, lambda s: uniform(s, -2, 2), lambda s: uniform(s, -2, 2)),
    "squared_difference": (
        tf.math.squared_difference,
        lambda s: uniform(s, -2, 2),
        lambda s: uniform(s, -2, 2),
    ),
    "atan2": (tf.math.atan2, away_from_zero, away_from_zero),
}

SHAPE_PAIRS = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 2)), ((3,), ())]


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_numerical_with_broadcasting(name):
    f, sample_x, sample_y = BINARY[name]
    for sx, sy in SHAPE_PAIRS:
        check_gradients(f, sample_x(sx), sample_y(sy))


@pytest.mark.parametrize("name", ["multiply", "real_div", "pow", "atan2", "squared_difference"])
def test_binary_second_order(name):
    f, sample_x, sample_y = BINARY[name]
    x, y = sample_x((2, 2)), sample_y((2, 2))

    # Squared, so the second derivative is never structurally zero (d2(x*y)/dx2 is).
    def g(a, b):
        return tf.math.square(f(a, b))

    for argnum in [0, 1]:
        check_second_order(g, x, y, argnum=argnum)
    if name in ["pow", "atan2"]:
        check_second_order(f, x, y, argnum=0)
        check_second_order(f, x, y, argnum=1)


def grads(f, *xs, dtype=tf.float64):
    ts = [tf.constant(x, dtype) for x in xs]
    with tf.GradientTape(persistent=True) as tape:
        for t in ts:
            tape.watch(t)
        y = f(*ts)
    return [tape.gradient(y, t) for t in ts]


def test_hot_gradients_exact_float32():
    x = np.array([-1.5, -0.2, 0.0, 0.7, 3.0], np.float32)
    (g,) = grads(tf.math.tanh, x, dtype=tf.float32)
    assert g.dtype == tf.float32
    t = tf.math.tanh(x).numpy()  # 1 - y^2 from the float32 output, as the kernel does
    np.testing.assert_allclose(g.numpy(), 1 - t * t, rtol=1e-5)
    s = 1 / (1 + np.exp(-x))
    (g,) = grads(tf.math.sigmoid, x, dtype=tf.float32)
    assert g.dtype == tf.float32
    np.testing.assert_allclose(g.numpy(), s * (1 - s), rtol=1e-6)
    (g,) = grads(tf.math.exp, x, dtype=tf.float32)
    np.testing.assert_allclose(g.numpy(), np.exp(x), rtol=1e-6)
    y = np.array([2.0, -1.0, 0.5, 4.0, 1.0], np.float32)
    gx, gy = grads(tf.math.multiply, x, y, dtype=tf.float32)
    assert gx.dtype == gy.dtype == tf.float32
    np.testing.assert_array_equal(gx.numpy(), y)
    np.testing.assert_array_equal(gy.numpy(), x)
    gx, gy = grads(tf.math.subtract, x, y, dtype=tf.float32)
    np.testing.assert_array_equal(gy.numpy(), -np.ones(5))


def test_broadcast_gradients_sum_to_input_shape():
    x = np.arange(6.0).reshape(2, 3)
    y = np.array([1.0, 2.0, 4.0])
    gx, gy = grads(lambda a, b: a / b, x, y)
    np.testing.assert_allclose(gx.numpy(), np.broadcast_to(1 / y, (2, 3)))
    np.testing.assert_allclose(gy.numpy(), (-x / y**2).sum(0))
    gx, gy = grads(tf.math.multiply, 3.0, x)
    assert gx.shape == () and gx.numpy() == x.sum()


def test_pow_at_zero_and_negative_base():
    x = np.array([0.0, 0.0, 0.0, -2.0, 2.0])
    y = np.array([2.0, 1.0, 3.0, 2.0, 3.0])
    gx, gy = grads(tf.math.pow, x, y)
    np.testing.assert_allclose(gx.numpy(), [0.0, 1.0, 0.0, -4.0, 12.0])
    # log(x) is used only where x > 0: elsewhere the exponent's gradient is 0, not NaN.
    np.testing.assert_allclose(gy.numpy(), [0.0, 0.0, 0.0, 0.0, 8.0 * np.log(2.0)])


def test_maximum_minimum_ties_go_to_x():
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([1.0, 3.0, 2.0])
    gx, gy = grads(tf.math.maximum, x, y)
    np.testing.assert_array_equal(gx.numpy(), [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(gy.numpy(), [0.0, 1.0, 0.0])
    gx, gy = grads(tf.math.minimum, x, y)
    np.testing.assert_array_equal(gx.numpy(), [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(gy.numpy(), [0.0, 0.0, 1.0])


def test_floormod_and_atan2_exact():
    x = np.array([5.5, -5.5])
    y = np.array([2.0, 2.0])
    gx, gy = grads(tf.math.floormod, x, y)
    np.testing.assert_array_equal(gx.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(gy.numpy(), [-2.0, 3.0])
    a, b = np.array([1.0, -2.0]), np.array([3.0, 0.5])
    ga, gb = grads(tf.math.atan2, a, b)
    np.testing.assert_allclose(ga.numpy(), b / (a**2 + b**2))
    np.testing.assert_allclose(gb.numpy(), -a / (a**2 + b**2))


def test_piecewise_constant_ops():
    x = np.array([-1.7, 0.4, 2.5])
    # TF: Sign has a zero gradient; Round, Floor, Ceil and FloorDiv have none.
    (g,) = grads(tf.math.sign, x)
    np.testing.assert_array_equal(g.numpy(), np.zeros(3))
    for f in [tf.math.round, tf.math.floor, tf.math.ceil]:
        assert grads(f, x) == [None]
    assert grads(tf.math.floordiv, x, np.array([2.0, 2.0, 2.0])) == [None, None]
    # Used beside a differentiable path, they contribute nothing.
    (g,) = grads(lambda a: a * 2.0 + tf.math.floor(a), x)
    np.testing.assert_array_equal(g.numpy(), np.full(3, 2.0))


def test_integer_inputs_get_no_gradient():
    for f in [tf.math.multiply, tf.math.add, tf.math.pow, tf.math.maximum]:
        a, b = tf.constant([2, 3]), tf.constant([1, 2])
        with tf.GradientTape() as tape:
            tape.watch(a)
            y = f(a, b)
        assert tape.gradient(y, a) is None
    a = tf.constant([2, -3])
    for f in [tf.math.abs, tf.math.square, tf.math.negative, tf.math.sign]:
        with tf.GradientTape() as tape:
            tape.watch(a)
            y = f(a)
        assert tape.gradient(y, a) is None


def test_unused_input_gradient_not_needed():
    # Only x is watched: the gradient of y (which is not computed) never fails.
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        z = tf.math.pow(x, tf.constant([0.5, 3.0])) * tf.constant([2.0, 1.0])
    np.testing.assert_allclose(tape.gradient(z, x).numpy(), [2 * 0.5, 12.0], rtol=1e-6)


FUSED = {
    "TanhGrad": lambda y, dy: dy * (1 - y * y),
    "SigmoidGrad": lambda y, dy: dy * y * (1 - y),
    "SqrtGrad": lambda y, dy: 0.5 * dy / y,
    "RsqrtGrad": lambda y, dy: -0.5 * dy * y**3,
    "ReciprocalGrad": lambda y, dy: -dy * y * y,
}


@pytest.mark.parametrize("name", sorted(FUSED))
def test_fused_gradient_kernels(name):
    y, dy = uniform((2, 5), 0.3, 0.9), uniform((2, 5), -2, 2)
    for dtype in [np.float32, np.float64]:
        got = raw(name)(y.astype(dtype), dy.astype(dtype))
        assert got.dtype == tf.as_dtype(dtype)
        rtol = 1e-6 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got.numpy(), FUSED[name](y, dy), rtol=rtol)
    # The kernel is linear in dy and smooth in y: both gradients check numerically.
    check_gradients(raw(name), y, dy)
    check_second_order(raw(name), y, dy, argnum=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=name):
        raw(name)(np.ones((2, 3)), np.ones((3,)))
    with pytest.raises((TypeError, tf.errors.OpError)):
        raw(name)(np.ones(3, np.int32), np.ones(3, np.int32))


def test_fused_kernel_shape_checked_at_run_time():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)] * 2)
    def f(y, dy):
        return raw("TanhGrad")(y, dy)

    np.testing.assert_allclose(f(tf.constant([0.5]), tf.constant([2.0])).numpy(), [1.5])
    with pytest.raises(tf.errors.InvalidArgumentError, match="TanhGrad"):
        f(tf.constant([0.5, 0.1]), tf.constant([2.0]))


def test_broadcast_gradients_with_unknown_shapes_in_function():
    @tf.function(
        input_signature=[tf.TensorSpec([None, None], tf.float64), tf.TensorSpec([None], tf.float64)]
    )
    def f(x, y):
        with tf.GradientTape() as tape:
            tape.watch([x, y])
            z = tf.math.tanh(x * y) + tf.math.maximum(x, y) / y
        return tape.gradient(z, [x, y])

    x, y = uniform((2, 3), -1, 1), uniform((3,), 0.5, 1.5)
    gx, gy = f(tf.constant(x), tf.constant(y))
    expected = grads(lambda a, b: tf.math.tanh(a * b) + tf.math.maximum(a, b) / b, x, y)
    assert tuple(gx.shape) == (2, 3) and tuple(gy.shape) == (3,)
    np.testing.assert_allclose(gx.numpy(), expected[0].numpy(), rtol=1e-12)
    np.testing.assert_allclose(gy.numpy(), expected[1].numpy(), rtol=1e-12)
