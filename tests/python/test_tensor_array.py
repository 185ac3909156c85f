"""tf.TensorArray: the same behaviour eagerly and in graphs, as a loop variable."""

import numpy as np
import pytest

import loom as tf


def test_eager_writes_reads_and_stack():
    ta = tf.TensorArray(tf.float32, size=3)
    ta = ta.write(1, [1.0, 2.0]).write(0, [3.0, 4.0])
    np.testing.assert_array_equal(ta.stack().numpy(), [[3, 4], [1, 2], [0, 0]])
    np.testing.assert_array_equal(ta.read(1).numpy(), [1, 2])
    assert ta.size().numpy() == 3
    np.testing.assert_array_equal(ta.gather([2, 0]).numpy(), [[0, 0], [3, 4]])
    np.testing.assert_array_equal(ta.concat().numpy(), [3, 4, 1, 2, 0, 0])


def test_unstack_and_element_shape_checks():
    ta = tf.TensorArray(tf.int32, size=0, dynamic_size=True).unstack([[1, 2], [3, 4]])
    assert ta.element_shape == (2,)
    np.testing.assert_array_equal(ta.read(1).numpy(), [3, 4])
    with pytest.raises(ValueError, match="element shape"):
        ta.write(0, [1, 2, 3])


def test_tensor_array_in_a_graph_loop_and_as_an_output():
    @tf.function
    def running_sums(xs):
        ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        total = tf.constant(0.0)
        for i in tf.range(tf.shape(xs)[0]):
            total = total + xs[i]
            ta = ta.write(i, total)
        return ta.stack()

    np.testing.assert_allclose(running_sums(tf.constant([1.0, 2.0, 3.0])).numpy(), [1, 3, 6])
    np.testing.assert_allclose(running_sums(tf.constant([5.0])).numpy(), [5])


def test_symbolic_scalar_index():
    @tf.function
    def row(x, i):
        return x[i]

    x = tf.constant([[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(row(x, tf.constant(2)).numpy(), [5, 6])
    assert row.experimental_get_tracing_count() == 1
