"""What happens while loom.function traces: side effects, captures, outputs, nesting,
the ConcreteFunction/Function API, and clear errors for misuse."""

import collections

import numpy as np
import pytest

import loom as tf

Pair = collections.namedtuple("Pair", "first second")


@pytest.fixture
def eager_functions():
    tf.config.run_functions_eagerly(True)
    try:
        yield
    finally:
        tf.config.run_functions_eagerly(False)


def test_run_functions_eagerly_runs_the_body_each_call(eager_functions):
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return x.numpy() * 2  # only possible eagerly

    assert tf.config.functions_run_eagerly() is True
    assert f(tf.constant(3.0)) == 6.0
    assert f(tf.constant(3.0)) == 6.0
    assert len(calls) == 2
    assert f.experimental_get_tracing_count() == 0


def test_python_print_runs_only_while_tracing_and_tf_print_every_call(capfd):
    @tf.function
    def f(x):
        print("python sees", x.shape)
        tf.print("first", x)
        tf.print("second", x + 1)
        return x

    f(tf.constant(1))
    f(tf.constant(2))
    f(tf.constant(3))
    out, err = capfd.readouterr()
    assert out.count("python sees") == 1
    assert err.splitlines() == ["first 1", "second 2", "first 2", "second 3", "first 3", "second 4"]


def test_print_side_effect_runs_even_when_unused_by_outputs(capfd):
    @tf.function
    def f():
        tf.print("effect")
        return tf.constant(0)

    f()
    f()
    assert capfd.readouterr().err.splitlines() == ["effect", "effect"]
    ops = [op.type for op in f.get_concrete_function().graph.get_operations()]
    assert "PrintV2" in ops


def test_closed_over_eager_tensors_become_captured_inputs():
    scale = tf.constant([2.0, 3.0])

    @tf.function
    def f(x):
        return x * scale

    concrete = f.get_concrete_function(tf.TensorSpec([2]))
    captured = concrete.captured_inputs
    assert len(captured) == 1
    np.testing.assert_array_equal(captured[0].numpy(), [2.0, 3.0])
    assert [t.name for t in concrete.inputs] == ["x:0", "capture:0"]
    np.testing.assert_array_equal(f(tf.constant([1.0, 1.0])).numpy(), [2.0, 3.0])


def test_python_values_are_frozen_at_trace_time():
    state = {"k": 2}

    @tf.function
    def f(x):
        return x * state["k"]

    assert f(tf.constant(5)).numpy() == 10
    state["k"] = 100
    assert f(tf.constant(5)).numpy() == 10  # the traced constant, no retrace
    assert f.experimental_get_tracing_count() == 1


def test_returned_python_scalars_become_tensors():
    @tf.function
    def f():
        return 1.0, 2, True

    a, b, c = f()
    assert (a.dtype, b.dtype, c.dtype) == (tf.float32, tf.int32, tf.bool)
    assert (a.numpy(), b.numpy(), bool(c.numpy())) == (1.0, 2, True)


def test_nested_outputs_and_none_are_preserved():
    @tf.function
    def f(x):
        return {"a": [x, (x * 2, None)], "p": Pair(x + 1, 3), "n": None}

    out = f(tf.constant(1.0))
    assert set(out) == {"a", "p", "n"}
    assert out["n"] is None
    assert out["a"][1][1] is None
    assert isinstance(out["a"], list) and isinstance(out["a"][1], tuple)
    assert isinstance(out["p"], Pair)
    assert out["a"][1][0].numpy() == 2.0
    assert out["p"].first.numpy() == 2.0 and out["p"].second.numpy() == 3

    @tf.function
    def nothing(x):
        pass

    assert nothing(tf.constant(1)) is None


def test_returning_an_input_directly():
    @tf.function
    def ident(x, y):
        return y, x

    y, x = ident(tf.constant(1), tf.constant([2.0]))
    assert x.numpy() == 1 and y.dtype == tf.float32


def test_nested_functions_are_inlined_into_the_caller():
    @tf.function
    def inner(x):
        return x * 3

    @tf.function
    def outer(x):
        return inner(x) + 1

    assert outer(tf.constant(2)).numpy() == 7
    assert inner.experimental_get_tracing_count() == 0  # ran inside outer's trace
    types = [
        op.type
        for op in outer.get_concrete_function(tf.TensorSpec([], tf.int32)).graph.get_operations()
    ]
    assert "Mul" in types and "AddV2" in types
    assert inner(tf.constant(2)).numpy() == 6
    assert inner.experimental_get_tracing_count() == 1


@pytest.mark.parametrize("through_other", [False, True])
def test_recursion_raises_runtime_error(through_other):
    @tf.function
    def ping(n):
        return pong(n) if through_other else ping(n - 1)

    @tf.function
    def pong(n):
        return ping(n - 1)

    with pytest.raises(RuntimeError, match="'ping' calls itself while it is being traced"):
        ping(tf.constant(3))
    # The failed trace left nothing behind: a non-recursive call still works.
    assert tf.function(lambda n: n + 1)(tf.constant(1)).numpy() == 2


def test_exception_in_body_propagates_and_next_call_retraces():
    fail = [True]

    @tf.function
    def f(x):
        if fail[0]:
            raise ValueError("body failed")
        return x + 1

    with pytest.raises(ValueError, match="body failed"):
        f(tf.constant(1))
    assert not tf._C.is_tracing()
    fail[0] = False
    assert f(tf.constant(1)).numpy() == 2
    assert f.experimental_get_tracing_count() == 1


def test_returning_a_non_tensor_object_names_the_function():
    @tf.function
    def returns_object(x):
        return object()

    with pytest.raises(
        TypeError, match="loom.function 'returns_object' returned a value of type object"
    ):
        returns_object(tf.constant(1))

    @tf.function
    def returns_set(x):
        return [x, {1}]

    with pytest.raises(TypeError, match="'returns_set' returned a value of type set"):
        returns_set(tf.constant(1))


def test_symbolic_numpy_and_bool_explain_why():
    @tf.function
    def uses_numpy(x):
        return x.numpy()

    # Outside converted code (autograph=False), a tensor condition cannot be a Python bool.
    @tf.function(autograph=False)
    def uses_bool(x):
        return x if x > 0 else -x

    with pytest.raises(
        AttributeError, match="symbolic tensor has no numpy.*only when the graph runs"
    ):
        uses_numpy(tf.constant(1.0))
    with pytest.raises(TypeError, match="symbolic tensor as a Python `bool` is not allowed"):
        uses_bool(tf.constant(1.0))


def test_leaked_symbolic_tensor_is_out_of_scope():
    leaked = []

    @tf.function
    def leak(x):
        y = x * 2
        leaked.append(y)
        return y

    leak(tf.constant(1.0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of scope"):
        leaked[0] + 1.0
    with pytest.raises(TypeError, match="out of scope"):  # also a TypeError, as in TF
        tf.add(leaked[0], 1.0)

    @tf.function
    def other(x):
        return x + leaked[0]

    with pytest.raises(tf.errors.OpError, match="another function's graph is out of scope") as e:
        other(tf.constant(1.0))
    assert isinstance(e.value, tf.errors.InvalidArgumentError)


def test_symbolic_tensor_repr():
    seen = []

    @tf.function
    def f(x):
        y = x + x
        seen.append((repr(y), str(y), y.name, y.shape, y.dtype))
        return y

    f(tf.zeros([2, 2]))
    assert seen == [
        ('Tensor("add:0", shape=(2, 2), dtype=float32)',)
        + ('Tensor("add:0", shape=(2, 2), dtype=float32)', "add:0", (2, 2), tf.float32)
    ]


def test_methods_get_one_cache_per_instance():
    class Scaler:
        def __init__(self, k):
            self.k = k

        @tf.function
        def __call__(self, x):
            return x * self.k

    a, b = Scaler(2.0), Scaler(3.0)
    assert a(tf.constant(1.0)).numpy() == 2.0
    assert b(tf.constant(1.0)).numpy() == 3.0
    assert a(tf.constant(5.0)).numpy() == 10.0
    assert a.__call__ is a.__call__
    assert a.__call__.experimental_get_tracing_count() == 1
    assert b.__call__.experimental_get_tracing_count() == 1
    assert Scaler.__call__.experimental_get_tracing_count() == 0


def test_decorator_with_and_without_arguments():
    @tf.function
    def plain(x):
        return x

    @tf.function(reduce_retracing=True, name="renamed")
    def configured(x):
        return x

    assert isinstance(plain, type(configured))
    assert plain.__name__ == "plain"
    assert plain.python_function(5) == 5
    assert configured(tf.constant(1)).numpy() == 1
    assert "renamed(" in configured.pretty_printed_concrete_signatures()
