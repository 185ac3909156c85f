"""ArgMax/ArgMin and Cumsum/Cumprod against NumPy."""

import numpy as np
import pytest
from op_testing import ALL_DTYPES, FLOAT_DTYPES, NUMERIC_DTYPES, assert_matches, np_dtype
from reduce_testing import is_float, make

import loom as tf

ARG_CASES = [((5,), None), ((5,), 0), ((3, 4), 1), ((3, 4), -2), ((2, 3, 4), 1), ((2, 0, 4), 2)]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_argmax_argmin_match_numpy(dtype):
    rng = np.random.default_rng(hash(dtype) % 2**32)
    for shape, axis in ARG_CASES:
        # Few distinct values, so ties are common: the first index must win.
        x, t = make(rng, shape, dtype, -2, 2)
        np_axis = 0 if axis is None else axis
        for fn, ref in ((tf.argmax, np.argmax), (tf.math.argmin, np.argmin)):
            got = fn(t, axis=axis)
            assert_matches(got, ref(x, axis=np_axis), "int64")
            got32 = fn(t, axis, output_type=tf.int32)
            assert_matches(got32, ref(x, axis=np_axis).astype(np.int32), "int32")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_argmax_nan_wins_like_numpy(dtype):
    x = np.array([[1.0, np.nan, 5.0, np.nan], [2.0, 2.0, 1.0, 0.0]], np.float32)
    t = tf.constant(x.astype(np_dtype(dtype)), dtype=dtype)
    if t.dtype != tf.as_dtype(dtype):
        pytest.skip(f"tf.constant cannot make {dtype} tensors yet")
    np.testing.assert_array_equal(tf.argmax(t, 1).numpy(), np.argmax(x, 1))
    np.testing.assert_array_equal(tf.argmin(t, 1).numpy(), np.argmin(x, 1))
    np.testing.assert_array_equal(tf.argmax(t, 0).numpy(), np.argmax(x, 0))


@pytest.mark.parametrize("dtype", ["float32", "float16", "int8", "uint16"])
def test_argmax_long_rows_match_numpy(dtype):
    # Rows spanning several of the kernel's blocks, with ties between blocks.
    rng = np.random.default_rng(11)
    x, t = make(rng, (4, 10000), dtype, 0, 50)
    if dtype.startswith("float"):
        x[1, 7000] = x[1, 9000] = np.nan
        x[2, 5000], x[2, 5001] = np.inf, -np.inf  # a NaN block sum without a NaN
        t = tf.constant(x)
    np.testing.assert_array_equal(tf.argmax(t, 1).numpy(), np.argmax(x, 1))
    np.testing.assert_array_equal(tf.argmin(t, 1).numpy(), np.argmin(x, 1))


def test_argmax_bad_input():
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.argmax(t, 2)
    assert str(info.value) == "[ArgMax] Expected dimension in the range [-2, 2), but got 2"
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[ArgMin\] Reduction axis 0 is empty"
    ):
        tf.argmin(tf.constant(np.zeros((0, 3), np.float32)), 0)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[ArgMax\] dimension must be a scalar"
    ):
        tf.argmax(t, [0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[ArgMax\] output_type"):
        tf.argmax(t, 0, output_type=tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[ArgMax\].*dimension"):
        tf.argmax(t, 0.5)


def np_scan(x, axis, exclusive, reverse, prod, dtype):
    acc = np.float64 if is_float(dtype) else x.dtype
    y = np.flip(x, axis) if reverse else x
    out = (np.cumprod if prod else np.cumsum)(y.astype(acc), axis=axis, dtype=acc)
    if exclusive and out.shape[axis]:
        first = np.full_like(np.take(out, [0], axis=axis), 1 if prod else 0)
        out = np.concatenate([first, np.delete(out, -1, axis=axis)], axis=axis)
    if reverse:
        out = np.flip(out, axis)
    return out.astype(np_dtype(dtype))


SCAN_CASES = [
    ((6,), 0),
    ((6,), -1),
    ((3, 4), 0),
    ((3, 4), 1),
    ((2, 3, 4), 1),
    ((2, 0, 3), 1),
    ((0,), 0),
]


@pytest.mark.parametrize("prod", [False, True], ids=["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_cumsum_cumprod_match_numpy(prod, dtype):
    rng = np.random.default_rng(hash((prod, dtype)) % 2**32)
    fn = tf.math.cumprod if prod else tf.math.cumsum
    for shape, axis in SCAN_CASES:
        x, t = make(rng, shape, dtype, -2, 3)
        for exclusive in (False, True):
            for reverse in (False, True):
                got = fn(t, axis, exclusive=exclusive, reverse=reverse)
                assert_matches(got, np_scan(x, axis, exclusive, reverse, prod, dtype), dtype)


def test_cumsum_defaults_and_aliases():
    assert tf.cumsum is tf.math.cumsum
    np.testing.assert_array_equal(tf.cumsum([[1, 2], [3, 4]]).numpy(), [[1, 2], [4, 6]])
    np.testing.assert_array_equal(
        tf.math.cumsum(tf.constant([1, 2, 3]), axis=tf.constant(0, dtype=tf.int64)).numpy(),
        [1, 3, 6],
    )


def test_scan_bad_input():
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.math.cumsum(t, 2)
    assert str(info.value) == "[Cumsum] Expected scan axis in the range [-2, 2), but got 2"
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[Cumprod\] input must be at least 1-D"
    ):
        tf.math.cumprod(tf.constant(1.0))
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[Cumsum\] scan axis must be a scalar"
    ):
        tf.math.cumsum(t, [0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Cumsum\].*unsupported dtype bool"):
        tf.math.cumsum(tf.constant([True]))
