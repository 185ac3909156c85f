"""Cast between all dtypes, clip_by_value and add_n."""

import numpy as np
import pytest
from op_testing import (
    ALL_DTYPES,
    FLOAT_DTYPES,
    NUMERIC_DTYPES,
    SIGNED_INT_DTYPES,
    assert_matches,
    np_dtype,
    random_array,
    to_loom,
)

import loom as tf


def source_values(dtype):
    """Values every destination type holds exactly (after truncation toward zero)."""
    if dtype == "bool":
        return np.array([True, False, True])
    if dtype in FLOAT_DTYPES:
        return np.array([0.0, 1.0, 2.5, 100.5, 7.0], np_dtype(dtype))
    return np.array([0, 1, 2, 100, 7], np_dtype(dtype))


@pytest.mark.parametrize("src", ALL_DTYPES)
def test_cast_between_all_dtypes(src):
    values = source_values(src)
    x = to_loom(values, src)
    for dst in ALL_DTYPES:
        got = tf.cast(x, dst)
        expected = (
            values.astype(np.float64).astype(np_dtype(dst))
            if src == "bool"
            else values.astype(np_dtype(dst))
        )
        assert_matches(got, expected, dst)


@pytest.mark.parametrize("src", FLOAT_DTYPES)
@pytest.mark.parametrize("dst", SIGNED_INT_DTYPES)
def test_float_to_int_truncates_toward_zero(src, dst):
    x = tf.constant([-2.75, -0.5, 0.5, 2.75, -100.25], dtype=src)
    np.testing.assert_array_equal(tf.cast(x, dst).numpy(), [-2, 0, 0, 2, -100])


@pytest.mark.parametrize("src", NUMERIC_DTYPES)
def test_cast_to_bool_is_nonzero(src):
    x = tf.constant([0, 3, 0, 1], dtype=src)
    np.testing.assert_array_equal(tf.cast(x, tf.bool).numpy(), [False, True, False, True])


def test_cast_nan_to_bool_is_true_and_wraps_integers():
    np.testing.assert_array_equal(
        tf.cast(tf.constant([np.nan, -0.0]), tf.bool).numpy(), [True, False]
    )
    np.testing.assert_array_equal(tf.cast(tf.constant([300, -1]), tf.uint8).numpy(), [44, 255])
    np.testing.assert_array_equal(
        tf.cast(tf.constant([-1], tf.int8), tf.uint64).numpy(), [2**64 - 1]
    )


def test_cast_between_half_types_goes_through_float():
    x = tf.constant([1.5, -0.25, 65504.0], tf.float16)
    got = tf.cast(x, tf.bfloat16)
    np.testing.assert_array_equal(tf.cast(got, tf.float32).numpy(), [1.5, -0.25, 65536.0])


def test_cast_accepts_any_dtype_spelling():
    x = tf.constant([1.5, 2.5])
    for spelling in ["float64", np.float64, tf.float64, np.dtype("float64")]:
        assert tf.cast(x, spelling).dtype == tf.float64
    assert tf.dtypes.cast is tf.cast
    assert_matches(tf.cast(2.7, tf.int32), np.array(2, np.int32), "int32")
    with pytest.raises(TypeError):
        tf.cast(x, "complex64")


def test_cast_to_same_dtype_shares_the_input():
    x = tf.constant([1, 2, 3])
    assert tf.cast(x, tf.int32) is x
    y = tf._C.execute(tf._C.op("Cast"), (x,), {"DstT": tf.int32})
    assert y._same_buffer(x)


def test_cast_needs_a_destination_type():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Cast\].*DstT"):
        tf._C.execute(tf._C.op("Cast"), (tf.constant([1]),))


def test_cast_keeps_shape_including_empty():
    x = tf.constant(np.zeros((2, 0, 3), np.float32))
    got = tf.cast(x, tf.int64)
    assert got.shape == (2, 0, 3) and got.dtype == tf.int64


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_clip_by_value_matches_numpy(dtype):
    rng = np.random.default_rng(2)
    for shape, bound_shape in [
        ((), ()),
        ((2, 3), ()),
        ((2, 3), (3,)),
        ((2, 3), (2, 1)),
        ((0, 3), (3,)),
        ((4, 5), (4, 5)),
    ]:
        t = random_array(rng, shape, dtype, -5, 5)
        lo = np.full(bound_shape, 1 if dtype.startswith("uint") else -2, np_dtype(dtype))
        hi = np.full(bound_shape, 3, np_dtype(dtype))
        got = tf.clip_by_value(to_loom(t, dtype), to_loom(lo, dtype), to_loom(hi, dtype))
        assert_matches(got, np.clip(t, lo, hi).astype(np_dtype(dtype)), dtype)


def test_clip_by_value_with_python_bounds_and_nan():
    got = tf.clip_by_value(tf.constant([-5.0, np.nan, 0.5, 9.0]), -1, 1)
    np.testing.assert_array_equal(got.numpy(), [-1.0, np.nan, 0.5, 1.0])
    # With min > max the lower bound wins, as TF's min-then-max composition gives.
    np.testing.assert_array_equal(
        tf.clip_by_value(tf.constant([0, 5, 10]), 6, 4).numpy(), [6, 6, 6]
    )


def test_clip_by_value_bounds_may_not_enlarge_t():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[ClipByValue\] clip bounds"):
        tf.clip_by_value(tf.constant([[1.0], [2.0]]), tf.constant([[0.0, 0.0, 0.0]]), 1.0)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[ClipByValue\] Incompatible shapes"
    ):
        tf.clip_by_value(tf.constant([[1.0, 2.0, 3.0]]), tf.constant([0.0, 0.0]), 1.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[ClipByValue\].*same dtype"):
        tf.clip_by_value(tf.constant([1.0]), tf.constant([0], tf.int32), 1.0)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[ClipByValue\].*unsupported dtype bool"
    ):
        tf.clip_by_value(tf.constant([True]), False, True)


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_add_n_matches_numpy(dtype):
    rng = np.random.default_rng(3)
    for shape in [(), (4,), (2, 3), (0, 2)]:
        arrays = [random_array(rng, shape, dtype, 0, 4) for _ in range(4)]
        for count in (2, 3, 4):
            expected = np.sum(np.stack(arrays[:count]).astype(np.float64), axis=0)
            got = tf.add_n([to_loom(a, dtype) for a in arrays[:count]])
            assert_matches(got, expected.astype(np_dtype(dtype)), dtype)


def test_add_n_single_input_and_errors():
    x = tf.constant([1.0, 2.0])
    assert_matches(tf.math.add_n([x]), np.array([1.0, 2.0], np.float32), "float32")
    with pytest.raises(ValueError, match="at least one"):
        tf.add_n([])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[AddN\] inputs must all have the same shape"
    ):
        tf.add_n([x, tf.constant([1.0, 2.0, 3.0])])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[AddN\].*same dtype"):
        tf.add_n([x, tf.constant([1, 2])])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[AddN\] needs at least one input"):
        tf._C.execute(tf._C.op("AddN"), ([],))
