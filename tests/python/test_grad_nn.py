"""Gradients of the nn activations, softmax, bias_add and softmax cross-entropy ops, and
of their fused gradient ops (ReluGrad, EluGrad, BiasAddGrad, ...): numerical checks in
float64, second order for the smooth ops, exact values against NumPy, dtypes."""

import re

import numpy as np
import pytest
from gradient_checking import check_gradients, check_second_order

import loom as tf
from loom import _C

# Ops whose gradients these tests cover; a second-order check that needs another
# family's gradient (Mul, Sum, ...) skips until that family has it.
OWN_OPS = {
    "Relu",
    "Relu6",
    "Elu",
    "Selu",
    "Softplus",
    "Softsign",
    "LeakyRelu",
    "Gelu",
    "ReluGrad",
    "Relu6Grad",
    "EluGrad",
    "SeluGrad",
    "SoftplusGrad",
    "SoftsignGrad",
    "LeakyReluGrad",
    "GeluGrad",
    "Softmax",
    "LogSoftmax",
    "BiasAdd",
    "BiasAddGrad",
    "SparseSoftmaxCrossEntropyWithLogits",
    "SoftmaxCrossEntropyWithLogits",
    "Conv2D",
    "Conv2DBackpropInput",
    "Conv2DBackpropFilter",
    "MaxPool",
    "MaxPoolGrad",
    "MaxPoolGradGrad",
    "AvgPool",
    "AvgPoolGrad",
}


def own_family_only(check):
    """Runs a check; skips it while it needs a gradient that another op family owns."""
    try:
        return check()
    except LookupError as e:
        missing = re.search(r"op type: (\w+)", str(e))
        if missing and missing.group(1) not in OWN_OPS:
            pytest.skip(f"needs the gradient of {missing.group(1)} (another op family)")
        raise


def second_order(f, *xs, **kwargs):
    return own_family_only(lambda: check_second_order(f, *xs, **kwargs))


def raw(op_name, *inputs, **attrs):
    out = _C.execute(_C.op(op_name), tuple(inputs), attrs)
    return out


def away_from_kinks(rng, shape, kinks=(0.0,), scale=2.0, margin=0.05):
    """Random values kept `margin` away from the points where an op is not smooth."""
    x = rng.uniform(-scale, scale, size=shape)
    for k in kinks:
        near = np.abs(x - k) < margin
        x[near] = k + np.where(x[near] >= k, margin, -margin) * 2
    return x


ACTIVATIONS = {
    "relu": (tf.nn.relu, (0.0,)),
    "relu6": (tf.nn.relu6, (0.0, 6.0)),
    "elu": (tf.nn.elu, (0.0,)),
    "selu": (tf.nn.selu, (0.0,)),
    "softplus": (tf.nn.softplus, ()),
    "softsign": (tf.nn.softsign, (0.0,)),
    "leaky_relu": (lambda x: tf.nn.leaky_relu(x, alpha=0.3), (0.0,)),
    "gelu": (tf.nn.gelu, ()),
    "gelu_tanh": (lambda x: tf.nn.gelu(x, approximate=True), ()),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("shape", [(), (5,), (2, 3, 4)])
def test_activation_gradients(name, shape):
    f, kinks = ACTIVATIONS[name]
    rng = np.random.default_rng(len(shape))
    scale = 8.0 if name == "relu6" else 3.0
    check_gradients(f, away_from_kinks(rng, shape, kinks, scale=scale))


def test_activation_gradients_exact():
    x = np.array([-2.0, -0.5, 0.5, 3.0, 7.0])
    expected = {
        "relu": (x > 0).astype(float),
        "relu6": ((x > 0) & (x < 6)).astype(float),
        "elu": np.where(x > 0, 1.0, np.exp(x)),
        "softplus": 1 / (1 + np.exp(-x)),
        "softsign": 1 / (1 + np.abs(x)) ** 2,
        "leaky_relu": np.where(x > 0, 1.0, 0.3),
    }
    for name, want in expected.items():
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = ACTIVATIONS[name][0](xt)
        np.testing.assert_allclose(tape.gradient(y, xt).numpy(), want, rtol=1e-12, err_msg=name)


def test_relu_gradient_is_one_fused_op():
    # The backward of Relu is a single ReluGrad op when traced.
    @tf.function
    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.nn.relu(x)
        return tape.gradient(y, x, output_gradients=x)

    x = tf.constant([[-1.0, 2.0], [3.0, -4.0]])
    np.testing.assert_array_equal(grad(x).numpy(), [[0.0, 2.0], [3.0, 0.0]])
    graph = grad.get_concrete_function(x).graph
    types = [op.type for op in graph.get_operations()]
    assert types.count("ReluGrad") == 1, types
    assert "Mul" not in types and "Greater" not in types, types


@pytest.mark.parametrize(
    "name", ["elu", "selu", "softplus", "softsign", "gelu", "gelu_tanh", "leaky_relu"]
)
def test_activation_second_order(name):
    f, kinks = ACTIVATIONS[name]
    rng = np.random.default_rng(3)
    second_order(f, away_from_kinks(rng, (2, 3), kinks, margin=0.1))


@pytest.mark.parametrize("name", ["relu", "relu6"])
def test_piecewise_linear_second_derivative_is_zero(name):
    f = ACTIVATIONS[name][0]
    x = tf.constant([-1.0, 0.5, 2.0, 7.0])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        g = inner.gradient(y, x)
    h = own_family_only(lambda: outer.gradient(g, x))
    assert h is not None
    np.testing.assert_array_equal(h.numpy(), np.zeros(4))


# The fused gradient ops: (gradients, x) inputs, each differentiable in both.
GRAD_OPS = {
    "ReluGrad": ({}, (0.0,)),
    "Relu6Grad": ({}, (0.0, 6.0)),
    "LeakyReluGrad": ({"alpha": 0.25}, (0.0,)),
    "EluGrad": ({}, (0.0,)),
    "SeluGrad": ({}, (0.0,)),
    "SoftplusGrad": ({}, ()),
    "SoftsignGrad": ({}, (0.0,)),
    "GeluGrad": ({"approximate": False}, ()),
    "GeluGrad_tanh": ({"approximate": True}, ()),
}


@pytest.mark.parametrize("name", sorted(GRAD_OPS))
def test_fused_gradient_ops(name):
    attrs, kinks = GRAD_OPS[name]
    op = name.split("_")[0]
    rng = np.random.default_rng(7)
    g = rng.normal(size=(3, 4))
    x = away_from_kinks(rng, (3, 4), kinks, scale=7.0 if op == "Relu6Grad" else 2.0)
    if op in ("EluGrad", "SeluGrad"):
        x = np.maximum(x, -1.5)  # outputs: elu >= -1, selu >= -1.76
    check_gradients(lambda a, b: raw(op, a, b, **attrs), g, x)


def test_fused_gradient_op_values():
    g = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    x = np.array([-1.0, 0.0, 2.0, 8.0], np.float32)
    np.testing.assert_array_equal(raw("ReluGrad", g, x).numpy(), [0, 0, 3, 4])
    np.testing.assert_array_equal(raw("Relu6Grad", g, x).numpy(), [0, 0, 3, 0])
    np.testing.assert_allclose(
        raw("LeakyReluGrad", g, x, alpha=0.5).numpy(), [0.5, 1.0, 3.0, 4.0], rtol=1e-6
    )
    y = np.array([-0.5, 0.0, 1.0, 2.0], np.float32)  # elu outputs
    np.testing.assert_allclose(raw("EluGrad", g, y).numpy(), [0.5, 2.0, 3.0, 4.0], rtol=1e-6)


@pytest.mark.parametrize("dtype", [tf.float16, tf.bfloat16, tf.float32])
def test_activation_gradient_dtypes(dtype):
    x = tf.constant([-1.5, -0.25, 0.5, 2.0], dtype)
    for name, (f, _) in ACTIVATIONS.items():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        g = tape.gradient(y, x)
        assert g.dtype == dtype, name
        ref = tf.constant(x.numpy().astype(np.float64))
        with tf.GradientTape() as tape:
            tape.watch(ref)
            y = f(ref)
        want = tape.gradient(y, ref).numpy()
        tol = 1e-6 if dtype == tf.float32 else 2e-2
        np.testing.assert_allclose(
            g.numpy().astype(np.float64), want, rtol=tol, atol=tol, err_msg=name
        )


# --- softmax ------------------------------------------------------------------------


@pytest.mark.parametrize("f", [tf.nn.softmax, tf.nn.log_softmax], ids=["softmax", "log"])
@pytest.mark.parametrize("shape,axis", [((5,), -1), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1)])
def test_softmax_gradients(f, shape, axis):
    rng = np.random.default_rng(sum(shape))
    check_gradients(lambda x: f(x, axis=axis), rng.normal(size=shape) * 2)


@pytest.mark.parametrize("f", [tf.nn.softmax, tf.nn.log_softmax], ids=["softmax", "log"])
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_second_order(f, axis):
    rng = np.random.default_rng(11)
    second_order(lambda x: f(x, axis=axis), rng.normal(size=(3, 4)))


def test_softmax_gradient_exact():
    x = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
    w = np.array([[0.3, -1.0, 2.0], [1.0, 1.0, -0.5]])
    s = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    xt = tf.constant(x)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(xt)
        y = tf.nn.softmax(xt)
        ly = tf.nn.log_softmax(xt)
    got = tape.gradient(y, xt, output_gradients=tf.constant(w)).numpy()
    np.testing.assert_allclose(got, (w - (w * s).sum(-1, keepdims=True)) * s, rtol=1e-12)
    got = tape.gradient(ly, xt, output_gradients=tf.constant(w)).numpy()
    np.testing.assert_allclose(got, w - s * w.sum(-1, keepdims=True), rtol=1e-12)


# --- bias_add -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape,fmt",
    [((3, 4), "NHWC"), ((2, 3, 5, 4), "NHWC"), ((2, 4, 3), "NCHW"), ((2, 4, 2, 3), "NCHW")],
)
def test_bias_add_gradients(shape, fmt):
    rng = np.random.default_rng(5)
    channels = shape[-1] if fmt == "NHWC" else shape[1]
    check_gradients(
        lambda v, b: tf.nn.bias_add(v, b, data_format=fmt),
        rng.normal(size=shape),
        rng.normal(size=(channels,)),
    )


def test_bias_add_grad_op():
    rng = np.random.default_rng(6)
    g = rng.normal(size=(2, 3, 4, 5))
    np.testing.assert_allclose(raw("BiasAddGrad", g).numpy(), g.sum((0, 1, 2)), rtol=1e-12)
    np.testing.assert_allclose(
        raw("BiasAddGrad", g, data_format="NCHW").numpy(), g.sum((0, 2, 3)), rtol=1e-12
    )
    check_gradients(lambda v: raw("BiasAddGrad", v, data_format="NHWC"), g[:, :2, :2])
    check_gradients(lambda v: raw("BiasAddGrad", v, data_format="NCHW"), g[:, :2, :2])
    with pytest.raises(tf.errors.InvalidArgumentError):
        raw("BiasAddGrad", np.zeros(3))


def test_bias_add_second_order():
    rng = np.random.default_rng(8)
    v, b = rng.normal(size=(3, 4)), rng.normal(size=(4,))
    second_order(lambda b_: tf.nn.bias_add(v, b_) ** 2, b)


def test_bias_add_gradient_float32_and_int():
    v = tf.constant(np.ones((2, 3), np.float32))
    b = tf.constant(np.arange(3, dtype=np.float32))
    with tf.GradientTape() as tape:
        tape.watch([v, b])
        y = tf.nn.bias_add(v, b)
    gv, gb = tape.gradient(y, [v, b])
    assert gv.dtype == tf.float32 and gb.dtype == tf.float32
    np.testing.assert_array_equal(gb.numpy(), [2, 2, 2])
    vi, bi = tf.constant([[1, 2]]), tf.constant([3, 4])
    with tf.GradientTape() as tape:
        tape.watch([vi, bi])
        y = tf.nn.bias_add(vi, bi)
    assert tape.gradient(y, [vi, bi]) == [None, None]


# --- softmax cross-entropy ----------------------------------------------------------


def distribution(rng, shape, axis=-1):
    p = rng.uniform(0.1, 1.0, size=shape)
    return p / p.sum(axis, keepdims=True)


@pytest.mark.parametrize("shape", [(4,), (3, 5), (2, 3, 4)])
def test_sparse_xent_gradients(shape):
    rng = np.random.default_rng(len(shape))
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    check_gradients(
        lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(labels, x),
        rng.normal(size=shape),
    )


def test_sparse_xent_gradient_exact_and_labels():
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
    labels = tf.constant([2, 0])
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch([xt, labels])
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, xt)
    gx, gl = tape.gradient(loss, [xt, labels], output_gradients=tf.constant([2.0, 0.5], tf.float64))
    s = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    onehot = np.eye(3)[[2, 0]]
    np.testing.assert_allclose(gx.numpy(), (s - onehot) * [[2.0], [0.5]], rtol=1e-12)
    assert gl is None


def test_xent_first_order_gradient_needs_no_softmax():
    # The backprop output already holds softmax - labels: no Softmax op is traced unless
    # a gradient arrives at that output (second derivatives).
    @tf.function
    def grads(x, labels, p):
        with tf.GradientTape() as tape:
            tape.watch(x)
            a = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, x)
            b = tf.nn.softmax_cross_entropy_with_logits(p, x)
        return tape.gradient([a, b], x)

    x = tf.constant([[1.0, 2.0, 0.5]])
    grads(x, tf.constant([1]), tf.constant([[0.2, 0.3, 0.5]]))
    graph = grads.get_concrete_function(x, tf.constant([1]), tf.constant([[0.2, 0.3, 0.5]])).graph
    types = [op.type for op in graph.get_operations()]
    assert "Softmax" not in types and "LogSoftmax" not in types, types


def test_sparse_xent_second_order():
    rng = np.random.default_rng(12)
    labels = np.array([1, 3, 0])
    second_order(
        lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(labels, x),
        rng.normal(size=(3, 4)),
    )


@pytest.mark.parametrize(
    "lshape,pshape,axis",
    [((3, 5), (3, 5), -1), ((3, 4), (3, 4), 0), ((2, 3, 4), (2, 3, 4), 1), ((4,), (3, 4), -1)],
)
def test_xent_gradients(lshape, pshape, axis):
    rng = np.random.default_rng(sum(pshape))
    check_gradients(
        lambda x, p: tf.nn.softmax_cross_entropy_with_logits(p, x, axis=axis),
        rng.normal(size=lshape),
        distribution(rng, pshape, axis),
    )


def test_xent_gradient_exact():
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
    p = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    xt, pt = tf.constant(x), tf.constant(p)
    with tf.GradientTape() as tape:
        tape.watch([xt, pt])
        loss = tf.nn.softmax_cross_entropy_with_logits(pt, xt)
    gx, gp = tape.gradient(loss, [xt, pt])
    log_s = x - np.log(np.exp(x).sum(-1, keepdims=True))
    np.testing.assert_allclose(gx.numpy(), np.exp(log_s) - p, rtol=1e-12)
    np.testing.assert_allclose(gp.numpy(), -log_s, rtol=1e-12)


def test_xent_second_order():
    rng = np.random.default_rng(13)
    x, p = rng.normal(size=(3, 4)), distribution(rng, (3, 4))
    second_order(lambda x_: tf.nn.softmax_cross_entropy_with_logits(p, x_), x)
    second_order(lambda x_: tf.nn.softmax_cross_entropy_with_logits(p, x_, axis=0), x)

    # The labels' effect on the logits' gradient (d/dp of dloss/dx = -1 per class).
    def logits_grad(p_, x_):
        with tf.GradientTape() as tape:
            tape.watch(x_)
            loss = tf.nn.softmax_cross_entropy_with_logits(p_, x_)
        return tape.gradient(loss, x_) ** 2

    own_family_only(lambda: check_gradients(logits_grad, p, x, rtol=1e-4, atol=1e-5))


def test_xent_float32():
    x = tf.constant(np.array([[0.5, 1.5]], np.float32))
    labels = tf.constant([1])
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, x)
    assert tape.gradient(loss, x).dtype == tf.float32
