"""TopKV2 (tf.math.top_k) and Sort (tf.sort / tf.argsort) against NumPy."""

import numpy as np
import pytest
from op_testing import FLOAT_DTYPES, NUMERIC_DTYPES, assert_matches, np_dtype
from reduce_testing import is_float, make

import loom as tf


def stable_descending_order(x, axis):
    """Positions sorting x largest first, equal values by lower index first."""
    wide = x.astype(np.float64 if is_float(x.dtype) else np.int64)
    return np.argsort(-wide, axis=axis, kind="stable")


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_top_k_matches_numpy(dtype):
    rng = np.random.default_rng(hash(dtype) % 2**32)
    for shape, k in [
        ((7,), 1),
        ((7,), 3),
        ((7,), 7),
        ((7,), 0),
        ((3, 5), 2),
        ((2, 3, 6), 4),
        ((0, 4), 2),
        ((2, 3000), 5),
    ]:
        x, t = make(rng, shape, dtype, -3, 3)  # many ties
        values, indices = tf.math.top_k(t, k)
        order = stable_descending_order(x, -1)[..., :k]
        assert_matches(indices, order.astype(np.int32), "int32")
        assert_matches(values, np.take_along_axis(x, order, -1), dtype)


def test_top_k_result_is_a_named_pair():
    result = tf.nn.top_k([1.0, 3.0, 2.0], k=2)
    np.testing.assert_array_equal(result.values.numpy(), [3.0, 2.0])
    np.testing.assert_array_equal(result.indices.numpy(), [1, 2])
    assert type(result).__name__ == "TopKV2"
    assert tf.math.top_k([1, 2]).values.numpy().tolist() == [2]


def test_top_k_bad_input():
    t = tf.constant([[1.0, 2.0, 3.0]])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[TopKV2\] input must have at least k=4"
    ):
        tf.math.top_k(t, 4)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[TopKV2\] Need k >= 0, got -1"):
        tf.math.top_k(t, -1)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[TopKV2\] input must be at least 1-D"
    ):
        tf.math.top_k(tf.constant(1.0), 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[TopKV2\] k must be a scalar"):
        tf.math.top_k(t, [1])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[TopKV2\].*'k'"):
        tf.math.top_k(t, 1.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[TopKV2\].*unsupported dtype bool"):
        tf.math.top_k(tf.constant([True, False]), 1)


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_sort_and_argsort_match_numpy(dtype):
    rng = np.random.default_rng(hash(dtype) % 2**32 + 1)
    for shape, axis in [
        ((9,), -1),
        ((4, 5), 0),
        ((4, 5), 1),
        ((2, 3, 4), 1),
        ((2, 0, 3), 1),
        ((3, 0), 0),
    ]:
        x, t = make(rng, shape, dtype, -3, 3)
        up = np.argsort(x, axis=axis, kind="stable")
        down = stable_descending_order(x, axis)
        for direction, order in (("ASCENDING", up), ("DESCENDING", down)):
            got = tf.argsort(t, axis=axis, direction=direction)
            assert_matches(got, order.astype(np.int32), "int32")
            got = tf.sort(t, axis=axis, direction=direction)
            assert_matches(got, np.take_along_axis(x, order, axis), dtype)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_nan_sorts_above_every_number(dtype):
    x = np.array([2.0, np.nan, -1.0, np.inf, np.nan], np.float32)
    t = tf.constant(x.astype(np_dtype(dtype)), dtype=dtype)
    if t.dtype != tf.as_dtype(dtype):
        pytest.skip(f"tf.constant cannot make {dtype} tensors yet")
    np.testing.assert_array_equal(tf.argsort(t).numpy(), [2, 0, 3, 1, 4])
    np.testing.assert_array_equal(tf.argsort(t, direction="DESCENDING").numpy(), [1, 4, 3, 0, 2])
    np.testing.assert_array_equal(tf.math.top_k(t, 3).indices.numpy(), [1, 4, 3])


def test_sort_bad_input():
    t = tf.constant([[3.0, 1.0], [2.0, 0.0]])
    with pytest.raises(ValueError, match="direction"):
        tf.sort(t, direction="UP")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Sort\] axis 2 is out of range"):
        tf.sort(t, axis=2)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[Sort\] input must be at least 1-D"
    ):
        tf.argsort(tf.constant(1.0))
    with pytest.raises(TypeError, match="axis"):
        tf.sort(t, axis=0.5)
    np.testing.assert_array_equal(tf.sort(t, axis=tf.constant(0)).numpy(), [[2.0, 0.0], [3.0, 1.0]])
