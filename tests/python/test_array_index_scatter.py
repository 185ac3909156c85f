"""Differential tests of tf.scatter_nd and tf.tensor_scatter_nd_* against NumPy."""

import re

import numpy as np
import pytest
from op_testing import ALL_DTYPES, NUMERIC_DTYPES, assert_matches, np_dtype, random_array, to_loom

import loom as tf

RNG_SEED = 99


def random_indices(rng, lead_shape, target_shape, k, dtype="int32"):
    cols = [rng.integers(0, d, size=lead_shape) for d in target_shape[:k]]
    if not cols:
        return np.zeros(tuple(lead_shape) + (0,), dtype)
    return np.stack(cols, -1).astype(dtype)


def index_rows(indices):
    k = indices.shape[-1]
    return [tuple(row) for row in indices.reshape(int(np.prod(indices.shape[:-1])), k)]


def np_scatter(base, indices, updates, combine):
    """Applies updates slice by slice, in order, as the kernels do."""
    out = base.copy()
    k = indices.shape[-1]
    flat_updates = updates.reshape((-1,) + base.shape[k:]) if updates.size else []
    for row, upd in zip(index_rows(indices), flat_updates):
        out[row] = combine(out[row], upd)
    return out


def add(a, b):
    return np.logical_or(a, b) if a.dtype == bool else a + b


# --- scatter_nd -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_scatter_nd_every_dtype_adds_duplicates(dtype):
    rng = np.random.default_rng(RNG_SEED)
    indices = np.array([[1], [3], [1], [0], [1]], np.int32)
    updates = random_array(rng, (5, 2), dtype, low=-3, high=4)
    ref_dtype = np_dtype(dtype)
    expected = np_scatter(np.zeros((5, 2), ref_dtype), indices, updates.astype(ref_dtype), add)
    result = tf.scatter_nd(indices, to_loom(updates, dtype), [5, 2])
    assert_matches(result, expected, dtype)


@pytest.mark.parametrize(
    "shape, lead, k",
    [
        ((6,), (4,), 1),
        ((4, 5), (3,), 2),
        ((4, 5), (2, 3), 1),
        ((3, 4, 20), (7,), 2),
        ((3, 4, 20), (7,), 1),
        ((4, 5), (0,), 1),
        ((4, 0), (3,), 1),
        ((4, 5), (3,), 0),
        ((), (3,), 0),
    ],
)
@pytest.mark.parametrize("index_dtype", ["int32", "int64"])
def test_scatter_nd_shapes(shape, lead, k, index_dtype):
    rng = np.random.default_rng(RNG_SEED)
    indices = random_indices(rng, lead, shape, k, index_dtype)
    updates = random_array(rng, lead + shape[k:], "float64")
    expected = np_scatter(np.zeros(shape), indices, updates, add)
    result = tf.scatter_nd(tf.constant(indices), updates, tf.constant(list(shape), index_dtype))
    assert_matches(result, expected, "float64")


def test_scatter_nd_accepts_tuple_and_tensor_shapes():
    result = tf.scatter_nd([[0], [2]], [1.5, 2.5], (4,))
    assert_matches(result, np.array([1.5, 0, 2.5, 0], np.float32), "float32")
    result = tf.scatter_nd([[0], [2]], [1.5, 2.5], tf.TensorShape([4]))
    assert_matches(result, np.array([1.5, 0, 2.5, 0], np.float32), "float32")
    result = tf.scatter_nd(np.array([[1]], np.int64), [7], tf.constant([3], tf.int64))
    assert_matches(result, np.array([0, 7, 0], np.int32), "int32")


@pytest.mark.parametrize(
    "indices, updates, shape, message",
    [
        ([[1], [5]], [1.0, 2.0], [5], "[ScatterNd] indices[1] = [5] does not index into shape [5]"),
        (
            [[1], [-1]],
            [1.0, 2.0],
            [5],
            "[ScatterNd] indices[1] = [-1] does not index into shape [5]",
        ),
        (
            [[0, 0], [1, 4]],
            [1.0, 2.0],
            [2, 3],
            "[ScatterNd] indices[1] = [1, 4] does not index into shape [2,3]",
        ),
        (
            [[1], [2]],
            [1.0, 2.0, 3.0],
            [5],
            "[ScatterNd] updates shape [3] must equal indices.shape[:-1] + shape[1:] = [2]",
        ),
        (
            [[1]],
            [[1.0, 2.0]],
            [5, 3],
            "[ScatterNd] updates shape [1,2] must equal indices.shape[:-1] + shape[1:] = [1,3]",
        ),
        (
            [[1, 1, 1]],
            [1.0],
            [5, 3],
            "[ScatterNd] index innermost dimension length 3 must be <= the rank of shape [5,3]",
        ),
        ([[1]], [1.0], [-5], "[ScatterNd] dimension -5 is negative"),
        ([[1]], [1.0], [[5]], "[ScatterNd] shape must be a vector"),
        (1, 1.0, [5], "[ScatterNd] indices must be at least 1 dimensional"),
        ([[1.0]], [1.0], [5], "[ScatterNd] input #0 'indices' has unsupported dtype float32"),
    ],
)
def test_scatter_nd_bad_arguments(indices, updates, shape, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(message)):
        tf.scatter_nd(indices, updates, shape)


# --- tensor_scatter_nd_* --------------------------------------------------------------


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_tensor_scatter_update_every_dtype_later_duplicates_win(dtype):
    rng = np.random.default_rng(RNG_SEED)
    tensor = random_array(rng, (4, 3), dtype)
    indices = np.array([[2], [0], [2]], np.int64)
    updates = random_array(rng, (3, 3), dtype)
    expected = np_scatter(tensor, indices, updates, lambda old, new: new)
    result = tf.tensor_scatter_nd_update(to_loom(tensor, dtype), indices, to_loom(updates, dtype))
    assert_matches(result, expected, dtype)


COMBINERS = {
    "add": (tf.tensor_scatter_nd_add, lambda a, b: a + b),
    "sub": (tf.tensor_scatter_nd_sub, lambda a, b: a - b),
    "max": (tf.tensor_scatter_nd_max, np.maximum),
    "min": (tf.tensor_scatter_nd_min, np.minimum),
}


@pytest.mark.parametrize("kind", sorted(COMBINERS))
@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_tensor_scatter_combiners_every_dtype(kind, dtype):
    fn, combine = COMBINERS[kind]
    rng = np.random.default_rng(RNG_SEED)
    tensor = random_array(rng, (5, 2), dtype, low=0, high=10)
    indices = np.array([[1], [4], [1]], np.int32)
    updates = random_array(rng, (3, 2), dtype, low=0, high=3)
    ref = np_dtype(dtype)
    expected = np_scatter(tensor.astype(ref), indices, updates.astype(ref), combine)
    result = fn(to_loom(tensor, dtype), indices, to_loom(updates, dtype))
    assert_matches(result, expected, dtype)


@pytest.mark.parametrize("kind", sorted(COMBINERS) + ["update"])
def test_tensor_scatter_long_slices_and_shapes(kind):
    fn, combine = COMBINERS.get(kind, (tf.tensor_scatter_nd_update, lambda a, b: b))
    rng = np.random.default_rng(RNG_SEED)
    for shape, lead, k in [
        ((3, 4, 40), (6,), 2),
        ((3, 40), (5, 2), 1),
        ((3, 4), (0,), 2),
        ((3, 4), (2,), 0),
    ]:
        tensor = random_array(rng, shape, "float32")
        indices = random_indices(rng, lead, shape, k)
        updates = random_array(rng, lead + shape[k:], "float32")
        expected = np_scatter(tensor, indices, updates, combine)
        assert_matches(fn(tensor, indices, updates), expected, "float32")


def test_tensor_scatter_bad_arguments():
    tensor = tf.constant(np.zeros((4, 3), np.float32))
    message = "[TensorScatterUpdate] indices[0,1] = [4] does not index into shape [4,3]"
    with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(message)):
        tf.tensor_scatter_nd_update(tensor, [[[0], [4]]], np.zeros((1, 2, 3), np.float32))
    message = "[TensorScatterAdd] updates shape [2,2] must equal indices.shape[:-1] + tensor shape[1:] = [2,3]"
    with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(message)):
        tf.tensor_scatter_nd_add(tensor, [[0], [1]], np.zeros((2, 2), np.float32))
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[TensorScatterMax\] .*'updates' is float64"
    ):
        tf.tensor_scatter_nd_max(tensor, [[0]], np.zeros((1, 3)))
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[TensorScatterSub\] .*unsupported dtype bool"
    ):
        tf.tensor_scatter_nd_sub(tf.constant([True]), [[0]], [False])
