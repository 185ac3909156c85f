"""Differential tests of conv2d, max_pool2d and avg_pool2d against NumPy loops."""

import math

import numpy as np
import pytest
from op_testing import FLOAT_DTYPES, assert_matches, random_array, to_loom

import loom as tf
from loom import _C


def window_geometry(size, k, stride, dilation, padding):
    """(out, pad_before, pad_after) by TF's rules; padding may be an explicit pair."""
    eff = (k - 1) * dilation + 1
    if padding == "SAME":
        out = math.ceil(size / stride)
        needed = max(0, (out - 1) * stride + eff - size)
        return out, needed // 2, needed - needed // 2
    before, after = (0, 0) if padding == "VALID" else padding
    return (size + before + after - eff) // stride + 1, before, after


def np_conv2d(x, w, strides, padding, dilations=(1, 1)):
    n, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    ph, pw = (padding, padding) if isinstance(padding, str) else padding
    oh, pt, pb = window_geometry(h, kh, sh, dh, ph)
    ow, pl, pr = window_geometry(wd, kw, sw, dw, pw)
    xp = np.pad(x.astype(np.float64), ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    out = np.zeros((n, oh, ow, o))
    for i in range(kh):
        for j in range(kw):
            patch = xp[
                :,
                i * dh : i * dh + (oh - 1) * sh + 1 : sh,
                j * dw : j * dw + (ow - 1) * sw + 1 : sw,
            ]
            out += np.einsum("nhwc,co->nhwo", patch, w[i, j].astype(np.float64))
    return out


def np_pool(x, ksize, strides, padding, reduce):
    n, h, wd, c = x.shape
    (kh, kw), (sh, sw) = ksize, strides
    oh, pt, _ = window_geometry(h, kh, sh, 1, padding)
    ow, pl, _ = window_geometry(wd, kw, sw, 1, padding)
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            h0, w0 = i * sh - pt, j * sw - pl
            win = x[:, max(h0, 0) : h0 + kh, max(w0, 0) : w0 + kw].astype(np.float64)
            out[:, i, j] = reduce(win.reshape(n, win.shape[1] * win.shape[2], c), axis=1)
    return out


CONV_CASES = [
    # input shape, filter shape, strides, padding, dilations
    ((2, 7, 7, 3), (3, 3, 3, 4), (1, 1), "SAME", (1, 1)),
    ((2, 7, 7, 3), (3, 3, 3, 4), (1, 1), "VALID", (1, 1)),
    ((1, 8, 9, 2), (3, 2, 2, 5), (2, 3), "SAME", (1, 1)),
    ((1, 8, 9, 2), (3, 2, 2, 5), (2, 3), "VALID", (1, 1)),
    ((2, 9, 10, 3), (3, 3, 3, 2), (1, 1), "SAME", (2, 3)),
    ((2, 9, 10, 3), (2, 3, 3, 2), (1, 2), "VALID", (3, 2)),
    ((3, 5, 5, 4), (1, 1, 4, 6), (1, 1), "VALID", (1, 1)),
    ((3, 5, 5, 4), (1, 1, 4, 6), (2, 2), "SAME", (1, 1)),
    ((1, 4, 4, 1), (4, 4, 1, 1), (1, 1), "SAME", (1, 1)),
    ((1, 6, 5, 2), (3, 3, 2, 3), (2, 1), ((1, 2), (0, 3)), (1, 1)),
    ((0, 5, 5, 2), (3, 3, 2, 3), (1, 1), "SAME", (1, 1)),
    ((1, 2, 3, 2), (3, 5, 2, 2), (1, 1), "SAME", (1, 1)),
]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_conv2d_matches_numpy(dtype):
    rng = np.random.default_rng(0)
    for in_shape, f_shape, strides, padding, dilations in CONV_CASES:
        x = random_array(rng, in_shape, dtype, low=-1, high=1)
        w = random_array(rng, f_shape, dtype, low=-1, high=1)
        want = np_conv2d(x, w, strides, padding, dilations)
        if isinstance(padding, str):
            pad_arg = padding
        else:
            pad_arg = [[0, 0], list(padding[0]), list(padding[1]), [0, 0]]
        got = tf.nn.conv2d(
            to_loom(x, dtype), to_loom(w, dtype), list(strides), pad_arg, dilations=list(dilations)
        )
        if dtype in ("float16", "bfloat16"):
            # Sums of up to ~30 products, each rounded to the output type once.
            tol = 2e-2 if dtype == "float16" else 8e-2
            assert got.dtype == tf.as_dtype(dtype) and got.shape == want.shape
            np.testing.assert_allclose(got.numpy().astype(np.float64), want, rtol=tol, atol=tol)
        else:
            assert_matches(got, want, dtype)


def test_conv2d_stride_and_dilation_forms():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 9, 9, 2)).astype(np.float32)
    w = rng.normal(size=(2, 2, 2, 3)).astype(np.float32)
    want = np_conv2d(x, w, (2, 2), "SAME")
    for strides in [2, [2], [2, 2], [1, 2, 2, 1]]:
        assert_matches(tf.nn.conv2d(x, w, strides, "SAME"), want, "float32")
    want = np_conv2d(x, w, (1, 1), "VALID", (2, 2))
    assert_matches(tf.nn.conv2d(x, w, 1, "VALID", dilations=2), want, "float32")


def test_conv2d_large_case_is_correct():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(8, 28, 28, 16)).astype(np.float32)
    w = rng.normal(size=(3, 3, 16, 32)).astype(np.float32)
    got = tf.nn.conv2d(x, w, 1, "SAME")
    np.testing.assert_allclose(got.numpy(), np_conv2d(x, w, (1, 1), "SAME"), rtol=1e-4, atol=1e-4)


def conv(x_shape=(1, 5, 5, 2), f_shape=(3, 3, 2, 4), **attrs):
    base = {"strides": [1, 1, 1, 1], "padding": "SAME"}
    base.update(attrs)
    x = tf.constant(np.zeros(x_shape, np.float32))
    f = tf.constant(np.zeros(f_shape, np.float32))
    return _C.execute(_C.op("Conv2D"), (x, f), base)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(x_shape=(5, 5, 2)), r"input must be 4-dimensional"),
        (dict(f_shape=(3, 3, 2)), r"filter must be 4-dimensional"),
        (dict(f_shape=(3, 3, 3, 4)), r"input depth 2 must match filter depth 3"),
        (dict(strides=[1, 1, 1]), r"strides field must specify 4 dimensions"),
        (dict(strides=[2, 1, 1, 1]), r"batch and depth dimensions must be 1"),
        (dict(strides=[1, 0, 1, 1]), r"strides must be positive"),
        (dict(dilations=[1, -1, 1, 1]), r"dilations must be positive"),
        (dict(padding="VALID", f_shape=(6, 3, 2, 4)), r"Computed output size would be negative"),
        (dict(padding="FULL"), r"padding must be SAME, VALID or EXPLICIT"),
        (dict(padding="SAME", explicit_paddings=[0] * 8), r"explicit_paddings must be empty"),
        (dict(padding="EXPLICIT", explicit_paddings=[0] * 6), r"must contain 8 values"),
        (dict(padding="EXPLICIT", explicit_paddings=[1, 0, 0, 0, 0, 0, 0, 0]), r"batch and depth"),
        (dict(padding="EXPLICIT", explicit_paddings=[0, 0, -1, 0, 0, 0, 0, 0]), r"non-negative"),
        (dict(f_shape=(3, 0, 2, 4)), r"must not have zero elements"),
        (dict(dilations=[1, 2**62, 1, 1], padding="VALID"), r"overflow"),
        (dict(data_format="NWHC"), r"invalid data_format"),
    ],
)
def test_conv2d_bad_inputs(kwargs, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Conv2D\].*" + message):
        conv(**kwargs)


def test_conv2d_unsupported_format_and_types():
    with pytest.raises(tf.errors.UnimplementedError, match=r"\[Conv2D\].*NHWC"):
        conv(data_format="NCHW")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Conv2D\].*int32"):
        tf.nn.conv2d(
            tf.constant(np.zeros((1, 3, 3, 1), np.int32)),
            tf.constant(np.zeros((1, 1, 1, 1), np.int32)),
            1,
            "SAME",
        )
    with pytest.raises(ValueError, match="strides should be of length 1, 2 or 4"):
        tf.nn.conv2d(
            np.zeros((1, 3, 3, 1), np.float32),
            np.zeros((1, 1, 1, 1), np.float32),
            [1, 1, 1],
            "SAME",
        )


# --- pooling ------------------------------------------------------------------------

POOL_CASES = [
    ((2, 6, 6, 3), (2, 2), (2, 2), "VALID"),
    ((2, 7, 7, 3), (3, 3), (2, 2), "SAME"),
    ((1, 5, 8, 2), (2, 3), (1, 2), "SAME"),
    ((1, 5, 8, 2), (5, 1), (3, 1), "VALID"),
    ((1, 4, 4, 1), (4, 4), (1, 1), "SAME"),
    ((0, 4, 4, 2), (2, 2), (2, 2), "SAME"),
    ((1, 3, 3, 0), (2, 2), (1, 1), "VALID"),
]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_pooling_matches_numpy(dtype):
    rng = np.random.default_rng(3)
    for shape, ksize, strides, padding in POOL_CASES:
        x = random_array(rng, shape, dtype)
        got = tf.nn.max_pool2d(to_loom(x, dtype), list(ksize), list(strides), padding)
        assert_matches(got, np_pool(x, ksize, strides, padding, np.max), dtype)
        got = tf.nn.avg_pool2d(to_loom(x, dtype), list(ksize), list(strides), padding)
        assert_matches(got, np_pool(x, ksize, strides, padding, np.mean), dtype)


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int32", "int64"])
def test_max_pool_integers(dtype):
    rng = np.random.default_rng(4)
    x = random_array(rng, (2, 5, 5, 3), dtype, low=-100, high=100)
    got = tf.nn.max_pool(to_loom(x, dtype), 3, 2, "SAME")
    assert_matches(got, np_pool(x, (3, 3), (2, 2), "SAME", np.max).astype(dtype), dtype)


def test_avg_pool_same_counts_only_real_values():
    x = np.ones((1, 3, 3, 1), np.float32)
    got = tf.nn.avg_pool(x, 2, 2, "SAME").numpy()
    np.testing.assert_array_equal(got, np.ones((1, 2, 2, 1), np.float32))


def test_pool_bad_inputs():
    x = tf.constant(np.zeros((1, 4, 4, 2), np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[MaxPool\].*batch and depth"):
        tf.nn.max_pool2d(x, [2, 2, 2, 1], 1, "SAME")
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[AvgPool\].*ksize must be positive"
    ):
        tf.nn.avg_pool2d(x, 0, 1, "SAME")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[AvgPool\].*negative"):
        tf.nn.avg_pool2d(x, 5, 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[MaxPool\].*SAME or VALID"):
        tf.nn.max_pool2d(x, 2, 1, "EXPLICIT")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[MaxPool\].*4-dimensional"):
        _C.execute(
            _C.op("MaxPool"),
            (tf.constant(np.zeros((4, 4, 2), np.float32)),),
            {"ksize": [1, 2, 2, 1], "strides": [1, 1, 1, 1], "padding": "SAME"},
        )
    with pytest.raises(tf.errors.UnimplementedError, match=r"\[AvgPool\].*NCHW"):
        tf.nn.avg_pool2d(x, 2, 1, "SAME", data_format="NCHW")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[AvgPool\].*int32"):
        tf.nn.avg_pool2d(tf.constant(np.zeros((1, 2, 2, 1), np.int32)), 1, 1, "SAME")
    with pytest.raises(ValueError, match="rank 3, 4 or 5"):
        tf.nn.max_pool(tf.constant(np.zeros((4, 4), np.float32)), 2, 1, "SAME")
