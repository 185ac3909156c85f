"""tf.keras.optimizers beyond the update rules: learning rates (values, schedules,
callables), clipping, weight decay, EMA, missing gradients, configs and lookup."""

import logging

import numpy as np
import pytest

import loom as tf

optimizers = tf.keras.optimizers
schedules = tf.keras.optimizers.schedules


def sgd_step(optimizer, grad, w0):
    w = tf.Variable(np.asarray(w0, np.float32))
    optimizer.apply_gradients([(tf.constant(np.asarray(grad, np.float32)), w)])
    return w.numpy()


# --- learning rate ------------------------------------------------------------------


def test_learning_rate_is_a_settable_variable():
    optimizer = optimizers.SGD(learning_rate=0.1)
    assert isinstance(optimizer.learning_rate, tf.Variable)
    assert optimizer.learning_rate.dtype == tf.float32
    optimizer.learning_rate = 0.5
    np.testing.assert_allclose(sgd_step(optimizer, [1.0], [0.0]), [-0.5])
    optimizer.lr = 0.25
    assert float(optimizer.learning_rate.numpy()) == 0.25


def test_schedule_gives_the_rate_for_each_step():
    schedule = schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.5, 0.25])
    optimizer = optimizers.SGD(learning_rate=schedule)
    w = tf.Variable(0.0)
    changes = []
    for _ in range(4):
        before = float(w.numpy())
        optimizer.apply_gradients([(tf.constant(1.0), w)])
        changes.append(before - float(w.numpy()))
    # step t uses schedule(iterations) with iterations = 0, 1, 2, 3
    np.testing.assert_allclose(changes, [1.0, 1.0, 0.5, 0.25])
    np.testing.assert_allclose(optimizer.learning_rate.numpy(), 0.25)
    with pytest.raises(TypeError, match="not settable"):
        optimizer.learning_rate = 0.1


def test_schedule_inside_a_function_follows_the_step():
    optimizer = optimizers.SGD(schedules.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5))
    w = tf.Variable(0.0)
    step = tf.function(lambda: optimizer.apply_gradients([(tf.constant(1.0), w)]))
    for _ in range(3):
        step()
    np.testing.assert_allclose(w.numpy(), -(1.0 + 0.5 + 0.25), rtol=1e-6)


def test_callable_learning_rate_is_read_each_step():
    rate = {"value": 1.0}
    optimizer = optimizers.SGD(learning_rate=lambda: rate["value"])
    w = tf.Variable(0.0)
    optimizer.apply_gradients([(tf.constant(1.0), w)])
    rate["value"] = 0.1
    optimizer.apply_gradients([(tf.constant(1.0), w)])
    np.testing.assert_allclose(w.numpy(), -1.1, rtol=1e-6)


# --- schedules ------------------------------------------------------------------------


def test_exponential_decay_smooth_and_staircase():
    smooth = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    stairs = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    for step in (0, 5, 10, 15, 25):
        np.testing.assert_allclose(smooth(step).numpy(), 0.1 * 0.5 ** (step / 10), rtol=1e-6)
        np.testing.assert_allclose(stairs(step).numpy(), 0.1 * 0.5 ** (step // 10), rtol=1e-6)
    assert smooth(tf.Variable(3, dtype=tf.int64)).dtype == tf.float32


def test_piecewise_constant_decay_boundaries_are_inclusive():
    schedule = schedules.PiecewiseConstantDecay([100, 110], [1.0, 0.5, 0.1])
    values = [float(schedule(step).numpy()) for step in (0, 100, 101, 110, 111, 1000)]
    np.testing.assert_allclose(values, [1.0, 1.0, 0.5, 0.5, 0.1, 0.1], rtol=1e-6)
    with pytest.raises(ValueError, match="1 less than the length of values"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.5])


def test_other_schedules_match_their_formulas():
    steps = np.array([0, 3, 10, 20], np.float32)
    inverse = schedules.InverseTimeDecay(0.1, 10, 0.5)
    polynomial = schedules.PolynomialDecay(0.1, 10, end_learning_rate=0.01, power=2.0)
    cosine = schedules.CosineDecay(0.1, 10, alpha=0.1)
    for s in steps:
        np.testing.assert_allclose(inverse(s).numpy(), 0.1 / (1 + 0.5 * s / 10), rtol=1e-6)
        p = min(s, 10) / 10
        np.testing.assert_allclose(polynomial(s).numpy(), 0.09 * (1 - p) ** 2 + 0.01, rtol=1e-5)
        decayed = 0.9 * 0.5 * (1 + np.cos(np.pi * p)) + 0.1
        np.testing.assert_allclose(cosine(s).numpy(), 0.1 * decayed, rtol=1e-5)


def test_schedule_config_round_trip():
    schedule = schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)
    config = schedules.serialize(schedule)
    assert config == {
        "class_name": "ExponentialDecay",
        "config": {
            "initial_learning_rate": 0.1,
            "decay_steps": 10,
            "decay_rate": 0.5,
            "staircase": True,
            "name": None,
        },
    }
    rebuilt = schedules.deserialize(config)
    assert float(rebuilt(20).numpy()) == pytest.approx(0.025)


# --- clipping and weight decay --------------------------------------------------------


def test_clipnorm_scales_each_gradient_to_the_norm():
    new = sgd_step(optimizers.SGD(1.0, clipnorm=1.0), [3.0, 4.0], [0.0, 0.0])
    np.testing.assert_allclose(new, [-0.6, -0.8], rtol=1e-6)
    small = sgd_step(optimizers.SGD(1.0, clipnorm=10.0), [3.0, 4.0], [0.0, 0.0])
    np.testing.assert_allclose(small, [-3.0, -4.0], rtol=1e-6)


def test_global_clipnorm_scales_all_gradients_together():
    a, b = tf.Variable([0.0]), tf.Variable([0.0])
    optimizer = optimizers.SGD(1.0, global_clipnorm=2.5)
    optimizer.apply_gradients([(tf.constant([3.0]), a), (tf.constant([4.0]), b)])
    np.testing.assert_allclose([a.numpy()[0], b.numpy()[0]], [-1.5, -2.0], rtol=1e-6)
    with pytest.raises(ValueError, match="At most one of `clipnorm` and `global_clipnorm`"):
        optimizers.SGD(clipnorm=1.0, global_clipnorm=1.0)


def test_clipvalue_clips_elementwise():
    new = sgd_step(optimizers.SGD(1.0, clipvalue=0.5), [3.0, -0.2, -4.0], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(new, [-0.5, 0.2, 0.5], rtol=1e-6)


def test_weight_decay_and_its_exclusions():
    optimizer = optimizers.SGD(0.1, weight_decay=0.5)
    kernel, bias = tf.Variable([2.0], name="kernel"), tf.Variable([2.0], name="bias")
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    optimizer.apply_gradients([(tf.constant([1.0]), kernel), (tf.constant([1.0]), bias)])
    np.testing.assert_allclose(kernel.numpy(), [2.0 - 2.0 * 0.5 * 0.1 - 0.1], rtol=1e-6)
    np.testing.assert_allclose(bias.numpy(), [2.0 - 0.1], rtol=1e-6)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        optimizer.exclude_from_weight_decay(var_names=["x"])
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)


def test_ema_tracks_and_overwrites_the_variables():
    optimizer = optimizers.SGD(1.0, use_ema=True, ema_momentum=0.5)
    w = tf.Variable(4.0)
    optimizer.apply_gradients([(tf.constant(2.0), w)])  # w = 2; average = 0.5*4 + 0.5*2
    optimizer.finalize_variable_values([w])
    assert float(w.numpy()) == 3.0
    every_step = optimizers.SGD(1.0, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=1)
    v = tf.Variable(4.0)
    every_step.apply_gradients([(tf.constant(2.0), v)])
    assert float(v.numpy()) == 3.0


# --- gradients that are missing or unknown ------------------------------------------------


def test_none_gradients_are_skipped_with_a_warning(caplog):
    a, b = tf.Variable(1.0, name="a"), tf.Variable(1.0, name="b")
    optimizer = optimizers.SGD(0.5)
    with caplog.at_level(logging.WARNING):
        optimizer.apply_gradients([(None, a), (tf.constant(1.0), b)])
    assert float(a.numpy()) == 1.0 and float(b.numpy()) == 0.5
    assert "Gradients do not exist for variables ['a:0']" in caplog.text
    with pytest.raises(ValueError, match=r"No gradients provided for any variable: \(\['a:0'\],\)"):
        optimizer.apply_gradients([(None, a)])
    assert int(optimizer.iterations.numpy()) == 1


def test_a_variable_unseen_at_build_time_is_rejected():
    optimizer = optimizers.Adam()
    optimizer.apply_gradients([(tf.constant(1.0), tf.Variable(1.0))])
    with pytest.raises(KeyError, match="cannot recognize variable stranger:0"):
        optimizer.apply_gradients([(tf.constant(1.0), tf.Variable(1.0, name="stranger"))])


def test_minimize_with_a_tensor_loss_needs_a_tape():
    w = tf.Variable(1.0)
    with pytest.raises(ValueError, match="`tape` is required when a `Tensor` loss is passed"):
        optimizers.SGD().minimize(w * 2.0, [w])


def test_constructor_rejects_unknown_and_legacy_arguments():
    with pytest.raises(TypeError, match="foo is not a valid argument"):
        optimizers.Adam(foo=1)
    with pytest.raises(ValueError, match="decay is deprecated"):
        optimizers.SGD(decay=0.1)
    with pytest.raises(ValueError, match=r"`momentum` must be between \[0, 1\]"):
        optimizers.SGD(momentum=1.5)


# --- configs and lookup -----------------------------------------------------------------


def test_get_config_lists_the_hyperparameters():
    config = optimizers.RMSprop(0.01, rho=0.8, centered=True, clipvalue=1.0).get_config()
    assert config["name"] == "RMSprop" and config["rho"] == 0.8 and config["centered"] is True
    assert config["learning_rate"] == pytest.approx(0.01)
    assert config["clipvalue"] == 1.0 and config["is_legacy_optimizer"] is False
    rebuilt = optimizers.RMSprop.from_config(config)
    assert rebuilt.get_config() == config


def test_get_resolves_names_case_insensitively():
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("SGD"), optimizers.SGD)
    assert isinstance(optimizers.get("rmsprop"), optimizers.RMSprop)
    assert isinstance(optimizers.get("Adagrad"), optimizers.Adagrad)
    assert isinstance(optimizers.get("adamw"), optimizers.AdamW)
    existing = optimizers.Adam()
    assert optimizers.get(existing) is existing
    from_dict = optimizers.get(
        {"class_name": "SGD", "config": {"learning_rate": 0.3, "momentum": 0.5}}
    )
    assert from_dict.momentum == 0.5
    assert float(from_dict.learning_rate.numpy()) == pytest.approx(0.3)
    with_schedule = optimizers.deserialize(
        optimizers.serialize(optimizers.Adam(schedules.ExponentialDecay(0.1, 10, 0.9)))
    )
    assert isinstance(with_schedule._learning_rate, schedules.ExponentialDecay)
    with pytest.raises(ValueError, match="Unknown optimizer: 'nadamx'"):
        optimizers.get("nadamx")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get(42)


def test_optimizer_state_is_checkpointed_and_restored(tmp_path):
    w = tf.Variable([1.0, 2.0])
    optimizer = optimizers.Adam(0.1)
    optimizer.apply_gradients([(tf.constant([1.0, 1.0]), w)])
    path = tf.train.Checkpoint(optimizer=optimizer, w=w).save(str(tmp_path / "ckpt"))

    w2 = tf.Variable([0.0, 0.0])
    restored = optimizers.Adam(0.1)
    tf.train.Checkpoint(optimizer=restored, w=w2).restore(path)
    assert int(restored.iterations.numpy()) == 1
    # Slots are created by the next apply and take their saved values then.
    restored.apply_gradients([(tf.constant([1.0, 1.0]), w2)])
    optimizer.apply_gradients([(tf.constant([1.0, 1.0]), w)])
    np.testing.assert_allclose(w2.numpy(), w.numpy(), rtol=1e-6)


class RowGradient:
    """Shaped like tf.IndexedSlices: values for rows `indices` of a dense_shape tensor."""

    def __init__(self, values, indices, dense_shape):
        self.values, self.indices, self.dense_shape = values, indices, dense_shape


def test_row_sparse_gradients_are_applied_densely():
    w = tf.Variable(np.zeros((3, 2), np.float32))
    grad = RowGradient(
        tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant([2, 2]), tf.constant([3, 2])
    )
    optimizers.SGD(1.0).apply_gradients([(grad, w)])
    np.testing.assert_allclose(w.numpy(), [[0, 0], [0, 0], [-4.0, -6.0]])
