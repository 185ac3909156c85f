"""Differential tests of softmax, log_softmax, bias_add and the softmax cross-entropy
losses against NumPy references."""

import numpy as np
import pytest
from op_testing import FLOAT_DTYPES, assert_matches, random_array, to_loom

import loom as tf
from loom import _C


def np_log_softmax(x, axis=-1):
    x = x.astype(np.float64)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def np_softmax(x, axis=-1):
    return np.exp(np_log_softmax(x, axis))


# --- softmax ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_softmax_and_log_softmax_over_each_axis(dtype):
    rng = np.random.default_rng(0)
    for shape in [(5,), (3, 7), (2, 3, 4), (2, 1, 3, 5)]:
        x = random_array(rng, shape, dtype, low=-10, high=10)
        for axis in [None, *range(-len(shape), len(shape))]:
            ax = -1 if axis is None else axis
            assert_matches(tf.nn.softmax(to_loom(x, dtype), axis=axis), np_softmax(x, ax), dtype)
            assert_matches(
                tf.nn.log_softmax(to_loom(x, dtype), axis=axis), np_log_softmax(x, ax), dtype
            )


def test_softmax_is_stable_for_large_logits():
    x = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -1000.0]], np.float32)
    assert_matches(tf.nn.softmax(x), np_softmax(x), "float32")
    assert_matches(tf.math.log_softmax(x), np_log_softmax(x), "float32")


def test_softmax_empty_dims():
    x = np.zeros((0, 4), np.float32)
    assert tf.nn.softmax(x).shape == (0, 4)
    assert tf.nn.softmax(np.zeros((3, 0), np.float32)).shape == (3, 0)


def test_softmax_bad_inputs():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Softmax\].*rank at least 1"):
        tf.nn.softmax(tf.constant(1.0))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[LogSoftmax\].*axis 2"):
        tf.nn.log_softmax(tf.constant(np.zeros((2, 2), np.float32)), axis=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Softmax\].*int32"):
        tf.nn.softmax(tf.constant([1, 2]))


# --- bias_add -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", *FLOAT_DTYPES])
def test_bias_add_nhwc_and_nchw(dtype):
    rng = np.random.default_rng(1)
    for shape in [(4, 3), (2, 5, 3), (2, 4, 5, 3), (0, 3)]:
        x = random_array(rng, shape, dtype)
        b = random_array(rng, (shape[-1],), dtype)
        want = (x.astype(np.float64) + b).astype(x.dtype)
        assert_matches(tf.nn.bias_add(to_loom(x, dtype), to_loom(b, dtype)), want, dtype)
    x = random_array(rng, (2, 3, 4, 5), dtype)
    b = random_array(rng, (3,), dtype)
    want = (x.astype(np.float64) + b.reshape(1, 3, 1, 1)).astype(x.dtype)
    got = tf.nn.bias_add(to_loom(x, dtype), to_loom(b, dtype), data_format="NCHW")
    assert_matches(got, want, dtype)
    got = tf.nn.bias_add(to_loom(x[..., 0], dtype), to_loom(b, dtype), data_format="NCW")
    assert_matches(got, (x[..., 0].astype(np.float64) + b.reshape(1, 3, 1)).astype(x.dtype), dtype)


def test_bias_add_bad_inputs():
    x = tf.constant(np.zeros((2, 3), np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[BiasAdd\].*as many biases"):
        tf.nn.bias_add(x, tf.constant(np.zeros(4, np.float32)))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[BiasAdd\].*bias must be 1-D"):
        tf.nn.bias_add(x, tf.constant(np.zeros((1, 3), np.float32)))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[BiasAdd\].*at least 2-D"):
        tf.nn.bias_add(tf.constant(np.zeros(3, np.float32)), tf.constant(np.zeros(3, np.float32)))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[BiasAdd\].*float32"):
        tf.nn.bias_add(x, tf.constant([1, 2, 3]))
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.bias_add(x, tf.constant(np.zeros(3, np.float32)), data_format="HWCN")


# --- sparse softmax cross-entropy ---------------------------------------------------


def np_sparse_xent(labels, logits):
    logp = np_log_softmax(logits)
    loss = -np.take_along_axis(logp, labels[..., None].astype(np.int64), -1)[..., 0]
    backprop = np.exp(logp)
    onehot = np.eye(logits.shape[-1])[labels]
    return loss, backprop - onehot


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("label_dtype", ["int32", "int64"])
def test_sparse_xent_matches_numpy(dtype, label_dtype):
    rng = np.random.default_rng(2)
    for batch_shape, classes in [((5,), 4), ((2, 3), 7), ((1,), 1), ((0,), 3)]:
        logits = random_array(rng, (*batch_shape, classes), dtype, low=-6, high=6)
        labels = rng.integers(0, classes, size=batch_shape).astype(label_dtype)
        loss, backprop = np_sparse_xent(labels, logits)
        got = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=to_loom(labels, label_dtype), logits=to_loom(logits, dtype)
        )
        assert_matches(got, loss, dtype)
        raw = _C.execute(
            _C.op("SparseSoftmaxCrossEntropyWithLogits"),
            (to_loom(logits, dtype), to_loom(labels, label_dtype)),
        )
        assert_matches(raw[1], backprop, dtype)


def test_sparse_xent_bad_labels():
    logits = tf.constant(np.zeros((3, 3), np.float32))
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"\[SparseSoftmaxCrossEntropyWithLogits\] Received a label value of 5 which is "
        r"outside the valid range of \[0, 3\)",
    ):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 5, 1], logits=logits)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"label value of -1"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, -1, 1], logits=logits)
    with pytest.raises(ValueError, match="Rank mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[[0, 1, 1]], logits=logits)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"same first dimensions"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1], logits=logits)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"Tlabels|labels.*float32|unsupported"
    ):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0.0, 1.0, 1.0], logits=logits)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"at least one class"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=[0, 0], logits=tf.constant(np.zeros((2, 0), np.float32))
        )


# --- dense softmax cross-entropy ----------------------------------------------------


def np_xent(labels, logits, axis=-1):
    logp = np_log_softmax(logits, axis)
    return -(labels * logp).sum(axis=axis)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_xent_matches_numpy(dtype):
    rng = np.random.default_rng(3)
    for shape in [(4, 5), (2, 3, 6), (3,), (0, 4)]:
        logits = random_array(rng, shape, dtype, low=-6, high=6)
        # Unnormalized label weights exercise the same formulas and stay exact in bfloat16.
        labels = random_array(rng, shape, dtype, low=0, high=1)
        got = tf.nn.softmax_cross_entropy_with_logits(
            labels=to_loom(labels, dtype), logits=to_loom(logits, dtype)
        )
        assert_matches(got, np_xent(labels.astype(np.float64), logits), dtype)
        raw = _C.execute(
            _C.op("SoftmaxCrossEntropyWithLogits"),
            (to_loom(logits, dtype), to_loom(labels, dtype)),
        )
        assert_matches(raw[1], np_softmax(logits) - labels.astype(np.float64), dtype)


def test_xent_other_axis_and_broadcasting():
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(4, 3, 2))
    labels = rng.random((4, 3, 2))
    for axis in [0, 1, -3]:
        got = tf.nn.softmax_cross_entropy_with_logits(labels, logits, axis=axis)
        assert_matches(got, np_xent(labels, logits, axis), "float64")
    row = np.array([0.2, 0.3, 0.5])
    logits2 = rng.normal(size=(5, 3))
    got = tf.nn.softmax_cross_entropy_with_logits(row, logits2)
    assert_matches(got, np_xent(np.broadcast_to(row, (5, 3)), logits2), "float64")


def test_xent_bad_inputs():
    a = tf.constant(np.zeros((2, 3), np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[SoftmaxCrossEntropyWithLogits\]"):
        tf.nn.softmax_cross_entropy_with_logits(tf.constant(np.zeros((2, 4), np.float32)), a)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"axis 2"):
        tf.nn.softmax_cross_entropy_with_logits(a, a, axis=2)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"float64"):
        tf.nn.softmax_cross_entropy_with_logits(tf.constant(np.zeros((2, 3))), a)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"rank at least 1"):
        tf.nn.softmax_cross_entropy_with_logits(tf.constant(1.0), tf.constant(1.0))
