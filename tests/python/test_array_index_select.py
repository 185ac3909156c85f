"""Differential tests of the data-dependent indexing ops (where with one argument,
tf.boolean_mask, tf.unique) against NumPy."""

import re

import numpy as np
import pytest
from loom.ops.array_index_ops import where_indices
from op_testing import ALL_DTYPES, assert_matches, random_array, to_loom

import loom as tf

RNG_SEED = 7


# --- where (one argument) -------------------------------------------------------------


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_where_every_dtype(dtype):
    rng = np.random.default_rng(RNG_SEED)
    cond = random_array(rng, (4, 5), dtype, low=-1, high=2)
    result = where_indices(to_loom(cond, dtype))
    assert_matches(result, np.argwhere(cond), "int64")


@pytest.mark.parametrize(
    "shape", [(), (7,), (3, 4), (2, 3, 4), (2, 1, 3, 2), (0,), (3, 0), (0, 4, 2)]
)
def test_where_shapes(shape):
    rng = np.random.default_rng(RNG_SEED)
    cond = rng.random(shape) < 0.4
    assert_matches(where_indices(cond), np.argwhere(cond), "int64")


def test_where_all_false_all_true_and_special_floats():
    assert_matches(where_indices(np.zeros((2, 3), bool)), np.zeros((0, 2), np.int64), "int64")
    assert_matches(where_indices(np.ones((2, 2), bool)), np.argwhere(np.ones((2, 2))), "int64")
    values = np.array([0.0, -0.0, np.nan, np.inf, 1e-30], np.float32)
    assert_matches(where_indices(values), [[2], [3], [4]], "int64")
    assert_matches(where_indices(True), np.zeros((1, 0), np.int64), "int64")


# --- boolean_mask ---------------------------------------------------------------------


def np_boolean_mask(tensor, mask, axis):
    return tensor[(slice(None),) * axis + (mask,)]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_boolean_mask_every_dtype(dtype):
    rng = np.random.default_rng(RNG_SEED)
    tensor = random_array(rng, (6, 3), dtype)
    mask = np.array([True, False, True, True, False, True])
    assert_matches(tf.boolean_mask(to_loom(tensor, dtype), mask), tensor[mask], dtype)


@pytest.mark.parametrize(
    "shape, mask_rank, axis",
    [
        ((5,), 1, None),
        ((5, 3), 1, 0),
        ((5, 3), 2, 0),
        ((5, 3), 1, 1),
        ((2, 5, 3), 1, 1),
        ((2, 5, 3, 4), 2, 1),
        ((2, 5, 3, 4), 2, -2),
        ((2, 5, 3), 1, -1),
        ((0, 3), 1, 0),
        ((3, 0), 1, 0),
        ((2, 3), 2, 0),
    ],
)
def test_boolean_mask_shapes_and_axes(shape, mask_rank, axis):
    rng = np.random.default_rng(RNG_SEED)
    tensor = random_array(rng, shape, "float32")
    a = 0 if axis is None else axis % len(shape)
    mask = rng.random(shape[a : a + mask_rank]) < 0.5
    result = tf.boolean_mask(tensor, mask, axis=axis)
    assert_matches(result, np_boolean_mask(tensor, mask, a), "float32")


def test_boolean_mask_all_false_and_python_lists():
    result = tf.boolean_mask([[1, 2], [3, 4], [5, 6]], [False, False, False])
    assert_matches(result, np.zeros((0, 2), np.int32), "int32")
    result = tf.boolean_mask([1.0, 2.0, 3.0], [True, False, True])
    assert_matches(result, np.array([1.0, 3.0], np.float32), "float32")


@pytest.mark.parametrize(
    "shape, mask, axis, message",
    [
        (
            (3, 4),
            [True, False],
            None,
            "[BooleanMask] mask shape [2] must match dims [0, 1) of tensor shape [3,4]",
        ),
        (
            (3, 4),
            [True, False, True],
            1,
            "[BooleanMask] mask shape [3] must match dims [1, 2) of tensor shape [3,4]",
        ),
        (
            (3, 4),
            np.ones((3, 4, 1), bool),
            0,
            "[BooleanMask] a mask of rank 3 at axis 0 does not fit",
        ),
        (
            (3, 4),
            [True, False, True, True],
            2,
            "[BooleanMask] a mask of rank 1 at axis 2 does not fit",
        ),
        ((3, 4), [True, False, True], -3, "[BooleanMask] a mask of rank 1 at axis -3 does not fit"),
        ((3,), True, None, "[BooleanMask] mask cannot be scalar"),
        (
            (3,),
            np.array([1, 0, 1], np.int32),
            None,
            "[BooleanMask] input #1 'mask' must be bool, got int32",
        ),
    ],
)
def test_boolean_mask_bad_arguments(shape, mask, axis, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(message)):
        tf.boolean_mask(np.zeros(shape, np.float32), mask, axis=axis)


# --- unique ---------------------------------------------------------------------------


def np_unique_first_occurrence(x):
    """np.unique reordered to first-occurrence order, as tf.unique returns it."""
    values, first, inverse = np.unique(x, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return values[order], rank[inverse.reshape(-1)]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_unique_every_dtype(dtype):
    rng = np.random.default_rng(RNG_SEED)
    x = random_array(rng, (40,), dtype, low=-4, high=4)
    if x.dtype.kind == "f":
        x = np.round(x)  # repeated values
        x[x == 0] = 0.0  # one zero: -0.0 == 0.0 is one value in TF, NumPy groups them too
    y, idx = tf.unique(to_loom(x, dtype))
    want_y, want_idx = np_unique_first_occurrence(x)
    assert_matches(y, want_y, dtype)
    assert_matches(idx, want_idx.astype(np.int32), "int32")


@pytest.mark.parametrize("n, distinct", [(0, 1), (1, 1), (5, 5), (1000, 17), (3000, 3000)])
@pytest.mark.parametrize("out_idx", [tf.int32, tf.int64])
def test_unique_sizes_and_out_idx(n, distinct, out_idx):
    rng = np.random.default_rng(RNG_SEED)
    x = rng.integers(-distinct, distinct, size=n).astype(np.int64)
    result = tf.unique(x, out_idx=out_idx)
    want_y, want_idx = np_unique_first_occurrence(x)
    assert_matches(result.y, want_y, "int64")
    assert_matches(result.idx, want_idx.astype(out_idx.as_numpy_dtype), out_idx)


def test_unique_result_is_a_named_tuple_and_zeros_merge():
    result = tf.unique([1.0, -0.0, 0.0, 1.0, 2.0])
    assert type(result).__name__ == "Unique" and result._fields == ("y", "idx")
    assert result.y.numpy().tolist() == [1.0, 0.0, 2.0]
    assert result.idx.numpy().tolist() == [0, 1, 1, 0, 2]
    # NaN != NaN: each NaN is its own value, as in TF.
    y, idx = tf.unique([np.nan, 1.0, np.nan])
    assert y.shape == (3,) and idx.numpy().tolist() == [0, 1, 2]


def test_unique_bad_arguments():
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=re.escape("[Unique] unique expects a 1D vector, got shape [2,2]"),
    ):
        tf.unique([[1, 2], [3, 4]])
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=re.escape("[Unique] unique expects a 1D vector, got shape []"),
    ):
        tf.unique(3)
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=re.escape("[Unique] out_idx must be int32 or int64, got float32"),
    ):
        tf.unique([1, 2], out_idx=tf.float32)
