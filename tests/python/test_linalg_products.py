"""tensordot, matvec, trace and diag_part (built on Einsum) against NumPy."""

import numpy as np
import pytest
from op_testing import assert_matches, random_array

import loom as tf


def arrays(*shapes, dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    return [random_array(rng, s, dtype, low=-3, high=3) for s in shapes]


@pytest.mark.parametrize(
    "a_shape,b_shape,axes",
    [
        ((2, 3), (3, 4), 1),
        ((2, 3, 4), (3, 4, 5), 2),
        ((2, 3), (4, 5), 0),
        ((2, 3, 4), (4, 3, 5), [[1, 2], [1, 0]]),
        ((2, 3, 4), (4, 3, 5), ([2, 1], [0, 1])),
        ((2, 3, 4), (5, 4), [2, 1]),
        ((2, 3, 4), (5, 4), [-1, -1]),
        ((3,), (3,), 1),
        ((2, 0), (0, 3), 1),
        ((3, 4), (4,), np.array([[1], [0]])),
    ],
)
def test_tensordot_matches_numpy(a_shape, b_shape, axes):
    a, b = arrays(a_shape, b_shape)
    expected = np.tensordot(a, b, axes=np.asarray(axes).tolist() if not np.isscalar(axes) else axes)
    got = tf.tensordot(tf.constant(a), tf.constant(b), axes)
    assert_matches(got, expected, "float64")
    assert_matches(tf.linalg.tensordot(a, b, axes=axes), expected, "float64")


def test_tensordot_integer_and_python_inputs():
    got = tf.tensordot(tf.constant([[1, 2], [3, 4]]), [[1, 0], [0, 1]], axes=1)
    assert_matches(got, np.array([[1, 2], [3, 4]], np.int32), "int32")
    got = tf.tensordot(tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0]), axes=0)
    assert_matches(got, np.array([[3.0, 4.0], [6.0, 8.0]], np.float32), "float32")


def test_tensordot_errors():
    a, b = arrays((2, 3), (3, 4))
    with pytest.raises(ValueError, match="'axes' must be at least 0"):
        tf.tensordot(a, b, -1)
    with pytest.raises(ValueError, match="must not be larger than the number of dimensions"):
        tf.tensordot(a, b, 3)
    with pytest.raises(ValueError, match="Different number of contraction axes"):
        tf.tensordot(a, b, [[0, 1], [0]])
    with pytest.raises(ValueError, match="'axes' must be an integer or have length 2"):
        tf.tensordot(a, b, [[1], [0], [0]])
    with pytest.raises(ValueError, match="axis 5 is out of range for tensor 'a'"):
        tf.tensordot(a, b, [[5], [0]])
    with pytest.raises(ValueError, match="repeated contraction axes"):
        tf.tensordot(a, np.ones((3, 3)), [[1, 1], [0, 1]])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Einsum\] Expected dimension"):
        tf.tensordot(a, b, [[0], [0]])


@pytest.mark.parametrize(
    "a_shape,b_shape,transpose",
    [
        ((3, 4), (4,), False),
        ((4, 3), (4,), True),
        ((2, 3, 4), (4,), False),
        ((2, 3, 4), (2, 4), False),
        ((1, 3, 4), (5, 4), False),
        ((2, 4, 3), (2, 4), True),
        ((3, 0), (0,), False),
    ],
)
def test_matvec_matches_numpy(a_shape, b_shape, transpose):
    a, b = arrays(a_shape, b_shape)
    m = np.swapaxes(a, -1, -2) if transpose else a
    expected = np.matmul(m, b[..., None])[..., 0]
    assert_matches(tf.linalg.matvec(a, b, transpose_a=transpose), expected, "float64")
    assert_matches(tf.linalg.matvec(a, b, adjoint_a=transpose), expected, "float64")


def test_matvec_errors():
    with pytest.raises(ValueError, match="Only one of transpose_a and adjoint_a"):
        tf.linalg.matvec(np.ones((2, 2)), np.ones(2), transpose_a=True, adjoint_a=True)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Einsum\] Expected dimension"):
        tf.linalg.matvec(np.ones((2, 3)), np.ones(2))


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (2, 3, 5), (5, 3), (2, 2, 4, 4), (0, 0)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
def test_trace_and_diag_part_match_numpy(shape, dtype):
    (x,) = arrays(shape, dtype=dtype)
    expected_trace = np.trace(x, axis1=-2, axis2=-1).astype(x.dtype)
    expected_diag = np.diagonal(x, axis1=-2, axis2=-1)
    assert_matches(tf.linalg.trace(tf.constant(x)), expected_trace, dtype)
    assert_matches(tf.linalg.diag_part(tf.constant(x)), expected_diag, dtype)


def test_trace_and_diag_part_errors():
    with pytest.raises(ValueError, match="rank >= 2"):
        tf.linalg.trace(np.ones(3))
    with pytest.raises(ValueError, match="rank >= 2"):
        tf.linalg.diag_part(np.ones(3))
    with pytest.raises(ValueError, match="k=0"):
        tf.linalg.diag_part(np.ones((3, 3)), k=1)
