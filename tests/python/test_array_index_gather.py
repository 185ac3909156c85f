"""Differential tests of tf.gather, tf.gather_nd and tf.one_hot against NumPy."""

import re

import numpy as np
import pytest
from op_testing import ALL_DTYPES, assert_matches, random_array, to_loom

import loom as tf

RNG_SEED = 1234


def np_gather(params, indices, axis, batch_dims):
    """np.take applied per batch element over the leading `batch_dims` dims."""
    if batch_dims == 0:
        return np.take(params, indices, axis=axis)
    batch_shape = params.shape[:batch_dims]
    pieces = [
        np.take(params[b], indices[b], axis=axis - batch_dims) for b in np.ndindex(*batch_shape)
    ]
    out_tail = pieces[0].shape if pieces else ()
    return np.stack(pieces).reshape(batch_shape + out_tail) if pieces else np.zeros(batch_shape)


def np_gather_nd(params, indices, batch_dims=0):
    if batch_dims == 0:
        rows = indices.reshape(int(np.prod(indices.shape[:-1])), indices.shape[-1])
        slices = [params[tuple(row)] for row in rows]
        tail = params.shape[indices.shape[-1] :]
        return np.array(slices, params.dtype).reshape(indices.shape[:-1] + tail)
    batch_shape = params.shape[:batch_dims]
    pieces = [np_gather_nd(params[b], indices[b]) for b in np.ndindex(*batch_shape)]
    return np.stack(pieces).reshape(batch_shape + pieces[0].shape)


# --- gather ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_gather_every_dtype(dtype):
    rng = np.random.default_rng(RNG_SEED)
    params = random_array(rng, (5, 3), dtype)
    indices = np.array([4, 0, 2, 2], np.int32)
    result = tf.gather(to_loom(params, dtype), indices)
    assert_matches(result, np.take(params, indices, axis=0), dtype)


@pytest.mark.parametrize(
    "params_shape, indices_shape, axis, batch_dims",
    [
        ((7,), (), 0, 0),
        ((7,), (3,), 0, 0),
        ((4, 5), (2, 3), 1, 0),
        ((4, 5), (6,), -1, 0),
        ((2, 3, 4), (5,), -2, 0),
        ((3, 4, 5), (3, 2), 1, 1),
        ((3, 4, 5), (3, 2), 2, 1),
        ((3, 4, 5), (3, 4, 2), 2, 2),
        ((3, 4, 5), (3, 4, 2), 2, -1),
        ((2, 3, 4, 5), (2, 6), -1, 1),
        ((0, 3), (0,), 0, 0),
        ((4, 0), (3,), 0, 0),
        ((4, 3), (0, 2), 1, 0),
    ],
)
@pytest.mark.parametrize("index_dtype", ["int32", "int64"])
def test_gather_axes_and_batch_dims(params_shape, indices_shape, axis, batch_dims, index_dtype):
    rng = np.random.default_rng(RNG_SEED)
    params = random_array(rng, params_shape, "float32")
    bd = batch_dims + len(indices_shape) if batch_dims < 0 else batch_dims
    limit = params_shape[axis]
    indices = rng.integers(0, max(limit, 1), size=indices_shape).astype(index_dtype)
    result = tf.gather(params, tf.constant(indices), axis=axis, batch_dims=batch_dims)
    assert_matches(result, np_gather(params, indices, axis % len(params_shape), bd), "float32")


def test_gather_axis_defaults_to_batch_dims_and_accepts_tensors():
    params = np.arange(24).reshape(2, 3, 4).astype(np.int64)
    indices = np.array([[2, 0], [1, 1]])
    result = tf.gather(params, indices, batch_dims=1)
    assert_matches(result, np_gather(params, indices, 1, 1), "int64")
    result = tf.gather(params, indices, axis=tf.constant(2, tf.int64))
    assert_matches(result, np.take(params, indices, axis=2), "int64")


@pytest.mark.parametrize("bad, shown", [([0, 7], "indices[1] = 7"), ([0, -1], "indices[1] = -1")])
def test_gather_out_of_range_names_the_index(bad, shown):
    message = "^" + re.escape(f"[GatherV2] {shown} is not in [0, 5)") + "$"
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        tf.gather(tf.constant([1, 2, 3, 4, 5]), bad)


def test_gather_out_of_range_in_nd_indices_shows_the_multi_index():
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[GatherV2\] indices\[1,0\] = 3 is not in \[0, 3\)"
    ):
        tf.gather(tf.constant([1.0, 2.0, 3.0]), [[0, 1], [3, 0]])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(indices=[0.5]), r"\[GatherV2\] .*'indices' has unsupported dtype float32"),
        (dict(indices=[0], axis=2), r"\[GatherV2\] axis 2 is out of range"),
        (
            dict(indices=[[0]], axis=0, batch_dims=1),
            r"\[GatherV2\] batch_dims \(1\) must be less than or equal to axis \(0\)",
        ),
        (
            dict(indices=[0], batch_dims=3),
            r"\[GatherV2\] Expected batch_dims in the range \[-1, 1\]",
        ),
        (
            dict(indices=[0, 1, 2], axis=1, batch_dims=1),
            r"\[GatherV2\] params.shape\[0\]: 2 should be equal to indices.shape\[0\]: 3",
        ),
        (dict(indices=[0], axis=[0, 1]), r"\[GatherV2\] axis must be a scalar"),
    ],
)
def test_gather_bad_arguments(kwargs, message):
    params = tf.constant(np.zeros((2, 3), np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        tf.gather(params, **kwargs)


def test_gather_scalar_params_is_an_error():
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[GatherV2\] params must be at least 1 dimensional"
    ):
        tf.gather(tf.constant(1.0), [0])


# --- gather_nd ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_gather_nd_every_dtype(dtype):
    rng = np.random.default_rng(RNG_SEED)
    params = random_array(rng, (3, 4, 2), dtype)
    indices = np.array([[2, 1], [0, 3], [2, 1]], np.int64)
    assert_matches(
        tf.gather_nd(to_loom(params, dtype), indices), np_gather_nd(params, indices), dtype
    )


@pytest.mark.parametrize(
    "params_shape, indices_shape, batch_dims",
    [
        ((5,), (3, 1), 0),
        ((4, 5), (2, 3, 2), 0),
        ((4, 5, 6), (7, 1), 0),
        ((4, 5, 6), (2, 3), 0),
        ((4, 5), (3, 0), 0),
        ((4, 5), (0, 2), 0),
        ((0, 5), (0, 1), 0),
        ((3, 4, 5), (3, 2, 1), 1),
        ((3, 4, 5), (3, 2), 1),
        ((2, 3, 4, 5), (2, 3, 6, 1), 2),
    ],
)
@pytest.mark.parametrize("index_dtype", ["int32", "int64"])
def test_gather_nd_shapes(params_shape, indices_shape, batch_dims, index_dtype):
    rng = np.random.default_rng(RNG_SEED)
    params = random_array(rng, params_shape, "float64")
    k = indices_shape[-1]
    limits = params_shape[batch_dims : batch_dims + k]
    cols = [rng.integers(0, max(d, 1), size=indices_shape[:-1]) for d in limits]
    indices = (
        np.stack(cols, -1).astype(index_dtype) if cols else np.zeros(indices_shape, index_dtype)
    )
    result = tf.gather_nd(params, tf.constant(indices), batch_dims=batch_dims)
    assert_matches(result, np_gather_nd(params, indices, batch_dims), "float64")


@pytest.mark.parametrize(
    "bad, shown",
    [([[1, 2], [2, 0]], r"indices\[1\] = \[2, 0\]"), ([[0, -1]], r"indices\[0\] = \[0, -1\]")],
)
def test_gather_nd_out_of_range_names_the_index(bad, shown):
    params = tf.constant([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=rf"^\[GatherNd\] {shown} does not index into param shape \[2,3\]$",
    ):
        tf.gather_nd(params, bad)


@pytest.mark.parametrize(
    "indices, message",
    [
        ([[0, 0, 0]], r"\[GatherNd\] index innermost dimension length must be <= params rank"),
        ([[0.0, 1.0]], r"\[GatherNd\] .*'indices' has unsupported dtype float32"),
        (tf.constant(0), r"\[GatherNd\] indices must be at least 1 dimensional"),
    ],
)
def test_gather_nd_bad_arguments(indices, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        tf.gather_nd(tf.constant([[1, 2], [3, 4]]), indices)


# --- one_hot --------------------------------------------------------------------------


def np_one_hot(indices, depth, on, off, axis, dtype):
    hot = indices[..., None] == np.arange(depth)
    hot = np.moveaxis(hot, -1, axis if axis >= 0 else hot.ndim - 1)
    return np.where(hot, on, off).astype(dtype)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_one_hot_every_dtype(dtype):
    indices = np.array([[0, 3], [2, 1]], np.int32)
    on, off = (True, False) if dtype == "bool" else (3, 1)
    result = tf.one_hot(
        indices, 4, on_value=tf.constant(on, dtype), off_value=tf.constant(off, dtype)
    )
    ref_dtype = np.float32 if dtype == "bfloat16" else dtype
    assert_matches(result, np_one_hot(indices, 4, on, off, -1, ref_dtype), dtype)


@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (0, 2)])
@pytest.mark.parametrize("axis", [None, 0, -1, 1])
@pytest.mark.parametrize("index_dtype", ["uint8", "int8", "int32", "int64"])
def test_one_hot_axes_and_out_of_range_rows(shape, axis, index_dtype):
    if axis is not None and axis > len(shape):
        pytest.skip("axis past the output rank")
    rng = np.random.default_rng(RNG_SEED)
    low = 0 if index_dtype == "uint8" else -2
    indices = rng.integers(low, 6, size=shape).astype(index_dtype)
    result = tf.one_hot(tf.constant(indices), 4, axis=axis)
    expected = np_one_hot(
        indices.astype(np.int64), 4, 1.0, 0.0, -1 if axis is None else axis, np.float32
    )
    assert_matches(result, expected, "float32")


def test_one_hot_dtype_rules():
    assert tf.one_hot([1], 3).dtype == tf.float32
    assert tf.one_hot([1], 3, on_value=5).dtype == tf.int32
    assert tf.one_hot([1], 3, off_value=2.5).dtype == tf.float32
    assert tf.one_hot([1], 3, on_value=1, dtype=tf.float64).dtype == tf.float64
    r = tf.one_hot([1, 0], 2, dtype=tf.int64)
    assert_matches(r, np.array([[0, 1], [1, 0]], np.int64), "int64")
    r = tf.one_hot([2], 3, on_value=7.0, off_value=-1.0, dtype=tf.float64)
    assert_matches(r, np.array([[-1.0, -1.0, 7.0]]), "float64")
    assert_matches(tf.one_hot([0, 1], 0), np.zeros((2, 0), np.float32), "float32")


def test_one_hot_bad_arguments():
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"\[OneHot\] depth must be non-negative, got: -1"
    ):
        tf.one_hot([1], -1)
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"\[OneHot\] Expected axis to be -1 or between \[0, 1\], but got 2",
    ):
        tf.one_hot([1], 3, axis=2)
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"\[OneHot\] .*'indices' has unsupported dtype float32",
    ):
        tf.one_hot([1.0], 3)
    with pytest.raises(
        TypeError, match="dtype float32 of on_value does not match dtype parameter int32"
    ):
        tf.one_hot([1], 3, on_value=1.0, dtype=tf.int32)
    with pytest.raises(TypeError, match="does not match"):
        tf.one_hot([1], 3, on_value=1.0, off_value=tf.constant(0, tf.int32))
