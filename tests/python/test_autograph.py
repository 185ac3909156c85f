"""AutoGraph: each function runs plainly on Python values and as a loom.function on
tensors, and both must agree; unsupported constructs fail clearly at the user's line."""

import numpy as np
import pytest

import loom as tf


def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps = steps + 1
    return steps


def clipped_sum(xs, limit):
    total = 0
    for x in xs:
        if x > limit:
            x = limit
        total = total + x
    return total


def sign_word(x):
    if x > 0:
        return 1
    elif x < 0:
        return -1
    return 0


def both_positive(a, b):
    if a > 0 and b > 0:
        return 1
    if a > 0 or not b < 0:
        return 2
    return 3


def nested_loops(n):
    acc = 0
    for i in range(n):
        j = 0
        while j < i:
            acc = acc + j
            j = j + 1
    return acc


def choose(x):
    return x * 2 if x > 3 else x - 3


def helper_abs(x):
    if x < 0:
        x = -x
    return x


def calls_helper(xs):
    s = 0
    for v in xs:
        s = s + helper_abs(v)
    return s


CASES = [
    (collatz_steps, [(6,), (7,), (1,)]),
    (clipped_sum, [([1, 5, 3, 9], 4), ([0], 2)]),
    (sign_word, [(5,), (-2,), (0,)]),
    (both_positive, [(1, 1), (1, -1), (-1, 0), (-1, -1)]),
    (choose, [(5,), (1,)]),
    (calls_helper, [([1, -2, 3, -4],)]),
]


@pytest.mark.parametrize("fn,calls", CASES, ids=[c[0].__name__ for c in CASES])
def test_python_and_graph_agree(fn, calls):
    graph_fn = tf.function(fn)
    for args in calls:
        expected = fn(*args)
        got = graph_fn(*[tf.constant(a) for a in args])
        assert got.numpy() == expected, (fn.__name__, args)
    # Tensor arguments of the same shapes share one trace: the control flow is in the graph.
    shapes = {tuple(np.shape(a) for a in args) for args in calls}
    assert graph_fn.experimental_get_tracing_count() == len(shapes)


def test_python_range_loops_are_unrolled_but_tensor_ranges_are_not():
    f = tf.function(nested_loops)
    assert f(4).numpy() == nested_loops(4)  # Python int: unrolled per value
    assert f(tf.constant(5)).numpy() == nested_loops(5)
    assert f(tf.constant(6)).numpy() == nested_loops(6)


def test_print_stays_python_and_tf_print_runs_in_the_graph(capfd):
    @tf.function
    def f(x):
        if x > 0:
            tf.print("positive")
        else:
            tf.print("not positive")
        print("traced")

    f(tf.constant(1))
    out, err = capfd.readouterr()
    assert out == "traced\n" and err == "positive\n"
    f(tf.constant(-1))
    out, err = capfd.readouterr()
    assert out == "" and err == "not positive\n"


def test_to_code_is_readable_python():
    code = tf.autograph.to_code(clipped_sum)
    assert code.startswith("def clipped_sum(xs, limit):")
    assert "ag__.for_stmt" in code and "ag__.if_stmt" in code


def test_do_not_convert_runs_as_written():
    @tf.autograph.experimental.do_not_convert
    def raw(x):
        return x if x > 0 else -x

    @tf.function
    def f(x):
        return raw(x)

    with pytest.raises(TypeError, match="Python `bool`"):
        f(tf.constant(1))


def loop_with_else(n):
    for _ in range(n):
        pass
    else:
        n = 0
    return n


def loop_with_break(x):
    while x > 0:
        if x > 3:
            break
        x = x - 1
    return x


def loop_with_return(x):
    while x > 0:
        if x > 3:
            return x
        x = x - 1
    return x


def return_in_nested_loop(n):
    for i in range(n):
        for j in range(i):
            if j > 2:
                return j
    return -1


def find_index(xs, target):
    for i in range(len(xs)):
        if xs[i] == target:
            return i
    return -1


def test_return_inside_loops_agrees_with_python():
    f = tf.function(loop_with_return)
    assert [f(tf.constant(v)).numpy() for v in (5, 3, 0)] == [
        loop_with_return(5),
        loop_with_return(3),
        loop_with_return(0),
    ]
    g = tf.function(find_index)
    xs = [4, 8, 15, 16]
    for target in (15, 4, 42):
        assert g(tf.constant(xs), tf.constant(target)).numpy() == find_index(xs, target)


def first_multiple(n, k):
    i = 1
    found = -1
    while i <= n:
        if i % k != 0:
            i += 1
            continue
        found = i
        break
    return found


def sum_until(xs, stop):
    total = 0
    for x in xs:
        if x < 0:
            continue
        if x > stop:
            break
        total = total + x
    return total


def test_break_and_continue_agree_with_python():
    f = tf.function(first_multiple)
    for n, k in [(20, 7), (5, 7), (9, 3)]:
        assert f(tf.constant(n), tf.constant(k)).numpy() == first_multiple(n, k)
    g = tf.function(sum_until)
    for xs in ([1, -2, 3, 20, 5], [1, 2], [-1, -1]):
        assert g(tf.constant(xs), tf.constant(10)).numpy() == sum_until(xs, 10)
    h = tf.function(loop_with_break)
    assert [h(tf.constant(v)).numpy() for v in (5, 3)] == [loop_with_break(5), loop_with_break(3)]


def only_in_one_branch(x):
    if x > 0:
        y = x
    return y  # noqa: F821 - the point of the test


def test_unsupported_constructs_name_the_construct_and_line():
    with pytest.raises(NotImplementedError, match=r"test_autograph.py:\d+: for/else"):
        tf.function(loop_with_else)(3)
    with pytest.raises(NotImplementedError, match=r"`return` inside a nested loop"):
        tf.function(return_in_nested_loop)(tf.constant(5))


def test_name_defined_in_one_branch_of_a_tensor_if_is_an_error():
    with pytest.raises(ValueError, match="'y' must be defined") as e:
        tf.function(only_in_one_branch)(tf.constant(1))
    assert "test_autograph.py:" in str(e.value)


def while_with_else(x):
    while x > 0:
        x = x - 1
    else:
        x = 10
    return x


def test_while_else_is_not_supported_and_names_the_line():
    with pytest.raises(NotImplementedError, match=r"test_autograph.py:\d+: while/else"):
        tf.function(while_with_else)(tf.constant(2))


def counter_and_array(n, v):
    ta = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
    for i in tf.range(n):
        if i % 2 == 0:
            v.assign_add(i)
            tf.print("even", i)
        ta = ta.write(i, v.read_value())
    return ta.stack()


def test_tensor_arrays_variables_and_prints_match_an_eager_run(capfd):
    eager_var, graph_var = tf.Variable(0), tf.Variable(0)
    eager = counter_and_array(tf.constant(5), eager_var).numpy()
    eager_out = capfd.readouterr().err
    graph = tf.function(counter_and_array)(tf.constant(5), graph_var).numpy()
    graph_out = capfd.readouterr().err
    np.testing.assert_array_equal(graph, eager)
    assert graph_out == eager_out == "even 0\neven 2\neven 4\n"
    assert graph_var.numpy() == eager_var.numpy() == 6


def checked_sqrt(x):
    assert x >= 0, "x must be non-negative"
    return x * 0.5


def in_range(x):
    if 0 < x < 10:
        return 1
    return 0


def test_assert_becomes_a_run_time_assertion():
    f = tf.function(checked_sqrt)
    assert f(tf.constant(4.0)).numpy() == 2.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="x must be non-negative"):
        f(tf.constant(-1.0))
    assert f.experimental_get_tracing_count() == 1


def test_chained_comparisons_and_len_on_tensors():
    f = tf.function(in_range)
    assert [f(tf.constant(v)).numpy() for v in (5, 0, 12)] == [
        in_range(5),
        in_range(0),
        in_range(12),
    ]

    @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
    def count(xs):
        return len(xs)

    assert count(tf.constant([1, 2, 3])).numpy() == 3


def defined_inside_loop(n):
    for i in range(n):
        last = i
    return last  # noqa: F821 - may be undefined: the point of the test


def changes_dtype(n):
    x = 0
    for _ in range(n):
        x = tf.cast(x, tf.float32)
    return x


def test_loop_variable_errors():
    with pytest.raises(ValueError, match="'last' is first assigned inside a loop") as e:
        tf.function(defined_inside_loop)(tf.constant(3))
    assert "test_autograph.py:" in str(e.value)  # the user's line, not generated code
    assert tf.function(defined_inside_loop)(3).numpy() == 2  # a Python loop is fine
    with pytest.raises(TypeError, match="enters as int32 but the body returns float32"):
        tf.function(changes_dtype)(tf.constant(2))


def test_loop_dtype_error_names_the_user_line():
    with pytest.raises(TypeError, match=r"returns float32 \(at .*test_autograph.py:\d+\)"):
        tf.function(changes_dtype)(tf.constant(2))


def test_function_without_source_warns_once_and_runs_unconverted():
    namespace = {}
    exec("def no_source(x):\n    return x * 2\n", namespace)  # noqa: S102 - no source file
    f = tf.function(namespace["no_source"])
    with pytest.warns(UserWarning, match="could not convert no_source"):
        assert f(tf.constant(2)).numpy() == 4


def doubling(x, n):
    for _ in tf.range(n):
        tf.autograph.experimental.set_loop_options(shape_invariants=[(x, tf.TensorShape([None]))])
        x = tf.concat([x, x], 0)
    return x


def capped(n):
    i = tf.constant(0)
    while i < n:
        tf.autograph.experimental.set_loop_options(maximum_iterations=4)
        i = i + 1
    return i


def test_set_loop_options_apply_to_the_graph_loop():
    out = tf.function(doubling)(tf.constant([1.0]), tf.constant(3))
    np.testing.assert_array_equal(out.numpy(), np.ones(8))
    assert tf.function(capped)(tf.constant(10)).numpy() == 4
    assert tf.function(capped)(tf.constant(2)).numpy() == 2


def test_lambdas_are_converted_when_called():
    @tf.function
    def f(x):
        g = lambda v: v * 2 if v > 0 else -v  # noqa: E731
        return g(x)

    assert [f(tf.constant(v)).numpy() for v in (3, -4)] == [6, 4]
    assert f.experimental_get_tracing_count() == 1


def squares_of(xs):
    return [x * x for x in xs]


def test_comprehensions_over_tensors():
    f = tf.function(squares_of)
    got = f(tf.constant([1, 2, 3]))  # a static length: unrolled
    assert [t.numpy() for t in got] == [1, 4, 9]
    g = tf.function(squares_of, input_signature=[tf.TensorSpec([None], tf.int32)])
    with pytest.raises(NotImplementedError, match="generator expressions over a tensor"):
        g(tf.constant([1, 2]))
