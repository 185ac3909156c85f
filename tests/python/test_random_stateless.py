"""Stateless tf.random ops: pure functions of a [2] seed; statistics with fixed seeds,
dtypes, shapes and bad input."""

import numpy as np
import pytest

import loom as tf

N = 100_000
SEED = [7, 11]

STATELESS = {
    "uniform": lambda seed, shape=(64,): tf.random.stateless_uniform(shape, seed),
    "uniform_range": lambda seed, shape=(64,): tf.random.stateless_uniform(
        shape, seed, minval=-1.0, maxval=3.0, dtype=tf.float64
    ),
    "uniform_int": lambda seed, shape=(64,): tf.random.stateless_uniform(
        shape, seed, minval=0, maxval=10**6, dtype=tf.int32
    ),
    "normal": lambda seed, shape=(64,): tf.random.stateless_normal(shape, seed),
    "truncated_normal": lambda seed, shape=(64,): tf.random.stateless_truncated_normal(
        shape, seed, dtype=tf.float16
    ),
    "categorical": lambda seed, shape=(64,): tf.random.stateless_categorical(
        np.zeros([2, 1000], np.float32), shape[0], seed
    ),
}


@pytest.mark.parametrize("name", sorted(STATELESS))
def test_same_seed_same_values_different_seed_different_values(name):
    fn = STATELESS[name]
    a, b = fn(SEED).numpy(), fn(SEED).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, fn([7, 12]).numpy())
    assert not np.array_equal(a, fn([8, 11]).numpy())


@pytest.mark.parametrize("name", sorted(STATELESS))
def test_seed_dtype_does_not_matter(name):
    fn = STATELESS[name]
    a = fn(tf.constant(SEED, dtype=tf.int32)).numpy()
    b = fn(tf.constant(SEED, dtype=tf.int64)).numpy()
    c = fn(tuple(SEED)).numpy()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("name", ["uniform", "normal", "uniform_int"])
def test_prefix_property_values_do_not_depend_on_the_total_size(name):
    # Each element is a function of (seed, position): a longer draw extends a shorter.
    fn = STATELESS[name]
    short = fn(SEED, (10,)).numpy()
    long = fn(SEED, (1000,)).numpy()
    np.testing.assert_array_equal(short, long[:10])


def test_stateless_uniform_statistics():
    v = tf.random.stateless_uniform([N], [1, 2], minval=2.0, maxval=4.0, dtype=tf.float64)
    v = v.numpy()
    assert v.min() >= 2.0 and v.max() < 4.0
    assert abs(v.mean() - 3.0) < 0.01 and abs(v.var() - 4 / 12) < 0.005


def test_stateless_uniform_float16_range_never_reaches_maxval():
    v = tf.random.stateless_uniform([N], [3, 4], minval=1.0, maxval=1.5, dtype=tf.float16)
    v = v.numpy().astype(np.float64)
    assert v.min() >= 1.0 and v.max() < 1.5


def test_stateless_uniform_int_buckets():
    v = tf.random.stateless_uniform([N], [5, 6], minval=10, maxval=16, dtype=tf.int64).numpy()
    assert v.dtype == np.int64 and v.min() == 10 and v.max() == 15
    counts = np.bincount(v - 10, minlength=6)
    expected = N / 6
    assert ((counts - expected) ** 2 / expected).sum() < 40.0


def test_stateless_normal_and_truncated_statistics():
    v = tf.random.stateless_normal([N], [9, 9], mean=1.0, stddev=0.5, dtype=tf.float64).numpy()
    assert abs(v.mean() - 1.0) < 0.01 and abs(v.std() - 0.5) < 0.01
    t = tf.random.stateless_truncated_normal([N], [9, 9], mean=1.0, stddev=0.5).numpy()
    assert t.min() >= 0.0 and t.max() <= 2.0
    assert abs(t.mean() - 1.0) < 0.01 and abs(t.std() - 0.5 * 0.8796) < 0.01


def test_stateless_categorical_frequencies():
    probs = np.array([0.5, 0.3, 0.2])
    logits = np.log(probs)[None, :].astype(np.float64)
    s = tf.random.stateless_categorical(logits, N, [4, 4], dtype=tf.int32)
    assert s.dtype == tf.int32 and tuple(s.shape) == (1, N)
    counts = np.bincount(s.numpy()[0], minlength=3)
    assert ((counts - probs * N) ** 2 / (probs * N)).sum() < 30.0


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_stateless_float_dtypes_and_empty_shapes(dtype):
    for fn in (
        tf.random.stateless_uniform,
        tf.random.stateless_normal,
        tf.random.stateless_truncated_normal,
    ):
        out = fn([3, 0], SEED, dtype=dtype)
        assert out.dtype == tf.as_dtype(dtype) and tuple(out.shape) == (3, 0)
        assert tuple(fn([], SEED, dtype=dtype).shape) == ()


def test_bad_seed_shape():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"StatelessRandomUniform.*\[2\]"):
        tf.random.stateless_uniform([3], seed=[1, 2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="StatelessRandomNormal"):
        tf.random.stateless_normal([3], seed=5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="StatelessMultinomial"):
        tf.random.stateless_categorical([[0.0, 1.0]], 3, seed=[[1, 2]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="StatelessTruncatedNormal"):
        tf.random.stateless_truncated_normal([3], seed=[1.0, 2.0])


def test_stateless_bad_shapes_and_ranges():
    with pytest.raises(tf.errors.InvalidArgumentError, match="StatelessRandomUniform"):
        tf.random.stateless_uniform([-1], SEED)
    with pytest.raises(tf.errors.ResourceExhaustedError, match="StatelessRandomNormal"):
        tf.random.stateless_normal([2**40, 2**10], SEED)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"StatelessRandomUniformInt.*minval < maxval"
    ):
        tf.random.stateless_uniform([2], SEED, minval=3, maxval=1, dtype=tf.int32)
    with pytest.raises(ValueError, match="maxval"):
        tf.random.stateless_uniform([2], SEED, dtype=tf.int64)


def test_stateless_categorical_bad_logits():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"StatelessMultinomial.*matrix"):
        tf.random.stateless_categorical([1.0, 2.0], 3, SEED)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"StatelessMultinomial.*nonneg"):
        tf.random.stateless_categorical([[1.0, 2.0]], -2, SEED)
