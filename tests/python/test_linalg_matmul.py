"""MatMul / BatchMatMulV2 (tf.matmul and the @ operator) against NumPy."""

import numpy as np
import pytest
from op_testing import assert_matches, np_dtype, random_array
from op_testing import to_loom as _to_loom

import loom as tf

MATMUL_DTYPES = ["float16", "bfloat16", "float32", "float64", "int32", "int64"]


def to_loom(arr, dtype):
    t = _to_loom(arr, dtype)
    if t.dtype != tf.as_dtype(dtype):  # the C++ tests cover kernels for such dtypes
        pytest.skip(f"the Python binding cannot build {dtype} tensors from NumPy yet")
    return t


def reference_matmul(a, b, dtype, transpose_a=False, transpose_b=False):
    """np.matmul in a wide type, rounded back to the reference dtype of `dtype`."""
    wide = np.int64 if np.dtype(a.dtype).kind == "i" else np.float64
    a, b = a.astype(wide), b.astype(wide)
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if transpose_b:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b).astype(np_dtype(dtype))


def operands(rng, a_shape, b_shape, dtype):
    a = random_array(rng, a_shape, dtype, low=-3, high=3)
    b = random_array(rng, b_shape, dtype, low=-3, high=3)
    return a, b


@pytest.mark.parametrize("dtype", MATMUL_DTYPES)
@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_matmul_matches_numpy(dtype, transpose_a, transpose_b):
    rng = np.random.default_rng(0)
    m, k, n = 3, 5, 4
    a_shape = (k, m) if transpose_a else (m, k)
    b_shape = (n, k) if transpose_b else (k, n)
    a, b = operands(rng, a_shape, b_shape, dtype)
    got = tf.matmul(
        to_loom(a, dtype), to_loom(b, dtype), transpose_a=transpose_a, transpose_b=transpose_b
    )
    assert_matches(got, reference_matmul(a, b, dtype, transpose_a, transpose_b), dtype)


@pytest.mark.parametrize("dtype", MATMUL_DTYPES)
@pytest.mark.parametrize("transposes", [(False, False), (True, False), (False, True), (True, True)])
def test_matmul_large_uses_blas_path(dtype, transposes):
    rng = np.random.default_rng(1)
    ta, tb = transposes
    m, k, n = 67, 130, 45
    a, b = operands(rng, (k, m) if ta else (m, k), (n, k) if tb else (k, n), dtype)
    got = tf.linalg.matmul(to_loom(a, dtype), to_loom(b, dtype), transpose_a=ta, transpose_b=tb)
    expected = reference_matmul(a, b, dtype, ta, tb)
    assert got.dtype == tf.as_dtype(dtype)
    assert got.shape == expected.shape
    if dtype.startswith("int"):
        np.testing.assert_array_equal(got.numpy(), expected)
    else:
        # Sums of 130 products cancel: compare relative to the result's scale.
        scale = np.abs(expected.astype(np.float64)).max()
        tol = {"float16": 2e-3, "bfloat16": 1e-2, "float32": 1e-6, "float64": 1e-13}[dtype]
        np.testing.assert_allclose(
            got.numpy().astype(np.float64), expected.astype(np.float64), atol=tol * scale
        )


def test_matmul_1024_float32_matches_numpy():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((1024, 1024), dtype=np.float32)
    b = rng.standard_normal((1024, 1024), dtype=np.float32)
    got = tf.matmul(a, b).numpy()
    np.testing.assert_allclose(got, a @ b, rtol=1e-3, atol=1e-3)


def test_adjoint_is_transpose_for_real_types():
    rng = np.random.default_rng(3)
    a, b = operands(rng, (4, 3), (5, 4), "float64")
    got = tf.matmul(a, b, adjoint_a=True, adjoint_b=True)
    assert_matches(got, a.T @ b.T, "float64")


@pytest.mark.parametrize("dtype", ["float16", "float32", "int32", "int64"])
@pytest.mark.parametrize("shapes", [((3, 0), (0, 4)), ((0, 5), (5, 4)), ((3, 5), (5, 0))])
def test_matmul_empty_dims(dtype, shapes):
    a = np.zeros(shapes[0], np_dtype(dtype))
    b = np.zeros(shapes[1], np_dtype(dtype))
    got = tf.matmul(to_loom(a, dtype), to_loom(b, dtype))
    expected = np.zeros((shapes[0][0], shapes[1][1]), np_dtype(dtype))
    assert_matches(got, expected, dtype)


def test_matmul_k_zero_gives_zeros_not_garbage():
    for _ in range(3):  # fresh buffers may hold old values: the kernel must zero them
        got = tf.matmul(np.ones((64, 0), np.float32), np.ones((0, 64), np.float32))
        assert_matches(got, np.zeros((64, 64), np.float32), "float32")
        got = tf.matmul(np.ones((2, 64, 0), np.float32), np.ones((0, 64), np.float32))
        assert_matches(got, np.zeros((2, 64, 64), np.float32), "float32")


def test_matmul_converts_python_values_to_the_tensor_dtype():
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    got = tf.matmul(a, [[1], [1]])
    assert_matches(got, np.array([[3.0], [7.0]], np.float32), "float32")
    got = tf.matmul([[1, 2], [3, 4]], [[1], [1]])
    assert_matches(got, np.array([[3], [7]], np.int32), "int32")


BATCH_SHAPES = [
    ((2, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((1, 3, 4), (6, 4, 5)),
    ((2, 2, 1, 3, 4), (1, 2, 3, 4, 2)),
    ((0, 3, 4), (4, 5)),
    ((2, 3, 0), (2, 0, 5)),
]


@pytest.mark.parametrize("shapes", BATCH_SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "bfloat16"])
def test_batch_matmul_broadcasts_batch_dims(shapes, dtype):
    rng = np.random.default_rng(4)
    a, b = operands(rng, shapes[0], shapes[1], dtype)
    got = tf.matmul(to_loom(a, dtype), to_loom(b, dtype))
    assert_matches(got, reference_matmul(a, b, dtype), dtype)


@pytest.mark.parametrize("adj_x", [False, True])
@pytest.mark.parametrize("adj_y", [False, True])
def test_batch_matmul_adjoints(adj_x, adj_y):
    rng = np.random.default_rng(5)
    a_shape = (3, 6, 2) if adj_x else (3, 2, 6)
    b_shape = (1, 7, 6) if adj_y else (1, 6, 7)
    a, b = operands(rng, a_shape, b_shape, "float64")
    got = tf.matmul(a, b, transpose_a=adj_x, adjoint_b=adj_y)
    assert_matches(got, reference_matmul(a, b, "float64", adj_x, adj_y), "float64")


def test_batch_matmul_many_large_items():
    rng = np.random.default_rng(6)
    a, b = operands(rng, (8, 40, 70), (8, 70, 30), "float64")
    assert_matches(tf.matmul(a, b), a @ b, "float64")


def test_matmul_operator():
    rng = np.random.default_rng(7)
    a, b = operands(rng, (2, 3, 4), (4, 5), "float32")
    ta, tb = tf.constant(a), tf.constant(b)
    assert_matches(ta @ tb, a @ b, "float32")
    assert_matches(ta @ b, a @ b, "float32")
    x = tf.constant([[1, 2], [3, 4]])
    assert_matches(x @ [[1], [0]], np.array([[1], [3]], np.int32), "int32")
    assert_matches(x @ x, np.array([[7, 10], [15, 22]], np.int32), "int32")


def test_matmul_size_mismatch_message():
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.matmul(np.ones((2, 3)), np.ones((2, 3)))
    assert "[MatMul] Matrix size-incompatible: In[0]: [2,3], In[1]: [2,3]" in str(e.value)
    with pytest.raises(tf.errors.InvalidArgumentError, match="size-incompatible"):
        tf.matmul(np.ones((2, 3)), np.ones((2, 3)), transpose_a=True, transpose_b=True)


def test_matmul_rank_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[MatMul\] In\[0\] is not a matrix"):
        tf.matmul(np.ones(3), np.ones((3, 2)))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[MatMul\] In\[1\] is not a matrix"):
        tf.matmul(np.ones((2, 3)), np.ones(3))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[BatchMatMulV2\] In\[1\] ndims"):
        tf.matmul(np.ones((2, 2, 3)), np.ones(3))


def test_batch_matmul_errors():
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.matmul(np.ones((2, 3, 4)), np.ones((3, 4, 5)))
    assert "[BatchMatMulV2] In[0] and In[1] must have compatible batch dimensions" in str(e.value)
    assert "[2,3,4] vs. [3,4,5]" in str(e.value)
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.matmul(np.ones((2, 3, 4)), np.ones((2, 5, 6)))
    assert "[BatchMatMulV2] Matrix size-incompatible: In[0]: [2,3,4], In[1]: [2,5,6]" in str(
        e.value
    )


def test_matmul_dtype_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[MatMul\].*same dtype"):
        tf.matmul(np.ones((2, 2), np.float32), np.ones((2, 2), np.float64))
    for dtype in ("int8", "uint8", "bool"):
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[MatMul\].*unsupported dtype"):
            tf.matmul(np.ones((2, 2), dtype), np.ones((2, 2), dtype))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[BatchMatMulV2\].*unsupported"):
        tf.matmul(np.ones((1, 2, 2), np.int16), np.ones((1, 2, 2), np.int16))


def test_matmul_argument_errors():
    with pytest.raises(ValueError, match="Only one of transpose_a and adjoint_a"):
        tf.matmul(np.ones((2, 2)), np.ones((2, 2)), transpose_a=True, adjoint_a=True)
    with pytest.raises(ValueError, match="Only one of transpose_b and adjoint_b"):
        tf.matmul(np.ones((2, 2)), np.ones((2, 2)), transpose_b=True, adjoint_b=True)
    with pytest.raises(TypeError, match="output_type"):
        tf.matmul(np.ones((2, 2)), np.ones((2, 2)), output_type=tf.float32)
    got = tf.matmul(np.ones((2, 2)), np.ones((2, 2)), output_type=tf.float64)
    assert_matches(got, np.full((2, 2), 2.0), "float64")
