"""Tensor.__getitem__ and iteration against NumPy indexing."""

import numpy as np
import pytest
from op_testing import assert_matches, random_array, to_loom

import loom as tf

InvalidArgument = tf.errors.InvalidArgumentError

A = np.arange(4 * 5 * 6, dtype=np.int32).reshape(4, 5, 6)

BASIC_KEYS = [
    0,
    3,
    -1,
    -4,
    (1, 2),
    (1, 2, 3),
    (-1, -1, -1),
    slice(None),
    slice(1, 3),
    slice(None, None, 2),
    slice(None, None, -1),
    slice(3, 0, -2),
    slice(-2, None),
    slice(10, 20),
    slice(-20, 2),
    slice(2, 2),
    slice(3, 1),
    (slice(None), 2),
    (slice(None), slice(None, None, -2), slice(1, -1, 3)),
    (Ellipsis, 0),
    (Ellipsis, slice(None, None, -1)),
    (0, Ellipsis),
    (1, Ellipsis, 2),
    (Ellipsis,),
    (None,),
    (None, 1),
    (1, None),
    (Ellipsis, None),
    (None, Ellipsis, None),
    (slice(None), None, 3, None),
    (None, None, 0, slice(1, 4), None),
    (np.int64(2), slice(None, None, -3)),
    (),
]


@pytest.mark.parametrize("key", BASIC_KEYS, ids=repr)
def test_basic_indexing_matches_numpy(key):
    assert_matches(tf.constant(A)[key], A[key], "int32")


@pytest.mark.parametrize("dtype", ["bool", "float16", "bfloat16", "int8", "uint64", "float64"])
def test_indexing_every_kind_of_dtype(dtype):
    a = random_array(np.random.default_rng(1), (3, 4, 5), dtype)
    x = to_loom(a, dtype)
    for key in [(1, slice(None, None, -1)), (Ellipsis, 2), (slice(None), None, slice(1, 3)), -2]:
        assert_matches(x[key], a[key], dtype)


def test_random_slices_match_numpy():
    rng = np.random.default_rng(2)
    x = tf.constant(A)
    for _ in range(100):
        key = []
        for n in A.shape:
            kind = rng.integers(0, 3)
            if kind == 0:
                key.append(int(rng.integers(-n, n)))
            else:
                start, stop = (
                    int(v) if rng.random() < 0.8 else None
                    for v in rng.integers(-n - 2, n + 2, size=2)
                )
                step = int(rng.choice([-3, -2, -1, 1, 2, 3])) if rng.random() < 0.8 else None
                key.append(slice(start, stop, step))
        key = tuple(key[: rng.integers(1, 4)])
        assert_matches(x[key], A[key], "int32")


def test_scalar_tensor_indices_and_bounds():
    x = tf.constant(A)
    assert_matches(x[tf.constant(2)], A[2], "int32")
    assert_matches(x[tf.constant(-1, tf.int64), tf.constant(3)], A[-1, 3], "int32")
    assert_matches(x[tf.constant(1) : tf.constant(3)], A[1:3], "int32")
    assert_matches(x[:, :: tf.constant(-2)], A[:, ::-2], "int32")


def test_scalar_result_and_rank0_input():
    x = tf.constant(A)
    r = x[1, 2, 3]
    assert r.shape == () and int(r) == A[1, 2, 3]
    s = tf.constant(5.0)
    assert_matches(s[...], np.float32(5.0), "float32")
    assert_matches(s[None], np.array([5.0], np.float32), "float32")


def test_basic_slices_of_rows_share_the_buffer_when_aligned():
    x = tf.reshape(tf.range(64, dtype=tf.float32), [4, 16])
    row = x[2]
    assert_matches(row, np.arange(32, 48, dtype=np.float32), "float32")
    assert_matches(x[1:3], np.arange(16, 48, dtype=np.float32).reshape(2, 16), "float32")


def test_iteration_uses_getitem():
    x = tf.constant(A)
    rows = list(x)
    assert len(rows) == 4
    for row, expected in zip(rows, A):
        assert_matches(row, expected, "int32")
    total = 0
    for row in tf.constant([[1, 2], [3, 4]]):
        for value in row:
            total += int(value)
    assert total == 10
    assert list(tf.zeros([0, 3])) == []
    with pytest.raises(TypeError):
        iter(tf.constant(1.0)).__next__()


def test_index_errors():
    x = tf.constant(A)
    with pytest.raises(InvalidArgument, match=r"slice index 5 of dimension 0 out of bounds"):
        x[5]
    with pytest.raises(InvalidArgument, match=r"slice index -5 of dimension 0 out of bounds"):
        x[-5]
    with pytest.raises(InvalidArgument, match=r"slice index 6 of dimension 2 out of bounds"):
        x[..., 6]
    with pytest.raises(InvalidArgument, match=r"\[StridedSlice\] Index out of range"):
        x[1, 2, 3, 4]
    with pytest.raises(InvalidArgument, match=r"Multiple ellipses"):
        x[..., 1, ...]
    with pytest.raises(InvalidArgument, match=r"strides\[0\] must be non-zero"):
        x[::0]
    with pytest.raises(TypeError, match=r"valid indices"):
        x["a"]
    with pytest.raises(TypeError, match=r"valid indices"):
        x[1.5]
    with pytest.raises(TypeError):
        x[tf.constant(1.0)]
    with pytest.raises(TypeError, match=r"Only one list"):
        x[[0, 1], [1, 2]]


# --- list / int-tensor indices (gather) and boolean masks ---------------------------------------
# The array index's placement (its axis, and NumPy's move-to-front rule) is this module's
# job; the gather itself is loom.gather's. A NumPy stand-in checks the placement here; the
# real op is checked when this build has it.


def _numpy_gather(params, indices, axis=0):
    return tf.constant(np.take(params.numpy(), indices.numpy(), axis=axis), dtype=params.dtype)


def _numpy_boolean_mask(tensor, mask, axis=0):
    arr, m = tensor.numpy(), mask.numpy()
    flat = arr.reshape(arr.shape[:axis] + (-1,) + arr.shape[axis + m.ndim :])
    return tf.constant(np.take(flat, np.flatnonzero(m), axis=axis), dtype=tensor.dtype)


INT_ARRAY_KEYS = [
    [0, 2],
    [-1, 0, 0],
    (slice(None), [4, 0]),
    (Ellipsis, [5, 1, 2]),
    (1, [0, 3]),
    ([2, 1], 3),
    (1, slice(None), [0, 5]),  # separated by a slice: NumPy puts the array dim first
    (slice(1, 3), None, [0, 1]),
    (np.array([[0, 1], [2, 3]]),),
    ([],),
]
MASK_KEYS = [
    (A[:, 0, 0] > 30,),
    (slice(None), np.array([True, False, True, False, True])),
    (Ellipsis, A[0, 0] % 2 == 0),
    (A[:, :, 0] % 3 == 0,),
    (1, slice(None), A[0, 0] % 2 == 0),
]
ARRAY_KEYS = INT_ARRAY_KEYS + MASK_KEYS


@pytest.mark.parametrize("key", ARRAY_KEYS, ids=repr)
def test_array_indices_with_numpy_stand_ins(monkeypatch, key):
    monkeypatch.setattr(tf, "gather", _numpy_gather, raising=False)
    monkeypatch.setattr(tf, "boolean_mask", _numpy_boolean_mask, raising=False)
    assert_matches(tf.constant(A)[key], A[key], "int32")


def test_int_tensor_and_mask_tensor_indices_with_stand_ins(monkeypatch):
    monkeypatch.setattr(tf, "gather", _numpy_gather, raising=False)
    monkeypatch.setattr(tf, "boolean_mask", _numpy_boolean_mask, raising=False)
    x = tf.constant(A)
    assert_matches(x[:, tf.constant([3, 1], tf.int64)], A[:, [3, 1]], "int32")
    assert_matches(
        x[tf.constant([True, False, False, True])], A[[True, False, False, True]], "int32"
    )
    assert_matches(x[[tf.constant(1), 2]], A[[1, 2]], "int32")


@pytest.mark.skipif(not hasattr(tf, "gather"), reason="this build has no loom.gather")
@pytest.mark.parametrize("key", INT_ARRAY_KEYS, ids=repr)
def test_array_indices_with_real_gather(key):
    assert_matches(tf.constant(A)[key], A[key], "int32")


@pytest.mark.skipif(not hasattr(tf, "boolean_mask"), reason="this build has no loom.boolean_mask")
def test_bool_masks_with_real_boolean_mask():
    x = tf.constant(A)
    mask = A[:, :, 0] % 3 == 0
    assert_matches(x[mask], A[mask], "int32")
    assert_matches(x[tf.constant(mask)], A[mask], "int32")
    assert_matches(x[:, A[0, :, 0] > 10], A[:, A[0, :, 0] > 10], "int32")
