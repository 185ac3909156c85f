"""Stateful tf.random ops: distributions (fixed seeds, so the statistics cannot flake),
dtypes, shapes and bad input."""

import math

import numpy as np
import pytest
from op_testing import FLOAT_DTYPES

import loom as tf
from loom import _C

N = 100_000


@pytest.fixture(autouse=True)
def fixed_global_seed():
    tf.random.set_seed(1234)
    yield
    tf.random.set_seed(None)


def as_f64(t):
    """Values of any float tensor as float64. bfloat16 tensors reach NumPy through the
    bindings' float32 copy; builds where that copy fails skip instead of failing."""
    try:
        return np.asarray(t.numpy(), dtype=np.float64)
    except RuntimeError as e:
        if t.dtype == tf.bfloat16:
            pytest.skip(f"bfloat16 -> NumPy conversion unavailable: {e}")
        raise


def chi_square(counts, expected):
    counts = np.asarray(counts, np.float64)
    expected = np.asarray(expected, np.float64)
    return float(((counts - expected) ** 2 / expected).sum())


# Chi-square bounds far in the tail (p < 1e-6) for the bucket counts below.
CHI2_LIMIT = {2: 28.0, 3: 30.0, 9: 45.0, 23: 70.0}


# ---- uniform -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_uniform_unit_interval_statistics(dtype):
    x = tf.random.uniform([N], dtype=dtype, seed=1)
    assert x.dtype == tf.as_dtype(dtype) and tuple(x.shape) == (N,)
    v = as_f64(x)
    assert v.min() >= 0.0 and v.max() < 1.0
    assert abs(v.mean() - 0.5) < 0.006
    assert abs(v.var() - 1 / 12) < 0.003


def test_uniform_float16_never_rounds_up_to_one():
    v = as_f64(tf.random.uniform([1_000_000], dtype=tf.float16, seed=2))
    assert v.max() < 1.0 and v.max() == 1 - 2**-11


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_uniform_range_stays_below_maxval_after_rounding(dtype):
    v = as_f64(tf.random.uniform([N], minval=100.0, maxval=101.0, dtype=dtype, seed=3))
    assert v.min() >= 100.0 and v.max() < 101.0
    w = as_f64(tf.random.uniform([N], minval=-3, maxval=-2.5, dtype=dtype, seed=3))
    assert w.min() >= -3.0 and w.max() < -2.5


def test_uniform_range_statistics_and_scalar_tensor_bounds():
    v = tf.random.uniform([N], minval=tf.constant(-2.0), maxval=tf.constant(6.0), seed=4)
    v = v.numpy().astype(np.float64)
    assert v.min() >= -2.0 and v.max() < 6.0
    assert abs(v.mean() - 2.0) < 0.05
    assert abs(v.std() - 8 / math.sqrt(12)) < 0.03


def test_uniform_broadcasts_tensor_bounds():
    v = tf.random.uniform([N // 10, 2], minval=[0.0, 10.0], maxval=[1.0, 20.0], seed=5).numpy()
    assert v.shape == (N // 10, 2)
    assert 0.0 <= v[:, 0].min() and v[:, 0].max() < 1.0
    assert 10.0 <= v[:, 1].min() and v[:, 1].max() < 20.0
    assert abs(v[:, 1].mean() - 15.0) < 0.2


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_uniform_int_buckets_are_uniform(dtype):
    v = tf.random.uniform([N], minval=-5, maxval=5, dtype=dtype, seed=6)
    assert v.dtype == tf.as_dtype(dtype)
    v = v.numpy()
    assert v.min() == -5 and v.max() == 4
    counts = np.bincount(v + 5, minlength=10)
    assert chi_square(counts, [N / 10] * 10) < CHI2_LIMIT[9]


def test_uniform_int_ranges_that_need_rejection_are_unbiased():
    # Range 3 * 2^30 = 0.75 * 2^32: a plain modulo would favour the low third.
    hi = 3 * 2**30
    v = tf.random.uniform([N], 0, hi, dtype=tf.int64, seed=7).numpy()
    assert v.min() >= 0 and v.max() < hi
    counts = np.bincount(v // 2**30, minlength=3)
    assert chi_square(counts, [N / 3] * 3) < CHI2_LIMIT[2]


def test_uniform_int64_full_and_wide_ranges():
    lo, hi = -(2**63), 2**63 - 1
    v = tf.random.uniform([N], lo, hi, dtype=tf.int64, seed=8).numpy()
    assert v.dtype == np.int64
    assert (v < 0).mean() == pytest.approx(0.5, abs=0.01)
    w = tf.random.uniform([N], -(2**40), 3 * 2**40, dtype=tf.int64, seed=8).numpy()
    assert w.min() >= -(2**40) and w.max() < 3 * 2**40
    assert abs(w.mean() / 2**40 - 1.0) < 0.02


def test_uniform_int_scalar_tensor_bounds():
    v = tf.random.uniform([1000], tf.constant(3), tf.constant(4), dtype=tf.int32).numpy()
    np.testing.assert_array_equal(v, np.full(1000, 3, np.int32))


# ---- normal and truncated normal ------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_normal_statistics(dtype):
    x = tf.random.normal([N], dtype=dtype, seed=9)
    assert x.dtype == tf.as_dtype(dtype)
    v = as_f64(x)
    assert abs(v.mean()) < 0.02
    assert abs(v.std() - 1.0) < 0.02
    assert abs((np.abs(v) < 1).mean() - 0.6827) < 0.01


def test_normal_mean_and_stddev_scale_and_broadcast():
    v = tf.random.normal([N], mean=5.0, stddev=2.0, dtype=tf.float64, seed=10).numpy()
    assert abs(v.mean() - 5.0) < 0.04 and abs(v.std() - 2.0) < 0.03
    w = tf.random.normal([N // 10, 2], mean=[0.0, 100.0], stddev=tf.constant([1.0, 0.5]))
    w = w.numpy().astype(np.float64)
    assert abs(w[:, 1].mean() - 100.0) < 0.03 and abs(w[:, 1].std() - 0.5) < 0.02


# Standard deviation of a standard normal truncated to (-2, 2).
TRUNCATED_STD = math.sqrt(
    1 - 4 * math.exp(-2) / math.sqrt(2 * math.pi) / math.erf(2 / math.sqrt(2))
)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_truncated_normal_is_bounded_with_the_right_spread(dtype):
    x = tf.random.truncated_normal([N], dtype=dtype, seed=11)
    assert x.dtype == tf.as_dtype(dtype)
    v = as_f64(x)
    assert np.abs(v).max() <= 2.0
    assert abs(v.mean()) < 0.02
    assert abs(v.std() - TRUNCATED_STD) < 0.015


def test_truncated_normal_mean_and_stddev():
    v = tf.random.truncated_normal([N], mean=-1.0, stddev=3.0, seed=12).numpy()
    assert v.min() >= -7.0 and v.max() <= 5.0
    assert abs(v.std() - 3 * TRUNCATED_STD) < 0.05


# ---- categorical and shuffle ----------------------------------------------------------


def test_categorical_frequencies_follow_softmax():
    probs = np.array([[0.1, 0.2, 0.7, 0.0], [0.25, 0.25, 0.25, 0.25]])
    with np.errstate(divide="ignore"):
        logits = np.log(probs).astype(np.float32)  # log 0 = -inf: never drawn
    s = tf.random.categorical(logits, N // 2, seed=13)
    assert s.dtype == tf.int64 and tuple(s.shape) == (2, N // 2)
    s = s.numpy()
    for row, p in zip(s, probs):
        counts = np.bincount(row, minlength=4)
        seen = p > 0
        assert counts[~seen].sum() == 0
        assert chi_square(counts[seen], p[seen] * len(row)) < CHI2_LIMIT[seen.sum() - 1]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_categorical_logit_dtypes_and_output_dtype(dtype):
    logits = tf.constant([[0.0, 3.0], [3.0, 0.0]], dtype=dtype)
    s = tf.random.categorical(logits, 1000, dtype=tf.int32, seed=14)
    assert s.dtype == tf.int32
    means = s.numpy().mean(axis=1)
    assert means[0] > 0.9 and means[1] < 0.1


def test_categorical_empty_shapes():
    assert tuple(tf.random.categorical([[0.0, 1.0]], 0).shape) == (1, 0)
    assert tuple(tf.random.categorical(np.zeros([0, 3], np.float32), 4).shape) == (0, 4)


def test_shuffle_permutes_rows_only():
    value = np.arange(30).reshape(10, 3)
    out = tf.random.shuffle(value, seed=15).numpy()
    assert out.shape == (10, 3)
    np.testing.assert_array_equal(np.sort(out[:, 0]), value[:, 0])
    np.testing.assert_array_equal(out[:, 1:] - out[:, :1], value[:, 1:] - value[:, :1])


def test_shuffle_first_position_is_uniform():
    firsts = [tf.random.shuffle([0, 1, 2, 3], seed=16).numpy()[0] for _ in range(4000)]
    counts = np.bincount(firsts, minlength=4)
    assert chi_square(counts, [1000] * 4) < CHI2_LIMIT[3]


@pytest.mark.parametrize(
    "value",
    [np.zeros([0, 3]), np.array([True, False, True]), np.ones([1, 4], np.int8)],
)
def test_shuffle_empty_and_any_dtype(value):
    out = tf.random.shuffle(tf.constant(value))
    assert out.numpy().dtype == value.dtype and out.numpy().shape == value.shape
    np.testing.assert_array_equal(np.sort(out.numpy(), axis=0), np.sort(value, axis=0))


# ---- shapes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, expected",
    [
        ([], ()),
        ((), ()),
        ([3], (3,)),
        ((2, 3), (2, 3)),
        (tf.TensorShape([4, 1]), (4, 1)),
        (tf.constant([2, 5]), (2, 5)),
        (tf.constant([2, 5], dtype=tf.int64), (2, 5)),
        (np.array([3, 2]), (3, 2)),
        ([0, 3], (0, 3)),
        ([2, 0, 4], (2, 0, 4)),
    ],
)
def test_shapes(shape, expected):
    for fn in (
        lambda: tf.random.uniform(shape),
        lambda: tf.random.uniform(shape, 0, 9, dtype=tf.int32),
        lambda: tf.random.normal(shape, dtype=tf.float64),
        lambda: tf.random.truncated_normal(shape, dtype=tf.float16),
    ):
        assert tuple(fn().shape) == expected


def test_empty_int_draw_accepts_an_empty_range_like_tf():
    out = tf.random.uniform([0], 5, 5, dtype=tf.int32)
    assert tuple(out.shape) == (0,)


# ---- bad input ------------------------------------------------------------------------


def test_negative_dimension_is_invalid():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"RandomUniform.*negative"):
        tf.random.uniform([2, -1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="RandomStandardNormal"):
        tf.random.normal([-3])


def test_huge_shape_is_resource_exhausted():
    with pytest.raises(tf.errors.ResourceExhaustedError, match="TruncatedNormal"):
        tf.random.truncated_normal([2**31, 2**31])
    with pytest.raises(tf.errors.ResourceExhaustedError, match="RandomUniformInt"):
        tf.random.uniform([2**62, 4], 0, 3, dtype=tf.int64)


def test_shape_must_be_a_1d_integer_tensor():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"RandomUniform.*1-D"):
        tf.random.uniform(tf.constant([[2, 3]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="RandomUniform"):
        tf.random.uniform(tf.constant([2.0, 3.0]))


def test_int_range_must_be_nonempty():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"RandomUniformInt.*minval < maxval"):
        tf.random.uniform([3], 5, 5, dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="RandomUniformInt"):
        tf.random.uniform([3], 7, 2, dtype=tf.int64)


def test_int_bounds_must_be_scalars():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"RandomUniformInt.*minval.*scalar"):
        tf.random.uniform([3], [0, 1], 5, dtype=tf.int32)


def test_int_dtype_needs_maxval_and_dtypes_are_checked():
    with pytest.raises(ValueError, match="maxval"):
        tf.random.uniform([3], dtype=tf.int32)
    with pytest.raises(ValueError, match="dtype"):
        tf.random.uniform([3], dtype=tf.int8, maxval=4)
    with pytest.raises(ValueError, match="dtype"):
        tf.random.normal([3], dtype=tf.int32)
    with pytest.raises(ValueError, match="dtype"):
        tf.random.truncated_normal([3], dtype=tf.bool)


def test_raw_op_rejects_a_bad_dtype_attr():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"RandomUniform.*dtype.*int32"):
        _C.execute(_C.op("RandomUniform"), ([2],), {"dtype": tf.int32})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Multinomial.*output_dtype"):
        _C.execute(_C.op("Multinomial"), ([[0.0, 1.0]], 2), {"output_dtype": tf.float32})


def test_categorical_bad_input():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Multinomial.*matrix"):
        tf.random.categorical([0.0, 1.0], 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Multinomial.*matrix"):
        tf.random.categorical(np.zeros([1, 2, 3], np.float32), 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Multinomial.*nonnegative"):
        tf.random.categorical([[0.0, 1.0]], -1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Multinomial.*num_classes"):
        tf.random.categorical(np.zeros([2, 0], np.float32), 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Multinomial"):
        tf.random.categorical(np.zeros([2, 2], np.int32), 3)


def test_shuffle_of_a_scalar_returns_it():
    out = tf.random.shuffle(tf.constant(7.5), seed=17)
    assert tuple(out.shape) == () and out.numpy() == np.float32(7.5)
