"""Gradients of the layout ops: reshaping, joining and splitting, padding, tiling,
slicing (Slice, StridedSlice with every mask), reversing, rolling and transposing."""

import numpy as np
import pytest
from gradient_checking import check_gradients, check_second_order

import loom as tf
from loom import _C

RNG = np.random.default_rng(7)


def rand(*shape):
    return RNG.standard_normal(shape)


def _has_gradient(op):
    x = tf.constant([1.0, 2.0])
    try:
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = op(x)
        return tape.gradient(y, x) is not None
    except LookupError:
        return False


# Second-order checks square the op's output (f(x) = op(x)**2): they need the gradients
# of Mul and AddV2 (which sums a value's gradients), declared by the math family.
needs_mul_grad = pytest.mark.skipif(
    not _has_gradient(lambda x: x * x + x), reason="Mul/AddV2 have no gradient in this build"
)


def squared(op):
    def f(*args):
        y = op(*args)
        return y * y

    return f


# --- reshaping ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape,target", [((2, 3), (3, 2)), ((2, 3, 2), (-1,)), ((4,), (2, 1, 2)), ((), (1, 1))]
)
def test_reshape(shape, target):
    check_gradients(lambda x: tf.reshape(x, target), rand(*shape))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_expand_dims(axis):
    check_gradients(lambda x: tf.expand_dims(x, axis), rand(2, 3))


@pytest.mark.parametrize("axis", [None, [2], [0, 2]])
def test_squeeze(axis):
    check_gradients(lambda x: tf.squeeze(x, axis), rand(1, 3, 1))


@pytest.mark.parametrize("shape,target", [((3,), (2, 3)), ((2, 1), (2, 3)), ((), (2, 2))])
def test_broadcast_to(shape, target):
    g = check_gradients(lambda x: tf.broadcast_to(x, target), rand(*shape))
    assert g[0].shape == shape


# --- joining and splitting ----------------------------------------------------------


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat(axis):
    check_gradients(lambda a, b, c: tf.concat([a, b, c], axis), rand(2, 2), rand(2, 2), rand(2, 2))


def test_concat_uneven_and_single():
    check_gradients(lambda a, b: tf.concat([a, b], 1), rand(2, 1), rand(2, 3))
    check_gradients(lambda a: tf.concat([a], 0), rand(3))


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_stack(axis):
    check_gradients(lambda a, b: tf.stack([a, b], axis), rand(2, 3), rand(2, 3))


@pytest.mark.parametrize("axis", [0, 1])
def test_unstack(axis):
    check_gradients(lambda x: tf.unstack(x, axis=axis), rand(3, 2))


def test_unstack_partial_use():
    # Only one piece reaches the loss: the others' gradient is zeros.
    x = tf.constant(rand(3, 2))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.unstack(x)[1]
    g = tape.gradient(y, x).numpy()
    np.testing.assert_array_equal(g, [[0, 0], [1, 1], [0, 0]])


@pytest.mark.parametrize("axis", [0, 1])
def test_split(axis):
    check_gradients(lambda x: tf.split(x, 2, axis), rand(4, 4))


def test_split_v():
    check_gradients(lambda x: tf.split(x, [1, 3, 2], 1), rand(2, 6))
    check_gradients(lambda x: tf.split(x, [2, -1], 0), rand(5, 2))


# --- padding and tiling -------------------------------------------------------------


@pytest.mark.parametrize("paddings", [[[1, 0], [0, 2]], [[0, 0], [2, 1]]])
def test_pad(paddings):
    check_gradients(lambda x: tf.pad(x, paddings), rand(2, 3))


def test_pad_v2_value_gets_padding_sum():
    paddings = [[1, 1], [0, 2]]
    x, c = rand(2, 2), np.array(0.5)
    check_gradients(lambda x, c: tf.pad(x, paddings, constant_values=c), x, c)
    xt, ct = tf.constant(x), tf.constant(c)
    with tf.GradientTape() as tape:
        tape.watch([xt, ct])
        y = tf.pad(xt, paddings, constant_values=ct)
    w = RNG.uniform(size=(4, 4))
    gx, gc = tape.gradient(y, [xt, ct], output_gradients=tf.constant(w))
    np.testing.assert_allclose(gx.numpy(), w[1:3, 0:2])
    np.testing.assert_allclose(gc.numpy(), w.sum() - w[1:3, 0:2].sum())


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC"])
@pytest.mark.parametrize("paddings", [[[1, 2], [2, 0]], [[0, 1], [1, 1]]])
def test_mirror_pad(mode, paddings):
    check_gradients(lambda x: tf.pad(x, paddings, mode=mode), rand(3, 3))


def test_mirror_pad_folds_back_exactly():
    # REFLECT [a b c] by (2, 1): [c b a b c b] -> a:1, b:3, c:2 with ones as gradient.
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.pad(x, [[2, 1]], mode="REFLECT")
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [1, 3, 2])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.pad(x, [[2, 1]], mode="SYMMETRIC")  # [b a a b c c]
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2, 2, 2])


def test_mirror_pad_grad_op_validates():
    op = _C.op("MirrorPadGrad")
    with pytest.raises(tf.errors.InvalidArgumentError):
        _C.execute(op, (tf.ones([3]), tf.constant([[2, 1]])), {"mode": "REFLECT"})
    out = _C.execute(op, (tf.ones([6]), tf.constant([[2, 1]])), {"mode": "REFLECT"})
    out = out[0] if isinstance(out, (list, tuple)) else out
    np.testing.assert_array_equal(out.numpy(), [1, 3, 2])


@pytest.mark.parametrize("shape,multiples", [((2, 3), [2, 1]), ((2,), [3]), ((1, 2, 2), [2, 2, 1])])
def test_tile(shape, multiples):
    check_gradients(lambda x: tf.tile(x, multiples), rand(*shape))


def test_tile_exact():
    x = tf.constant([[1.0, 2.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.tile(x, [3, 2])
    w = np.arange(12.0).reshape(3, 4)
    g = tape.gradient(y, x, output_gradients=tf.constant(w, tf.float32)).numpy()
    np.testing.assert_array_equal(g, w.reshape(3, 1, 2, 2).sum(axis=(0, 2)))


# --- slicing and reordering ---------------------------------------------------------


@pytest.mark.parametrize("begin,size", [([0, 1], [2, 2]), ([1, 0], [-1, 3]), ([1, 1], [0, 2])])
def test_slice(begin, size):
    check_gradients(lambda x: tf.slice(x, begin, size), rand(3, 3))


@pytest.mark.parametrize("axis", [[0], [1], [0, 1]])
def test_reverse(axis):
    check_gradients(lambda x: tf.reverse(x, axis), rand(2, 3))


@pytest.mark.parametrize("shift,axis", [(1, 0), ([1, -2], [0, 1]), (5, 1)])
def test_roll(shift, axis):
    check_gradients(lambda x: tf.roll(x, shift, axis), rand(3, 4))


@pytest.mark.parametrize("perm", [[1, 0, 2], [2, 0, 1], [0, 1, 2]])
def test_transpose(perm):
    check_gradients(lambda x: tf.transpose(x, perm), rand(2, 3, 2))


def test_invert_permutation_op():
    op = _C.op("InvertPermutation")
    out = _C.execute(op, (tf.constant([2, 0, 1]),))
    out = out[0] if isinstance(out, (list, tuple)) else out
    np.testing.assert_array_equal(out.numpy(), [1, 2, 0])
    with pytest.raises(tf.errors.InvalidArgumentError):
        _C.execute(op, (tf.constant([0, 0, 1]),))


STRIDED = [
    # begin, end, strides, masks (begin, end, ellipsis, new_axis, shrink)
    ([0, 1], [3, 3], [1, 1], (0, 0, 0, 0, 0)),
    ([0, 0], [4, 3], [2, 2], (0, 0, 0, 0, 0)),
    ([-1, 0], [-5, 3], [-1, 1], (0, 0, 0, 0, 0)),  # negative stride
    ([3, 2], [0, 0], [-2, -1], (2, 1, 0, 0, 0)),  # masks with negative strides
    ([1, 0], [2, 0], [1, 1], (2, 2, 0, 0, 1)),  # shrink the first dim
    ([0, 2], [0, 3], [1, 1], (0, 0, 1, 0, 2)),  # ellipsis then shrink the last
    ([0, 0, 1], [0, 2, 3], [1, 1, 1], (1, 1, 0, 1, 0)),  # new axis in front
    ([0, 1], [0, 2], [1, 1], (0, 0, 1, 0, 2)),  # ellipsis only + shrink
]


@pytest.mark.parametrize("begin,end,strides,masks", STRIDED)
def test_strided_slice(begin, end, strides, masks):
    b, e, el, na, sh = masks

    def f(x):
        return tf.strided_slice(
            x,
            begin,
            end,
            strides,
            begin_mask=b,
            end_mask=e,
            ellipsis_mask=el,
            new_axis_mask=na,
            shrink_axis_mask=sh,
        )

    check_gradients(f, rand(4, 3))


def test_getitem_gradient():
    check_gradients(lambda x: x[1:, ::-2], rand(3, 4))
    check_gradients(lambda x: x[..., 0, None], rand(2, 3, 2))
    check_gradients(lambda x: x[-1], rand(3, 2))


def test_strided_slice_grad_op_validates():
    op = _C.op("StridedSliceGrad")
    args = (tf.constant([4]), tf.constant([0]), tf.constant([4]), tf.constant([2]))
    out = _C.execute(op, args + (tf.constant([1.0, 2.0]),))
    out = out[0] if isinstance(out, (list, tuple)) else out
    np.testing.assert_array_equal(out.numpy(), [1, 0, 2, 0])
    with pytest.raises(tf.errors.InvalidArgumentError):
        _C.execute(op, args + (tf.constant([1.0, 2.0, 3.0]),))


# --- traced with unknown shapes -----------------------------------------------------


def test_dynamic_shapes_in_function():
    # Shapes known only at run time: the gradients build their shapes with ops.
    def f(a, b):
        c = tf.concat([a, b], 0)
        y = tf.tile(tf.pad(c[1:, ::-1], [[1, 0], [0, 1]]), [1, 2])
        return tf.slice(tf.reshape(tf.transpose(y), [-1]), [1], [4])

    def grads(a, b):
        with tf.GradientTape() as tape:
            tape.watch([a, b])
            y = f(a, b)
        return tape.gradient(y, [a, b])

    spec = tf.TensorSpec([None, None], tf.float64)
    traced = tf.function(grads, input_signature=[spec, spec])
    a, b = rand(2, 3), rand(1, 3)
    check_gradients(f, a, b)
    expected = grads(tf.constant(a), tf.constant(b))
    got = traced(tf.constant(a), tf.constant(b))
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g.numpy(), e.numpy())


# --- dtypes -------------------------------------------------------------------------


def test_float32_gradients_are_float32():
    x = tf.constant(rand(2, 3).astype(np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        ys = [
            tf.reshape(x, [-1]),
            tf.concat([x, x], 1),
            tf.pad(x, [[1, 1], [0, 0]], mode="REFLECT"),
            tf.tile(x, [2, 1]),
            x[::-1, 1:],
            tf.transpose(x),
        ]
    for g in tape.gradient(ys, [x]):
        assert g.dtype == tf.float32


# --- second order -------------------------------------------------------------------


@needs_mul_grad
def test_second_order_reshape_transpose_concat():
    check_second_order(squared(lambda x: tf.reshape(x, [3, 2])), rand(2, 3))
    check_second_order(squared(lambda x: tf.transpose(x, [1, 2, 0])), rand(2, 3, 2))
    check_second_order(squared(lambda a, b: tf.concat([a, b], 1)), rand(2, 2), rand(2, 1))


@needs_mul_grad
def test_second_order_pad_strided_slice():
    check_second_order(squared(lambda x: tf.pad(x, [[1, 0], [0, 2]])), rand(2, 2))
    check_second_order(squared(lambda x: tf.pad(x, [[1, 1]], mode="REFLECT")), rand(3))
    check_second_order(squared(lambda x: x[::-2, 1:]), rand(3, 3))


@needs_mul_grad
@pytest.mark.skipif(
    not _has_gradient(lambda x: tf.reduce_sum(x * x)), reason="Sum has no gradient in this build"
)
def test_second_order_tile():
    check_second_order(squared(lambda x: tf.tile(x, [2, 3])), rand(2, 2))
