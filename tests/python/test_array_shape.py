"""Shape and layout ops against NumPy: reshape, transpose, expand_dims, squeeze, concat,
stack, unstack, split, tile, broadcast_to, identity and the shape queries."""

import numpy as np
import pytest
from op_testing import ALL_DTYPES, assert_matches, random_array, to_loom

import loom as tf

InvalidArgument = tf.errors.InvalidArgumentError
SAMPLE_DTYPES = ["bool", "float16", "bfloat16", "int8", "uint64", "int32", "float64"]


def rand(shape, dtype="float32", seed=0):
    return random_array(np.random.default_rng(seed), shape, dtype)


def random_shape(rng, rank, low=0, high=5):
    return tuple(int(d) for d in rng.integers(low, high, size=rank))


# --- every layout op moves bytes only: check each on all 13 dtypes ----------------------


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_layout_ops_on_every_dtype(dtype):
    a = rand((3, 4, 5), dtype, seed=1)
    x = to_loom(a, dtype)
    assert_matches(tf.reshape(x, [4, -1]), a.reshape(4, -1), dtype)
    assert_matches(tf.transpose(x, [2, 0, 1]), a.transpose(2, 0, 1), dtype)
    assert_matches(tf.concat([x, x[:1]], 0), np.concatenate([a, a[:1]], 0), dtype)
    assert_matches(tf.stack([x, x], axis=1), np.stack([a, a], 1), dtype)
    assert_matches(tf.tile(x, [1, 2, 1]), np.tile(a, (1, 2, 1)), dtype)
    assert_matches(tf.reverse(x, [0, 2]), a[::-1, :, ::-1], dtype)
    assert_matches(tf.roll(x, [1, -2], [1, 2]), np.roll(a, (1, -2), (1, 2)), dtype)
    assert_matches(tf.pad(x, [[1, 0], [0, 2], [1, 1]]), np.pad(a, [(1, 0), (0, 2), (1, 1)]), dtype)
    assert_matches(
        tf.pad(x, [[0, 0], [2, 1], [0, 0]], mode="symmetric"),
        np.pad(a, [(0, 0), (2, 1), (0, 0)], mode="symmetric"),
        dtype,
    )
    assert_matches(tf.broadcast_to(x[:, :1], [2, 3, 4, 5]), np.broadcast_to(a[:, :1], (2, 3, 4, 5)))
    assert_matches(tf.slice(x, [1, 0, 2], [-1, 2, 3]), a[1:, 0:2, 2:5], dtype)
    pieces = tf.split(x, [1, -1], axis=2)
    assert_matches(pieces[1], a[:, :, 1:], dtype)
    assert_matches(tf.unstack(x, axis=1)[3], a[:, 3], dtype)
    assert_matches(tf.fill([2, 2], x[0, 0, 0]), np.full((2, 2), a[0, 0, 0]), dtype)


# --- reshape ------------------------------------------------------------------------------


def test_reshape_random_shapes_and_zero_copy():
    rng = np.random.default_rng(2)
    for _ in range(20):
        shape = random_shape(rng, rng.integers(0, 5), 1, 4)
        a = rand(shape, "int16", seed=3)
        x = to_loom(a, "int16")
        flat = tf.reshape(x, [-1])
        assert_matches(flat, a.reshape(-1), "int16")
        assert flat._same_buffer(x)
        back = tf.reshape(flat, tf.constant(list(shape) or [], dtype=tf.int64))
        assert_matches(back, a, "int16")


def test_reshape_empty_and_scalar():
    assert tf.reshape(tf.zeros([0, 3]), [3, 0, 5]).shape == (3, 0, 5)
    assert tf.reshape(tf.constant([7]), []).shape == ()
    assert tf.reshape(tf.constant(7), [1, 1]).shape == (1, 1)


def test_reshape_errors():
    x = tf.constant([1, 2, 3, 4, 5, 6])
    with pytest.raises(
        InvalidArgument,
        match=r"\[Reshape\] Input to reshape is a tensor with 6 values, but the requested shape has 4",
    ):
        tf.reshape(x, [4])
    with pytest.raises(InvalidArgument, match=r"requires a multiple of 4"):
        tf.reshape(x, [4, -1])
    with pytest.raises(InvalidArgument, match=r"Only one input size may be -1"):
        tf.reshape(x, [-1, -1])
    with pytest.raises(InvalidArgument, match=r"must be non-negative"):
        tf.reshape(x, [-2, -3])
    with pytest.raises(InvalidArgument, match=r"empty tensor"):
        tf.reshape(tf.zeros([0, 2]), [0, -1])
    with pytest.raises(InvalidArgument, match=r"\[Reshape\].*vector"):
        tf.reshape(x, [[6]])
    with pytest.raises(tf.errors.ResourceExhaustedError, match=r"Reshape"):
        tf.reshape(x, [2**30, 2**30, 2])
    with pytest.raises(TypeError):
        tf.reshape(x, [2.0, 3.0])


# --- transpose ----------------------------------------------------------------------------


def test_transpose_random_perms_vs_numpy():
    rng = np.random.default_rng(4)
    for rank in range(6):
        for _ in range(4):
            shape = random_shape(rng, rank, 0, 5)
            a = rand(shape, "float32", seed=rank)
            perm = [int(p) for p in rng.permutation(rank)]
            assert_matches(tf.transpose(to_loom(a, "float32"), perm), a.transpose(perm))
    a = rand((2, 3, 4))
    assert_matches(tf.transpose(to_loom(a, "float32")), a.T)  # default: reversed dims


@pytest.mark.parametrize("dtype", ["int8", "float16", "float32", "uint64"])
def test_transpose_large_uses_tiles(dtype):
    a = rand((67, 129), dtype, seed=5)
    assert_matches(tf.transpose(to_loom(a, dtype)), a.T, dtype)
    b = rand((3, 40, 33), dtype, seed=6)
    assert_matches(tf.transpose(to_loom(b, dtype), [0, 2, 1]), b.transpose(0, 2, 1), dtype)
    assert_matches(tf.transpose(to_loom(b, dtype), [2, 1, 0]), b.transpose(2, 1, 0), dtype)


def test_transpose_that_moves_only_unit_dims_shares_buffer():
    x = tf.zeros([3, 1, 4])
    assert tf.transpose(x, [1, 0, 2])._same_buffer(x)


def test_transpose_errors():
    x = tf.zeros([2, 3])
    with pytest.raises(
        InvalidArgument, match=r"\[Transpose\] transpose expects a vector of size 2"
    ):
        tf.transpose(x, [0, 1, 2])
    with pytest.raises(InvalidArgument, match=r"\[Transpose\] 1 is missing from \{0,0\}"):
        tf.transpose(x, [0, 0])
    with pytest.raises(InvalidArgument, match=r"\[Transpose\] 2 is out of range"):
        tf.transpose(x, [0, 2])


# --- expand_dims / squeeze ------------------------------------------------------------------


def test_expand_dims_every_axis():
    a = rand((2, 3))
    x = to_loom(a, "float32")
    for axis in range(-3, 3):
        r = tf.expand_dims(x, axis)
        assert_matches(r, np.expand_dims(a, axis))
        assert r._same_buffer(x)
    assert tf.expand_dims(tf.constant(5), 0).shape == (1,)
    with pytest.raises(
        InvalidArgument,
        match=r"\[ExpandDims\] Tried to expand dim index 3 for tensor with 2 dimensions",
    ):
        tf.expand_dims(x, 3)
    with pytest.raises(InvalidArgument, match=r"\[ExpandDims\]"):
        tf.expand_dims(x, -4)
    with pytest.raises(InvalidArgument, match=r"single value"):
        tf.expand_dims(x, [0, 1])


def test_squeeze():
    a = rand((1, 2, 1, 3, 1))
    x = to_loom(a, "float32")
    assert_matches(tf.squeeze(x), np.squeeze(a))
    assert_matches(tf.squeeze(x, [0, -1]), np.squeeze(a, (0, 4)))
    assert_matches(tf.squeeze(x, 2), np.squeeze(a, 2))
    assert tf.squeeze(tf.zeros([1, 0, 1])).shape == (0,)
    with pytest.raises(
        InvalidArgument,
        match=r"\[Squeeze\] Can not squeeze dim\[1\], expected a dimension of 1, got 2",
    ):
        tf.squeeze(x, [1])
    with pytest.raises(InvalidArgument, match=r"\[Squeeze\] Tried to squeeze dim index 5"):
        tf.squeeze(x, [5])


# --- concat / stack / unstack ----------------------------------------------------------------


def test_concat_random_vs_numpy():
    rng = np.random.default_rng(7)
    for rank in range(1, 5):
        for _ in range(4):
            base = list(random_shape(rng, rank, 0, 4))
            axis = int(rng.integers(-rank, rank))
            arrays = []
            for k in range(int(rng.integers(2, 5))):
                shape = list(base)
                shape[axis] = int(rng.integers(0, 4))
                arrays.append(rand(tuple(shape), "int64", seed=k))
            got = tf.concat([to_loom(a, "int64") for a in arrays], axis)
            assert_matches(got, np.concatenate(arrays, axis), "int64")


def test_concat_mixes_python_values_and_single_value():
    x = tf.constant([[1.0, 2.0]])
    assert_matches(tf.concat([x, [[3.0, 4.0]]], 0), [[1.0, 2.0], [3.0, 4.0]], "float32")
    assert tf.concat([x], 0)._same_buffer(x)


def test_concat_errors():
    with pytest.raises(
        InvalidArgument, match=r"\[ConcatV2\] Ranks of all input tensors should match"
    ):
        tf.concat([tf.zeros([2]), tf.zeros([2, 3])], 0)
    with pytest.raises(
        InvalidArgument,
        match=r"\[ConcatV2\] Dimension 1 in both shapes must be equal: shape\[0\] = \[2,3\] vs. shape\[1\] = \[2,4\]",
    ):
        tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], 0)
    with pytest.raises(
        InvalidArgument,
        match=r"\[ConcatV2\] Expected concatenating dimensions in the range \[-2, 2\), but got 2",
    ):
        tf.concat([tf.zeros([2, 3]), tf.zeros([2, 3])], 2)
    with pytest.raises(InvalidArgument, match=r"Can't concatenate scalars"):
        tf.concat([tf.constant(1), tf.constant(2)], 0)
    with pytest.raises(InvalidArgument, match=r"\[ConcatV2\].*same dtype"):
        tf.concat([tf.zeros([2]), tf.zeros([2], tf.int32)], 0)


def test_stack_and_unstack():
    rng = np.random.default_rng(8)
    for rank in range(4):
        shape = random_shape(rng, rank, 0, 4)
        arrays = [rand(shape, "uint8", seed=k) for k in range(3)]
        for axis in range(-rank - 1, rank + 1):
            got = tf.stack([to_loom(a, "uint8") for a in arrays], axis)
            expected = np.stack(arrays, axis)
            assert_matches(got, expected, "uint8")
            parts = tf.unstack(got, axis=axis)
            assert len(parts) == 3
            for p, a in zip(parts, arrays):
                assert_matches(p, a, "uint8")
    assert tf.unstack(tf.zeros([0, 2])) == []
    single = tf.unstack(tf.zeros([1, 2]))
    assert isinstance(single, list) and single[0].shape == (2,)


def test_unstack_rows_share_aligned_buffers():
    x = tf.zeros([4, 16])  # 64-byte rows keep the buffer's alignment
    rows = tf.unstack(x)
    np.testing.assert_array_equal(rows[3].numpy(), np.zeros(16))
    y = tf.reshape(tf.range(12), [4, 3])
    assert_matches(tf.unstack(y)[2], [6, 7, 8], "int32")


def test_stack_unstack_errors():
    with pytest.raises(
        InvalidArgument,
        match=r"\[Pack\] Shapes of all inputs must match: values\[0\].shape = \[2\] != values\[1\].shape = \[3\]",
    ):
        tf.stack([tf.zeros([2]), tf.zeros([3])])
    with pytest.raises(InvalidArgument, match=r"\[Pack\] axis = 3 not in \[-3, 3\)"):
        tf.stack([tf.zeros([2, 2])], axis=3)
    with pytest.raises(InvalidArgument, match=r"\[Pack\]"):
        tf.stack([])
    with pytest.raises(
        InvalidArgument, match=r"\[Unpack\] Input shape axis 0 must equal 3, got shape \[2,3\]"
    ):
        tf.unstack(tf.zeros([2, 3]), num=3)
    with pytest.raises(ValueError, match=r"axis = 2 not in \[-2, 2\)"):
        tf.unstack(tf.zeros([2, 3]), axis=2)


# --- split ------------------------------------------------------------------------------------


def test_split_even_and_sizes():
    a = rand((6, 4, 2), "int32")
    x = to_loom(a, "int32")
    for got, exp in zip(tf.split(x, 3), np.split(a, 3)):
        assert_matches(got, exp, "int32")
    for got, exp in zip(tf.split(x, 2, axis=-2), np.split(a, 2, axis=1)):
        assert_matches(got, exp, "int32")
    sizes = [1, -1, 0, 2]
    got = tf.split(x, sizes, axis=0)
    assert [p.shape[0] for p in got] == [1, 3, 0, 2]
    for p, exp in zip(got, np.split(a, [1, 4, 4], axis=0)):
        assert_matches(p, exp, "int32")
    got = tf.split(x, tf.constant([3, 1], tf.int64), axis=1)
    assert_matches(got[0], a[:, :3], "int32")
    assert len(tf.split(x, tf.constant(2))) == 2


def test_split_errors():
    x = tf.zeros([5, 2])
    with pytest.raises(
        InvalidArgument,
        match=r"\[Split\] Number of ways to split should evenly divide the split dimension, but got split_dim 0 \(size = 5\) and num_split 2",
    ):
        tf.split(x, 2)
    with pytest.raises(InvalidArgument, match=r"\[Split\] Number of ways to split should be > 0"):
        tf.split(x, 0)
    with pytest.raises(InvalidArgument, match=r"\[Split\] split_dim 2 is out of range"):
        tf.split(x, 1, axis=2)
    with pytest.raises(InvalidArgument, match=r"\[SplitV\] There can only be one -1"):
        tf.split(x, [-1, -1])
    with pytest.raises(InvalidArgument, match=r"\[SplitV\] Determined shape must either match"):
        tf.split(x, [2, 2])
    with pytest.raises(InvalidArgument, match=r"\[SplitV\] Determined shape"):
        tf.split(x, [4, 3, -1])
    with pytest.raises(InvalidArgument, match=r"\[SplitV\] Split size at index 0 must be >= 0"):
        tf.split(x, [-3, 8])


# --- tile / broadcast_to -------------------------------------------------------------------


def test_tile_random_vs_numpy():
    rng = np.random.default_rng(9)
    for rank in range(5):
        for _ in range(3):
            shape = random_shape(rng, rank, 0, 4)
            mult = [int(m) for m in rng.integers(0, 4, size=rank)]
            a = rand(shape, "float16", seed=rank)
            assert_matches(tf.tile(to_loom(a, "float16"), mult), np.tile(a, mult), "float16")


def test_tile_errors():
    x = tf.zeros([2, 3])
    with pytest.raises(
        InvalidArgument,
        match=r"\[Tile\] Expected multiples argument to be a vector of length 2 but got length 3",
    ):
        tf.tile(x, [1, 2, 3])
    with pytest.raises(InvalidArgument, match=r"\[Tile\] Expected multiples\[1\] >= 0, but got -1"):
        tf.tile(x, [1, -1])
    with pytest.raises(tf.errors.ResourceExhaustedError, match=r"\[Tile\]"):
        tf.tile(x, [2**40, 2**20])


def test_broadcast_to():
    a = rand((3, 1), "bool")
    x = to_loom(a, "bool")
    for shape in [(3, 4), (2, 3, 5), (3, 0), (3, 1)]:
        assert_matches(tf.broadcast_to(x, shape), np.broadcast_to(a, shape), "bool")
    assert tf.broadcast_to(x, [3, 1])._same_buffer(x)
    assert_matches(tf.broadcast_to(tf.constant(2.5), [2]), [2.5, 2.5], "float32")
    with pytest.raises(
        InvalidArgument,
        match=r"\[BroadcastTo\] Unable to broadcast tensor of shape \[3,1\] to tensor of shape \[4,4\]",
    ):
        tf.broadcast_to(x, [4, 4])
    with pytest.raises(InvalidArgument, match=r"\[BroadcastTo\]"):
        tf.broadcast_to(x, [1])
    with pytest.raises(InvalidArgument, match=r"\[BroadcastTo\] dimension -2 is negative"):
        tf.broadcast_to(x, [-2, 1])


# --- identity / shape queries ----------------------------------------------------------------


def test_identity_and_stop_gradient_forward_the_tensor():
    x = tf.constant([1, 2, 3], tf.uint16)
    for f in (tf.identity, tf.stop_gradient):
        y = f(x)
        assert y._same_buffer(x) and y.dtype == tf.uint16
    assert tf.identity([1.0, 2.0]).dtype == tf.float32


def test_shape_rank_size():
    x = tf.zeros([2, 0, 5], tf.int8)
    assert_matches(tf.shape(x), [2, 0, 5], "int32")
    assert_matches(tf.shape(x, out_type=tf.int64), [2, 0, 5], "int64")
    assert_matches(tf.shape(tf.constant(1.0)), np.zeros(0, np.int32), "int32")
    assert_matches(tf.rank(x), 3, "int32")
    assert_matches(tf.size(tf.zeros([3, 4])), 12, "int32")
    assert_matches(tf.size(x, out_type=tf.int64), 0, "int64")
    with pytest.raises(
        InvalidArgument, match=r"\[Shape\] out_type must be int32 or int64, got float32"
    ):
        tf.shape(x, out_type=tf.float32)
    with pytest.raises(InvalidArgument, match=r"\[Size\] out_type must be int32 or int64"):
        tf.size(x, out_type=tf.bool)


def test_namespaces():
    assert tf.linalg.eye is tf.eye
    assert tf.lin_space is tf.linspace
    assert tf.linalg.transpose is tf.transpose


# --- graphs: inference with unknown dims and unknown values ------------------------------------


@pytest.mark.skipif(not hasattr(tf._C, "Tracer"), reason="this build has no graph tracer")
def test_traced_ops_infer_partial_shapes_and_run():
    a = np.arange(12, dtype=np.float32).reshape(4, 3)
    tracer = tf._C.Tracer("array_ops")
    with tracer:
        x = tracer.placeholder(tf.float32, (None, 3), "x")
        n = tracer.placeholder(tf.int32, (), "n")
        built = {
            "reshape": (tf.reshape(x, [-1, 1]), (None, 1), a.reshape(-1, 1)),
            "transpose": (tf.transpose(x), (3, None), a.T),
            "concat": (tf.concat([x, x], 1), (None, 6), np.concatenate([a, a], 1)),
            "getitem": (x[1:, ::-1], (None, 3), a[1:, ::-1]),
            "newaxis": (x[:, None, 0], (None, 1), a[:, None, 0]),
            "tile": (tf.tile(x, [2, 1]), (None, 3), np.tile(a, (2, 1))),
            "pad": (tf.pad(x, [[1, 1], [0, 2]]), (None, 5), np.pad(a, [(1, 1), (0, 2)])),
            "split": (tf.split(x, 3, axis=1)[2], (None, 1), a[:, 2:]),
            "shape": (tf.shape(x), (2,), np.array([4, 3], np.int32)),
            "range": (tf.range(n), (None,), np.arange(3, dtype=np.int32)),
            "zeros_like": (tf.zeros_like(x), None, np.zeros_like(a)),
        }
        for name, (out, static, _) in built.items():
            if static is not None:
                assert tuple(out.shape) == static, name
        tracer.finish([out for out, _, _ in built.values()])
    results = tf._C.Plan(tracer.graph).run([tf.constant(a), tf.constant(3)])
    for got, (_, _, expected) in zip(results, built.values()):
        np.testing.assert_array_equal(got.numpy(), expected)
