"""Gradients of Conv2D, MaxPool and AvgPool and of their gradient ops
(Conv2DBackpropInput, Conv2DBackpropFilter, MaxPoolGrad, MaxPoolGradGrad, AvgPoolGrad):
numerical checks in float64 over paddings, strides, dilations and channel counts, second
order, exact values against NumPy, validation of the new ops."""

import numpy as np
import pytest
from gradient_checking import check_gradients
from test_grad_nn import own_family_only, raw, second_order

import loom as tf


def conv_attrs(strides=1, padding="SAME", dilations=1, explicit=None):
    attrs = {
        "strides": [1, strides, strides, 1],
        "padding": padding,
        "dilations": [1, dilations, dilations, 1],
    }
    if explicit is not None:
        attrs["explicit_paddings"] = explicit
    return attrs


CONV_CASES = [
    # input shape, filter shape, strides, padding, dilations
    ((2, 5, 6, 3), (3, 2, 3, 4), 1, "SAME", 1),
    ((2, 5, 6, 3), (3, 2, 3, 4), 1, "VALID", 1),
    ((1, 7, 6, 2), (3, 3, 2, 3), 2, "SAME", 1),
    ((1, 7, 6, 2), (3, 3, 2, 3), 2, "VALID", 1),
    ((1, 6, 7, 1), (2, 3, 1, 2), 3, "SAME", 1),
    ((1, 7, 7, 2), (3, 2, 2, 1), 1, "SAME", 2),
    ((1, 7, 8, 2), (2, 2, 2, 2), 1, "VALID", 3),
    ((2, 4, 4, 5), (1, 1, 5, 3), 1, "VALID", 1),  # pointwise: no im2col
    ((1, 5, 5, 4), (1, 1, 4, 2), 2, "SAME", 1),
]


@pytest.mark.parametrize("ishape,fshape,strides,padding,dilations", CONV_CASES)
def test_conv2d_gradients(ishape, fshape, strides, padding, dilations):
    rng = np.random.default_rng(sum(ishape) + sum(fshape))
    check_gradients(
        lambda x, w: tf.nn.conv2d(x, w, strides, padding, dilations=dilations),
        rng.normal(size=ishape),
        rng.normal(size=fshape),
    )


def test_conv2d_explicit_padding_gradients():
    rng = np.random.default_rng(1)
    pads = [[0, 0], [1, 2], [0, 1], [0, 0]]
    check_gradients(
        lambda x, w: tf.nn.conv2d(x, w, [1, 2, 1, 1], pads),
        rng.normal(size=(1, 5, 4, 2)),
        rng.normal(size=(2, 3, 2, 2)),
    )


def numpy_conv_grads(x, w, dy, stride, pad_top, pad_left):
    """The input and filter gradients of a conv, by direct loops in NumPy."""
    n, h, wd, c = x.shape
    kh, kw, _, oc = w.shape
    _, oh, ow, _ = dy.shape
    dx, dw = np.zeros_like(x), np.zeros_like(w)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    hi, wi = i * stride - pad_top + a, j * stride - pad_left + b
                    if 0 <= hi < h and 0 <= wi < wd:
                        dx[:, hi, wi, :] += dy[:, i, j, :] @ w[a, b].T
                        dw[a, b] += x[:, hi, wi, :].T @ dy[:, i, j, :]
    return dx, dw


def test_conv2d_gradient_exact_values():
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(2, 6, 5, 3)), rng.normal(size=(3, 3, 3, 4))
    xt, wt = tf.constant(x), tf.constant(w)
    with tf.GradientTape() as tape:
        tape.watch([xt, wt])
        y = tf.nn.conv2d(xt, wt, 2, "SAME")
    dy = rng.normal(size=tuple(y.shape))
    gx, gw = tape.gradient(y, [xt, wt], output_gradients=tf.constant(dy))
    # SAME with stride 2: out 3x3; (3-1)*2+3-6 = 1 padding row (none on top) and
    # (3-1)*2+3-5 = 2 padding columns (one on the left).
    want_dx, want_dw = numpy_conv_grads(x, w, dy, 2, 0, 1)
    np.testing.assert_allclose(gx.numpy(), want_dx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gw.numpy(), want_dw, rtol=1e-10, atol=1e-12)


def test_conv2d_gradient_float32_and_large_blocks():
    # Enough rows for several im2col blocks (4M elements each): the filter gradient
    # accumulates across blocks.
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 64, 64, 16)).astype(np.float32)
    w = rng.normal(size=(5, 5, 16, 8)).astype(np.float32)
    xt, wt = tf.constant(x), tf.constant(w)
    with tf.GradientTape() as tape:
        tape.watch([xt, wt])
        y = tf.nn.conv2d(xt, wt, 1, "SAME")
    gx, gw = tape.gradient(y, [xt, wt])
    assert gx.dtype == tf.float32 and gw.dtype == tf.float32
    x64, w64 = tf.constant(x.astype(np.float64)), tf.constant(w.astype(np.float64))
    with tf.GradientTape() as tape:
        tape.watch([x64, w64])
        y = tf.nn.conv2d(x64, w64, 1, "SAME")
    rx, rw = tape.gradient(y, [x64, w64])
    np.testing.assert_allclose(gx.numpy(), rx.numpy(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(gw.numpy(), rw.numpy(), rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize("dtype", [tf.float16, tf.bfloat16])
def test_conv2d_gradient_half_types(dtype):
    rng = np.random.default_rng(4)
    x, w = rng.normal(size=(1, 4, 4, 2)), rng.normal(size=(2, 2, 2, 3))
    grads = []
    for dt in (dtype, tf.float64):
        xt, wt = tf.cast(tf.constant(x), dt), tf.cast(tf.constant(w), dt)
        with tf.GradientTape() as tape:
            tape.watch([xt, wt])
            y = tf.nn.conv2d(xt, wt, 1, "SAME")
        grads.append(tape.gradient(y, [xt, wt]))
    for g, r in zip(*grads):
        assert g.dtype == dtype
        np.testing.assert_allclose(g.numpy().astype(np.float64), r.numpy(), rtol=0.05, atol=0.1)


@pytest.mark.parametrize(
    "ishape,fshape,strides,padding,dilations", [CONV_CASES[2], CONV_CASES[5], CONV_CASES[7]]
)
def test_conv2d_second_order(ishape, fshape, strides, padding, dilations):
    rng = np.random.default_rng(5)
    x, w = rng.normal(size=ishape), rng.normal(size=fshape)

    def f(x_, w_):
        return tf.nn.conv2d(x_, w_, strides, padding, dilations=dilations) ** 2

    second_order(f, x, w, argnum=0)
    second_order(f, x, w, argnum=1)

    # Mixed: the filter's gradient differentiated with respect to the input.
    def filter_grad(x_, w_):
        with tf.GradientTape() as tape:
            tape.watch(w_)
            y = tf.nn.conv2d(x_, w_, strides, padding, dilations=dilations)
        return tape.gradient(y, w_, output_gradients=y)

    own_family_only(lambda: check_gradients(filter_grad, x, w, rtol=1e-4, atol=1e-5))


@pytest.mark.parametrize("case", [0, 3, 6])
def test_conv_backprop_ops_gradients(case):
    ishape, fshape, strides, padding, dilations = CONV_CASES[case]
    attrs = conv_attrs(strides, padding, dilations)
    rng = np.random.default_rng(6)
    x, w = rng.normal(size=ishape), rng.normal(size=fshape)
    dy_shape = tuple(tf.nn.conv2d(x, w, strides, padding, dilations=dilations).shape)
    dy = rng.normal(size=dy_shape)
    check_gradients(
        lambda w_, dy_: raw("Conv2DBackpropInput", np.array(ishape, np.int32), w_, dy_, **attrs),
        w,
        dy,
    )
    check_gradients(
        lambda x_, dy_: raw("Conv2DBackpropFilter", x_, np.array(fshape, np.int32), dy_, **attrs),
        x,
        dy,
    )


def test_conv_backprop_ops_validation():
    attrs = conv_attrs(1, "VALID")
    w = np.zeros((2, 2, 3, 4))
    dy = np.zeros((1, 3, 3, 4))
    sizes = np.array([1, 4, 4, 3], np.int32)
    assert raw("Conv2DBackpropInput", sizes, w, dy, **attrs).shape == (1, 4, 4, 3)
    assert raw(
        "Conv2DBackpropFilter", np.zeros((1, 4, 4, 3)), np.array(w.shape, np.int32), dy, **attrs
    ).shape == (2, 2, 3, 4)
    bad = [
        (np.array([1, 4, 4], np.int32), w, dy),  # 3 sizes
        (np.array([1, -4, 4, 3], np.int32), w, dy),  # negative size
        (np.array([1, 5, 4, 3], np.int32), w, dy),  # out_backprop does not match
        (np.array([1, 4, 4, 2], np.int32), w, dy),  # depth differs from the filter's
        (sizes, w, np.zeros((1, 3, 3, 5))),  # out channels differ
        (sizes, w, np.zeros((3, 3, 4))),  # rank 3
    ]
    for s, w_, dy_ in bad:
        with pytest.raises(tf.errors.InvalidArgumentError):
            raw("Conv2DBackpropInput", s, w_, dy_, **attrs)
    with pytest.raises(tf.errors.InvalidArgumentError):
        raw(
            "Conv2DBackpropFilter",
            np.zeros((1, 4, 4, 3)),
            np.array([2, 2, 3, 0], np.int32),
            dy,
            **attrs,
        )
    with pytest.raises(tf.errors.InvalidArgumentError):
        raw(
            "Conv2DBackpropFilter", np.zeros((1, 5, 4, 3)), np.array(w.shape, np.int32), dy, **attrs
        )


def test_conv2d_gradient_traced_with_unknown_shapes():
    rng = np.random.default_rng(7)
    x, w = rng.normal(size=(2, 5, 5, 2)), rng.normal(size=(3, 3, 2, 3))

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, None, None, 2], tf.float64),
            tf.TensorSpec([3, 3, 2, 3], tf.float64),
        ]
    )
    def grads(x_, w_):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch([x_, w_])
            y = tf.nn.conv2d(x_, w_, 2, "SAME")
            z = tf.nn.avg_pool2d(x_, 2, 2, "SAME")
        return tape.gradient(y, [x_, w_]) + [tape.gradient(z, x_)]

    gx, gw, gz = grads(tf.constant(x), tf.constant(w))
    xt, wt = tf.constant(x), tf.constant(w)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([xt, wt])
        y = tf.nn.conv2d(xt, wt, 2, "SAME")
        z = tf.nn.avg_pool2d(xt, 2, 2, "SAME")
    rx, rw = tape.gradient(y, [xt, wt])
    np.testing.assert_allclose(gx.numpy(), rx.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gw.numpy(), rw.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gz.numpy(), tape.gradient(z, xt).numpy(), rtol=1e-12)


def test_conv2d_transpose_is_the_input_gradient():
    rng = np.random.default_rng(8)
    x, w = rng.normal(size=(2, 7, 6, 3)), rng.normal(size=(3, 3, 3, 4))
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.nn.conv2d(xt, tf.constant(w), 2, "SAME")
    dy = tf.constant(rng.normal(size=tuple(y.shape)))
    want = tape.gradient(y, xt, output_gradients=dy).numpy()
    got = tf.nn.conv2d_transpose(dy, w, [2, 7, 6, 3], 2, "SAME")
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    got = tf.nn.conv2d_transpose(dy, w, tf.constant([2, 7, 6, 3], tf.int64), [2, 2])
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    check_gradients(
        lambda d, f: tf.nn.conv2d_transpose(d, f, (2, 7, 6, 3), 2, "SAME"), dy.numpy(), w
    )


def test_conv2d_integer_sizes_get_no_gradient():
    sizes = tf.constant([1, 3, 3, 1])
    w = tf.constant(np.ones((2, 2, 1, 1)))
    dy = tf.constant(np.ones((1, 2, 2, 1)))
    with tf.GradientTape() as tape:
        tape.watch([sizes, w, dy])
        dx = raw("Conv2DBackpropInput", sizes, w, dy, **conv_attrs(1, "VALID"))
    gs, gw, gdy = tape.gradient(dx, [sizes, w, dy])
    assert gs is None and gw is not None and gdy is not None


# --- pooling ------------------------------------------------------------------------

POOL_CASES = [
    # input shape, ksize, strides, padding: overlapping windows (ksize > stride) included
    ((2, 5, 6, 3), 3, 2, "SAME"),
    ((2, 5, 6, 3), 3, 2, "VALID"),
    ((1, 4, 4, 2), 2, 1, "VALID"),
    ((1, 5, 5, 1), 2, 2, "SAME"),
    ((1, 6, 5, 2), [3, 2], [2, 1], "SAME"),
]


def distinct_values(rng, shape):
    """Values with no ties inside any window: a random permutation, spread out."""
    return rng.permutation(np.prod(shape)).reshape(shape) * 0.1 + rng.uniform(0, 0.01, shape)


@pytest.mark.parametrize("shape,ksize,strides,padding", POOL_CASES)
def test_max_pool_gradients(shape, ksize, strides, padding):
    rng = np.random.default_rng(sum(shape))
    check_gradients(
        lambda x: tf.nn.max_pool2d(x, ksize, strides, padding), distinct_values(rng, shape)
    )


@pytest.mark.parametrize("shape,ksize,strides,padding", POOL_CASES)
def test_avg_pool_gradients(shape, ksize, strides, padding):
    rng = np.random.default_rng(sum(shape))
    check_gradients(lambda x: tf.nn.avg_pool2d(x, ksize, strides, padding), rng.normal(size=shape))


def test_max_pool_gradient_exact():
    x = np.array([[1.0, 5.0, 2.0], [7.0, 3.0, 4.0], [0.0, 8.0, 6.0]]).reshape(1, 3, 3, 1)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.nn.max_pool2d(xt, 2, 1, "VALID")  # maxima 7, 5 / 8, 8
    g = tape.gradient(
        y, xt, output_gradients=tf.constant(np.array([1.0, 2.0, 3.0, 4.0]).reshape(1, 2, 2, 1))
    )
    want = np.array([[0, 2, 0], [1, 0, 0], [0, 7, 0]], np.float64).reshape(1, 3, 3, 1)
    np.testing.assert_array_equal(g.numpy(), want)


def test_max_pool_gradient_ties_go_to_the_first_maximum():
    xt = tf.constant(np.ones((1, 2, 3, 2)))
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.nn.max_pool2d(xt, 2, 1, "VALID")  # two windows, all values equal
    g = tape.gradient(y, xt).numpy()
    want = np.zeros((1, 2, 3, 2))
    want[0, 0, 0:2, :] = 1.0  # each window's top-left position
    np.testing.assert_array_equal(g, want)


def test_avg_pool_gradient_exact_same_padding():
    # SAME 2x2 stride 2 on 3x3: the edge windows hold 2 and 1 real values.
    xt = tf.constant(np.zeros((1, 3, 3, 1)))
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.nn.avg_pool2d(xt, 2, 2, "SAME")
    g = tape.gradient(y, xt).numpy().reshape(3, 3)
    want = np.array([[0.25, 0.25, 0.5], [0.25, 0.25, 0.5], [0.5, 0.5, 1.0]])
    np.testing.assert_array_equal(g, want)


@pytest.mark.parametrize("shape,ksize,strides,padding", [POOL_CASES[0], POOL_CASES[2]])
def test_pool_grad_ops_gradients(shape, ksize, strides, padding):
    rng = np.random.default_rng(9)
    attrs = {
        "ksize": [1] + ([ksize] * 2 if isinstance(ksize, int) else ksize) + [1],
        "strides": [1] + ([strides] * 2 if isinstance(strides, int) else strides) + [1],
        "padding": padding,
    }
    x = distinct_values(rng, shape)
    y = tf.nn.max_pool2d(x, ksize, strides, padding).numpy()
    dy = rng.normal(size=y.shape)
    check_gradients(lambda g: raw("MaxPoolGrad", x, y, g, **attrs), dy)
    check_gradients(lambda g: raw("MaxPoolGradGrad", x, y, g, **attrs), rng.normal(size=shape))
    check_gradients(lambda g: raw("AvgPoolGrad", np.array(shape, np.int32), g, **attrs), dy)
    # MaxPoolGrad routes by the argmax: its orig_input and orig_output get zeros.
    xt, yt, gt = tf.constant(x), tf.constant(y), tf.constant(dy)
    with tf.GradientTape() as tape:
        tape.watch([xt, yt, gt])
        out = raw("MaxPoolGrad", xt, yt, gt, **attrs)
    gx, gy, gg = tape.gradient(out, [xt, yt, gt])
    assert not gx.numpy().any() and not gy.numpy().any() and gg.shape == dy.shape


def test_pool_second_order():
    rng = np.random.default_rng(10)
    x = distinct_values(rng, (1, 4, 5, 2))
    second_order(lambda v: tf.nn.max_pool2d(v, 2, 1, "SAME") ** 2, x)
    second_order(lambda v: tf.nn.avg_pool2d(v, 3, 2, "SAME") ** 2, rng.normal(size=(1, 4, 5, 2)))


def test_pool_grad_ops_validation():
    attrs = {"ksize": [1, 2, 2, 1], "strides": [1, 1, 1, 1], "padding": "VALID"}
    x = np.zeros((1, 3, 3, 1))
    y = np.zeros((1, 2, 2, 1))
    with pytest.raises(tf.errors.InvalidArgumentError):
        raw("MaxPoolGrad", x, y, np.zeros((1, 3, 2, 1)), **attrs)
    with pytest.raises(tf.errors.InvalidArgumentError):
        raw("MaxPoolGrad", x, np.zeros((1, 2, 2, 2)), y, **attrs)
    with pytest.raises(tf.errors.InvalidArgumentError):
        raw("MaxPoolGradGrad", x, y, y, **attrs)
    with pytest.raises(tf.errors.InvalidArgumentError):
        raw("AvgPoolGrad", np.array([1, 3, 3], np.int32), y, **attrs)
    with pytest.raises(tf.errors.InvalidArgumentError):
        raw("AvgPoolGrad", np.array([1, 4, 3, 1], np.int32), y, **attrs)
    with pytest.raises(tf.errors.InvalidArgumentError):
        raw("AvgPoolGrad", np.array([1, -3, 3, 1], np.int32), y, **attrs)
    assert raw("AvgPoolGrad", np.array([1, 3, 3, 1], np.int32), y, **attrs).shape == (1, 3, 3, 1)


def test_pool_gradient_float32():
    x = tf.constant(np.random.default_rng(11).normal(size=(1, 4, 4, 3)).astype(np.float32))
    for pool in (tf.nn.max_pool2d, tf.nn.avg_pool2d):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = pool(x, 2, 2, "VALID")
        g = tape.gradient(y, x)
        assert g.dtype == tf.float32
        np.testing.assert_allclose(g.numpy().sum(), 12.0 if pool is tf.nn.max_pool2d else 12.0)
