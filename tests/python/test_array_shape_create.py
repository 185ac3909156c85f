"""Creation ops against NumPy: fill, zeros, ones, *_like, range, linspace, eye."""

import numpy as np
import pytest
from op_testing import ALL_DTYPES, assert_matches, np_dtype

import loom as tf

InvalidArgument = tf.errors.InvalidArgumentError


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_zeros_ones_fill_every_dtype(dtype):
    npd = np_dtype(dtype)
    assert_matches(tf.zeros([2, 3], dtype), np.zeros((2, 3), npd), dtype)
    assert_matches(tf.ones((4,), dtype=dtype), np.ones(4, npd), dtype)
    assert_matches(tf.zeros(3, dtype), np.zeros(3, npd), dtype)
    value = np.ones((), npd) if dtype == "bool" else np.asarray(7, npd)
    assert_matches(tf.fill([3, 0], tf.constant(value, dtype)), np.full((3, 0), value), dtype)
    assert_matches(tf.fill([2, 2], tf.constant(value, dtype)), np.full((2, 2), value), dtype)
    x = tf.zeros([2, 1, 3], dtype)
    assert_matches(tf.ones_like(x), np.ones((2, 1, 3), npd), dtype)
    assert_matches(tf.zeros_like(x), np.zeros((2, 1, 3), npd), dtype)
    eye = tf.eye(3, 2, dtype=dtype)
    assert_matches(eye, np.eye(3, 2, dtype=npd), dtype)


def test_defaults_and_like_dtypes():
    assert tf.zeros([2]).dtype == tf.float32
    assert tf.ones_like([1, 2]).dtype == tf.int32
    assert tf.zeros_like(tf.zeros([2], tf.int8), dtype=tf.float64).dtype == tf.float64
    assert tf.zeros(tf.constant([2, 3])).shape == (2, 3)
    assert tf.ones(tf.TensorShape([1, 2])).shape == (1, 2)
    assert tf.fill([2], 1.5).dtype == tf.float32
    assert tf.zeros([]).shape == ()


def test_fill_errors():
    with pytest.raises(InvalidArgument, match=r"\[Fill\] value must be a scalar"):
        tf.fill([2], [1, 2])
    with pytest.raises(InvalidArgument, match=r"\[Fill\] dims must be a vector"):
        tf.fill([[2]], 1)
    with pytest.raises(InvalidArgument, match=r"\[Fill\] dimension -2 is negative"):
        tf.fill([-2, 3], 1)
    with pytest.raises(tf.errors.ResourceExhaustedError, match=r"\[Fill\]"):
        tf.zeros([2**30, 2**30])


def test_range_dtype_inference():
    assert_matches(tf.range(5), np.arange(5, dtype=np.int32), "int32")
    assert_matches(tf.range(2, 11, 3), np.arange(2, 11, 3, dtype=np.int32), "int32")
    assert_matches(tf.range(10, 0, -3), np.arange(10, 0, -3, dtype=np.int32), "int32")
    assert_matches(tf.range(0, 1, 0.25), np.arange(0, 1, 0.25, dtype=np.float32), "float32")
    assert_matches(tf.range(1.5), np.arange(1.5, dtype=np.float32), "float32")
    assert_matches(tf.range(3, dtype=tf.float64), np.arange(3, dtype=np.float64), "float64")
    assert_matches(tf.range(3, dtype="int64"), np.arange(3, dtype=np.int64), "int64")
    assert_matches(tf.range(2**33, 2**33 + 2), np.arange(2**33, 2**33 + 2), "int64")
    assert tf.range(tf.constant(4, tf.int64)).dtype == tf.int64
    assert tf.range(tf.constant(1), 2.5).dtype == tf.float32
    assert tf.range(tf.constant(4.0, tf.float64), 0, -1).dtype == tf.float64
    assert tf.range(5, 5).shape == (0,)
    assert tf.range(0.0, 1.0, 0.1).shape == (10,)


def test_range_random_vs_numpy():
    rng = np.random.default_rng(20)
    for _ in range(30):
        start, limit = (int(v) for v in rng.integers(-50, 50, size=2))
        delta = int(rng.choice([-7, -3, -1, 1, 2, 5]))
        if (limit - start) * delta < 0:
            start, limit = limit, start
        assert_matches(
            tf.range(start, limit, delta), np.arange(start, limit, delta, dtype=np.int32), "int32"
        )
        fs, fl, fd = float(start) / 3, float(limit) / 3, float(delta) / 4
        assert_matches(tf.range(fs, fl, fd, dtype=tf.float64), np.arange(fs, fl, fd), "float64")


def test_range_errors():
    with pytest.raises(InvalidArgument, match=r"\[Range\] Requires delta != 0"):
        tf.range(0, 5, 0)
    with pytest.raises(InvalidArgument, match=r"\[Range\] Requires delta != 0"):
        tf.range(0.0, 5.0, 0.0)
    with pytest.raises(
        InvalidArgument, match=r"\[Range\] Requires start <= limit when delta > 0: 5/1"
    ):
        tf.range(5, 1)
    with pytest.raises(
        InvalidArgument, match=r"\[Range\] Requires start >= limit when delta < 0: 1/5"
    ):
        tf.range(1, 5, -1)
    with pytest.raises(InvalidArgument, match=r"\[Range\] start must be a scalar"):
        tf.range(tf.constant([1, 2]), 5)
    with pytest.raises(
        InvalidArgument, match=r"\[Range\] Requires start, limit and delta to be finite"
    ):
        tf.range(0.0, float("inf"))
    with pytest.raises(tf.errors.ResourceExhaustedError, match=r"\[Range\]"):
        tf.range(0, 2**62, 1, dtype=tf.int64)
    with pytest.raises(InvalidArgument, match=r"\[Range\].*unsupported dtype"):
        tf.range(3, dtype=tf.int8)


def test_linspace():
    assert_matches(tf.linspace(0.0, 1.0, 5), np.linspace(0, 1, 5, dtype=np.float32), "float32")
    assert_matches(tf.linspace(2, 10, 1), [2.0], "float32")
    got = tf.linspace(tf.constant(-1.0, tf.float64), 3.0, 7)
    assert_matches(got, np.linspace(-1, 3, 7), "float64")
    assert got.numpy()[-1] == 3.0  # exact end point
    assert tf.lin_space(0.0, 1.0, 3).shape == (3,)
    start, stop = np.array([0.0, 10.0], np.float32), np.array([1.0, 20.0], np.float32)
    assert_matches(tf.linspace(start, stop, 4), np.linspace(start, stop, 4), "float32")
    assert_matches(
        tf.linspace(start, stop, 4, axis=1), np.linspace(start, stop, 4, axis=1), "float32"
    )
    assert_matches(
        tf.linspace(start, stop, 4, axis=-1), np.linspace(start, stop, 4, axis=-1), "float32"
    )
    assert_matches(
        tf.linspace(tf.constant(0.0, tf.float16), 1.0, 3),
        np.linspace(0, 1, 3, dtype=np.float16),
        "float16",
    )


def test_linspace_errors():
    with pytest.raises(InvalidArgument, match=r"\[LinSpace\] Requires num > 0: 0"):
        tf.linspace(0.0, 1.0, 0)
    with pytest.raises(InvalidArgument, match=r"\[LinSpace\].*unsupported dtype int32"):
        tf.linspace(tf.constant(0), tf.constant(1), 3)
    with pytest.raises(InvalidArgument, match=r"\[LinSpace\] axis 2 is out of range"):
        tf.linspace([0.0], [1.0], 3, axis=2)


def test_eye():
    assert_matches(tf.eye(3), np.eye(3, dtype=np.float32), "float32")
    assert_matches(tf.eye(2, 4), np.eye(2, 4, dtype=np.float32), "float32")
    batched = tf.eye(2, batch_shape=[3, 1], dtype=tf.int32)
    assert_matches(batched, np.broadcast_to(np.eye(2, dtype=np.int32), (3, 1, 2, 2)), "int32")
    assert tf.eye(0).shape == (0, 0)
    assert tf.linalg.eye(2, 0).shape == (2, 0)
    with pytest.raises(InvalidArgument, match=r"\[Eye\] num_rows must be non-negative, got -1"):
        tf.eye(-1)
    with pytest.raises(InvalidArgument, match=r"\[Eye\] batch_shape has a negative dimension -2"):
        tf.eye(2, batch_shape=[-2])
