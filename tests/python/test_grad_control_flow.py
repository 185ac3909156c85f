"""Gradients through loom.function calls, cond (If) and while loops (While), with the
tape outside the function (the call is one recorded op) and inside it (gradient ops in
the traced graph), compared with the same computation done eagerly."""

import numpy as np
import pytest

import loom as tf


def grad_eager(f, *xs):
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = f(*xs)
    return tape.gradient(y, list(xs))


# --- function calls --------------------------------------------------------------------


def test_function_call_is_differentiable_and_matches_eager():
    def f(x, y):
        return tf.sin(x) * y + x * x

    x, y = tf.constant([0.5, 1.0]), tf.constant([2.0, 3.0])
    expected = grad_eager(f, x, y)
    got = grad_eager(tf.function(f), x, y)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-6)


def test_function_inside_function_and_its_gradient():
    @tf.function
    def inner(x):
        return x * x

    @tf.function
    def outer(x):
        return inner(x) + inner(2.0 * x)

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = outer(x)
    assert tape.gradient(y, x).numpy() == 30.0


def test_function_reading_a_variable_gives_the_variable_a_gradient():
    v = tf.Variable([1.0, 2.0])

    @tf.function
    def f(x):
        return tf.reduce_sum(v * x)

    x = tf.constant([3.0, 4.0])
    with tf.GradientTape() as tape:
        y = f(x)
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), [3.0, 4.0])


def test_second_derivative_through_a_function():
    @tf.function
    def cube(x):
        return x * x * x

    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = cube(x)
        dy = inner.gradient(y, x)
    assert dy.numpy() == 12.0
    assert outer.gradient(dy, x).numpy() == 12.0


def test_function_returning_its_input_unchanged():
    f = tf.function(lambda x: (x, x * 2.0))
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        a, b = f(x)
    assert tape.gradient([a, b], x).numpy() == 3.0


def test_tape_inside_a_function_trains_a_variable():
    w = tf.Variable(5.0)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = (w - 2.0) * (w - 2.0)
        g = tape.gradient(loss, w)
        w.assign_sub(0.1 * g)
        return loss

    for _ in range(100):
        step()
    assert abs(w.numpy() - 2.0) < 1e-3
    assert step.experimental_get_tracing_count() == 1


def test_gradient_call_inside_function_of_a_function_call():
    inner = tf.function(lambda x: tf.exp(x) * x)

    @tf.function
    def grad_of_inner(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = inner(x)
        return tape.gradient(y, x)

    x = tf.constant(0.5)
    np.testing.assert_allclose(grad_of_inner(x).numpy(), np.exp(0.5) * 1.5, rtol=1e-6)


# --- cond ------------------------------------------------------------------------------


def piecewise(x):
    if tf.reduce_sum(x) > 0:
        y = x * x
    else:
        y = -3.0 * x
    return y


@pytest.mark.parametrize("value", [2.0, -2.0])
def test_cond_gradient_takes_the_executed_branch(value):
    x = tf.constant([value])
    expected = 2 * value if value > 0 else -3.0
    (eager,) = grad_eager(piecewise, x)
    (traced,) = grad_eager(tf.function(piecewise), x)
    assert eager.numpy()[0] == expected and traced.numpy()[0] == expected

    @tf.function
    def inside(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = piecewise(x)
        return tape.gradient(y, x)

    assert inside(x).numpy()[0] == expected


def test_cond_with_captured_variable_and_branch_using_only_one_input():
    v = tf.Variable(3.0)

    @tf.function
    def f(x, y):
        return tf.cond(x > 0, lambda: x * v, lambda: y * y)

    x, y = tf.constant(2.0), tf.constant(5.0)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        out = f(x, y)
    gx, gy, gv = tape.gradient(out, [x, y, v])
    assert gx.numpy() == 3.0 and gv.numpy() == 2.0
    assert gy.numpy() == 0.0  # the untaken branch's input gets zeros


# --- while -----------------------------------------------------------------------------


def test_while_loop_gradient_inside_and_outside_the_function():
    def power(x, n):
        y = x
        for _ in tf.range(n - 1):
            y = y * x
        return y

    x = tf.constant(1.5)
    n = tf.constant(4)
    expected = 4 * 1.5**3
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.function(power)(x, n)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), expected, rtol=1e-6)

    @tf.function
    def inside(x, n):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = power(x, n)
        return tape.gradient(y, x)

    np.testing.assert_allclose(inside(x, n).numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(inside(x, tf.constant(1)).numpy(), 1.0)  # zero iterations


def test_while_loop_gradient_of_captured_values_and_variables():
    w = tf.Variable(0.9)

    @tf.function
    def f(h0, scale):
        h = h0
        for _ in tf.range(5):
            h = tf.tanh(h * w + scale)
        return tf.reduce_sum(h)

    h0, scale = tf.constant([0.1, -0.2]), tf.constant(0.3)

    def eager(h0, scale):
        h = h0
        for _ in range(5):
            h = tf.tanh(h * w + scale)
        return tf.reduce_sum(h)

    with tf.GradientTape() as tape:
        tape.watch([h0, scale])
        y = f(h0, scale)
    got = tape.gradient(y, [h0, scale, w])
    with tf.GradientTape() as tape:
        tape.watch([h0, scale])
        y = eager(h0, scale)
    expected = tape.gradient(y, [h0, scale, w])
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-5, atol=1e-6)


def test_tensor_array_in_a_loop_is_differentiable():
    @tf.function
    def cumulative(x):
        ta = tf.TensorArray(tf.float32, size=3)
        acc = tf.constant(0.0)
        for i in tf.range(3):
            acc = acc + x[i] * x[i]
            ta = ta.write(i, acc)
        return ta.stack()

    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(cumulative(x))
    # d/dx_i sum_k sum_{j<=k} x_j^2 = 2 x_i (3 - i)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [6.0, 8.0, 6.0])


# --- a dynamic RNN trained inside a function -------------------------------------------


def make_rnn(seed=0):
    rng = np.random.default_rng(seed)
    wx = tf.Variable(rng.normal(scale=0.5, size=(3, 8)).astype("float32"))
    wh = tf.Variable(rng.normal(scale=0.5, size=(8, 8)).astype("float32"))
    wo = tf.Variable(rng.normal(scale=0.5, size=(8, 1)).astype("float32"))
    return [wx, wh, wo]


def rnn_loss_dynamic(params, xs, ys):
    wx, wh, wo = params
    h = tf.zeros([tf.shape(xs)[1], 8])
    for t in tf.range(tf.shape(xs)[0]):
        h = tf.tanh(tf.matmul(xs[t], wx) + tf.matmul(h, wh))
    return tf.reduce_mean((tf.matmul(h, wo) - ys) ** 2)


def rnn_loss_unrolled(params, xs, ys):
    wx, wh, wo = params
    h = tf.zeros([xs.shape[1], 8])
    for t in range(xs.shape[0]):
        h = tf.tanh(tf.matmul(xs[t], wx) + tf.matmul(h, wh))
    return tf.reduce_mean((tf.matmul(h, wo) - ys) ** 2)


def test_dynamic_rnn_gradients_match_unrolled_eager_and_training_reduces_loss():
    rng = np.random.default_rng(1)
    xs = tf.constant(rng.normal(size=(6, 4, 3)).astype("float32"))  # time, batch, features
    ys = tf.constant(rng.normal(size=(4, 1)).astype("float32"))
    params = make_rnn()

    @tf.function
    def grads_in_function(xs, ys):
        with tf.GradientTape() as tape:
            loss = rnn_loss_dynamic(params, xs, ys)
        return loss, tape.gradient(loss, params)

    with tf.GradientTape() as tape:
        loss_eager = rnn_loss_unrolled(params, xs, ys)
    expected = tape.gradient(loss_eager, params)
    loss, got = grads_in_function(xs, ys)
    np.testing.assert_allclose(loss.numpy(), loss_eager.numpy(), rtol=1e-6)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-5, atol=1e-5)

    @tf.function
    def train_step(xs, ys):
        with tf.GradientTape() as tape:
            loss = rnn_loss_dynamic(params, xs, ys)
        for p, g in zip(params, tape.gradient(loss, params)):
            p.assign_sub(0.05 * g)
        return loss

    first = train_step(xs, ys).numpy()
    for _ in range(60):
        last = train_step(xs, ys).numpy()
    assert last < 0.5 * first
    assert train_step.experimental_get_tracing_count() == 1


@pytest.mark.parametrize("every", [1, 3, 7, 50, 64])
def test_loop_gradient_checkpointing_gives_the_same_gradients(every):
    w = tf.Variable(np.linspace(0.5, 1.5, 4).astype("float32"))

    def make():
        @tf.function
        def grads(h0):
            with tf.GradientTape() as tape:
                tape.watch(h0)
                h = h0
                for _ in tf.range(50):
                    h = tf.sin(h * w) + 0.1 * h
                loss = tf.reduce_sum(h * h)
            return tape.gradient(loss, [h0, w])

        return grads

    h0 = tf.constant([0.3, -0.2, 0.1, 0.4])
    expected = make()(h0)
    tf.config.experimental.set_loop_gradient_checkpointing(every)
    try:
        got = make()(h0)
    finally:
        tf.config.experimental.set_loop_gradient_checkpointing(1)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-6)


def test_loop_gradient_checkpointing_rejects_a_stride_below_one():
    with pytest.raises(tf.errors.InvalidArgumentError, match="stride must be >= 1"):
        tf.config.experimental.set_loop_gradient_checkpointing(0)
    assert tf.config.experimental.get_loop_gradient_checkpointing() == 1


def test_add_n_whose_output_reuses_a_later_input_buffer():
    # Regression: AddN overwrote a dead input it was reusing before summing it.
    @tf.function
    def f(x):
        zero = x * 0.0
        return tf.add_n([zero, zero, x * 2.0, x * 3.0])

    np.testing.assert_array_equal(f(tf.constant([1.0, 2.0])).numpy(), [5.0, 10.0])


def test_loop_returning_one_value_for_two_loop_variables_differentiates():
    # Regression: the two loop variables' zero gradients shared a buffer (see above).
    x = tf.constant(np.random.default_rng(0).normal(size=(4, 2, 3)))

    def loss(x):
        acc = tf.zeros([2, 3], tf.float64)

        def body(t, o, h, acc):
            h = tf.tanh(tf.gather(x, t) + h)
            return t + 1, h, h, acc + h * h

        zeros = tf.zeros([2, 3], tf.float64)
        return tf.reduce_sum(tf.while_loop(lambda t, *r: t < 4, body, (0, zeros, zeros, acc))[3])

    (eager,) = grad_eager(loss, x)
    (traced,) = grad_eager(tf.function(loss), x)
    np.testing.assert_allclose(traced.numpy(), eager.numpy(), rtol=1e-12)


def test_second_derivative_through_a_graph_loop_is_a_clear_error():
    @tf.function
    def second(x):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = x
                for _ in tf.range(3):
                    y = y * x
            dy = inner.gradient(y, x)
        return outer.gradient(dy, x)

    with pytest.raises(tf.errors.UnimplementedError, match="second derivatives through a graph"):
        second(tf.constant(2.0))


def test_cond_gradient_reads_saved_branch_values_instead_of_recomputing():
    import re

    @tf.function
    def f(x):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = tf.cond(x > 0, lambda: tf.exp(x) * 3.0, lambda: tf.sin(x))
        # The second gradient of the same If replays its branch (already rewritten).
        return tape.gradient(y, x), tape.gradient(y, x)

    for value, expected in [(0.5, 3 * np.exp(0.5)), (-0.5, np.cos(-0.5))]:
        first, second = f(tf.constant(value))
        np.testing.assert_allclose([first.numpy(), second.numpy()], [expected] * 2, rtol=1e-6)
    graph = str(f.get_concrete_function(tf.constant(0.5))._graph)
    backward = [n for n in re.findall(r'then_branch="(\w+)"', graph) if "backward_if" in n]
    assert len(backward) == 1
    assert "Exp(" not in str(tf._C.library_graph(backward[0]))  # exp(x) is saved, not recomputed


def test_higher_order_gradient_through_a_function_with_effects_is_a_clear_error():
    counter = tf.Variable(0.0)

    @tf.function
    def f(x):
        counter.assign_add(1.0)
        return x * x * x

    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        with pytest.raises(tf.errors.UnimplementedError, match="would run it again"):
            inner.gradient(y, x)
    assert counter.numpy() == 1.0
