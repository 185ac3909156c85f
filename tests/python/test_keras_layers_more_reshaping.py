"""Permute, RepeatVector, UpSampling1D/2D, ZeroPadding1D/2D, Cropping1D/2D against NumPy;
shapes, config, errors, gradients and loom.function with an unknown batch."""

import numpy as np
import pytest

import loom as tf
from loom import keras

L = keras.layers
RNG = np.random.default_rng(21)


def rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def np_bilinear_axis(x, axis, factor):
    """Half-pixel-centred linear resize of one axis by a loop over output positions."""
    n = x.shape[axis]
    pieces = []
    for i in range(n * factor):
        src = (i + 0.5) / factor - 0.5
        lo = int(np.floor(src))
        frac = src - lo
        lo_c, hi_c = min(max(lo, 0), n - 1), min(max(lo + 1, 0), n - 1)
        a, b = np.take(x, lo_c, axis=axis), np.take(x, hi_c, axis=axis)
        pieces.append((1 - frac) * a + frac * b)
    return np.stack(pieces, axis=axis)


def check(layer, x, expected):
    y = layer(x).numpy()
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)
    assert tuple(layer.compute_output_shape(x.shape)) == expected.shape
    clone = type(layer).from_config(layer.get_config())
    np.testing.assert_allclose(clone(x).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_permute_and_repeat_vector():
    x = rand(2, 3, 4, 5)
    check(L.Permute((3, 1, 2)), x, x.transpose(0, 3, 1, 2))
    v = rand(2, 3)
    check(L.RepeatVector(4), v, np.repeat(v[:, None, :], 4, axis=1))
    assert tuple(L.Permute((2, 1)).compute_output_shape((None, 3, 7))) == (None, 7, 3)
    with pytest.raises(ValueError, match="consecutive and start from 1"):
        L.Permute((0, 1))
    with pytest.raises(ValueError, match="expected ndim=2"):
        L.RepeatVector(2)(x)


def test_upsampling():
    seq = rand(2, 3, 4)
    check(L.UpSampling1D(size=3), seq, np.repeat(seq, 3, axis=1))
    img = rand(2, 3, 4, 2)
    check(L.UpSampling2D(size=(2, 3)), img, np.repeat(np.repeat(img, 2, 1), 3, 2))
    first = rand(2, 2, 3, 4)
    expected = np.repeat(np.repeat(first, 2, 2), 2, 3)
    check(L.UpSampling2D(data_format="channels_first"), first, expected)
    bilinear = np_bilinear_axis(np_bilinear_axis(img, 1, 2), 2, 3)
    check(L.UpSampling2D(size=(2, 3), interpolation="bilinear"), img, bilinear)
    with pytest.raises(ValueError, match="interpolation"):
        L.UpSampling2D(interpolation="cubic-ish")
    assert tuple(L.UpSampling2D().compute_output_shape((None, None, 4, 1))) == (None, None, 8, 1)


def test_zero_padding():
    seq = rand(2, 3, 4)
    check(L.ZeroPadding1D(), seq, np.pad(seq, ((0, 0), (1, 1), (0, 0))))
    check(L.ZeroPadding1D((2, 0)), seq, np.pad(seq, ((0, 0), (2, 0), (0, 0))))
    img = rand(2, 3, 4, 2)
    check(L.ZeroPadding2D(2), img, np.pad(img, ((0, 0), (2, 2), (2, 2), (0, 0))))
    check(L.ZeroPadding2D(((1, 0), (0, 3))), img, np.pad(img, ((0, 0), (1, 0), (0, 3), (0, 0))))
    check(
        L.ZeroPadding2D((1, 2), data_format="channels_first"),
        img,
        np.pad(img, ((0, 0), (0, 0), (1, 1), (2, 2))),
    )
    with pytest.raises(ValueError, match="`padding` should be"):
        L.ZeroPadding2D((1, 2, 3))


def test_cropping():
    seq = rand(2, 6, 3)
    check(L.Cropping1D(), seq, seq[:, 1:-1])
    check(L.Cropping1D((2, 0)), seq, seq[:, 2:])
    img = rand(2, 5, 6, 2)
    check(L.Cropping2D(((1, 2), (0, 1))), img, img[:, 1:-2, 0:-1])
    check(L.Cropping2D(1), img, img[:, 1:-1, 1:-1])
    first = rand(2, 2, 5, 6)
    check(L.Cropping2D((1, 2), data_format="channels_first"), first, first[:, :, 1:-1, 2:-2])
    with pytest.raises(ValueError, match="cropping"):
        L.Cropping1D((3, 3))(seq)
    with pytest.raises(ValueError, match="cropping"):
        L.Cropping2D(((0, 0), (1, -1)))


def test_gradients_and_function_with_unknown_batch():
    x = tf.constant(rand(2, 3, 4, 1))
    stack = [
        L.UpSampling2D((2, 2)),
        L.ZeroPadding2D(1),
        L.Cropping2D(((1, 0), (0, 2))),
        L.Permute((2, 1, 3)),
    ]
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x
        for layer in stack:
            y = layer(y)
        loss = tf.reduce_sum(y)
    grad = tape.gradient(loss, x)
    assert grad.shape == (2, 3, 4, 1)
    # Each input appears 4 times after 2x2 upsampling; padding/cropping remove only
    # border entries, so interior entries keep all 4 copies.
    assert np.all(grad.numpy()[:, 1:-1, 1:-1] == 4.0)

    @tf.function(input_signature=[tf.TensorSpec([None, None, 3], tf.float32)])
    def f(t):
        return L.Cropping1D((1, 1))(L.UpSampling1D(2)(L.ZeroPadding1D(1)(t)))

    seq = rand(4, 5, 3)
    expected = np.repeat(np.pad(seq, ((0, 0), (1, 1), (0, 0))), 2, 1)[:, 1:-1]
    np.testing.assert_allclose(f(seq).numpy(), expected, rtol=1e-6)
    with tf.GradientTape() as tape:
        v = tf.Variable(rand(3, 2))
        out = L.RepeatVector(5)(v)
    assert tape.gradient(out, v).numpy().tolist() == [[5.0, 5.0]] * 3
