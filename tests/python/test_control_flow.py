"""tf.cond and tf.while_loop: Python control flow eagerly, If/While ops in graphs."""

import numpy as np
import pytest

import loom as tf


def test_eager_cond_and_while_are_python():
    assert tf.cond(tf.constant(True), lambda: 1, lambda: 2) == 1
    out = tf.while_loop(
        lambda i, s: i < 5, lambda i, s: (i + 1, s + i), [tf.constant(0), tf.constant(0)]
    )
    assert [int(t) for t in out] == [5, 10]


def test_cond_in_a_function_decides_at_run_time():
    @tf.function
    def f(x):
        return tf.cond(x > 0, lambda: x * 2, lambda: x - 1)

    assert f(tf.constant(3)).numpy() == 6
    assert f(tf.constant(-3)).numpy() == -4
    assert f.experimental_get_tracing_count() == 1
    types = {op.type for op in f.get_concrete_function(tf.constant(1)).graph.get_operations()}
    assert "StatelessIf" in types


def test_cond_branches_may_differ_in_shape_and_keep_structure():
    @tf.function
    def f(flag, x):
        return tf.cond(
            flag,
            lambda: {"v": x, "n": tf.constant(1)},
            lambda: {"v": tf.concat([x, x], 0), "n": tf.constant(2)},
        )

    out = f(tf.constant(True), tf.constant([1.0]))
    assert out["v"].shape == (1,) and out["n"].numpy() == 1
    out = f(tf.constant(False), tf.constant([1.0]))
    np.testing.assert_array_equal(out["v"].numpy(), [1.0, 1.0])


def test_cond_errors_name_the_problem():
    @tf.function
    def bad_structure(x):
        return tf.cond(x > 0, lambda: (x, x), lambda: x)

    with pytest.raises(ValueError, match="same structure"):
        bad_structure(tf.constant(1))

    @tf.function
    def bad_dtype(x):
        return tf.cond(x > 0, lambda: x, lambda: tf.constant(1.0))

    with pytest.raises(TypeError, match="int32 in true_fn but float32"):
        bad_dtype(tf.constant(1))


def test_stateful_branch_runs_only_when_taken(capfd):
    @tf.function
    def f(x):
        return tf.cond(x > 0, lambda: _print_and(x, "pos"), lambda: _print_and(x, "neg"))

    f(tf.constant(1))
    assert capfd.readouterr().err == "pos\n"
    f(tf.constant(-1))
    assert capfd.readouterr().err == "neg\n"


def _print_and(x, word):
    tf.print(word)
    return x


def test_while_loop_in_a_function_runs_a_graph_loop():
    @tf.function
    def total(n):
        i, s = tf.while_loop(
            lambda i, s: i < n, lambda i, s: (i + 1, s + i), [tf.constant(0), tf.constant(0)]
        )
        return s

    assert total(tf.constant(5)).numpy() == 10
    assert total(tf.constant(101)).numpy() == 5050
    assert total.experimental_get_tracing_count() == 1
    types = {op.type for op in total.get_concrete_function(tf.constant(1)).graph.get_operations()}
    assert "StatelessWhile" in types


def test_while_loop_maximum_iterations_and_variables():
    v = tf.Variable(0)

    @tf.function
    def bump(n):
        def body(i):
            v.assign_add(1, read_value=False)
            return i + 1

        return tf.while_loop(lambda i: i < n, body, tf.constant(0), maximum_iterations=3)

    assert bump(tf.constant(10)).numpy() == 3
    assert v.numpy() == 3
    assert bump(tf.constant(2)).numpy() == 2
    assert v.numpy() == 5


def test_while_loop_shape_changes_need_invariants():
    @tf.function
    def grow(x):
        return tf.while_loop(lambda x: tf.size(x) < 8, lambda x: tf.concat([x, x], 0), x)

    with pytest.raises(ValueError, match="shape_invariants"):
        grow(tf.constant([1.0]))

    @tf.function
    def grow_ok(x):
        return tf.while_loop(
            lambda x: tf.size(x) < 8,
            lambda x: tf.concat([x, x], 0),
            x,
            shape_invariants=tf.TensorShape([None]),
        )

    np.testing.assert_array_equal(grow_ok(tf.constant([1.0])).numpy(), np.ones(8))


def test_case_and_switch_case_eagerly_and_in_functions():
    def pick(x):
        return tf.case(
            [(x < 0, lambda: tf.constant(-1)), (x > 10, lambda: tf.constant(1))],
            default=lambda: tf.constant(0),
        )

    graph_pick = tf.function(pick)
    for value, want in [(-5, -1), (50, 1), (3, 0)]:
        assert pick(tf.constant(value)).numpy() == want
        assert graph_pick(tf.constant(value)).numpy() == want

    @tf.function
    def switch(i):
        return tf.switch_case(
            i, [lambda: tf.constant(10), lambda: tf.constant(20)], default=lambda: tf.constant(-1)
        )

    assert [switch(tf.constant(i)).numpy() for i in (0, 1, 7)] == [10, 20, -1]
    assert switch.experimental_get_tracing_count() == 1


def test_exclusive_case_rejects_two_true_predicates():
    with pytest.raises(tf.errors.InvalidArgumentError, match="more than one predicate"):
        tf.case(
            [(tf.constant(True), lambda: 1), (tf.constant(True), lambda: 2)],
            default=lambda: 0,
            exclusive=True,
        )
