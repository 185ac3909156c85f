"""loom.Variable eagerly and inside functions, and the graph's automatic control
dependencies between stateful ops."""

import numpy as np
import pytest

import loom as tf
from loom import _C


def test_eager_variable_reads_and_updates():
    v = tf.Variable([1.0, 2.0], name="w")
    assert v.name == "w:0" and v.dtype == tf.float32 and v.shape == (2,) and v.trainable
    np.testing.assert_array_equal(v.assign([3.0, 4.0]).numpy(), [3.0, 4.0])
    np.testing.assert_array_equal(v.assign_add([1.0, 1.0]).numpy(), [4.0, 5.0])
    np.testing.assert_array_equal(v.assign_sub([2.0, 2.0]).numpy(), [2.0, 3.0])
    np.testing.assert_array_equal((v * 2).numpy(), [4.0, 6.0])
    np.testing.assert_array_equal(
        tf.matmul(tf.ones([1, 2]), tf.reshape(v, [2, 1])).numpy(), [[5.0]]
    )
    assert repr(v).startswith("<loom.Variable 'w:0' shape=(2,) dtype=float32, numpy=")
    assert tf.Variable(1, trainable=False).dtype == tf.int32


def test_assigning_wrong_shape_or_dtype_is_an_error():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"AssignVariableOp.*shape \[2\]"):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises((TypeError, ValueError)):
        v.assign(tf.constant([1, 2]))
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])  # nothing half-assigned
    with pytest.raises(ValueError, match="initial_value"):
        tf.Variable(None)


def test_reading_an_uninitialized_variable_is_a_clear_error():
    handle = _C.new_variable(tf.float32, [2], "never_set")
    with pytest.raises(
        tf.errors.FailedPreconditionError, match="never_set.*before it was initialized"
    ):
        _C.execute(_C.op("ReadVariableOp"), (handle,), {"dtype": tf.float32})


def test_variable_as_function_argument_and_attribute():
    v = tf.Variable(2.0)

    @tf.function
    def scale(var, x):
        return var * x

    assert scale(v, tf.constant(3.0)).numpy() == 6.0
    v.assign(5.0)
    assert scale(v, tf.constant(3.0)).numpy() == 15.0  # read at run time, no retrace
    assert scale.experimental_get_tracing_count() == 1
    other = tf.Variable(1.0)
    assert scale(other, tf.constant(3.0)).numpy() == 3.0


def _controls(concrete, op_type):
    return [
        (op.name, [c.type for c in op.control_inputs])
        for op in concrete.graph.get_operations()
        if op.type == op_type
    ]


def test_a_read_between_two_writes_is_ordered_by_control_edges():
    v = tf.Variable(1.0)

    @tf.function
    def f():
        v.assign(2.0, read_value=False)
        r = v.read_value()
        v.assign(3.0, read_value=False)
        return r

    assert f().numpy() == 2.0
    assert v.numpy() == 3.0
    graph = f.get_concrete_function().graph
    ops = {op.name: op for op in graph.get_operations()}
    first, second = [op for op in graph.get_operations() if op.type == "AssignVariableOp"]
    read = next(op for op in graph.get_operations() if op.type == "ReadVariableOp")
    assert first.name in [c.name for c in read.control_inputs]
    assert {first.name, read.name} <= {c.name for c in second.control_inputs}
    assert ops  # the graph is inspectable


def test_updates_of_different_variables_have_no_edge_between_them():
    a, b = tf.Variable(0.0), tf.Variable(0.0)

    @tf.function
    def f():
        a.assign_add(1.0, read_value=False)
        b.assign_add(2.0, read_value=False)

    f()
    adds = [
        op
        for op in f.get_concrete_function().graph.get_operations()
        if op.type == "AssignAddVariableOp"
    ]
    assert len(adds) == 2 and adds[1].control_inputs == []
    assert (a.numpy(), b.numpy()) == (1.0, 2.0)


def test_variable_created_on_every_call_fails_on_first_call():
    @tf.function
    def f():
        return tf.Variable(1.0) + 1.0

    with pytest.raises(ValueError, match="first call"):
        f()


def test_variable_created_once_then_reused_and_initialized_from_arguments():
    class Scale:
        def __init__(self):
            self.v = None

        @tf.function
        def __call__(self, x):
            if self.v is None:
                self.v = tf.Variable(tf.ones_like(x) * 2.0)
            return self.v * x

    s = Scale()
    np.testing.assert_array_equal(s(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(s(tf.constant([3.0, 4.0])).numpy(), [6.0, 8.0])
    np.testing.assert_array_equal(s.v.numpy(), [2.0, 2.0])


def test_creating_a_variable_on_a_later_trace_is_rejected():
    holder = []

    @tf.function
    def f(x):
        if x.dtype == tf.float64:
            holder.append(tf.Variable(1.0))
        return x

    f(tf.constant(1.0))
    with pytest.raises(ValueError, match="first call"):
        f(tf.constant(1.0, dtype=tf.float64))


def test_retracing_for_many_variables_is_reported(caplog):
    @tf.function
    def f(v):
        return v + 1.0

    for _ in range(8):
        f(tf.Variable(1.0))
    assert "variable #" in caplog.text and "retraced" in caplog.text
