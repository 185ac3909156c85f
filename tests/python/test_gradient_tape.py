"""tf.GradientTape's API: watching, persistence, structures, unconnected sources,
stop_gradient/stop_recording/reset, higher order, jacobians and custom gradients."""

import logging

import numpy as np
import pytest

import loom as tf


def test_gradient_of_watched_tensor():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    g = tape.gradient(y, x)
    assert g.dtype == tf.float32 and g.numpy() == 6.0


def test_unwatched_constant_has_no_gradient():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None


def test_non_persistent_tape_allows_one_gradient_call():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="can only be called once on non-persistent tapes"):
        tape.gradient(y, x)


def test_persistent_tape_computes_many_gradients():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert tape.gradient(z, x).numpy() == 108.0  # 4 x^3
    assert tape.gradient(y, x).numpy() == 6.0
    del tape


def test_gradient_inside_persistent_context_warns(caplog):
    x = tf.constant(1.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        with caplog.at_level(logging.WARNING, logger="loom"):
            assert tape.gradient(y, x).numpy() == 2.0
    assert "persistent tape inside its context" in caplog.text


def test_trainable_variables_are_watched_automatically():
    v = tf.Variable(2.0)
    frozen = tf.Variable(5.0, trainable=False)
    with tf.GradientTape() as tape:
        y = v * v + frozen * v
    assert tape.watched_variables() == (v,)
    gv, gf = tape.gradient(y, [v, frozen])
    assert gv.numpy() == 9.0  # 2v + frozen
    assert gf is None


def test_watch_accessed_variables_false_watches_only_what_is_asked():
    a, b = tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a)
        y = a * b
    ga, gb = tape.gradient(y, [a, b])
    assert ga.numpy() == 3.0 and gb is None


def test_unconnected_gradients_none_or_zero():
    x, z = tf.constant([1.0, 2.0]), tf.constant([[1.0], [2.0]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, z])
        y = x * 2.0
    assert tape.gradient(y, z) is None
    g = tape.gradient(y, z, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    np.testing.assert_array_equal(g.numpy(), [[0.0], [0.0]])
    g = tape.gradient(y, z, unconnected_gradients="zero")
    assert g.shape == (2, 1)


def test_sources_structure_is_preserved_and_targets_sum():
    x, y = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        a, b = x * y, x + y
    g = tape.gradient([a, b], {"x": x, "pair": (y, x)})
    assert set(g) == {"x", "pair"}
    assert g["x"].numpy() == 3.0  # y + 1
    assert g["pair"][0].numpy() == 2.0 and g["pair"][1].numpy() == 3.0


def test_non_scalar_target_is_summed_and_output_gradients_weight_it():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [2.0, 4.0, 6.0])
    w = tf.constant([1.0, 0.0, -1.0])
    np.testing.assert_allclose(tape.gradient(y, x, output_gradients=w).numpy(), [2.0, 0.0, -6.0])


def test_integer_paths_have_no_gradient():
    x = tf.constant(3)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert tape.gradient(y, x) is None
    f = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(f)
        y = tf.cast(tf.cast(f, tf.int32), tf.float32) * f
    assert tape.gradient(y, f).numpy() == 2.0  # only the direct path


def test_stop_gradient_blocks_a_path():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * tf.stop_gradient(x)
    assert tape.gradient(y, x).numpy() == 3.0


def test_stop_recording_and_reset():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        with tape.stop_recording():
            hidden = x * x
        y = x * 3.0
        tape.reset()
        tape.watch(x)
        z = x * 5.0
    assert tape.gradient(hidden, x) is None
    assert tape.gradient(y, x) is None  # recorded before the reset
    assert tape.gradient(z, x).numpy() == 5.0
    with pytest.raises(ValueError, match="not recording"):
        with tape.stop_recording():
            pass


def test_assignment_stops_history():
    x = tf.constant(2.0)
    v = tf.Variable(0.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        v.assign(x * 4.0)
        y = v * 1.0
    assert tape.gradient(y, x) is None
    assert tape.gradient(y, v).numpy() == 1.0


def test_nested_tapes_give_higher_derivatives():
    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x * x * x
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    assert dy.numpy() == 12.0 and d2y.numpy() == 12.0  # 3x^2, 6x


def test_third_derivative():
    x = tf.constant(1.5, tf.float64)
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = x * x * x * x
            g1 = t1.gradient(y, x)
        g2 = t2.gradient(g1, x)
    g3 = t3.gradient(g2, x)
    np.testing.assert_allclose(g3.numpy(), 24 * 1.5)


def test_jacobian_of_elementwise_and_matrix_functions():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    j = tape.jacobian(y, x)
    np.testing.assert_allclose(j.numpy(), np.diag([2.0, 4.0, 6.0]))
    w = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    with tf.GradientTape() as tape:
        tape.watch(w)
        y = w * 2.0
    j = tape.jacobian(y, w)
    assert j.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(j.numpy().reshape(6, 6), 2 * np.eye(6))


def test_jacobian_unconnected_source():
    x, z = tf.constant([1.0, 2.0]), tf.constant([3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, z])
        y = x * 2.0
    assert tape.jacobian(y, z) is None
    j = tape.jacobian(y, z, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    np.testing.assert_array_equal(j.numpy(), np.zeros((2, 1)))


def test_batch_jacobian():
    x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    j = tape.batch_jacobian(y, x)
    assert j.shape == (2, 3, 3)
    expected = np.stack([np.diag(2 * row) for row in x.numpy()])
    np.testing.assert_allclose(j.numpy(), expected)


def test_custom_gradient_replaces_the_gradient():
    @tf.custom_gradient
    def clipped_identity(x):
        def grad(dy):
            return dy * 0.5

        return x * 1.0, grad

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = clipped_identity(x) * 2.0
    assert tape.gradient(y, x).numpy() == 1.0


def test_custom_gradient_with_variables():
    v = tf.Variable(3.0)

    @tf.custom_gradient
    def scaled(x):
        def grad(dy, variables=None):
            assert variables == [v]
            return dy * 10.0, [dy * 100.0]

        return x * v, grad

    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = scaled(x)
    gx, gv = tape.gradient(y, [x, v])
    assert y.numpy() == 6.0 and gx.numpy() == 10.0 and gv.numpy() == 100.0


def test_custom_gradient_using_variables_needs_a_variables_argument():
    v = tf.Variable(3.0)

    @tf.custom_gradient
    def scaled(x):
        return x * v, lambda dy: dy

    with tf.GradientTape():
        with pytest.raises(TypeError, match="keyword argument 'variables'"):
            scaled(tf.constant(1.0))


def test_watch_rejects_python_values():
    with tf.GradientTape() as tape:
        with pytest.raises(ValueError, match="not tf.Tensor"):
            tape.watch(3.0)


def test_tapes_are_independent():
    x = tf.constant(2.0)
    with tf.GradientTape() as a:
        a.watch(x)
        y = x * x
    with tf.GradientTape() as b:
        b.watch(x)
        z = x * 3.0
    assert a.gradient(y, x).numpy() == 4.0
    assert b.gradient(z, x).numpy() == 3.0


@tf.custom_gradient
def half_gradient_square(x):
    def grad(dy):
        return dy * x  # half of the true 2x

    return x * x, grad


@tf.custom_gradient
def doubled_gradient_identity(x):
    def grad(dy):
        return dy * 2.0

    return x * 1.0, grad


def test_custom_gradient_inside_a_function_differentiated_from_outside():
    f = tf.function(lambda x: doubled_gradient_identity(x) * x)
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    assert y.numpy() == 9.0
    assert tape.gradient(y, x).numpy() == 9.0  # 2 * x + x


def test_custom_gradient_closing_over_forward_values_inside_a_function():
    @tf.function
    def inside(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = half_gradient_square(x)
        return tape.gradient(y, x)

    assert inside(tf.constant(3.0)).numpy() == 3.0


def test_custom_gradient_closing_over_forward_values_differentiated_from_outside():
    f = tf.function(lambda x: half_gradient_square(x) + x)
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    assert y.numpy() == 12.0
    assert tape.gradient(y, x).numpy() == 4.0  # x + 1


def test_output_gradients_must_match_their_targets():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"output_gradients\[0\] is float32\[3\]"
    ):
        tape.gradient(y, x, output_gradients=tf.constant([1.0, 2.0, 3.0]))


def test_gradient_of_a_tape_that_never_recorded_says_so():
    with pytest.raises(RuntimeError, match="never recorded"):
        tf.GradientTape().gradient(tf.constant(1.0), tf.constant(1.0))


def test_jacobian_of_an_empty_target_is_empty():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x[:0] * 2.0
    assert tape.jacobian(y, x).shape == (0, 2)
