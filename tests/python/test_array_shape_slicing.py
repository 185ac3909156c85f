"""Slicing, reversing, rolling and padding ops against NumPy: slice, strided_slice,
reverse, roll, pad (CONSTANT / REFLECT / SYMMETRIC)."""

import numpy as np
import pytest
from op_testing import assert_matches, random_array, to_loom

import loom as tf

InvalidArgument = tf.errors.InvalidArgumentError


def rand(shape, dtype="float32", seed=0):
    return random_array(np.random.default_rng(seed), shape, dtype)


# --- slice ------------------------------------------------------------------------------------


def test_slice_random_vs_numpy():
    rng = np.random.default_rng(10)
    for rank in range(5):
        for _ in range(5):
            shape = [int(d) for d in rng.integers(0, 5, size=rank)]
            a = rand(tuple(shape), "int8", seed=rank)
            begin = [int(rng.integers(0, d + 1)) for d in shape]
            size = [
                int(rng.integers(0, d - b + 1)) if rng.random() < 0.7 else -1
                for d, b in zip(shape, begin)
            ]
            index = tuple(slice(b, d if s == -1 else b + s) for b, s, d in zip(begin, size, shape))
            assert_matches(tf.slice(to_loom(a, "int8"), begin, size), a[index], "int8")


def test_slice_of_leading_rows_shares_aligned_buffer():
    x = tf.reshape(tf.range(64, dtype=tf.float32), [4, 16])
    rows = tf.slice(x, [2, 0], [2, -1])
    assert_matches(rows, np.arange(32, 64, dtype=np.float32).reshape(2, 16), "float32")


def test_slice_errors():
    x = tf.zeros([3, 4])
    with pytest.raises(
        InvalidArgument,
        match=r"\[Slice\] Expected begin and size arguments to be 1-D tensors of size 2, but got shapes \[1\] and \[2\] instead",
    ):
        tf.slice(x, [0], [1, 1])
    with pytest.raises(
        InvalidArgument, match=r"\[Slice\] Expected begin\[0\] in \[0, 3\], but got 4"
    ):
        tf.slice(x, [4, 0], [0, 1])
    with pytest.raises(
        InvalidArgument, match=r"\[Slice\] Expected size\[1\] in \[0, 3\], but got 4"
    ):
        tf.slice(x, [0, 1], [1, 4])
    with pytest.raises(
        InvalidArgument, match=r"\[Slice\] Expected begin\[0\] in \[0, 3\], but got -1"
    ):
        tf.slice(x, [-1, 0], [1, 1])


# --- strided_slice ------------------------------------------------------------------------------


def test_strided_slice_random_ranges_vs_numpy():
    rng = np.random.default_rng(11)
    a = rand((5, 6, 7), "int32")
    x = to_loom(a, "int32")
    for _ in range(60):
        begin, end, strides, index = [], [], [], []
        begin_mask = end_mask = 0
        for dim in range(3):
            n = a.shape[dim]
            b, e = (int(v) for v in rng.integers(-n - 2, n + 3, size=2))
            s = int(rng.choice([-3, -2, -1, 1, 2, 3]))
            if rng.random() < 0.25:
                begin_mask |= 1 << dim
                b_idx = None
            else:
                b_idx = b
            if rng.random() < 0.25:
                end_mask |= 1 << dim
                e_idx = None
            else:
                e_idx = e
            begin.append(b), end.append(e), strides.append(s)
            index.append(slice(b_idx, e_idx, s))
        got = tf.strided_slice(x, begin, end, strides, begin_mask=begin_mask, end_mask=end_mask)
        assert_matches(got, a[tuple(index)], "int32")


def test_strided_slice_masks():
    a = rand((2, 3, 4, 5), "float64")
    x = to_loom(a, "float64")
    # x[1, ..., ::-2] : shrink dim 0, ellipsis, stride on the last dim
    got = tf.strided_slice(
        x,
        [1, 0, 0],
        [2, 0, 0],
        [1, 1, -2],
        end_mask=4,
        begin_mask=4,
        ellipsis_mask=2,
        shrink_axis_mask=1,
    )
    assert_matches(got, a[1, ..., ::-2], "float64")
    # x[:, None, 2] : new axis then shrink
    got = tf.strided_slice(
        x,
        [0, 0, 2],
        [0, 0, 3],
        [1, 1, 1],
        begin_mask=1,
        end_mask=1,
        new_axis_mask=2,
        shrink_axis_mask=4,
    )
    assert_matches(got, a[:, None, 2], "float64")
    # x[..., None] and x[None, ...]
    got = tf.strided_slice(x, [0, 0], [0, 0], [1, 1], ellipsis_mask=1, new_axis_mask=2)
    assert_matches(got, a[..., None], "float64")
    # fewer entries than dims: the rest are whole
    assert_matches(tf.strided_slice(x, [1], [2], [1]), a[1:2], "float64")
    # strides defaults to ones
    assert_matches(tf.strided_slice(x, [0, 1], [2, 3]), a[0:2, 1:3], "float64")
    # shrink with a negative index
    assert_matches(tf.strided_slice(x, [-1], [0], [1], shrink_axis_mask=1), a[-1], "float64")
    # empty results
    assert tf.strided_slice(x, [3], [1], [1]).shape == (0, 3, 4, 5)


def test_strided_slice_errors():
    x = tf.zeros([3, 4])
    with pytest.raises(
        InvalidArgument, match=r"\[StridedSlice\] slice index 5 of dimension 0 out of bounds"
    ):
        tf.strided_slice(x, [5], [6], [1], shrink_axis_mask=1)
    with pytest.raises(InvalidArgument, match=r"slice index -5 of dimension 1 out of bounds"):
        tf.strided_slice(x, [0, -5], [0, -4], [1, 1], begin_mask=1, end_mask=1, shrink_axis_mask=2)
    with pytest.raises(InvalidArgument, match=r"\[StridedSlice\] strides\[0\] must be non-zero"):
        tf.strided_slice(x, [0], [1], [0])
    with pytest.raises(InvalidArgument, match=r"\[StridedSlice\] Multiple ellipses"):
        tf.strided_slice(x, [0, 0], [0, 0], [1, 1], ellipsis_mask=3)
    with pytest.raises(
        InvalidArgument,
        match=r"\[StridedSlice\] Expected begin, end, and strides to be 1D equal size",
    ):
        tf.strided_slice(x, [0, 0], [1], [1])
    with pytest.raises(InvalidArgument, match=r"\[StridedSlice\] Index out of range"):
        tf.strided_slice(x, [0, 0, 0], [1, 1, 1], [1, 1, 1])
    with pytest.raises(InvalidArgument, match=r"only stride 1 allowed"):
        tf.strided_slice(x, [0], [1], [-1], shrink_axis_mask=1)


# --- reverse / roll -----------------------------------------------------------------------------


def test_reverse_random_axes():
    rng = np.random.default_rng(12)
    for rank in range(5):
        shape = tuple(int(d) for d in rng.integers(0, 5, size=rank))
        a = rand(shape, "uint16", seed=rank)
        axes = [int(d) for d in rng.permutation(rank)[: int(rng.integers(0, rank + 1))]]
        axes = [ax - rank if rng.random() < 0.5 else ax for ax in axes]
        assert_matches(
            tf.reverse(to_loom(a, "uint16"), axes), np.flip(a, axes) if axes else a, "uint16"
        )


def test_reverse_errors():
    x = tf.zeros([2, 3])
    with pytest.raises(
        InvalidArgument, match=r"\[ReverseV2\] 'axis'\[0\] = 2 is out of valid range"
    ):
        tf.reverse(x, [2])
    with pytest.raises(InvalidArgument, match=r"\[ReverseV2\] axis 1 specified more than once"):
        tf.reverse(x, [1, -1])
    with pytest.raises(InvalidArgument, match=r"\[ReverseV2\].*vector"):
        tf.reverse(x, 1)


def test_roll_vs_numpy():
    rng = np.random.default_rng(13)
    for rank in range(1, 5):
        for _ in range(4):
            shape = tuple(int(d) for d in rng.integers(0, 6, size=rank))
            a = rand(shape, "int64", seed=rank)
            k = int(rng.integers(1, 4))
            axes = [int(v) for v in rng.integers(-rank, rank, size=k)]
            shifts = [int(v) for v in rng.integers(-20, 20, size=k)]
            assert_matches(
                tf.roll(to_loom(a, "int64"), shifts, axes), np.roll(a, shifts, axes), "int64"
            )
    a = rand((4,), "float32")
    assert_matches(tf.roll(to_loom(a, "float32"), 1, 0), np.roll(a, 1), "float32")


def test_roll_errors():
    x = tf.zeros([2, 3])
    with pytest.raises(InvalidArgument, match=r"\[Roll\] shift and axis must have the same size"):
        tf.roll(x, [1, 2], [0])
    with pytest.raises(InvalidArgument, match=r"\[Roll\] axis 2 is out of range"):
        tf.roll(x, 1, 2)
    with pytest.raises(InvalidArgument, match=r"\[Roll\] shift must be a scalar or a 1-D vector"):
        tf.roll(x, [[1]], [0])


# --- pad --------------------------------------------------------------------------------------


def random_paddings(rng, shape, limit=None):
    pads = []
    for d in shape:
        hi = 3 if limit is None else limit(d) + 1
        pads.append([int(rng.integers(0, max(hi, 1))), int(rng.integers(0, max(hi, 1)))])
    return np.array(pads, dtype=np.int64).reshape(-1, 2)  # [0, 2] for scalars, as TF wants


@pytest.mark.parametrize("dtype", ["bool", "int8", "float16", "uint32", "float64"])
def test_pad_constant_vs_numpy(dtype):
    rng = np.random.default_rng(14)
    for rank in range(4):
        shape = tuple(int(d) for d in rng.integers(0, 4, size=rank))
        a = rand(shape, dtype, seed=rank)
        pads = random_paddings(rng, shape)
        x = to_loom(a, dtype)
        value = True if dtype == "bool" else 3
        # NumPy cannot pad a 0-d array; padding a scalar by nothing returns it.
        zero_pad = np.pad(a, pads) if rank else a
        value_pad = np.pad(a, pads, constant_values=value) if rank else a
        assert_matches(tf.pad(x, pads), zero_pad, dtype)
        assert_matches(tf.pad(x, pads, constant_values=value), value_pad, dtype)


@pytest.mark.parametrize("mode", ["REFLECT", "symmetric", "Reflect"])
def test_pad_mirror_vs_numpy(mode):
    rng = np.random.default_rng(15)
    offset = 1 if mode.upper() == "REFLECT" else 0
    for rank in range(1, 5):
        for _ in range(3):
            shape = tuple(int(d) for d in rng.integers(1, 5, size=rank))
            a = rand(shape, "int32", seed=rank)
            pads = random_paddings(rng, shape, limit=lambda d: d - offset)
            got = tf.pad(to_loom(a, "int32"), pads, mode=mode)
            assert_matches(got, np.pad(a, pads, mode=mode.lower()), "int32")


def test_pad_with_tensor_constant_and_empty_input():
    x = tf.zeros([0, 2])
    assert_matches(
        tf.pad(x, [[1, 1], [0, 0]], constant_values=tf.constant(2.0)),
        np.full((2, 2), 2.0),
        "float32",
    )
    assert tf.pad(tf.constant(5), tf.zeros([0, 2], tf.int64)).shape == ()


def test_pad_errors():
    x = tf.zeros([2, 3])
    with pytest.raises(InvalidArgument, match=r"\[Pad\] Paddings must be non-negative: 0 -1"):
        tf.pad(x, [[0, -1], [0, 0]])
    with pytest.raises(
        InvalidArgument, match=r"\[Pad\] The first dimension of paddings must be the rank"
    ):
        tf.pad(x, [[0, 1]])
    with pytest.raises(InvalidArgument, match=r"\[PadV2\] constant_values must be a scalar"):
        tf.pad(x, [[0, 1], [0, 0]], constant_values=tf.constant([1.0, 2.0]))
    with pytest.raises(InvalidArgument, match=r"\[PadV2\].*same dtype"):
        tf.pad(x, [[0, 1], [0, 0]], constant_values=tf.constant(1))
    with pytest.raises(
        InvalidArgument,
        match=r"\[MirrorPad\] paddings must be less than the dimension size: 2, 0 not less than 2",
    ):
        tf.pad(x, [[2, 0], [0, 0]], mode="REFLECT")
    with pytest.raises(
        InvalidArgument,
        match=r"\[MirrorPad\] paddings must be no greater than the dimension size: 0, 4 greater than 3",
    ):
        tf.pad(x, [[0, 0], [0, 4]], mode="SYMMETRIC")
    with pytest.raises(ValueError, match=r"Value of argument `mode` expected to be one of"):
        tf.pad(x, [[0, 0], [0, 0]], mode="WRAP")
    with pytest.raises(tf.errors.ResourceExhaustedError, match=r"\[Pad\]"):
        tf.pad(x, [[0, 2**41], [0, 0]])
