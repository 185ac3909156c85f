"""NumPy protocol and DLPack exchange, both ways, without copies where possible."""

import numpy as np
import pytest

import loom as tf


def test_numpy_reads_loom_memory_through_dlpack():
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    a = np.from_dlpack(t)
    np.testing.assert_array_equal(a, [[1, 2], [3, 4]])
    assert np.shares_memory(a, t.numpy())
    b = np.from_dlpack(tf.constant([True, False]))
    assert b.dtype == np.bool_ and b.tolist() == [True, False]


def test_loom_wraps_dlpack_producers_without_copying():
    n = np.arange(6, dtype=np.int64).reshape(2, 3)
    u = tf.experimental.dlpack.from_dlpack(n)
    assert u.dtype == tf.int64 and u.shape == (2, 3)
    assert np.shares_memory(u.numpy(), n)
    del n  # the tensor keeps the producer's memory alive
    np.testing.assert_array_equal(u.numpy(), [[0, 1, 2], [3, 4, 5]])


def test_capsule_round_trip_shares_memory():
    t = tf.constant([1.5, 2.5, 3.5], dtype=tf.float64)
    back = tf.experimental.dlpack.from_dlpack(tf.experimental.dlpack.to_dlpack(t))
    assert back.dtype == tf.float64
    assert np.shares_memory(back.numpy(), t.numpy())


def test_array_protocol_with_numpy2_copy_keyword():
    t = tf.constant([1.0, 2.0])
    assert not np.asarray(t).flags.writeable  # a view of immutable memory
    copied = np.array(t, copy=True)
    copied[0] = 9.0
    assert t.numpy()[0] == 1.0
    assert np.array(t, dtype=np.float64).dtype == np.float64
    with pytest.raises(ValueError, match="copy"):
        np.array(t, dtype=np.float64, copy=False)


def test_numpy_arrays_mix_with_tensors():
    t = tf.constant([1.0, 2.0])
    out = t + np.array([1.0, 1.0], np.float32)
    assert isinstance(out, tf.Tensor)
    out2 = np.array([1.0, 1.0], np.float32) + t  # Tensor.__radd__ wins (array priority)
    assert isinstance(out2, tf.Tensor)
    np.testing.assert_array_equal(out2.numpy(), [2.0, 3.0])


def test_symbolic_tensors_cannot_be_exported():
    @tf.function
    def f(x):
        with pytest.raises(TypeError, match="symbolic"):
            x.__dlpack__()
        return x

    f(tf.constant(1.0))
