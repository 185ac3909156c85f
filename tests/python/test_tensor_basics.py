import numpy as np
import pytest

import loom as tf


def test_python_scalars_follow_tf_defaults():
    assert tf.constant(1.5).dtype == tf.float32
    assert tf.constant(2).dtype == tf.int32
    assert tf.constant(2**40).dtype == tf.int64
    assert tf.constant(True).dtype == tf.bool
    assert tf.constant([[1, 2], [3, 4]]).shape == (2, 2)
    assert tf.constant(np.zeros(3, np.float64)).dtype == tf.float64


def test_add_with_python_scalar_adopts_tensor_dtype():
    x = tf.constant([1.0, 2.0])
    y = x + 1
    assert y.dtype == tf.float32
    np.testing.assert_array_equal(y.numpy(), [2.0, 3.0])
    with pytest.raises(TypeError, match="Cannot convert 1.5"):
        tf.constant([1, 2]) + 1.5


def test_mixed_tensor_dtypes_are_an_error():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[AddV2\]"):
        tf.constant([1.0]) + tf.constant([1])


def test_numpy_is_zero_copy_and_read_only():
    x = tf.constant([1.0, 2.0, 3.0])
    a = x.numpy()
    b = x.numpy()
    assert np.shares_memory(a, b)
    assert not a.flags.writeable


def test_repr_matches_tf_form():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert repr(x).startswith("<loom.Tensor: shape=(2, 2), dtype=float32, numpy=")
    assert repr(tf.constant(3)) == "<loom.Tensor: shape=(), dtype=int32, numpy=3>"


def test_tensors_are_unhashable_but_have_refs():
    x = tf.constant(1)
    with pytest.raises(TypeError, match="unhashable"):
        hash(x)
    d = {x.ref(): 1}
    assert d[x.ref()] == 1


def test_bad_conversions_raise_clearly():
    with pytest.raises(ValueError, match="None"):
        tf.constant(None)
    with pytest.raises(ValueError, match="non-rectangular"):
        tf.constant([[1, 2], [3]])
    with pytest.raises(TypeError):
        tf.constant(300, dtype=tf.uint8)
