"""loom.function's trace cache: what shares a graph, what retraces, and why."""

import collections
import functools
import gc
import logging

import numpy as np
import pytest

import loom as tf

Point = collections.namedtuple("Point", "x y")


def counting(fn, **kwargs):
    """A loom.function of `fn` plus a list that grows by one per Python trace."""
    traces = []

    @functools.wraps(fn)
    def body(*args, **kw):
        traces.append(1)
        return fn(*args, **kw)

    return tf.function(body, **kwargs), traces


def test_python_scalars_are_keyed_by_type_and_value():
    f, traces = counting(lambda x: x)
    one_f = f(1.0)
    assert one_f.dtype == tf.float32 and one_f.numpy() == 1.0
    one_i = f(1)
    assert one_i.dtype == tf.int32 and one_i.numpy() == 1
    one_b = f(True)
    assert one_b.dtype == tf.bool and bool(one_b.numpy()) is True
    assert len(traces) == 3
    f(1.0), f(1), f(True)
    assert len(traces) == 3
    assert f(2).numpy() == 2 and len(traces) == 4
    assert f.experimental_get_tracing_count() == 4


def test_str_and_none_arguments_select_traces():
    f, traces = counting(lambda x, mode: x * 2 if mode == "double" else (x if mode is None else -x))
    x = tf.constant(3)
    assert f(x, "double").numpy() == 6
    assert f(x, None).numpy() == 3
    assert f(x, "neg").numpy() == -3
    assert f(x, "double").numpy() == 6
    assert len(traces) == 3


def test_tensors_and_arrays_keyed_by_dtype_and_shape():
    f, traces = counting(lambda x: x + 1)
    np.testing.assert_array_equal(f(tf.constant([1, 2])).numpy(), [2, 3])
    np.testing.assert_array_equal(f(tf.constant([5, 6])).numpy(), [6, 7])
    assert len(traces) == 1
    # A NumPy array of the same dtype and shape reuses the tensor trace.
    np.testing.assert_array_equal(f(np.array([7, 8], np.int32)).numpy(), [8, 9])
    assert len(traces) == 1
    assert f(tf.constant([1.0, 2.0])).dtype == tf.float32
    assert len(traces) == 2
    assert f(tf.constant([1, 2, 3])).shape == (3,)
    assert len(traces) == 3


def test_nested_structures_are_part_of_the_key():
    f, traces = counting(lambda s: s["a"][0] + s["b"].y)
    arg = {"a": [tf.constant(1)], "b": Point(tf.constant(0), tf.constant(10))}
    assert f(arg).numpy() == 11
    assert f({"b": Point(tf.constant(5), tf.constant(20)), "a": [tf.constant(2)]}).numpy() == 22
    assert len(traces) == 1
    # A tuple instead of the namedtuple, or a longer list, is a new structure.
    g, g_traces = counting(lambda s: s[0] + s[1])
    g(Point(tf.constant(1), tf.constant(2)))
    g((tf.constant(1), tf.constant(2)))
    g([tf.constant(1), tf.constant(2)])
    assert len(g_traces) == 3
    g([tf.constant(1), tf.constant(2), tf.constant(3)])
    assert len(g_traces) == 4


def test_objects_are_keyed_by_identity_and_held_weakly():
    class Holder:
        def __init__(self, v):
            self.v = v

        def __eq__(self, other):  # equal by value: must still not share traces
            return isinstance(other, Holder) and other.v == self.v

        def __hash__(self):
            return hash(self.v)

    f, traces = counting(lambda h, x: x * h.v)
    a, b = Holder(2), Holder(2)
    assert f(a, tf.constant(3)).numpy() == 6
    assert f(a, tf.constant(4)).numpy() == 8
    assert len(traces) == 1
    f(b, tf.constant(3))
    assert len(traces) == 2

    ref_count_before = len(traces)
    c = Holder(7)
    f(c, tf.constant(1))
    del c
    gc.collect()
    # A new object (which may reuse the dead one's id) never hits the dead entry.
    for _ in range(3):
        d = Holder(5)
        assert f(d, tf.constant(1)).numpy() == 5
        del d
        gc.collect()
    assert len(traces) == ref_count_before + 4


def test_unhashable_argument_raises_type_error():
    f, _ = counting(lambda x: x)
    with pytest.raises(TypeError, match=r"unhashable type 'set'.*Make the value hashable"):
        f({1, 2})
    with pytest.raises(TypeError, match="unhashable type 'bytearray'"):
        f([tf.constant(1), bytearray(b"x")])


def test_none_dimension_signature_serves_every_length():
    f, traces = counting(lambda x: x * 2)
    concrete = f.get_concrete_function(tf.TensorSpec([None], tf.float32))
    assert concrete.structured_input_signature == ((tf.TensorSpec([None], tf.float32),), {})
    for n in (1, 3, 8):
        np.testing.assert_array_equal(f(tf.ones([n])).numpy(), np.full(n, 2.0, np.float32))
    assert len(traces) == 1 and f.experimental_get_tracing_count() == 1
    # Other dtypes and ranks still trace.
    f(tf.ones([2, 2]))
    f(tf.ones([2], tf.int32))
    assert len(traces) == 3


def test_most_specific_trace_is_preferred():
    def static_len(x):
        return tf.constant(-1 if x.shape[0] is None else x.shape[0])

    f = tf.function(static_len)
    f.get_concrete_function(tf.TensorSpec([None]))
    f.get_concrete_function(tf.TensorSpec([3]))
    assert f(tf.zeros([3])).numpy() == 3  # the exact [3] trace, not [None]
    assert f(tf.zeros([5])).numpy() == -1
    assert f.experimental_get_tracing_count() == 2


def test_reduce_retracing_generalizes_differing_dims():
    f, traces = counting(lambda x: x * 2, reduce_retracing=True)
    f(tf.ones([3]))
    assert len(traces) == 1
    f(tf.ones([5]))
    assert len(traces) == 2
    f(tf.ones([7]))
    f(tf.ones([9]))
    assert len(traces) == 2
    assert "TensorSpec(shape=(None,), dtype=loom.float32" in f.pretty_printed_concrete_signatures()
    assert f.experimental_get_tracing_count() == 2


def test_experimental_relax_shapes_is_reduce_retracing():
    f, traces = counting(lambda x: x, experimental_relax_shapes=True)
    for n in (2, 4, 6, 8):
        assert f(tf.ones([n, 2])).shape == (n, 2)
    assert len(traces) == 2


def test_input_signature_traces_once_and_checks_calls():
    f, traces = counting(lambda x: x + 1, input_signature=[tf.TensorSpec([None], tf.float32)])
    np.testing.assert_array_equal(f(tf.zeros([3])).numpy(), [1, 1, 1])
    np.testing.assert_array_equal(f([1.0, 2.0]).numpy(), [2, 3])  # converted to the spec
    assert f(np.zeros(5, np.float32)).shape == (5,)
    assert len(traces) == 1
    with pytest.raises(TypeError) as e:
        f(tf.constant([1, 2]))
    msg = str(e.value)
    assert "argument `x`" in msg
    assert "TensorSpec(shape=(None,), dtype=loom.float32" in msg
    assert "TensorSpec(shape=(2,), dtype=loom.int32" in msg
    with pytest.raises(TypeError, match=r"argument `x`.*shape=\(2, 2\)"):
        f(tf.zeros([2, 2]))
    with pytest.raises(TypeError, match="argument `x`.*cannot be converted"):
        f("text")
    assert len(traces) == 1


def test_bad_input_signatures_raise_type_error():
    with pytest.raises(TypeError, match="tuple or a list"):
        tf.function(lambda x: x, input_signature=tf.TensorSpec([]))
    with pytest.raises(TypeError, match="nested sequence of TensorSpec"):
        tf.function(lambda x: x, input_signature=[1])
    f = tf.function(lambda x, y: x, input_signature=[tf.TensorSpec([])])
    with pytest.raises(TypeError, match="missing a spec for argument `y`"):
        f(1.0, 2.0)


def test_retracing_warning_names_the_changed_argument(caplog):
    f, traces = counting(lambda x: tf.constant(0) + x)
    with caplog.at_level(logging.WARNING, logger="loom"):
        for i in range(4):
            f(i)
        assert not caplog.records
        f(4)
    assert len(traces) == 5
    records = [r for r in caplog.records if r.name == "loom"]
    assert len(records) == 1
    msg = records[0].getMessage()
    assert "5 of the last 5 calls" in msg
    assert "argument `x`: Python int 3 → 4; pass a tensor to avoid a new graph per value" in msg


def test_retracing_warning_for_shapes_and_no_warning_when_cached(caplog):
    f, _ = counting(lambda x: x)
    with caplog.at_level(logging.WARNING, logger="loom"):
        for _ in range(20):
            f(tf.ones([2]))
        assert not caplog.records
        for n in range(1, 6):
            f({"k": tf.ones([n])})
    msgs = [r.getMessage() for r in caplog.records if r.name == "loom"]
    assert len(msgs) == 1
    assert "argument `x['k']`: a float32 tensor of shape (4,) → (5,)" in msgs[0]
    assert "reduce_retracing=True" in msgs[0]


def test_arity_errors_name_the_function():
    @tf.function
    def two(a, b):
        return a + b

    with pytest.raises(TypeError, match=r"two\(\): missing a required argument: 'b'"):
        two(1)
    with pytest.raises(TypeError, match=r"two\(\): too many positional arguments"):
        two(1, 2, 3)
    with pytest.raises(TypeError, match=r"two\(\): got an unexpected keyword argument 'c'"):
        two(1, 2, c=3)
    assert two(1, b=2).numpy() == 3


def test_keyword_and_default_arguments_share_traces():
    f, traces = counting(lambda x, y=2, *, z=3: x * y + z)
    x = tf.constant(1)
    assert f(x).numpy() == 5
    assert f(x, 2).numpy() == 5
    assert f(x, y=2, z=3).numpy() == 5
    assert len(traces) == 1
    assert f(x, z=4).numpy() == 6
    assert len(traces) == 2


def test_float_literals_nan_negative_zero_and_numpy_scalars():
    f, traces = counting(lambda x: tf.constant(1.0) / x)
    assert f(0.0).numpy() == np.inf
    assert f(-0.0).numpy() == -np.inf  # -0.0 == 0.0, but must not share the 0.0 graph
    assert len(traces) == 2
    assert np.isnan(f(float("nan")).numpy())
    assert np.isnan(f(float("nan")).numpy())
    assert len(traces) == 3
    g, g_traces = counting(lambda x: x)
    assert g(1.0).dtype == tf.float32
    g(np.float64(1.0))  # a float subclass: its own type, its own graph
    assert len(g_traces) == 2
