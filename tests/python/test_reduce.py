"""Sum, Mean, Max, Min, Prod, Any, All against NumPy."""

import warnings

import numpy as np
import pytest
from op_testing import FLOAT_DTYPES, INT_DTYPES, NUMERIC_DTYPES, assert_matches, np_dtype
from reduce_testing import is_float, make, normalize_axes

import loom as tf

# (shape, axis) cases: None/int/list/negative/duplicate/empty axes, size-1 and empty dims.
CASES = [
    ((), None),
    ((), []),
    ((5,), None),
    ((5,), 0),
    ((5,), -1),
    ((3, 4), 0),
    ((3, 4), 1),
    ((3, 4), [0, 1]),
    ((3, 4), [-1, 0]),
    ((3, 4), [1, 1, -1]),
    ((3, 4), []),
    ((2, 3, 4), (0, 2)),
    ((2, 3, 4), 1),
    ((4, 1, 3), [1, 2]),
    ((1, 7, 1, 5), [0, 3]),
    ((2, 3, 4, 5), [1, 3]),
    ((2, 3, 4, 5), [0, 2, 3]),
    ((2, 0, 3), 1),
    ((2, 0, 3), [0, 2]),
    ((0,), None),
    ((3, 2100), 1),  # rows longer than one pairwise-sum block
]


def np_reduce(op, x, axes, keepdims, dtype):
    """The TF result computed with NumPy (wider accumulators, then rounded to dtype)."""
    out_dtype = np_dtype(dtype)
    if op in ("Sum", "Prod", "Mean") and is_float(dtype):
        x = x.astype(np.float64)
    if op == "Sum":
        r = np.sum(x, axes, dtype=x.dtype, keepdims=keepdims)
    elif op == "Prod":
        r = np.prod(x, axes, dtype=x.dtype, keepdims=keepdims)
    elif op == "Max":
        low = -np.inf if is_float(dtype) else np.iinfo(out_dtype).min
        r = np.max(x, axes, keepdims=keepdims, initial=low)
    elif op == "Min":
        high = np.inf if is_float(dtype) else np.iinfo(out_dtype).max
        r = np.min(x, axes, keepdims=keepdims, initial=high)
    elif op == "Mean":
        count = int(np.prod([x.shape[a] for a in axes]))
        if is_float(dtype):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                r = np.mean(x, axes, keepdims=keepdims)
        else:
            total = np.sum(x.astype(np.float64), axes, keepdims=keepdims)
            r = np.trunc(total / count) if count else np.zeros_like(total)
    return np.asarray(r).astype(out_dtype)


FUNCS = {
    "Sum": tf.reduce_sum,
    "Prod": tf.math.reduce_prod,
    "Max": tf.reduce_max,
    "Min": tf.math.reduce_min,
    "Mean": tf.reduce_mean,
}


@pytest.mark.parametrize("op", list(FUNCS))
@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_numeric_reductions_match_numpy(op, dtype):
    rng = np.random.default_rng(hash((op, dtype)) % 2**32)
    low, high = (-2, 3) if op == "Prod" else (-5, 5)
    for shape, axis in CASES:
        if op == "Prod" and shape == (3, 2100):
            continue  # overflows every dtype; not informative
        x, t = make(rng, shape, dtype, low, high)
        axes = normalize_axes(axis, len(shape))
        for keepdims in (False, True):
            got = FUNCS[op](t, axis=axis, keepdims=keepdims)
            want = np_reduce(op, x, axes, keepdims, dtype)
            assert_matches(got, want, dtype)


@pytest.mark.parametrize("op", ["Any", "All"])
def test_bool_reductions_match_numpy(op):
    rng = np.random.default_rng(7)
    fn = tf.reduce_any if op == "Any" else tf.math.reduce_all
    ref = np.any if op == "Any" else np.all
    for shape, axis in CASES:
        x, t = make(rng, shape, "bool")
        axes = normalize_axes(axis, len(shape))
        for keepdims in (False, True):
            assert_matches(fn(t, axis, keepdims), ref(x, axes, keepdims=keepdims), "bool")


def test_empty_reductions_use_identities():
    empty = tf.constant(np.zeros((0, 2), np.float32))
    np.testing.assert_array_equal(tf.reduce_sum(empty, 0).numpy(), [0, 0])
    np.testing.assert_array_equal(tf.reduce_prod(empty, 0).numpy(), [1, 1])
    np.testing.assert_array_equal(tf.reduce_max(empty, 0).numpy(), [-np.inf, -np.inf])
    np.testing.assert_array_equal(tf.reduce_min(empty, 0).numpy(), [np.inf, np.inf])
    assert np.isnan(tf.reduce_mean(empty, 0).numpy()).all()
    ints = tf.constant(np.zeros((0,), np.int32))
    assert tf.reduce_max(ints).numpy() == np.iinfo(np.int32).min
    assert tf.reduce_min(ints).numpy() == np.iinfo(np.int32).max
    assert tf.reduce_all(tf.constant(np.zeros(0, bool))).numpy()
    assert not tf.reduce_any(tf.constant(np.zeros(0, bool))).numpy()


def test_integer_mean_is_truncated_integer_division():
    x = tf.constant([[1, 2], [-3, -4]], dtype=tf.int32)
    got = tf.reduce_mean(x, axis=1)
    assert got.dtype == tf.int32
    np.testing.assert_array_equal(got.numpy(), [1, -3])
    # int8 values whose sum overflows int8 still average correctly.
    big = tf.constant(np.full(10, 100, np.int8))
    assert tf.reduce_mean(big).numpy() == 100


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_max_and_min_propagate_nan(dtype):
    x = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]], np.float32)
    t = tf.constant(x.astype(np_dtype(dtype)), dtype=dtype)
    if t.dtype != tf.as_dtype(dtype):
        pytest.skip(f"tf.constant cannot make {dtype} tensors yet")
    for fn in (tf.reduce_max, tf.reduce_min):
        got = fn(t, axis=1).numpy()
        assert np.isnan(got[0]) and not np.isnan(got[1])
        got = fn(t, axis=0).numpy()
        assert np.isnan(got[1]) and not np.isnan(got[0])


def test_long_float32_sum_is_accurate():
    x = np.random.default_rng(0).uniform(0, 1, 1_000_003).astype(np.float32)
    got = tf.reduce_sum(tf.constant(x)).numpy()
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, x.astype(np.float64).sum(), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float16"])
def test_half_sums_accumulate_in_float(dtype):
    # 4096 ones: a float16 accumulator would stop at 2048.
    t = tf.constant(np.ones(4096, np.float16))
    assert tf.reduce_sum(t).numpy() == 4096


def test_axis_forms():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = tf.constant(x)
    np.testing.assert_array_equal(tf.reduce_sum(t, (0, 2)).numpy(), x.sum((0, 2)))
    np.testing.assert_array_equal(
        tf.reduce_sum(t, tf.constant([1], dtype=tf.int64)).numpy(), x.sum(1)
    )
    np.testing.assert_array_equal(tf.reduce_sum(t, np.array([-1, 0])).numpy(), x.sum((0, 2)))
    np.testing.assert_array_equal(tf.reduce_sum(t, tf.constant(2)).numpy(), x.sum(2))
    assert tf.math.reduce_sum([1.0, 2.0]).numpy() == 3.0
    assert tf.reduce_sum(t, keepdims=True).shape == (1, 1, 1)
    assert tf.reduce_sum(t, 1, keepdims=None).shape == (2, 4)


def test_bad_axes_are_invalid_argument():
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.reduce_sum(t, 3)
    assert str(info.value) == "[Sum] Invalid reduction dimension 3 for input with 2 dimensions"
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[Max\] Invalid reduction dimension -3"
    ):
        tf.reduce_max(t, [0, -3])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[Mean\] Invalid reduction dimension 0"
    ):
        tf.reduce_mean(tf.constant(1.0), 0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Sum\].*scalar or 1-D"):
        tf.reduce_sum(t, [[0], [1]])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Prod\].*reduction_indices"):
        tf.reduce_prod(t, 1.0)  # axes must be int32 or int64


def test_wrong_input_dtypes_are_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Sum\].*unsupported dtype bool"):
        tf.reduce_sum(tf.constant([True, False]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Any\].*must be bool"):
        tf.reduce_any(tf.constant([1.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[All\].*must be bool"):
        tf.reduce_all(tf.constant([1]))


@pytest.mark.skipif(not hasattr(tf.math, "log"), reason="tf.math.log is not available yet")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_reduce_logsumexp_is_stable(dtype):
    x = np.array([[1000.0, 1000.0, -np.inf], [-1.0, 0.5, 2.0]], dtype)
    t = tf.constant(x)
    want = np.log(np.sum(np.exp(x - x.max(1, keepdims=True)), 1)) + x.max(1)
    assert_matches(tf.math.reduce_logsumexp(t, axis=1), want, dtype)
    assert tf.reduce_logsumexp(t, axis=1, keepdims=True).shape == (2, 1)
    overall = tf.reduce_logsumexp(t).numpy()
    np.testing.assert_allclose(overall, 1000 + np.log(2), rtol=1e-6)


@pytest.mark.skipif(
    not (hasattr(tf.math, "not_equal") and hasattr(tf, "cast")),
    reason="tf.math.not_equal and tf.cast are not available yet",
)
def test_count_nonzero():
    x = np.array([[0, 1, 2], [0, 0, 3]], np.int32)
    got = tf.math.count_nonzero(tf.constant(x), axis=1)
    assert got.dtype == tf.int64
    np.testing.assert_array_equal(got.numpy(), [2, 1])
    total = tf.math.count_nonzero(tf.constant(x), dtype=tf.int32, keepdims=True)
    assert total.dtype == tf.int32 and total.shape == (1, 1)
    assert tf.math.count_nonzero(tf.constant([True, False, True])).numpy() == 2


def test_integer_sum_wraps_in_its_dtype():
    rng = np.random.default_rng(3)
    for dtype in INT_DTYPES:
        x, t = make(rng, (300,), dtype, 0, 5)
        assert_matches(tf.reduce_sum(t), np.sum(x, dtype=x.dtype), dtype)
